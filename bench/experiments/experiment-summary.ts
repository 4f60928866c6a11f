import type { ExperimentName, RunResults } from '../results/schema.js';
import { buildVerdict, CLAIMS, FALLBACK_GATEWAY_MARK } from '../../reports/verdict.js';
import { formatUnit } from '../../reports/format.js';

/** Formats a wall time as "7 min 31 s" or "42 s". */
export function formatWallTime(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s` : `${seconds} s`;
}

/** Valid and invalid result counts of a section (scaling points and the like are not trials). */
function countResults(results: RunResults, name: ExperimentName): { total: number; invalid: number } {
  const items: readonly { valid: boolean }[] = results.experiments[name]?.results ?? [];
  return { total: items.length, invalid: items.filter((item) => !item.valid).length };
}

/**
 * One line a person coming back to a long run can read: which experiment finished, how long it
 * took, how many results (and invalid ones), and its first claim with both sides and the p-value.
 */
export function summarizeExperiment(results: RunResults, name: ExperimentName, wallMs: number, leftMs: number | null): string {
  const { total, invalid } = countResults(results, name);
  const section = results.experiments[name];
  const parts = [`${name} ${section?.status === 'complete' ? 'done' : (section?.status ?? 'not run')} in ${formatWallTime(wallMs)}: ${total} result(s), ${invalid} invalid`];
  const claims = new Set(CLAIMS.filter((c) => c.experiment === name).map((c) => c.claim));
  const row = buildVerdict(results).find((r) => r.status === 'measured' && r.headline !== null && claims.has(r.claim));
  if (row?.headline) {
    const c = row.headline;
    const p = c.exact ? 'exact' : c.pValue === null ? 'not tested' : c.pValue < 0.001 ? 'p < 0.001' : `p = ${c.pValue.toFixed(3)}`;
    parts.push(`${row.title}: ${c.monolith.variant} ${formatUnit(c.monolith.median, c.unit)} vs ${c.microservices.variant} ${formatUnit(c.microservices.median, c.unit)}${row.viaFallbackGateway ? ` ${FALLBACK_GATEWAY_MARK}` : ''} (${p})`);
  }
  if (leftMs !== null) parts.push(`about ${formatWallTime(leftMs)} left`);
  return `splitbench: ${parts.join('; ')}`;
}
