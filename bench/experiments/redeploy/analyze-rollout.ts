import { binsBetween, countErrors, DEFAULT_ERROR_RATE_LIMIT, downtimeMs, worstBinP99 } from '../../analysis/bin-health.js';
import { describeModelOutages, findOutages } from '../../analysis/outages.js';
import type { Observation } from '../../load/request-log.js';
import type { SupervisorEvent } from '../../targets/types.js';
import type { TotalSample } from '../../resources/sampler.js';
import type { RedeployResult, Timeline } from '../../results/schema.js';
import type { ProbeSample } from './version-probe.js';

/** Fewer baseline requests than this say nothing about a model's health (a heavy model sees ~2 in a short lead). */
const MIN_BASELINE_REQUESTS = 10;

/** How the rollout ended and when the new version first answered, read off the probe. */
export interface ProbeVerdict {
  outcome: RedeployResult['outcome'];
  /** Rollout start → first success answered by the new version; null when it never answered. */
  timeToNewVersionMs: number | null;
  /** Why the outcome could not be read (no probe in the final window); null when it could. */
  problem: string | null;
}

/**
 * Decides the outcome from the later half of the probes sent after the rollout ended (sequential probes
 * can stall on a slow server, so this counts probes, not time): no success → failed-down; the latest
 * success answered by the new version → rolled-out; by the old one → failed-old-serving.
 */
export function judgeByProbe(samples: readonly ProbeSample[], toVersion: number, rolloutStartMs: number, rolloutEndMs: number, windowEndMs: number): ProbeVerdict {
  const firstNew = samples.find((s) => s.sentAtMs >= rolloutStartMs && s.ok && s.version === toVersion);
  const timeToNewVersionMs = firstNew ? firstNew.answeredAtMs - rolloutStartMs : null;
  const after = samples.filter((s) => s.sentAtMs >= rolloutEndMs && s.sentAtMs < windowEndMs);
  const final = after.slice(Math.floor(after.length / 2));
  if (final.length === 0) return { outcome: 'failed-down', timeToNewVersionMs, problem: 'the probe sent nothing after the rollout ended' };
  const lastOk = final.filter((s) => s.ok).at(-1);
  if (!lastOk) return { outcome: 'failed-down', timeToNewVersionMs, problem: null };
  return { outcome: lastOk.version === toVersion ? 'rolled-out' : 'failed-old-serving', timeToNewVersionMs, problem: null };
}

/** The part of a timeline between two absolute instants, re-based so tMs counts from `fromMs`. */
export function sliceTimeline(timeline: Timeline, fromMs: number, toMs: number): Timeline {
  const fromRel = Math.floor((fromMs - timeline.startedAtMs) / timeline.binMs) * timeline.binMs;
  const toRel = toMs - timeline.startedAtMs;
  return {
    startedAtMs: timeline.startedAtMs + fromRel,
    binMs: timeline.binMs,
    bins: Object.fromEntries(Object.entries(timeline.bins).map(([model, bins]) => [model, bins.filter((b) => b.tMs >= fromRel && b.tMs < toRel).map((b) => ({ ...b, tMs: b.tMs - fromRel }))])),
    marks: timeline.marks.filter((m) => m.tMs >= fromRel && m.tMs <= toRel).map((m) => ({ ...m, tMs: m.tMs - fromRel })),
  };
}

/**
 * Per-model downtime, failed requests and worst bin p99 from `fromMs` (absolute, floored to its bin)
 * to the end of the slice. With `observations` (requests and probes per model, ms relative to the
 * slice's start, up to `untilMs` absolute), downtime is the total of the outages they show, with its
 * resolution; without (older results), the bins with traffic and no success.
 */
export function measurePerModel(timeline: Timeline, models: readonly string[], fromMs: number, observed?: { observations: Record<string, Observation[]>; probes: Record<string, Observation[]>; untilMs: number }): RedeployResult['perModel'] {
  const fromRel = Math.floor((fromMs - timeline.startedAtMs) / timeline.binMs) * timeline.binMs;
  return models.map((model) => {
    const bins = timeline.bins[model] ?? [];
    const base = { model, downtimeMs: bins.length > 0 ? downtimeMs(bins, timeline.binMs, fromRel, Infinity) : null, failedRequests: countErrors(bins, fromRel, Infinity), p99Ms: worstBinP99(bins, fromRel, Infinity) };
    if (observed === undefined) return base;
    const untilRel = observed.untilMs - timeline.startedAtMs;
    const report = findOutages(observed.observations[model] ?? [], fromMs - timeline.startedAtMs, untilRel);
    const probes = findOutages(observed.probes[model] ?? [], fromMs - timeline.startedAtMs, untilRel);
    return { ...base, ...describeModelOutages(report, probes) };
  });
}

/** Distinct processes (base name, `#suffix` stripped) that got a new instance spawned in [fromMs, toMs]. */
export function countRestartedProcesses(events: readonly SupervisorEvent[], fromMs: number, toMs: number): number {
  return new Set(events.filter((e) => e.type === 'spawn' && e.atMs >= fromMs && e.atMs <= toMs).map((e) => e.process.split('#')[0])).size;
}

/** Processes that became ready in [fromMs, toMs] (the new instances that loaded models). */
export function listReadiedProcesses(events: readonly SupervisorEvent[], fromMs: number, toMs: number): string[] {
  return [...new Set(events.filter((e) => e.type === 'ready' && e.atMs >= fromMs && e.atMs <= toMs).map((e) => e.process))];
}

/** Total RSS peak in [fromMs, toMs] minus the last total before `fromMs`; at least 0 (a rollout that freed memory used no extra). */
export function computeExtraPeakRss(totals: readonly TotalSample[], fromMs: number, toMs: number): number | null {
  const before = totals.filter((t) => t.atMs <= fromMs && t.processes > 0).at(-1);
  const during = totals.filter((t) => t.atMs >= fromMs && t.atMs <= toMs).map((t) => t.rssBytes);
  if (!before || during.length === 0) return null;
  return Math.max(0, Math.max(...during) - before.rssBytes);
}

/** Models already failing more than 1% of their requests (out of at least 10) before the rollout started: their rollout numbers are confounded. */
export function findUnhealthyBaseline(timeline: Timeline, rolloutStartMs: number): Array<{ model: string; errorRate: number }> {
  const startRel = Math.floor((rolloutStartMs - timeline.startedAtMs) / timeline.binMs) * timeline.binMs;
  return Object.entries(timeline.bins).flatMap(([model, bins]) => {
    const before = binsBetween(bins, 0, startRel);
    const count = before.reduce((sum, b) => sum + b.count, 0);
    const errors = before.reduce((sum, b) => sum + b.errors, 0);
    return count >= MIN_BASELINE_REQUESTS && errors / count > DEFAULT_ERROR_RATE_LIMIT ? [{ model, errorRate: errors / count }] : [];
  });
}
