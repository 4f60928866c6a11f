import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from '../../../../bench/clock.js';
import type { TopologySpec } from '../../../../bench/targets/types.js';

/** The fixture server script. */
export const FIXTURE_SERVER = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'ready-server.mjs');
/** The fixture harness script (starts a topology through the compiled LocalTarget). */
export const FIXTURE_HARNESS = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'harness.mjs');

/** Entries that make LocalTarget start the fixture for every role. */
export const FIXTURE_ENTRIES = { monolith: FIXTURE_SERVER, service: FIXTURE_SERVER, gateway: FIXTURE_SERVER };

/** A small spec with sensible test defaults. */
export function makeSpec(overrides: Partial<TopologySpec> = {}): TopologySpec {
  return {
    kind: 'microservices',
    variant: 'gateway',
    models: ['vad', 'tabular'],
    storeDir: '/tmp/unused-store',
    threads: { intraOp: 1, interOp: 1, uvThreadpool: 2 },
    restartPolicy: 'always',
    serverGraceMs: 500,
    ...overrides,
  };
}

/** True when a process with this pid exists (the orchestrator's own check). */
export { isPidAlive as isAlive } from '../../../../bench/targets/local/pid.js';

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls a condition until it holds or the timeout passes; returns whether it held. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5000, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(everyMs);
  }
  return condition();
}

/** Port number of a URL. */
export function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** Project root (four folders above this file). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** Compiles the project with tsc when dist/ is missing or older than the harness sources (tsc emits even with type errors elsewhere). */
export function ensureCompiled(): void {
  const probes: [string, string][] = [
    ['bench/targets/local/local-target.ts', 'dist/bench/targets/local/local-target.js'],
    ['bench/targets/local/supervisor.ts', 'dist/bench/targets/local/supervisor.js'],
    ['bench/cli/main.ts', 'dist/bench/cli/main.js'],
    ['bench/cli/commands/serve.ts', 'dist/bench/cli/commands/serve.js'],
    ['monolith/main.ts', 'dist/monolith/main.js'],
    ['microservices/service.ts', 'dist/microservices/service.js'],
    ['microservices/gateway.ts', 'dist/microservices/gateway.js'],
  ];
  const stale = probes.some(([src, out]) => !existsSync(join(ROOT, out)) || statSync(join(ROOT, src)).mtimeMs > statSync(join(ROOT, out)).mtimeMs);
  if (!stale) return;
  spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json')], { stdio: 'ignore' });
}

/** A child process as execa starts it: its stdout/stderr streams and its end. */
interface LineSource {
  stdout: NodeJS.ReadableStream | null;
  stderr: NodeJS.ReadableStream | null;
  then(onEnd: () => void): unknown;
}

/** The first line a CLI prints on stdout; rejects with its stderr when it exits first (a server command that serves until a signal). */
export function readFirstLine(child: LineSource, what: string): Promise<string> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    void child.then(() => reject(new Error(`${what} exited before printing its first line: ${stderr}`)));
  });
}
