import type { RunResults } from './schema.js';

/** Fields a trimmed copy leaves out: raw data no report or chart reads (the timelines, percentiles and comparisons stay). */
export const TRIMMED_FIELDS = [
  'experiments.fault.results[].requestLogs (per-request outcomes the downtime was computed from)',
  'experiments.redeploy.results[].requestLogs (same, for rollouts)',
  'experiments.latency.results[].histogram (the raw HDR histogram; the percentile curve stays)',
  'experiments.fault.results[].timeline and experiments.redeploy.results[].timeline bins and marks, except in the trial the report charts for each group (the first valid one); every figure computed from them stays',
] as const;

/** Empties the timelines of every result but the first valid one of its group (the one the report charts). */
function keepChartedTimelines<R extends { valid: boolean; timeline: { bins: Record<string, unknown>; marks: unknown[] } }>(results: R[], groupOf: (result: R) => string): void {
  const charted = new Set<R>();
  const groups = new Map<string, R[]>();
  for (const result of results) groups.set(groupOf(result), [...(groups.get(groupOf(result)) ?? []), result]);
  for (const group of groups.values()) charted.add(group.find((r) => r.valid) ?? group[0]!);
  for (const result of results) if (!charted.has(result)) result.timeline = { ...result.timeline, bins: {}, marks: [] };
}

/**
 * A copy of a run small enough to publish: the raw per-request logs and histograms go, every
 * figure, timeline, comparison and note stays, so `splitbench report` renders the same reports.
 */
export function trimResults(results: RunResults): RunResults {
  const copy = structuredClone(results);
  const { fault, redeploy, latency } = copy.experiments;
  for (const result of fault?.results ?? []) delete result.requestLogs;
  for (const result of redeploy?.results ?? []) delete result.requestLogs;
  for (const result of latency?.results ?? []) delete result.histogram;
  if (fault) keepChartedTimelines(fault.results, (r) => `${r.faultKind}|${r.topology}|${r.variant}|${r.targetModel}`);
  if (redeploy) keepChartedTimelines(redeploy.results, (r) => `${r.topology}|${r.variant}|${r.strategy}|${r.changeKind}|${r.targetModel}|${r.corrupt}`);
  copy.trimmed = { fields: [...TRIMMED_FIELDS], note: 'trimmed for publishing with `splitbench report --trim`; the untrimmed results.json of the run holds these fields' };
  return copy;
}
