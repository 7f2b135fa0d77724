import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

const MAIN = path.resolve(import.meta.dirname, '../../dist/main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `talki` CLI as a user would, in its own process. */
export async function runCli(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { ...baseEnv(), ...env }, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** The parent's environment without the database/redis settings a test did not ask for. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.TALKI_RATE_LIMIT_PER_MIN;
  return env;
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * A long-running `talki <command>` child, resolved once `ready(output)` gives a value: a fetch
 * or a line it printed. It fails if the child exits first or is not ready within 20 s.
 */
async function startTalki<T>(
  command: 'serve' | 'worker',
  env: NodeJS.ProcessEnv,
  ready: (output: string) => Promise<T | undefined>,
): Promise<{ value: T; process: Omit<ServerProcess, 'url'> }> {
  const child = spawn(process.execPath, [MAIN, command], { env, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`talki ${command} exited early (${child.exitCode}):\n${output}`);
    const value = await ready(output);
    if (value !== undefined) {
      return {
        value,
        process: {
          child,
          output: () => output,
          async stop() {
            if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
            const closed = once(child, 'exit');
            child.kill('SIGTERM');
            const [code] = (await closed) as [number | null];
            return code;
          },
        },
      };
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`talki ${command} did not become ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `talki serve` in a child process on a port of its own choosing, resolved once /readyz answers 200. */
export async function startServer(env: Record<string, string | undefined>): Promise<ServerProcess> {
  const { value: url, process: server } = await startTalki(
    'serve',
    { ...baseEnv(), HOST: '127.0.0.1', PORT: '0', ...env },
    async (output) => {
      // The port comes from this child's own "listening on" line, never from a guess that another process could take.
      const url = /talki: listening on (http:\/\/\S+)/.exec(output)?.[1];
      const ready =
        url !== undefined &&
        (await fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        ));
      return ready ? url : undefined;
    },
  );
  return { url, ...server };
}

/** `talki worker` in a child process, resolved once it says it runs. */
export async function startWorker(env: Record<string, string | undefined>): Promise<ServerProcess> {
  const { process: worker } = await startTalki('worker', { ...baseEnv(), ...env }, async (output) =>
    output.includes('talki: worker running') ? true : undefined,
  );
  return { url: '', ...worker };
}
