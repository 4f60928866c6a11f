import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { compiledEntry } from '../../models/paths.js';
import { encodeClosedLoopSpec, type ClosedLoopResult, type ClosedLoopSpec } from './closed-loop.js';
import { encodeWirePlan, type FromGenerator, type ToGenerator } from './protocol.js';
import { validatePlan } from './open-loop-runner.js';
import type { OpenLoopPlan, OpenLoopResult } from './types.js';

/** Where the generator process runs. */
export interface GeneratorOptions {
  /** CPUs to pin the generator to with `taskset -c` (ignored, and reported as null, when taskset is missing). */
  cpus?: number[] | null;
  /** Compiled generator entry (default dist/bench/load/generator-process.js). */
  entry?: string;
}

/** A running open-loop job in its own process. */
export interface OpenLoopHandle {
  pid: number | undefined;
  /** Resolves when the schedule's time zero is fixed (epoch ms, `nowMs()` clock). */
  started: Promise<{ startedAtMs: number }>;
  result: Promise<OpenLoopResult>;
  /** Stops sending; in-flight requests are waited for (up to the timeout) and `result` resolves with `aborted: true`. */
  abort(): Promise<void>;
}

type Generator = ResultPromise<{ ipc: true; serialization: 'json'; reject: false; stdout: 'inherit'; stderr: 'pipe' }>;

/** True when `taskset` is on PATH (it is part of util-linux; absent on macOS). */
export function isTasksetAvailable(): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, 'taskset'), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** Spawns the generator child (pinned when asked and possible) with a JSON IPC channel. */
function spawnGenerator(options: GeneratorOptions): { child: Generator; cpus: number[] | null } {
  const entry = options.entry ?? compiledEntry('bench/load/generator-process');
  const cpus = options.cpus && options.cpus.length > 0 && isTasksetAvailable() ? options.cpus : null;
  const [file, args] = cpus === null ? [process.execPath, [entry]] : ['taskset', ['-c', cpus.join(','), process.execPath, entry]];
  const child = execa(file, args, { ipc: true, serialization: 'json', reject: false, stdout: 'inherit', stderr: 'pipe', cleanup: true });
  return { child, cpus };
}

/** Iterates the child's messages until it disconnects; rejects with its stderr if it died without a result. */
async function collectMessages(child: Generator, onMessage: (message: FromGenerator) => boolean): Promise<void> {
  for await (const message of child.getEachMessage()) {
    if (onMessage(message as FromGenerator)) return;
  }
  const outcome = await child;
  throw new Error(`load generator exited without a result (exit ${outcome.exitCode ?? outcome.signal}): ${String(outcome.stderr).slice(-2000)}`);
}

/** Starts an open-loop run in its own process; see OpenLoopHandle. */
export function startOpenLoop(plan: OpenLoopPlan, options: GeneratorOptions = {}): OpenLoopHandle {
  validatePlan(plan);
  const { child, cpus } = spawnGenerator(options);
  let resolveStarted: (value: { startedAtMs: number }) => void = () => undefined;
  let rejectStarted: (error: unknown) => void = () => undefined;
  const started = new Promise<{ startedAtMs: number }>((resolve, reject) => ((resolveStarted = resolve), (rejectStarted = reject)));
  started.catch(() => undefined);
  let finalResult: OpenLoopResult | null = null;
  const result = (async () => {
    const message: ToGenerator = { type: 'open-loop', plan: encodeWirePlan(plan), cpus };
    await child.sendMessage(message);
    let failure: string | null = null;
    await collectMessages(child, (m) => {
      if (m.type === 'started') resolveStarted({ startedAtMs: m.startedAtMs });
      else if (m.type === 'open-loop-result') finalResult = m.result;
      else if (m.type === 'failed') failure = m.message;
      return finalResult !== null || failure !== null;
    });
    await child;
    if (failure !== null) throw new Error(`load generator failed: ${failure}`);
    if (finalResult === null) throw new Error('load generator sent no result');
    return finalResult;
  })();
  result.catch(rejectStarted);
  return {
    pid: child.pid,
    started,
    result,
    abort: async () => {
      if (child.connected) await child.sendMessage({ type: 'abort' } satisfies ToGenerator).catch(() => undefined);
      await result.catch(() => undefined);
    },
  };
}

/** Runs an open-loop plan in its own process and returns the result. */
export function runOpenLoop(plan: OpenLoopPlan, options: GeneratorOptions = {}): Promise<OpenLoopResult> {
  return startOpenLoop(plan, options).result;
}

/** Runs a closed-loop concurrency sweep in its own (optionally pinned) process. */
export async function runClosedLoop(spec: ClosedLoopSpec, options: GeneratorOptions = {}): Promise<ClosedLoopResult> {
  const { child } = spawnGenerator(options);
  await child.sendMessage({ type: 'closed-loop', plan: encodeClosedLoopSpec(spec) } satisfies ToGenerator);
  let outcome: ClosedLoopResult | null = null;
  let failure: string | null = null;
  await collectMessages(child, (m) => {
    if (m.type === 'closed-loop-result') outcome = m.result;
    else if (m.type === 'failed') failure = m.message;
    return outcome !== null || failure !== null;
  });
  await child;
  if (failure !== null) throw new Error(`load generator failed: ${failure}`);
  if (outcome === null) throw new Error('load generator sent no result');
  return outcome;
}
