import { execa, type ResultPromise } from 'execa';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** A real server process started from dist/ with its parsed ready line. */
export interface RunningServer {
  process: ResultPromise;
  url: string;
  pid: number;
  ready: ReadyLine;
  lines: string[];
  stop(): Promise<void>;
}

/** The ready line every server prints. */
export interface ReadyLine {
  event: 'ready';
  role: string;
  variant: string | null;
  pid: number;
  host: string;
  port: number;
  url: string;
  models: { name: string; version: number | null; bytes: number; loadMs: number }[];
  readyAtMs: number;
}

/** Absolute path of a compiled entry point. */
export function entry(name: 'monolith/main' | 'microservices/service' | 'microservices/gateway' | 'microservices/nginx-gateway'): string {
  return join(ROOT, 'dist', `${name}.js`);
}

/** Starts a compiled server and waits for its ready line (fails if it exits first). */
export async function startServer(name: Parameters<typeof entry>[0], args: string[], env: Record<string, string> = {}, timeoutMs = 50_000): Promise<RunningServer> {
  const child = execa('node', [entry(name), ...args], { env, reject: false, buffer: false, stdout: 'pipe', stderr: 'pipe' });
  const lines: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = await new Promise<ReadyLine>((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(() => reject(new Error(`${name} not ready within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      let at: number;
      while ((at = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, at);
        pending = pending.slice(at + 1);
        lines.push(line);
        const parsed = JSON.parse(line) as { event?: string };
        if (parsed.event === 'ready') {
          clearTimeout(timer);
          resolve(parsed as ReadyLine);
        }
      }
    });
    void child.then((result) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${result.exitCode ?? result.signal}) before ready; stderr: ${stderr}`));
    });
  });
  return {
    process: child,
    url: ready.url,
    pid: ready.pid,
    ready,
    lines,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await child;
    },
  };
}

/** True while a pid exists (the orchestrator's own check). */
export { isPidAlive as isAlive } from '../../../bench/targets/local/pid.js';

/** Waits until a condition holds or the time is up. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return false;
}
