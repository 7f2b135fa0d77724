// What the bench needs around the measurements: child processes, ports, the CLI, a throw-away
// PostgreSQL database, and cleanup of all of it (also on error and SIGINT/SIGTERM).
/* global fetch */
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const cleanups = [];
let cleaning;

/** Registers an async undo step; steps run last-registered first. */
export const onCleanup = (fn) => cleanups.push(fn);

export function cleanup() {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) await fn().catch((e) => console.error(`cleanup: ${e.message}`));
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => void cleanup().then(() => process.exit(130)));
}

export async function freePort() {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `node dist/main.js <argv> --json`, parsed. */
export async function cli(env, ...argv) {
  const file = path.join(root, 'dist/main.js');
  const { stdout } = await promisify(execFile)(process.execPath, [file, ...argv, '--json'], {
    cwd: root,
    env,
  });
  return JSON.parse(stdout);
}

/** A child node process; its output is counted and its last lines kept for the report. */
export function startChild(name, argv, env) {
  const child = spawn(process.execPath, argv, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const state = { name, child, lines: 0, tail: [], exited: null };
  const keep = (chunk) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) {
      state.lines++;
      state.tail = [...state.tail.slice(-9), line.slice(0, 400)];
    }
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', (code, signal) => (state.exited = signal ?? code));
  onCleanup(async () => {
    if (state.exited !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  });
  return state;
}

/** Polls `url` until it answers 2xx; fails fast if the child exits. */
export async function waitReady(url, state, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (state.exited !== null) {
      throw new Error(`${state.name} exited (${state.exited}):\n${state.tail.join('\n')}`);
    }
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${state.name} not ready at ${url} after ${timeoutMs} ms`);
}

/** A fresh database on the server DATABASE_URL points at; dropped at cleanup. */
export async function createPgDatabase(baseUrl) {
  const name = `talki_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = async (statement) => {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  onCleanup(() => admin(`drop database if exists ${name} with (force)`));
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}
