import autocannon from 'autocannon';
import { runMixLevel, type MixShare, type MixTarget } from './mix-loop.js';
import { decodeWireBody, encodeWireBody, type WireBody } from './protocol.js';
import type { RequestBody } from './types.js';

/** One kind of request of a closed-loop run; several are sent as a mix, in order on every connection (see mix-loop.ts). */
export interface ClosedLoopTarget {
  /** Name of the model (the target's URL when not given): achieved shares are reported by it. */
  model?: string;
  /** Integer weight of this target in the mix (default 1 = plain round-robin). */
  weight?: number;
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  body?: RequestBody;
}

/** A concurrency sweep: after a warm-up, each level runs for `levelDurationMs`. */
export interface ClosedLoopSpec {
  targets: ClosedLoopTarget[];
  concurrencyLevels: number[];
  levelDurationMs: number;
  warmupMs: number;
  timeoutMs: number;
  /** SLO for `maxRpsUnderSlo` (p99 at or below it). */
  sloMs: number;
  /** Highest error rate still counted as serving (default 0.01). */
  maxErrorRate?: number;
  /** Stop at the first level that adds less than this share to the best rps before it (the knee is passed); absent: every level. */
  plateauGain?: number;
}

/** The spec as it crosses the IPC channel. */
export type ClosedLoopPlan = Omit<ClosedLoopSpec, 'targets'> & { targets: Array<Omit<ClosedLoopTarget, 'body'> & { body: WireBody }> };

/** Measurements at one concurrency level. */
export interface ConcurrencyLevelResult {
  connections: number;
  durationMs: number;
  rpsMean: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  responses: number;
  non2xx: number;
  /** Connection errors including timeouts (autocannon's `errors`). */
  errors: number;
  timeouts: number;
  errorRate: number;
  /** How p50/p99 were read: one histogram over every request of the level (autocannon's, or the mix loop's). */
  latencyCombination: 'single-instance';
  /** Mixed traffic only: each model's planned and achieved share of the level's completed requests. */
  shares?: MixShare[];
  /** Mixed traffic only: generator CPU time ÷ wall time during the level. */
  generatorCpuUtilisation?: number;
}

/** Which generator drove a sweep: autocannon for one target, the mix loop for several. */
export type ClosedLoopGenerator = 'autocannon' | 'mix-loop';

/** Capacity read off a sweep. */
export interface Capacity {
  maxRps: number | null;
  maxRpsConnections: number | null;
  maxRpsUnderSlo: number | null;
  maxRpsUnderSloConnections: number | null;
  /** Why `maxRpsUnderSlo` is null, else null. */
  underSloReason: string | null;
}

/** Result of a sweep (plain JSON). */
export interface ClosedLoopResult extends Capacity {
  sloMs: number;
  maxErrorRate: number;
  levels: ConcurrencyLevelResult[];
  aborted: boolean;
  loadGenerator: ClosedLoopGenerator;
}

/** Spec with bodies encoded for the IPC channel. */
export function encodeClosedLoopSpec(spec: ClosedLoopSpec): ClosedLoopPlan {
  return { ...spec, targets: spec.targets.map((t) => ({ ...t, body: encodeWireBody(t.body) })) };
}

/** Runs the sweep in this process: autocannon (concurrency mode, never its rate mode) for one target, the mix loop for several. */
export async function runClosedLoopSweep(plan: ClosedLoopPlan, control: { signal?: AbortSignal } = {}): Promise<ClosedLoopResult> {
  if (plan.targets.length === 0) throw new Error('closed loop: no targets');
  if (plan.concurrencyLevels.some((c) => !Number.isInteger(c) || c < 1)) throw new Error('closed loop: concurrency levels must be integers >= 1');
  const maxErrorRate = plan.maxErrorRate ?? 0.01;
  const warmupConnections = Math.max(...plan.concurrencyLevels);
  if (plan.warmupMs > 0 && !control.signal?.aborted) await runLevel(plan, warmupConnections, plan.warmupMs, control.signal);
  const levels: ConcurrencyLevelResult[] = [];
  for (const connections of plan.concurrencyLevels) {
    if (control.signal?.aborted) break;
    const bestBefore = Math.max(0, ...levels.map((l) => l.rpsMean));
    const level = await runLevel(plan, connections, plan.levelDurationMs, control.signal);
    levels.push(level);
    if (plan.plateauGain !== undefined && levels.length > 1 && level.rpsMean < bestBefore * (1 + plan.plateauGain)) break;
  }
  const loadGenerator: ClosedLoopGenerator = plan.targets.length > 1 ? 'mix-loop' : 'autocannon';
  return { sloMs: plan.sloMs, maxErrorRate, levels, aborted: control.signal?.aborted ?? false, loadGenerator, ...deriveCapacity(levels, plan.sloMs, maxErrorRate) };
}

/** Highest rps overall, and highest rps whose p99 <= SLO and error rate <= the limit (null with why if none). */
export function deriveCapacity(levels: readonly ConcurrencyLevelResult[], sloMs: number, maxErrorRate = 0.01): Capacity {
  const best = (list: readonly ConcurrencyLevelResult[]) => list.reduce<ConcurrencyLevelResult | null>((a, b) => (a === null || b.rpsMean > a.rpsMean ? b : a), null);
  const top = best(levels);
  const ok = levels.filter((l) => l.latencyP99Ms <= sloMs && l.errorRate <= maxErrorRate);
  const topUnderSlo = best(ok);
  let underSloReason: string | null = null;
  if (levels.length === 0) underSloReason = 'no concurrency level was measured';
  else if (topUnderSlo === null) {
    const lowest = levels.reduce((a, b) => (b.latencyP99Ms < a.latencyP99Ms ? b : a));
    underSloReason = `no level met p99 <= ${sloMs} ms with error rate <= ${maxErrorRate * 100}% (best p99 ${lowest.latencyP99Ms} ms at ${lowest.connections} connections, error rate ${(lowest.errorRate * 100).toFixed(2)}%)`;
  }
  return {
    maxRps: top?.rpsMean ?? null,
    maxRpsConnections: top?.connections ?? null,
    maxRpsUnderSlo: topUnderSlo?.rpsMean ?? null,
    maxRpsUnderSloConnections: topUnderSlo?.connections ?? null,
    underSloReason,
  };
}

// autocannon checks its duration only when it takes a sample (every second by default), so a 1.5 s
// level ran for 2 s; sampling every 100 ms ends a level within 0.1 s of its duration.
const SAMPLE_INTERVAL_MS = 100;

/** One level: the mix loop for several targets (same generator on every topology), autocannon for one. */
function runLevel(plan: ClosedLoopPlan, connections: number, durationMs: number, signal?: AbortSignal): Promise<ConcurrencyLevelResult> {
  return plan.targets.length > 1 ? runMixedLevel(plan, connections, durationMs, signal) : runSingleTargetLevel(plan, connections, durationMs, signal);
}

/** One mixed level: every connection sends the whole mix in order, each request to its model's URL. */
async function runMixedLevel(plan: ClosedLoopPlan, connections: number, durationMs: number, signal?: AbortSignal): Promise<ConcurrencyLevelResult> {
  const targets: MixTarget[] = plan.targets.map((t) => {
    const body = decodeWireBody(t.body);
    return { model: t.model ?? t.url, url: t.url, method: t.method ?? (body === undefined ? 'GET' : 'POST'), headers: t.headers ?? {}, body, weight: t.weight ?? 1 };
  });
  const m = await runMixLevel(targets, connections, durationMs, plan.timeoutMs, signal);
  return {
    connections,
    durationMs: m.durationMs,
    rpsMean: m.responses / (m.durationMs / 1000),
    latencyP50Ms: m.latencyP50Ms,
    latencyP99Ms: m.latencyP99Ms,
    responses: m.responses,
    non2xx: m.non2xx,
    errors: m.errors,
    timeouts: m.timeouts,
    errorRate: m.responses + m.errors > 0 ? (m.non2xx + m.errors) / (m.responses + m.errors) : 1,
    latencyCombination: 'single-instance',
    shares: m.shares,
    generatorCpuUtilisation: m.generatorCpuUtilisation,
  };
}

/** One single-target level: one autocannon instance. */
async function runSingleTargetLevel(plan: ClosedLoopPlan, connections: number, durationMs: number, signal?: AbortSignal): Promise<ConcurrencyLevelResult> {
  const target = plan.targets[0]!;
  const url = new URL(target.url);
  const body = decodeWireBody(target.body);
  const request: autocannon.Request = {
    method: target.method ?? (body === undefined ? 'GET' : 'POST'),
    path: url.pathname + url.search,
    headers: target.headers ?? {},
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : Buffer.from(body) }),
  };
  const r = await runAutocannon({ url: url.origin, connections, pipelining: 1, duration: durationMs / 1000, sampleInt: SAMPLE_INTERVAL_MS, timeout: plan.timeoutMs / 1000, requests: [request] }, signal);
  const responses = r.requests.total;
  return {
    connections,
    durationMs: r.duration * 1000,
    // Completed requests over the measured time: autocannon's per-second average is quantised for short levels.
    rpsMean: responses / Math.max(r.duration, 1e-3),
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    responses,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    errorRate: responses + r.errors > 0 ? (r.non2xx + r.errors) / (responses + r.errors) : 1,
    latencyCombination: 'single-instance',
  };
}

/** Runs one autocannon instance; an abort signal stops it early. */
function runAutocannon(options: autocannon.Options, signal?: AbortSignal): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error: unknown, result: autocannon.Result) => (error ? reject(error) : resolve(result)));
    signal?.addEventListener('abort', () => instance.stop(), { once: true });
  });
}
