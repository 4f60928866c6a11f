import type { RunResults } from '../results/schema.js';
import { buildVerdict } from '../../reports/index.js';

/** A value with its unit, short enough for a terminal line. */
function formatValue(value: number | null, unit: string): string {
  if (value === null) return '—';
  if (unit === 'bytes') return `${(value / 1024 ** 2).toFixed(1)} MiB`;
  if (unit === 'usd') return `$${value.toPrecision(3)}`;
  if (unit === 'ms') return `${value.toPrecision(3)} ms`;
  if (unit === 'rps') return `${value.toFixed(0)} rps`;
  return value.toPrecision(3);
}

/** The verdict in a few lines plus the machine-readable summary `--json` prints. */
export function summarizeRun(results: RunResults, dir: string) {
  const verdict = buildVerdict(results).map((row) => ({
    claim: row.claim,
    title: row.title,
    status: row.status,
    metric: row.headline?.label ?? null,
    unit: row.headline?.unit ?? null,
    monolith: row.headline?.monolith.median ?? null,
    microservices: row.headline?.microservices.median ?? null,
    ratio: row.headline?.ratio ?? null,
    ratioCi95: row.headline && row.headline.ratioCiLow !== null ? [row.headline.ratioCiLow, row.headline.ratioCiHigh] : null,
    winner: row.headline?.winner ?? null,
    significant: row.headline?.significant ?? null,
    reason: row.reason,
  }));
  const invalid = Object.values(results.experiments).flatMap((section) => (section?.results ?? []) as { valid: boolean }[]).filter((r) => !r.valid).length;
  const lines = [
    `splitbench run ${results.status}: ${dir}`,
    ...verdict.map((v) =>
      v.status === 'measured'
        ? `  ${v.title.padEnd(42)} monolith ${formatValue(v.monolith, v.unit ?? '')} vs microservices ${formatValue(v.microservices, v.unit ?? '')} → ${v.winner}${v.significant === true ? ' (significant)' : v.significant === false ? ' (not significant)' : ' (not enough trials for a test)'}`
        : `  ${v.title.padEnd(42)} ${v.status === 'structural' ? 'structural' : `not measured: ${v.reason}`}`,
    ),
    ...(invalid > 0 ? [`  ${invalid} result(s) invalid: see the validity section of report.md`] : []),
  ];
  return { status: results.status, dir, verdict, invalidResults: invalid, thresholds: results.thresholds, text: lines.join('\n') };
}
