import type { RunResults } from '../results/schema.js';
import { buildVerdict, describeGatewayCaveat } from '../../reports/index.js';
import { formatUnit } from '../../reports/format.js';
import { countSittingUnits } from '../results/sittings.js';

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
    exact: row.headline?.exact ?? false,
    reason: row.reason,
    caveats: row.caveats,
    viaFallbackGateway: row.viaFallbackGateway,
  }));
  const gatewayCaveat = describeGatewayCaveat(results);
  const mark = (v: (typeof verdict)[number]) => (v.viaFallbackGateway ? ' ⚠' : '');
  const invalid = Object.values(results.experiments).flatMap((section) => (section?.results ?? []) as { valid: boolean }[]).filter((r) => !r.valid).length;
  const lines = [
    `splitbench run ${results.status}: ${dir}`,
    ...verdict.map((v) =>
      v.status === 'measured'
        ? `  ${v.title.padEnd(42)} monolith ${v.unit ? formatUnit(v.monolith, v.unit) : '—'} vs microservices ${v.unit ? formatUnit(v.microservices, v.unit) : '—'} → ${v.winner}${v.exact ? ' (exact values)' : v.significant === true ? ' (significant)' : v.significant === false ? ' (not significant)' : ' (not enough trials for a test)'}${mark(v)}`
        : `  ${v.title.padEnd(42)} ${v.status === 'structural' ? 'structural' : `not measured: ${v.reason}`}`,
    ),
    ...(gatewayCaveat && verdict.some((v) => v.viaFallbackGateway) ? [`  ⚠ ${gatewayCaveat}`] : []),
    ...(invalid > 0 ? [`  ${invalid} result(s) invalid: see the validity section of report.md`] : []),
  ];
  const resumed = countSittingUnits(results);
  if (resumed) lines.push(`  resumed (sitting ${resumed.sitting}): ${resumed.kept} unit(s) kept from earlier sittings, ${resumed.ran} run in this one`);
  return { status: results.status, dir, verdict, invalidResults: invalid, thresholds: results.thresholds, ...(resumed ? { resumed } : {}), text: lines.join('\n') };
}
