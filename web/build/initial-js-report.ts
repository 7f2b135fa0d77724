import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** The budget for what a first visit downloads before the app can run. */
const INITIAL_JS_BUDGET_BYTES = 200 * 1024;

/**
 * Prints the gzipped size of the JavaScript a first page load fetches: the entry chunk and
 * every chunk it imports statically (lazy routes are excluded, they load on navigation).
 * Fails the build over budget, so the figure can't creep up unnoticed.
 */
export function reportInitialJs(): Plugin {
  return {
    name: 'talki-initial-js-report',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = new Map(
        Object.values(bundle).flatMap((output) =>
          output.type === 'chunk' ? [[output.fileName, output]] : [],
        ),
      );
      const initial = new Set<string>();
      const visit = (fileName: string) => {
        if (initial.has(fileName)) return;
        const chunk = chunks.get(fileName);
        if (!chunk) return;
        initial.add(fileName);
        for (const imported of chunk.imports) visit(imported);
      };
      for (const chunk of chunks.values()) if (chunk.isEntry) visit(chunk.fileName);
      let gzipped = 0;
      for (const fileName of initial)
        gzipped += gzipSync(chunks.get(fileName)?.code ?? '', { level: 9 }).length;
      const kb = (gzipped / 1024).toFixed(1);
      const line = `initial JS: ${kb} KB gzipped in ${initial.size} chunk(s) (budget ${INITIAL_JS_BUDGET_BYTES / 1024} KB)`;
      if (gzipped > INITIAL_JS_BUDGET_BYTES) this.error(line);
      this.info(line);
      console.log(`\n${line}`);
    },
  };
}
