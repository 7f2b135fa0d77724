import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { reportInitialJs } from './build/initial-js-report.js';
import { precompress } from './build/precompress.js';

/**
 * The agent web app. `npm run build` writes it to dist/web, which `talki serve` serves at `/`.
 * The nonce placeholder is replaced per response by the server (src/http/web-app.ts), so the
 * Content-Security-Policy can forbid every inline script and style it did not issue.
 */
export const CSP_NONCE_PLACEHOLDER = 'TALKI_CSP_NONCE';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react(), reportInitialJs(), precompress()],
  html: { cspNonce: CSP_NONCE_PLACEHOLDER },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    // `npm run dev:web` against a `talki serve` on :3000.
    proxy: {
      '/v1': { target: 'http://127.0.0.1:3000', ws: true },
      '/widget.js': 'http://127.0.0.1:3000',
      '/widget': 'http://127.0.0.1:3000',
    },
  },
});
