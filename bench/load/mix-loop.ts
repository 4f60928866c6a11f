import { Client } from 'undici';
import { nowMs } from '../clock.js';
import { classifyError } from './classify-error.js';
import { createMicrosecondHistogram, recordMs } from './histogram.js';
import type { RequestBody } from './types.js';

/**
 * Mixed closed-loop traffic that keeps the planned share of each model on every topology.
 *
 * Why not autocannon: an autocannon instance drives one origin, and its connections cannot send
 * their next request to another origin. On microservices `direct` every model has its own origin,
 * so the old sweep ran one autocannon per origin; each service was then driven on its own and the
 * cheap model took most of the requests (15,331 rps "mixed" on direct vs 7,915 on single, with
 * tabular far above its share). Here every virtual user sends the whole mix in order, each request
 * to its model's own URL over a keep-alive connection per origin, and the same loop runs for every
 * variant, so both sides of a comparison are measured by the same generator doing the same work.
 */

/** One model of the mix: where its requests go and its weight in the cycle. */
export interface MixTarget {
  model: string;
  url: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  headers: Record<string, string>;
  body: RequestBody | undefined;
  /** Positive integer; the model's planned share is weight ÷ the sum of weights. */
  weight: number;
}

/** A model's planned and achieved share of one level's completed requests. */
export interface MixShare {
  model: string;
  /** Fraction 0..1 of the cycle. */
  planned: number;
  /** Fraction 0..1 of the level's completed requests; null when none completed. */
  achieved: number | null;
  requests: number;
}

/** What one level of the mix loop measured (the fields ConcurrencyLevelResult needs, plus shares). */
export interface MixLevelMeasurement {
  durationMs: number;
  /** Completed answers (any status). */
  responses: number;
  non2xx: number;
  /** Transport errors including timeouts. */
  errors: number;
  timeouts: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  shares: MixShare[];
  /** Generator CPU time ÷ wall time during the level (1 = one core). */
  generatorCpuUtilisation: number;
}

/** The order one connection sends the mix in: one cycle of smooth weighted round-robin over target indices. */
export function buildMixCycle(weights: readonly number[]): number[] {
  if (weights.length === 0) throw new Error('mix: no targets');
  for (const w of weights) if (!Number.isInteger(w) || w < 1) throw new Error(`mix: weights must be integers >= 1, got ${w}`);
  const total = weights.reduce((a, b) => a + b, 0);
  const current = weights.map(() => 0);
  const cycle: number[] = [];
  for (let step = 0; step < total; step++) {
    let pick = 0;
    for (let i = 0; i < weights.length; i++) {
      current[i]! += weights[i]!;
      if (current[i]! > current[pick]!) pick = i;
    }
    current[pick]! -= total;
    cycle.push(pick);
  }
  return cycle;
}

/** Planned share of each target: its weight over the sum of weights. */
export function plannedShares(targets: readonly Pick<MixTarget, 'model' | 'weight'>[]): Record<string, number> {
  const total = targets.reduce((a, t) => a + t.weight, 0);
  const shares: Record<string, number> = {};
  for (const t of targets) shares[t.model] = (shares[t.model] ?? 0) + t.weight / total;
  return shares;
}

/** A target ready to send: its origin and encoded request parts. */
interface PreparedTarget {
  index: number;
  origin: string;
  path: string;
  method: MixTarget['method'];
  headers: Record<string, string>;
  body: string | Buffer | undefined;
}

/** Per-level tallies shared by the virtual users. */
interface Tally {
  requestsByTarget: number[];
  responses: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  histogram: ReturnType<typeof createMicrosecondHistogram>;
}

/**
 * Runs `connections` virtual users for `durationMs`. Each sends the cycle in order (user k starts
 * at position k, so the users are spread over the mix), one request at a time, on one keep-alive
 * connection per origin it needs. Only requests answered inside the window are counted; those in
 * flight at its end are cut off, as autocannon does.
 */
export async function runMixLevel(targets: readonly MixTarget[], connections: number, durationMs: number, timeoutMs: number, signal?: AbortSignal): Promise<MixLevelMeasurement> {
  const cycle = buildMixCycle(targets.map((t) => t.weight));
  const prepared = targets.map(prepareTarget);
  const tally: Tally = { requestsByTarget: targets.map(() => 0), responses: 0, non2xx: 0, errors: 0, timeouts: 0, histogram: createMicrosecondHistogram() };
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const clients: Client[] = [];
  const cpuBefore = process.cpuUsage();
  const startedAtMs = nowMs();
  const deadlineMs = startedAtMs + durationMs;
  const timer = setTimeout(() => stop.abort(), durationMs);
  try {
    const users = Array.from({ length: connections }, (_, user) => {
      const perOrigin = new Map<string, Client>();
      for (const origin of new Set(prepared.map((p) => p.origin))) {
        const client = new Client(origin, { pipelining: 1, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
        perOrigin.set(origin, client);
        clients.push(client);
      }
      return runVirtualUser(prepared, cycle, user % cycle.length, perOrigin, deadlineMs, stop.signal, tally);
    });
    await Promise.all(users);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    await Promise.all(clients.map((c) => c.destroy().catch(() => undefined)));
  }
  const endedAtMs = Math.min(nowMs(), deadlineMs);
  const wallMs = Math.max(1e-3, endedAtMs - startedAtMs);
  const cpu = process.cpuUsage(cpuBefore);
  const measured = summarizeTally(targets, tally, wallMs, (cpu.user + cpu.system) / 1000 / Math.max(1e-3, nowMs() - startedAtMs));
  tally.histogram.destroy();
  return measured;
}

/** One virtual user: sends the cycle in order until the window closes. */
async function runVirtualUser(targets: readonly PreparedTarget[], cycle: readonly number[], start: number, clients: Map<string, Client>, deadlineMs: number, stop: AbortSignal, tally: Tally): Promise<void> {
  let position = start;
  while (!stop.aborted && nowMs() < deadlineMs) {
    const target = targets[cycle[position]!]!;
    position = (position + 1) % cycle.length;
    const sentAtMs = nowMs();
    try {
      const response = await clients.get(target.origin)!.request({ path: target.path, method: target.method, headers: target.headers, body: target.body, signal: stop });
      await response.body.dump({ limit: Number.MAX_SAFE_INTEGER });
      const answeredAtMs = nowMs();
      if (answeredAtMs > deadlineMs) return;
      tally.requestsByTarget[target.index]!++;
      tally.responses++;
      if (response.statusCode < 200 || response.statusCode >= 300) tally.non2xx++;
      recordMs(tally.histogram, answeredAtMs - sentAtMs);
    } catch (error) {
      // Cut off at the end of the window: not a failure of the server.
      if (stop.aborted || nowMs() > deadlineMs) return;
      tally.requestsByTarget[target.index]!++;
      tally.errors++;
      if (classifyError(error) === 'timeout') tally.timeouts++;
    }
  }
}

/** Origin, path and body of a target, ready for undici. */
function prepareTarget(target: MixTarget, index: number): PreparedTarget {
  const url = new URL(target.url);
  const body = target.body === undefined ? undefined : typeof target.body === 'string' ? target.body : Buffer.from(target.body);
  return { index, origin: url.origin, path: url.pathname + url.search, method: target.method, headers: target.headers, body };
}

/** Turns a level's tallies into its measurement, with each model's planned and achieved share. */
function summarizeTally(targets: readonly MixTarget[], tally: Tally, wallMs: number, cpuUtilisation: number): MixLevelMeasurement {
  const completed = tally.requestsByTarget.reduce((a, b) => a + b, 0);
  const planned = plannedShares(targets);
  const requestsByModel = new Map<string, number>();
  targets.forEach((t, i) => requestsByModel.set(t.model, (requestsByModel.get(t.model) ?? 0) + tally.requestsByTarget[i]!));
  const hasLatency = tally.histogram.totalCount > 0;
  return {
    durationMs: wallMs,
    responses: tally.responses,
    non2xx: tally.non2xx,
    errors: tally.errors,
    timeouts: tally.timeouts,
    latencyP50Ms: hasLatency ? tally.histogram.getValueAtPercentile(50) / 1000 : 0,
    latencyP99Ms: hasLatency ? tally.histogram.getValueAtPercentile(99) / 1000 : 0,
    shares: [...requestsByModel].map(([model, requests]) => ({ model, planned: planned[model]!, achieved: completed > 0 ? requests / completed : null, requests })),
    generatorCpuUtilisation: cpuUtilisation,
  };
}
