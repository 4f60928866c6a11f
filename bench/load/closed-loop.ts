import autocannon from 'autocannon';
import { decodeWireBody, encodeWireBody, type WireBody } from './protocol.js';
import type { RequestBody } from './types.js';

/** One kind of request of a closed-loop run; several are sent round-robin (mixed traffic). */
export interface ClosedLoopTarget {
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
  /** How p50/p99 were combined when targets span several origins (one autocannon instance per origin). */
  latencyCombination: 'single-instance' | 'max-over-origins';
}

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
}

/** Spec with bodies encoded for the IPC channel. */
export function encodeClosedLoopSpec(spec: ClosedLoopSpec): ClosedLoopPlan {
  return { ...spec, targets: spec.targets.map((t) => ({ ...t, body: encodeWireBody(t.body) })) };
}

/** Runs the sweep in this process with autocannon (concurrency mode; never its rate mode). */
export async function runClosedLoopSweep(plan: ClosedLoopPlan, control: { signal?: AbortSignal } = {}): Promise<ClosedLoopResult> {
  if (plan.targets.length === 0) throw new Error('closed loop: no targets');
  if (plan.concurrencyLevels.some((c) => !Number.isInteger(c) || c < 1)) throw new Error('closed loop: concurrency levels must be integers >= 1');
  const maxErrorRate = plan.maxErrorRate ?? 0.01;
  const warmupConnections = Math.max(...plan.concurrencyLevels);
  if (plan.warmupMs > 0 && !control.signal?.aborted) await runLevel(plan, warmupConnections, plan.warmupMs, control.signal);
  const levels: ConcurrencyLevelResult[] = [];
  for (const connections of plan.concurrencyLevels) {
    if (control.signal?.aborted) break;
    levels.push(await runLevel(plan, connections, plan.levelDurationMs, control.signal));
  }
  return { sloMs: plan.sloMs, maxErrorRate, levels, aborted: control.signal?.aborted ?? false, ...deriveCapacity(levels, plan.sloMs, maxErrorRate) };
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

/** One level: one autocannon instance per origin, connections split between them, run together. */
async function runLevel(plan: ClosedLoopPlan, connections: number, durationMs: number, signal?: AbortSignal): Promise<ConcurrencyLevelResult> {
  const byOrigin = new Map<string, autocannon.Request[]>();
  for (const target of plan.targets) {
    const url = new URL(target.url);
    const body = decodeWireBody(target.body);
    const request: autocannon.Request = {
      method: target.method ?? (body === undefined ? 'GET' : 'POST'),
      path: url.pathname + url.search,
      headers: target.headers ?? {},
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : Buffer.from(body) }),
    };
    byOrigin.set(url.origin, [...(byOrigin.get(url.origin) ?? []), request]);
  }
  const origins = [...byOrigin.entries()];
  const perOrigin = Math.max(1, Math.floor(connections / origins.length));
  const results = await Promise.all(
    origins.map(([origin, requests]) =>
      runAutocannon({ url: origin, connections: perOrigin, pipelining: 1, duration: durationMs / 1000, sampleInt: SAMPLE_INTERVAL_MS, timeout: plan.timeoutMs / 1000, requests }, signal),
    ),
  );
  const sum = (pick: (r: autocannon.Result) => number) => results.reduce((a, r) => a + pick(r), 0);
  const max = (pick: (r: autocannon.Result) => number) => Math.max(...results.map(pick));
  const responses = sum((r) => r.requests.total);
  const errors = sum((r) => r.errors);
  const non2xx = sum((r) => r.non2xx);
  return {
    connections: perOrigin * origins.length,
    durationMs: max((r) => r.duration * 1000),
    // Completed requests over the measured time: autocannon's per-second average is quantised for short levels.
    rpsMean: sum((r) => r.requests.total / Math.max(r.duration, 1e-3)),
    latencyP50Ms: max((r) => r.latency.p50),
    latencyP99Ms: max((r) => r.latency.p99),
    responses,
    non2xx,
    errors,
    timeouts: sum((r) => r.timeouts),
    errorRate: responses + errors > 0 ? (non2xx + errors) / (responses + errors) : 1,
    latencyCombination: origins.length === 1 ? 'single-instance' : 'max-over-origins',
  };
}

/** Runs one autocannon instance; an abort signal stops it early. */
function runAutocannon(options: autocannon.Options, signal?: AbortSignal): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error: unknown, result: autocannon.Result) => (error ? reject(error) : resolve(result)));
    signal?.addEventListener('abort', () => instance.stop(), { once: true });
  });
}
