import { DEFAULT_RUNTIME_NAME } from '../../../models/runtimes.js';
import { nowMs } from '../../clock.js';
import { ProcessStartError } from '../../targets/local/supervisor.js';
import type { ProcessName, RunningTopology } from '../../targets/types.js';
import type { AbsoluteMark } from '../background-load.js';
import { HARNESS_ADMIN_TOKEN } from '../topology-spec.js';
import type { RolloutStep } from './plan.js';

/** What a session remembers between rollouts: which process hosts the target and which version it serves. */
export interface HostState {
  /** Process currently serving the target model (changes after a rolling deploy). */
  host: ProcessName;
  version: number;
  /** onnxruntime the host runs (models/runtimes.ts name); undefined = the default one. */
  runtime?: string;
}

/** Runtime a `code` change moves the target to when it runs on the default: the newest other shipped runtime. */
export const CODE_CHANGE_RUNTIME = 'ort-1.22';

/**
 * A `code` change is a runtime change of the target model: from the default runtime to
 * CODE_CHANGE_RUNTIME, and back on the next one (sessions start on the default, the newest).
 */
export function chooseNextRuntime(current: string | undefined): string {
  return (current ?? DEFAULT_RUNTIME_NAME) === DEFAULT_RUNTIME_NAME ? CODE_CHANGE_RUNTIME : DEFAULT_RUNTIME_NAME;
}

/** Extra server flags pinning a runtime once a code change chose one (the last --runtime wins); none before, so a `model` change restarts exactly what the session started. */
function runtimeArgs(runtime: string | undefined): { extraArgs?: string[] } {
  return runtime === undefined ? {} : { extraArgs: ['--runtime', runtime] };
}

/** What the harness did and saw while rolling out one version. */
export interface RolloutRecord {
  startedAtMs: number;
  endedAtMs: number;
  reloadMode: 'in-process' | 'process-restart';
  /** The error that made the rollout fail, as the orchestrator or the server reported it. */
  error: string | null;
  /** Models and file bytes an in-process reload loaded (process restarts are counted from events). */
  inProcessBytes: number | null;
  marks: AbsoluteMark[];
}

/** Base process a new instance of the host is cloned from (`monolith#v3` → `monolith`). */
function baseOf(host: ProcessName): 'monolith' | `service:${string}` {
  return host.split('#')[0] as 'monolith' | `service:${string}`;
}

/** A monolith may swap one model's session in place for new weights; new code always needs a new process. */
export function chooseReloadMode(kind: RunningTopology['spec']['kind'], step: RolloutStep): RolloutRecord['reloadMode'] {
  return kind === 'monolith' && step.changeKind === 'model' && step.strategy === 'rolling' ? 'in-process' : 'process-restart';
}

/** First line of an error message, plus the server's own reason when a process refused to start, short enough for a timeline label. */
function shortError(error: unknown): string {
  const first = String((error as Error)?.message ?? error).split('\n')[0]!;
  const reason = error instanceof ProcessStartError ? [...error.stderrTail].reverse().find((line) => line.startsWith('splitbench: ')) : undefined;
  return reason ? `${first}: ${reason.slice('splitbench: '.length, 'splitbench: '.length + 400)}` : first.slice(0, 200);
}

/** Recreate: stop the hosting process, start it again with the new version (and runtime; everything it hosts goes down). */
async function recreate(topology: RunningTopology, state: HostState, model: string, version: number, runtime: string | undefined, marks: AbsoluteMark[]): Promise<void> {
  await topology.restartProcess(state.host, { versions: { [model]: version }, ...runtimeArgs(runtime) });
  state.version = version;
  state.runtime = runtime;
  marks.push({ atMs: nowMs(), kind: 'other', label: `${state.host} serves ${model} v${version}${runtime ? ` on ${runtime}` : ''}`, process: state.host, model });
}

/** Rolling: start a new instance beside the old, switch the gateway once it is ready, then drain and stop the old. */
async function rollProcess(topology: RunningTopology, state: HostState, model: string, version: number, runtime: string | undefined, marks: AbsoluteMark[]): Promise<void> {
  const fresh = await topology.startExtra(baseOf(state.host), { suffix: `v${version}`, versions: { [model]: version }, ...runtimeArgs(runtime) });
  const oldUrl = topology.processes().find((p) => p.name === state.host)?.url ?? null;
  try {
    for (const served of fresh.models) await topology.setRoute(served, fresh.url!);
  } catch (error) {
    await abandonInstance(topology, fresh.name, fresh.models, oldUrl);
    throw error;
  }
  marks.push({ atMs: nowMs(), kind: 'switch', label: `gateway → ${fresh.name} (${fresh.models.join(', ')})`, process: fresh.name, model });
  const old = state.host;
  state.host = fresh.name;
  state.version = version;
  state.runtime = runtime;
  await topology.stopProcess(old);
}

/** A switch that failed half-way: point the routes back at the old instance and stop the new one. */
async function abandonInstance(topology: RunningTopology, name: ProcessName, models: readonly string[], oldUrl: string | null): Promise<void> {
  if (oldUrl !== null) for (const served of models) await topology.setRoute(served, oldUrl).catch(() => undefined);
  await topology.stopProcess(name).catch(() => undefined);
}

/** In-process: ask the running monolith to load, warm and swap in the new version of one model. */
async function reloadInProcess(topology: RunningTopology, state: HostState, model: string, version: number, marks: AbsoluteMark[]): Promise<number> {
  const url = topology.processes().find((p) => p.name === state.host)?.url;
  if (!url) throw new Error(`${state.host} has no URL: it is not running`);
  const response = await fetch(`${url}/v2/repository/models/${encodeURIComponent(model)}/load`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-splitbench-token': HARNESS_ADMIN_TOKEN },
    body: JSON.stringify({ parameters: { version } }),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`repository load of ${model} v${version} answered HTTP ${response.status}: ${text}`);
  const loaded = JSON.parse(text) as { bytes: number; loadMs: number };
  marks.push({ atMs: nowMs(), kind: 'other', label: `${state.host} swapped ${model} to v${version} in process (load ${Math.round(loaded.loadMs)} ms)`, process: state.host, model });
  state.version = version;
  return loaded.bytes;
}

/**
 * Rolls out `version` of `model` with the step's strategy, recording marks; a failure is recorded,
 * not thrown, since a bad deploy failing is what is being measured.
 */
export async function performRollout(topology: RunningTopology, state: HostState, model: string, version: number, step: RolloutStep): Promise<RolloutRecord> {
  const reloadMode = chooseReloadMode(topology.spec.kind, step);
  const marks: AbsoluteMark[] = [];
  const startedAtMs = nowMs();
  // A code change moves the host to another runtime: in the monolith every model it hosts must load there.
  const runtime = step.changeKind === 'code' ? chooseNextRuntime(state.runtime) : state.runtime;
  const runtimeLabel = step.changeKind === 'code' ? `, runtime ${state.runtime ?? DEFAULT_RUNTIME_NAME} → ${runtime}` : '';
  marks.push({ atMs: startedAtMs, kind: 'rollout-start', label: `${step.strategy} ${model} v${state.version} → v${version} (${reloadMode}${runtimeLabel})`, model });
  let error: string | null = null;
  let inProcessBytes: number | null = null;
  try {
    if (reloadMode === 'in-process') inProcessBytes = await reloadInProcess(topology, state, model, version, marks);
    else if (step.strategy === 'recreate') await recreate(topology, state, model, version, runtime, marks);
    else await rollProcess(topology, state, model, version, runtime, marks);
  } catch (caught) {
    error = shortError(caught);
    marks.push({ atMs: nowMs(), kind: 'other', label: `rollout failed: ${error}`, model });
  }
  const endedAtMs = nowMs();
  marks.push({ atMs: endedAtMs, kind: 'rollout-end', label: error === null ? 'rollout finished' : 'rollout gave up', model });
  return { startedAtMs, endedAtMs, reloadMode, error, inProcessBytes, marks };
}

/** After a recreate left the target down, starts its host again on the last good version and runtime so the next rollout starts healthy. */
export async function rollBack(topology: RunningTopology, state: HostState, model: string): Promise<void> {
  await topology.restartProcess(state.host, { versions: { [model]: state.version }, ...runtimeArgs(state.runtime ?? DEFAULT_RUNTIME_NAME) });
}
