import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';
import { nowMs, settlesWithin, sleep } from '../../clock.js';
import { createCgroup, type CgroupHandle, type CgroupLimits } from './cgroup-v1.js';
import { isPidAlive } from './pid.js';
import { parseReadyLine, waitForHealthReady } from './ready-line.js';
import type { ManagedProcess, ProcessLogLine, ProcessName, ReadyLine, SupervisorEvent } from '../types.js';

export { isPidAlive };

/** How to start one server process. */
export interface ProcessPlan {
  name: ProcessName;
  /** Compiled JS entry point (run with the current node binary, never a TS loader). */
  entry: string;
  /** Server flags without --port (rebuilt at every spawn so restarts see current routes/versions). */
  buildArgs: () => string[];
  /** Port to bind (0 = any); restarts reuse the last bound port. */
  port: number;
  /** True when the port was chosen by the user and must never change. */
  fixedPort?: boolean;
  models: string[];
  env?: Record<string, string>;
  /** Pin with taskset -c when set. */
  taskset?: { path: string; cpus: number[] } | null;
  /** Put the process into its own cgroup v1 group with these limits when set. */
  limits?: CgroupLimits | null;
}

/** Backoff of the "always" restart policy. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** A process that stayed ready this long before dying restarts with the initial delay again. */
  resetAfterMs: number;
}

/** Options of a supervisor. */
export interface SupervisorOptions {
  restartPolicy: 'always' | 'never';
  readyTimeoutMs?: number;
  stopGraceMs?: number;
  backoff?: Partial<BackoffPolicy>;
  /** Receives every stdout/stderr line that is not the ready line. */
  onOutput?: (process: string, stream: 'stdout' | 'stderr', line: string) => void;
  /** Called after a restarted process is ready (e.g. to update gateway routes when its URL changed). */
  onRestarted?: (process: SupervisedProcess, previousUrl: string | null) => Promise<void> | void;
}

type ProcessState = 'starting' | 'ready' | 'backoff' | 'stopping' | 'stopped' | 'exited' | 'failed';

/** Internal state of one supervised process. */
export interface SupervisedProcess {
  name: ProcessName;
  plan: ProcessPlan;
  state: ProcessState;
  pid: number | null;
  url: string | null;
  port: number | null;
  ready: ReadyLine | null;
  restarts: number;
  readySinceMs: number | null;
  consecutiveFailures: number;
  cgroup: CgroupHandle | null;
  cgroupError: string | null;
  stderrTail: string[];
  child: ResultPromise | null;
  exited: Promise<void> | null;
  wakeBackoff: (() => void) | null;
}

/** Failure to start a process, with its last stderr lines. */
export class ProcessStartError extends Error {
  constructor(readonly processName: string, message: string, readonly stderrTail: string[]) {
    super(`${processName}: ${message}${stderrTail.length > 0 ? `\n  last stderr lines:\n    ${stderrTail.slice(-8).join('\n    ')}` : ''}`);
    this.name = 'ProcessStartError';
  }
}

const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 2000, resetAfterMs: 10_000 };
const STDERR_TAIL_LINES = 40;
/** Stderr lines of all processes kept with their time (the oldest go first). */
export const STDERR_LOG_LINES = 2000;

/** Sends a signal to a process group (falling back to the process); false when nothing was there. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/** Current state, read through a function so TypeScript does not narrow it across awaits. */
function stateOf(proc: SupervisedProcess): ProcessState {
  return proc.state;
}

/** True while or after a stop was requested. */
function isStopping(proc: SupervisedProcess): boolean {
  return stateOf(proc) === 'stopping' || stateOf(proc) === 'stopped';
}

/** Replaces or appends `--port N` in a flag list. */
export function withPort(args: string[], port: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--port') {
      i++;
      continue;
    }
    out.push(args[i]!);
  }
  return [...out, '--port', String(port)];
}

/**
 * Starts server processes, waits for their ready line and health, restarts them when they die
 * unexpectedly (policy "always", exponential backoff) and stops them with SIGTERM → grace → SIGKILL.
 */
export class Supervisor {
  readonly events: SupervisorEvent[] = [];
  /** Bounded ring of every process's stderr lines with when they were read, across restarts. */
  readonly stderrLog: ProcessLogLine[] = [];
  private readonly processes = new Map<ProcessName, SupervisedProcess>();
  private readonly backoff: BackoffPolicy;
  private readonly readyTimeoutMs: number;
  private readonly stopGraceMs: number;

  constructor(private readonly options: SupervisorOptions) {
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
    this.stopGraceMs = options.stopGraceMs ?? 5000;
  }

  /** Every process ever started and not removed, in start order. */
  list(): SupervisedProcess[] {
    return [...this.processes.values()];
  }

  /** One process by name. */
  get(name: ProcessName): SupervisedProcess | undefined {
    return this.processes.get(name);
  }

  /** Public snapshot of the processes. */
  describe(): ManagedProcess[] {
    return this.list().map((p) => ({ name: p.name, pid: p.pid, url: p.url, models: [...p.plan.models], restarts: p.restarts }));
  }

  /** Starts a process and resolves once it printed its ready line and /v2/health/ready answers 200. */
  async start(plan: ProcessPlan): Promise<SupervisedProcess> {
    const existing = this.processes.get(plan.name);
    if (existing && existing.state !== 'stopped' && existing.state !== 'exited' && existing.state !== 'failed') {
      throw new Error(`process ${plan.name} is already running`);
    }
    const proc: SupervisedProcess = {
      name: plan.name, plan, state: 'starting', pid: null, url: null, port: null, ready: null, restarts: existing?.restarts ?? 0,
      readySinceMs: null, consecutiveFailures: 0, cgroup: null, cgroupError: null, stderrTail: [], child: null, exited: null, wakeBackoff: null,
    };
    this.processes.set(plan.name, proc);
    try {
      await this.spawnOnce(proc, plan.port);
    } catch (error) {
      proc.state = 'failed';
      this.removeCgroup(proc);
      throw error;
    }
    return proc;
  }

  /** Stops one process gracefully: SIGTERM to its group, SIGKILL after the grace. */
  async stop(name: ProcessName, graceMs = this.stopGraceMs): Promise<void> {
    const proc = this.processes.get(name);
    if (!proc) return;
    proc.state = 'stopping';
    proc.wakeBackoff?.();
    const pid = proc.pid;
    const child = proc.child;
    let code: number | null = null;
    let signal: string | null = null;
    if (pid !== null && child && proc.exited && child.exitCode === null && child.signalCode === null) {
      signalGroup(pid, 'SIGTERM');
      const exitedInGrace = await settlesWithin(proc.exited, graceMs);
      if (!exitedInGrace) {
        signalGroup(pid, 'SIGKILL');
        await settlesWithin(proc.exited, 5000);
      }
    }
    if (pid !== null) signalGroup(pid, 'SIGKILL'); // anything left in the group (grandchildren)
    if (child) {
      code = child.exitCode;
      signal = child.signalCode;
    }
    this.record('stop', proc, { pid: pid ?? undefined, code, signal });
    proc.state = 'stopped';
    proc.pid = null;
    this.removeCgroup(proc);
  }

  /** Stops a process (drain) and starts it again on the same port with its current plan. */
  async restart(name: ProcessName, graceMs = this.stopGraceMs): Promise<SupervisedProcess> {
    const proc = this.processes.get(name);
    if (!proc) throw new Error(`no process named ${name}`);
    const previousUrl = proc.url;
    const port = proc.port ?? proc.plan.port;
    await this.stop(name, graceMs);
    this.record('restart', proc, { detail: 'requested' });
    proc.state = 'starting';
    proc.restarts++;
    try {
      await this.spawnOnce(proc, port);
    } catch (error) {
      proc.state = 'failed';
      throw error;
    }
    await this.options.onRestarted?.(proc, previousUrl);
    return proc;
  }

  /** Stops every process in parallel. */
  async stopAll(graceMs = this.stopGraceMs): Promise<void> {
    await Promise.allSettled(this.list().map((p) => this.stop(p.name, graceMs)));
  }

  /** Synchronous last resort (process exit): SIGKILL every group and remove cgroups. */
  killAllSync(): void {
    for (const proc of this.list()) {
      proc.state = 'stopping';
      if (proc.pid !== null) signalGroup(proc.pid, 'SIGKILL');
    }
    for (const proc of this.list()) this.removeCgroup(proc);
  }

  /** Appends an event stamped with nowMs(). */
  private record(type: SupervisorEvent['type'], proc: SupervisedProcess, extra: Omit<SupervisorEvent, 'atMs' | 'type' | 'process'> = {}): void {
    const event: SupervisorEvent = { atMs: nowMs(), type, process: proc.name };
    for (const [key, value] of Object.entries(extra)) {
      if (value !== undefined) (event as unknown as Record<string, unknown>)[key] = value;
    }
    this.events.push(event);
  }

  /** Removes a process's cgroup, if any. */
  private removeCgroup(proc: SupervisedProcess): void {
    if (!proc.cgroup) return;
    try {
      proc.cgroup.remove();
    } catch {
      // best effort
    }
    proc.cgroup = null;
  }

  /** Spawns the process once and waits for its ready line and health; kills it on failure. */
  private async spawnOnce(proc: SupervisedProcess, port: number): Promise<void> {
    const plan = proc.plan;
    const args = withPort(plan.buildArgs(), port);
    const nodeArgs = [plan.entry, ...args];
    const [file, fileArgs] = plan.taskset
      ? [plan.taskset.path, ['-c', plan.taskset.cpus.join(','), process.execPath, ...nodeArgs]]
      : [process.execPath, nodeArgs];
    proc.stderrTail = [];
    proc.ready = null;
    const child = execa(file, fileArgs, {
      detached: true,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      cleanup: false,
      forceKillAfterDelay: false,
      extendEnv: true,
      env: { ...plan.env, SPLITBENCH_PARENT_PID: String(process.pid) },
    });
    child.catch(() => undefined);
    proc.child = child;
    const pid = child.pid;
    if (pid === undefined) {
      const result = await child;
      throw new ProcessStartError(proc.name, `could not spawn ${file}: ${result.message ?? 'unknown error'}`, []);
    }
    proc.pid = pid;
    this.record('spawn', proc, { pid, detail: `${file} ${fileArgs.join(' ')}` });
    if (plan.limits) {
      try {
        proc.cgroup ??= createCgroup(`${proc.name}`, plan.limits);
        proc.cgroup.addPid(pid);
      } catch (error) {
        proc.cgroupError = (error as Error).message;
      }
    }

    let resolveReady: (line: ReadyLine) => void = () => undefined;
    const readyLine = new Promise<ReadyLine>((resolve) => {
      resolveReady = resolve;
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    proc.exited = exited.then(() => undefined);
    if (child.stdout) {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const ready = parseReadyLine(line);
        if (ready && proc.child === child && proc.ready === null) resolveReady(ready);
        else this.options.onOutput?.(proc.name, 'stdout', line);
      });
    }
    if (child.stderr) {
      createInterface({ input: child.stderr }).on('line', (line) => {
        proc.stderrTail.push(line);
        if (proc.stderrTail.length > STDERR_TAIL_LINES) proc.stderrTail.shift();
        this.stderrLog.push({ atMs: nowMs(), process: proc.name, pid, line });
        if (this.stderrLog.length > STDERR_LOG_LINES) this.stderrLog.shift();
        this.options.onOutput?.(proc.name, 'stderr', line);
      });
    }
    void exited.then(({ code, signal }) => this.handleExit(proc, child, pid, code, signal));

    const deadline = Date.now() + this.readyTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.readyTimeoutMs);
    });
    const outcome = await Promise.race([readyLine, exited.then((e) => ({ exited: e })), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.record('ready-timeout', proc, { pid, detail: `no ready line within ${this.readyTimeoutMs} ms` });
      await this.killChild(proc, child, pid);
      throw new ProcessStartError(proc.name, `no ready line within ${this.readyTimeoutMs} ms`, proc.stderrTail);
    }
    if ('exited' in outcome) {
      // Let the stderr reader drain so the error shows why it died.
      await sleep(50);
      throw new ProcessStartError(proc.name, `exited before ready (code ${outcome.exited.code}, signal ${outcome.exited.signal})`, proc.stderrTail);
    }
    const healthy = await Promise.race([waitForHealthReady(outcome.url, deadline), exited.then(() => false)]);
    if (!healthy) {
      const alive = child.exitCode === null && child.signalCode === null;
      if (alive) {
        this.record('ready-timeout', proc, { pid, detail: `${outcome.url}/v2/health/ready did not answer 200` });
        await this.killChild(proc, child, pid);
      }
      throw new ProcessStartError(proc.name, alive ? `printed ready but ${outcome.url}/v2/health/ready never answered 200` : 'exited right after its ready line', proc.stderrTail);
    }
    if (proc.state === 'stopping' || proc.state === 'stopped') {
      throw new ProcessStartError(proc.name, 'stopped while starting', proc.stderrTail);
    }
    proc.ready = outcome;
    proc.url = outcome.url;
    proc.port = outcome.port;
    proc.state = 'ready';
    proc.readySinceMs = Date.now();
    this.record('ready', proc, { pid, detail: outcome.url });
  }

  /** SIGKILLs a child that failed to start and waits for it to be gone. */
  private async killChild(proc: SupervisedProcess, child: ResultPromise, pid: number): Promise<void> {
    const wasState = proc.state;
    proc.state = 'stopping';
    signalGroup(pid, 'SIGKILL');
    if (proc.exited) await settlesWithin(proc.exited, 5000);
    if (proc.child === child) proc.state = wasState === 'stopping' ? 'stopping' : 'failed';
  }

  /** Reacts to a process exit: logs it and restarts it when it died on its own and the policy says so. */
  private handleExit(proc: SupervisedProcess, child: ResultPromise, pid: number, code: number | null, signal: string | null): void {
    if (proc.child !== child) return;
    if (proc.state === 'stopping' || proc.state === 'stopped' || proc.state === 'failed') return;
    this.record('exit', proc, { pid, code, signal });
    const wasReady = proc.state === 'ready';
    proc.pid = null;
    if (!wasReady) return; // a start attempt failed: its caller decides what happens next
    if (this.options.restartPolicy !== 'always') {
      proc.state = 'exited';
      this.removeCgroup(proc);
      return;
    }
    const healthyFor = proc.readySinceMs === null ? 0 : Date.now() - proc.readySinceMs;
    if (healthyFor >= this.backoff.resetAfterMs) proc.consecutiveFailures = 0;
    void this.restartLoop(proc);
  }

  /** Restarts a dead process with exponential backoff until it is ready or stopped. */
  private async restartLoop(proc: SupervisedProcess): Promise<void> {
    const previousUrl = proc.url;
    let port = proc.port ?? proc.plan.port;
    while (proc.state !== 'stopping' && proc.state !== 'stopped') {
      const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** proc.consecutiveFailures);
      proc.consecutiveFailures++;
      proc.state = 'backoff';
      this.record('restart', proc, { detail: `attempt ${proc.consecutiveFailures} after ${delay} ms on port ${port}` });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        proc.wakeBackoff = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      proc.wakeBackoff = null;
      if (proc.state !== 'backoff') return;
      proc.state = 'starting';
      proc.restarts++;
      try {
        await this.spawnOnce(proc, port);
      } catch (error) {
        if (isStopping(proc)) return;
        proc.state = 'backoff';
        this.options.onOutput?.(proc.name, 'stderr', `restart failed: ${(error as Error).message}`);
        // The old port may be taken by now: let the kernel choose (the gateway route follows the new URL).
        if (!proc.plan.fixedPort) port = 0;
        continue;
      }
      if (stateOf(proc) !== 'ready') return;
      try {
        await this.options.onRestarted?.(proc, previousUrl);
      } catch (error) {
        this.options.onOutput?.(proc.name, 'stderr', `after restart: ${(error as Error).message}`);
      }
      return;
    }
  }
}
