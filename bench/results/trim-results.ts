import type { RunResults } from './schema.js';

/** Fields a trimmed copy leaves out: raw data no report or chart reads (the timelines, percentiles and comparisons stay). */
export const TRIMMED_FIELDS = [
  'experiments.fault.results[].requestLogs (per-request outcomes the downtime was computed from)',
  'experiments.redeploy.results[].requestLogs (same, for rollouts)',
  'experiments.latency.results[].histogram (the raw HDR histogram; the percentile curve stays)',
] as const;

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
  copy.trimmed = { fields: [...TRIMMED_FIELDS], note: 'trimmed for publishing with `splitbench report --trim`; the untrimmed results.json of the run holds these fields' };
  return copy;
}
