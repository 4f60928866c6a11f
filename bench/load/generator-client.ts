import { execa, type ResultPromise } from 'execa';
import { compiledEntry } from '../../models/paths.js';
import { settlesWithin } from '../clock.js';
import { findTaskset } from '../targets/local/cpu-pinning.js';
import { encodeClosedLoopSpec, type ClosedLoopResult, type ClosedLoopSpec } from './closed-loop.js';
import { encodeWirePlan, type FromGenerator, type ToGenerator } from './protocol.js';
import { validatePlan } from './open-loop-runner.js';
import type { HealthSnapshot, OpenLoopPlan, OpenLoopResult } from './types.js';

/** Where the generator process runs. */
export interface GeneratorOptions {
  /** CPUs to pin the generator to with `taskset -c` (ignored, and reported as null, when taskset is missing). */
  cpus?: number[] | null;
  /** Compiled generator entry (default dist/bench/load/generator-process.js). */
  entry?: string;
}

/** A running open-loop job in a generator process (the run's shared one, or one of its own). */
export interface OpenLoopHandle {
  pid: number | undefined;
  /** Resolves when the schedule's time zero is fixed (epoch ms, `nowMs()` clock). */
  started: Promise<{ startedAtMs: number }>;
  result: Promise<OpenLoopResult>;
  /** The latest health snapshot (plans with `health` only; null before the first). */
  health(): HealthSnapshot | null;
  /** Stops sending; in-flight requests are waited for (up to the timeout) and `result` resolves with `aborted: true`. */
  abort(): Promise<void>;
}

type Generator = ResultPromise<{ ipc: true; serialization: 'json'; reject: false; stdout: 'inherit'; stderr: 'pipe' }>;

/** True when `taskset` is on PATH (it is part of util-linux; absent on macOS). */
export function isTasksetAvailable(): boolean {
  return findTaskset() !== null;
}

/** Spawns the generator child (pinned when asked and possible) with a JSON IPC channel. */
function spawnGenerator(options: GeneratorOptions): { child: Generator; cpus: number[] | null } {
  const entry = options.entry ?? compiledEntry('bench/load/generator-process');
  const cpus = options.cpus && options.cpus.length > 0 && isTasksetAvailable() ? options.cpus : null;
  // --expose-gc: the generator collects the previous job's garbage before the next starts, not during it.
  const node = [process.execPath, '--expose-gc', entry];
  const [file, args] = cpus === null ? [node[0]!, node.slice(1)] : ['taskset', ['-c', cpus.join(','), ...node]];
  const child = execa(file, args, { ipc: true, serialization: 'json', reject: false, stdout: 'inherit', stderr: 'pipe', cleanup: true });
  return { child, cpus };
}

type Job = Exclude<ToGenerator, { type: 'abort' }>;

/**
 * One load-generator process that runs jobs one at a time: a whole run shares it, so the ~0.5 s
 * start-up of a generator is paid once. Each job opens and closes its own connections and reports
 * its own CPU use, so jobs do not leak into each other's figures. A generator that died is
 * replaced by the next job.
 */
export class LoadGenerator {
  private process: { child: Generator; cpus: number[] | null } | null = null;
  private readonly listeners = new Map<number, { child: Generator; onMessage: (message: FromGenerator) => void }>();
  private nextJobId = 1;
  private busy = false;

  constructor(private readonly options: GeneratorOptions = {}) {}

  /** Pid of the current generator process (undefined before the first job). */
  get pid(): number | undefined {
    return this.process?.child.pid;
  }

  /** Starts an open-loop run; see OpenLoopHandle. */
  startOpenLoop(plan: OpenLoopPlan): OpenLoopHandle {
    validatePlan(plan);
    let resolveStarted: (value: { startedAtMs: number }) => void = () => undefined;
    let rejectStarted: (error: unknown) => void = () => undefined;
    const started = new Promise<{ startedAtMs: number }>((resolve, reject) => ((resolveStarted = resolve), (rejectStarted = reject)));
    started.catch(() => undefined);
    let health: HealthSnapshot | null = null;
    const { jobId, child, done } = this.submit((id, cpus) => ({ type: 'open-loop', jobId: id, plan: encodeWirePlan(plan), cpus }), (m) => {
      if (m.type === 'started') resolveStarted({ startedAtMs: m.startedAtMs });
      if (m.type === 'health') health = m.snapshot;
    });
    const result = done.then((m) => {
      if (m.type !== 'open-loop-result') throw new Error(`load generator answered an open-loop job with "${m.type}"`);
      return m.result;
    });
    result.catch(rejectStarted);
    return {
      pid: child.pid,
      started,
      result,
      health: () => health,
      abort: async () => {
        if (child.connected) await child.sendMessage({ type: 'abort', jobId } satisfies ToGenerator).catch(() => undefined);
        await result.catch(() => undefined);
      },
    };
  }

  /** Runs an open-loop plan and returns its result. */
  runOpenLoop(plan: OpenLoopPlan): Promise<OpenLoopResult> {
    return this.startOpenLoop(plan).result;
  }

  /** Runs a closed-loop concurrency sweep and returns its result. */
  async runClosedLoop(spec: ClosedLoopSpec): Promise<ClosedLoopResult> {
    const { done } = this.submit((jobId) => ({ type: 'closed-loop', jobId, plan: encodeClosedLoopSpec(spec) }), () => undefined);
    const message = await done;
    if (message.type !== 'closed-loop-result') throw new Error(`load generator answered a closed-loop job with "${message.type}"`);
    return message.result;
  }

  /** Ends the generator process (a running job ends with it). */
  async close(): Promise<void> {
    const current = this.process;
    this.process = null;
    if (current === null) return;
    if (current.child.connected) current.child.disconnect();
    if (!(await settlesWithin(current.child, 5000))) {
      current.child.kill('SIGKILL');
      await current.child;
    }
  }

  /** Sends a job to the (possibly new) generator; `done` settles with its result message or rejects with why it failed. */
  private submit(build: (jobId: number, cpus: number[] | null) => Job, onProgress: (message: FromGenerator) => void): { jobId: number; child: Generator; done: Promise<FromGenerator> } {
    if (this.busy) throw new Error('load generator: a job is already running; jobs run one at a time so they do not share the generator CPU');
    const { child, cpus } = this.ensureProcess();
    const jobId = this.nextJobId++;
    this.busy = true;
    const done = new Promise<FromGenerator>((resolve, reject) => {
      this.listeners.set(jobId, {
        child,
        onMessage: (message) => {
          if (message.type === 'started' || message.type === 'health') return onProgress(message);
          if (message.type === 'failed') reject(new Error(`load generator failed: ${message.message}`));
          else resolve(message);
        },
      });
      child.sendMessage(build(jobId, cpus)).catch(reject);
    }).finally(() => {
      this.listeners.delete(jobId);
      this.busy = false;
    });
    return { jobId, child, done };
  }

  /** The live generator process, spawned (and its messages dispatched to jobs) when there is none. */
  private ensureProcess(): { child: Generator; cpus: number[] | null } {
    if (this.process !== null && this.process.child.exitCode === null && this.process.child.signalCode === null && this.process.child.connected) return this.process;
    const spawned = spawnGenerator(this.options);
    this.process = spawned;
    void this.dispatch(spawned.child);
    return spawned;
  }

  /** Routes the child's messages to their jobs; when it ends, fails every job still waiting, with its stderr. */
  private async dispatch(child: Generator): Promise<void> {
    try {
      for await (const message of child.getEachMessage()) {
        const m = message as FromGenerator;
        this.listeners.get(m.jobId)?.onMessage(m);
      }
    } catch {
      // the channel broke: handled below like an exit
    }
    const outcome = await child;
    if (this.process?.child === child) this.process = null;
    const why = `exited without a result (exit ${outcome.exitCode ?? outcome.signal}): ${String(outcome.stderr).slice(-2000)}`;
    // Only this child's jobs: a job already sent to its replacement is not affected.
    for (const [jobId, listener] of [...this.listeners]) if (listener.child === child) listener.onMessage({ type: 'failed', jobId, message: why });
  }
}

/** Starts an open-loop run in a generator process of its own, ended with the run; see OpenLoopHandle. */
export function startOpenLoop(plan: OpenLoopPlan, options: GeneratorOptions = {}): OpenLoopHandle {
  const generator = new LoadGenerator(options);
  const handle = generator.startOpenLoop(plan);
  // The result is handed over once the process is gone, so nothing outlives the run.
  const result = handle.result.finally(() => generator.close());
  result.catch(() => undefined);
  return { ...handle, result, abort: () => handle.abort().then(() => result.then(() => undefined, () => undefined)) };
}

/** Runs an open-loop plan in a generator process of its own and returns the result. */
export function runOpenLoop(plan: OpenLoopPlan, options: GeneratorOptions = {}): Promise<OpenLoopResult> {
  return startOpenLoop(plan, options).result;
}

/** Runs a closed-loop concurrency sweep in a generator process of its own (optionally pinned). */
export async function runClosedLoop(spec: ClosedLoopSpec, options: GeneratorOptions = {}): Promise<ClosedLoopResult> {
  const generator = new LoadGenerator(options);
  try {
    return await generator.runClosedLoop(spec);
  } finally {
    await generator.close();
  }
}
