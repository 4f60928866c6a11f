import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

const POLL_MS = 25;
const START_TIMEOUT_MS = 15_000;
const RELOAD_TIMEOUT_MS = 15_000;
/** How long a route switch waits for the old worker to stop taking requests. */
const OLD_WORKER_WAIT_MS = 5_000;

/** A free TCP port on host right now (nginx cannot listen on port 0): bind 0, read it, close. */
export function pickFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** GET a path on a fresh connection (so an old worker's keep-alive never answers); null when nothing answers. */
export function fetchFresh(url: string, timeoutMs = 1000): Promise<{ status: number; body: string } | null> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, headers: { connection: 'close' }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end();
  });
}

/** Pids of the live children of a process (from /proc; nginx's workers are the master's children). */
export function findChildPids(parentPid: number): number[] {
  const children: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return children;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parentPid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/**
 * True while an nginx worker still takes new requests: it exists and its title is not yet
 * "nginx: worker process is shutting down" (set once it got the master's QUIT and closed its idle connections).
 */
function isTakingRequests(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('shutting down');
  } catch {
    return false;
  }
}

/** Where and how to run one nginx master. */
export interface NginxRunOptions {
  binary: string;
  /** Private prefix directory holding nginx.conf, the pid file and temp paths. */
  dir: string;
  /** Base URL nginx listens on, e.g. http://127.0.0.1:PORT. */
  url: string;
  /** Called once if the master exits when no stop was asked for. */
  onUnexpectedExit: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/** Why nginx did not come up (its stderr says more; it is inherited). */
export class NginxStartError extends Error {}

/** One nginx master (and its single worker) running a generated config in the foreground. */
export class NginxProcess {
  private started = false;
  private stopping = false;
  private exitedWith: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess, private readonly options: NginxRunOptions) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitedWith = { code, signal };
        if (!this.stopping) options.onUnexpectedExit(code, signal);
        resolve();
      });
    });
  }

  /** Path of the config file nginx reads. */
  static confPath(dir: string): string {
    return join(dir, 'nginx.conf');
  }

  /** Writes the config, checks it with `nginx -t`, starts the master and waits until generation `generation` answers. */
  static async start(conf: string, generation: number, options: NginxRunOptions): Promise<NginxProcess> {
    writeFileSync(NginxProcess.confPath(options.dir), conf);
    checkConf(options.binary, options.dir);
    const child = spawn(options.binary, nginxArgs(options.dir, ['-g', 'daemon off;']), { stdio: ['ignore', 'ignore', 'inherit'] });
    // An exit before the first answer is reported by start() itself, not as an unexpected exit.
    const nginx: NginxProcess = new NginxProcess(child, { ...options, onUnexpectedExit: (code, signal) => (nginx.started ? options.onUnexpectedExit(code, signal) : undefined) });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => reject(new NginxStartError(`cannot run ${options.binary}: ${error.message}`)));
    });
    const answered = await nginx.waitForGeneration(generation, START_TIMEOUT_MS);
    if (!answered) {
      const exit = nginx.exitedWith;
      await nginx.stop(0);
      throw new NginxStartError(exit ? `nginx exited (code ${exit.code}, signal ${exit.signal}) before answering on ${options.url}` : `nginx did not answer on ${options.url} within ${START_TIMEOUT_MS} ms`);
    }
    nginx.started = true;
    return nginx;
  }

  /** Pid of the master. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /**
   * Rewrites the config and reloads (SIGHUP): old workers finish their in-flight requests. Resolves once
   * the new worker answers and the old one is shutting down (until then it could still take a request on
   * a kept-alive connection). It is not awaited to exit: the admin request itself may be in flight on it.
   */
  async reload(conf: string, generation: number): Promise<void> {
    const path = NginxProcess.confPath(this.options.dir);
    const previous = readFileSync(path, 'utf8');
    writeFileSync(path, conf);
    try {
      checkConf(this.options.binary, this.options.dir);
    } catch (error) {
      writeFileSync(path, previous);
      throw error;
    }
    const oldWorkers = findChildPids(this.pid);
    this.child.kill('SIGHUP');
    if (!(await this.waitForGeneration(generation, RELOAD_TIMEOUT_MS))) throw new Error(`nginx did not pick up the new configuration within ${RELOAD_TIMEOUT_MS} ms`);
    const deadline = Date.now() + OLD_WORKER_WAIT_MS;
    while (oldWorkers.some(isTakingRequests) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }

  /** Graceful stop (SIGQUIT: finish in-flight requests) within graceMs, then SIGKILL to master and workers. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.exitedWith) return;
    if (graceMs > 0) {
      this.child.kill('SIGQUIT');
      const timer = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([this.exited, timer]);
    }
    if (!this.exitedWith) this.killNow();
    await this.exited;
  }

  /**
   * SIGKILLs the master and its workers (synchronous: used on parent death and exit). The master is
   * stopped first so it cannot respawn a worker killed before it; workers are swept a few times.
   */
  killNow(): void {
    this.stopping = true;
    const master = this.child.pid;
    if (this.exitedWith || master === undefined) return;
    signal(master, 'SIGSTOP');
    for (let round = 0; round < 3; round++) {
      for (const pid of findChildPids(master)) signal(pid, 'SIGKILL');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
    signal(master, 'SIGKILL');
  }

  /** Polls GET /_splitbench/generation on fresh connections until it answers `generation`; false on timeout or exit. */
  private async waitForGeneration(generation: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !this.exitedWith) {
      const answer = await fetchFresh(`${this.options.url}/_splitbench/generation`);
      if (answer?.status === 200 && answer.body === String(generation)) return true;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return false;
  }
}

/** Sends a signal, ignoring a process that is already gone. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** nginx flags for a private prefix directory (error log to stderr from the very start). */
function nginxArgs(dir: string, extra: string[]): string[] {
  return ['-p', dir, '-c', NginxProcess.confPath(dir), '-e', 'stderr', ...extra];
}

/** Runs `nginx -t` on the config; throws with nginx's own message when it is invalid. */
function checkConf(binary: string, dir: string): void {
  const result = spawnSync(binary, nginxArgs(dir, ['-t', '-q']), { encoding: 'utf8' });
  if (result.error) throw new NginxStartError(`cannot run ${binary}: ${result.error.message}`);
  if (result.status !== 0) throw new NginxStartError(`nginx rejected the generated configuration: ${result.stderr.trim()}`);
}
