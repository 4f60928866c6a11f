import type { Claim, Comparison, ExperimentName, GroupSummary, RunResults } from '../bench/results/schema.js';
import type { Block, Cell, Table, Tone } from './document.js';
import { DASH, formatNumber, formatUnit } from './format.js';
import { describeGatewayCaveat, listCaveats, wentThroughGateway } from './gateway-caveat.js';
import { gatewayNote } from './gateway-note.js';

/** The claims of the all-in-one debate, in the order the verdict lists them. */
export const CLAIMS: readonly { claim: Claim; title: string; experiment: ExperimentName | null }[] = [
  { claim: 'cost', title: 'Cost ($ per 1M inferences)', experiment: 'footprint' },
  { claim: 'memory', title: 'Memory (RSS)', experiment: 'footprint' },
  { claim: 'latency-light', title: 'Latency of light models', experiment: 'latency' },
  { claim: 'latency-heavy', title: 'Latency of heavy models', experiment: 'latency' },
  { claim: 'interference', title: 'Interference (light p90, heavy busy ÷ idle)', experiment: 'latency' },
  { claim: 'throughput', title: 'Throughput', experiment: 'throughput' },
  { claim: 'fault-isolation', title: 'Fault isolation', experiment: 'fault' },
  { claim: 'update-cost', title: 'Update cost (redeploy one model)', experiment: 'redeploy' },
  { claim: 'startup', title: 'Start-up', experiment: 'footprint' },
  { claim: 'library-freedom', title: 'Library freedom', experiment: 'library' },
  { claim: 'troubleshooting', title: 'Troubleshooting (suspects to inspect, time to blame)', experiment: 'diagnose' },
];

/** The statement the report makes for library freedom when the `library` experiment did not run: a property of the architecture. */
export const LIBRARY_FREEDOM_FACT =
  'Structural, not measured: in microservices each service can pin its own onnxruntime and Node version; in the monolith every model shares one.';

export interface VerdictRow {
  claim: Claim;
  title: string;
  status: 'measured' | 'not-measured' | 'structural';
  /** The comparison the row shows; the others for the same claim are listed in the details. */
  headline: Comparison | null;
  others: Comparison[];
  reason: string | null;
  /** What limits trust in the headline: the run's own caveat, and the fallback gateway's when its numbers went through it. */
  caveats: string[];
  /** True when the headline's numbers went through the Node gateway serving as a fallback. */
  viaFallbackGateway: boolean;
}

/** Marks a figure that went through the Node fallback gateway (the verdict's caveat note explains it). */
export const FALLBACK_GATEWAY_MARK = '⚠ via the Node fallback gateway';

/** Explains why a claim has no comparison in this run. */
function explainMissing(results: RunResults, experiment: ExperimentName): string {
  const section = results.experiments[experiment];
  if (!section) return `experiment \`${experiment}\` not run`;
  if (section.status === 'failed') return `experiment \`${experiment}\` failed${section.error ? `: ${section.error}` : ''}`;
  if (section.status === 'skipped') return `experiment \`${experiment}\` skipped${section.error ? `: ${section.error}` : ''}`;
  if (section.status === 'running') return `experiment \`${experiment}\` was still running (interrupted run)`;
  const items: { valid: boolean }[] = section.results;
  if (items.length > 0 && items.every((item) => !item.valid)) return `every \`${experiment}\` result is invalid`;
  if (items.length === 0) return `experiment \`${experiment}\` recorded no results`;
  return `no comparison for this claim was recorded by \`${experiment}\``;
}

/** Builds one verdict row per claim from the run's comparisons. */
export function buildVerdict(results: RunResults): VerdictRow[] {
  const comparisons = collectComparisons(results);
  return CLAIMS.map(({ claim, title, experiment }) => {
    const matching = comparisons.filter((comparison) => comparison.claim === claim);
    const none = { headline: null, others: [], caveats: [], viaFallbackGateway: false };
    if (claim === 'library-freedom' && matching.length === 0) return { claim, title, status: 'structural', ...none, reason: LIBRARY_FREEDOM_FACT };
    // Lead with the first comparison both sides measured; the rest go to the details.
    const measured = matching.find((c) => c.monolith.median !== null && c.microservices.median !== null);
    const [headline, ...others] = measured ? [measured, ...matching.filter((c) => c !== measured)] : matching;
    if (!headline) return { claim, title, status: 'not-measured', ...none, reason: experiment ? explainMissing(results, experiment) : 'not measured' };
    const bothMissing = headline.monolith.median === null && headline.microservices.median === null;
    const viaFallbackGateway = describeGatewayCaveat(results) !== null && wentThroughGateway(headline, headline.experiment);
    return { claim, title, status: bothMissing ? 'not-measured' : 'measured', headline, others, reason: bothMissing ? (headline.note ?? 'neither side produced a valid value') : null, caveats: listCaveats(results, headline, headline.experiment), viaFallbackGateway };
  });
}

/** Every comparison of every experiment, with the experiment it came from. */
export function collectComparisons(results: RunResults): (Comparison & { experiment: ExperimentName })[] {
  const all: (Comparison & { experiment: ExperimentName })[] = [];
  for (const [experiment, section] of Object.entries(results.experiments) as [ExperimentName, { comparisons?: Comparison[] } | undefined][]) {
    for (const comparison of section?.comparisons ?? []) all.push({ ...comparison, experiment });
  }
  return all;
}

/** Renders one side: median, its 95% CI and the trial count. */
export function formatSide(side: GroupSummary, unit: Comparison['unit']): string {
  if (side.median === null) return `${DASH} (${side.variant}, ${side.missing ?? 'no valid trials'})`;
  const interval = side.ciLow !== null && side.ciHigh !== null ? ` [${formatUnit(side.ciLow, unit)} – ${formatUnit(side.ciHigh, unit)}]` : '';
  return `${formatUnit(side.median, unit)}${interval} (${side.variant}, n=${side.values.length})`;
}

/** Renders the ratio microservices ÷ monolith with its 95% CI. */
export function formatRatio(comparison: Pick<Comparison, 'ratio' | 'ratioCiLow' | 'ratioCiHigh'>): string {
  if (comparison.ratio === null) return DASH;
  const interval = comparison.ratioCiLow !== null && comparison.ratioCiHigh !== null ? ` [${formatNumber(comparison.ratioCiLow)}–${formatNumber(comparison.ratioCiHigh)}]` : '';
  return `${formatNumber(comparison.ratio)}×${interval}`;
}

/** Renders significance with the p-value, or with the interval that decided it. */
export function formatSignificance(comparison: Pick<Comparison, 'significant' | 'pValue' | 'exact' | 'test'>): string {
  const p = comparison.pValue === null ? '' : ` (p=${formatNumber(comparison.pValue, 2)})`;
  if (comparison.exact) return 'exact values (computed, not sampled): no test needed';
  if (comparison.test === 'bootstrap-ratio-interval' && comparison.significant !== null) return `${comparison.significant ? 'yes' : 'no'} (the ratio's 95% bootstrap interval over per-call samples ${comparison.significant ? 'excludes' : 'includes'} 1)`;
  if (comparison.significant === null) return `not tested: too few trials${p}`;
  return `${comparison.significant ? 'yes' : 'no'}${p}`;
}

/** Renders the winner cell with a colour by side. */
export function formatWinner(comparison: Comparison): Cell {
  const tone: Tone = comparison.winner === 'monolith' ? 'monolith' : comparison.winner === 'microservices' ? 'microservices' : comparison.winner === 'tie' ? 'tie' : 'muted';
  const sided = comparison.winner === 'monolith' || comparison.winner === 'microservices';
  const qualifier = comparison.significant === true || comparison.exact ? '' : comparison.significant === false ? ' (indicative: not significant)' : ' (indicative: too few trials to test)';
  const text = comparison.winner === 'tie' ? 'tie (within 3%)' : comparison.winner === 'unknown' ? 'unknown' : `${comparison.winner}${sided ? qualifier : ''}`;
  return { text, tone };
}

/** Renders one comparison as a table row (claim cell first); a figure that went through the fallback gateway is marked. */
function comparisonRow(first: Cell, comparison: Comparison, viaFallbackGateway = false): Cell[] {
  const what = `${comparison.label}${comparison.model ? ` [${comparison.model}]` : ''} (${comparison.better} is better)`;
  const marked = viaFallbackGateway && comparison.microservices.median !== null;
  const micro = `${formatSide(comparison.microservices, comparison.unit)}${marked ? ` ${FALLBACK_GATEWAY_MARK}` : ''}`;
  return [first, what, formatSide(comparison.monolith, comparison.unit), micro, formatRatio(comparison), formatWinner(comparison), formatSignificance(comparison)];
}

const VERDICT_COLUMNS = ['claim', 'metric', 'monolith (median [95% CI])', 'microservices (median [95% CI])', 'ratio micro ÷ mono [95% CI]', 'winner', 'significant'];

/** The verdict table: one row per claim. */
export function buildVerdictTable(rows: readonly VerdictRow[]): Table {
  return {
    id: 'verdict-table',
    columns: VERDICT_COLUMNS,
    rows: rows.map((row) => {
      const claimCell: Cell = { text: row.title, title: row.claim };
      if (row.status === 'structural') return [claimCell, 'structural fact', { text: 'one shared onnxruntime/Node for every model', tone: 'muted' }, { text: 'each service pins its own', tone: 'muted' }, DASH, { text: 'microservices (by construction)', tone: 'microservices' }, 'n/a — not a measurement'];
      if (!row.headline) return [claimCell, { text: `not measured: ${row.reason ?? ''}`, tone: 'muted' }, DASH, DASH, DASH, { text: 'not measured', tone: 'muted' }, DASH];
      if (row.status === 'not-measured') return [claimCell, { text: `not measured: ${row.reason ?? ''}`, tone: 'muted' }, DASH, DASH, DASH, { text: 'not measured', tone: 'muted' }, DASH];
      return comparisonRow(claimCell, row.headline, row.viaFallbackGateway);
    }),
  };
}

/** The verdict section: the table, the library-freedom statement, and every other comparison. */
export function buildVerdictBlocks(results: RunResults): Block[] {
  const rows = buildVerdict(results);
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: 'Verdict: monolith vs microservices', id: 'verdict' },
    { kind: 'paragraph', text: 'One row per claim of the all-in-one debate. Values are medians over trials with 95% confidence intervals; ratio = microservices ÷ monolith. The better side is named; it is marked indicative unless a permutation test over the trials finds the difference significant (that needs at least 4 trials a side, which every profile runs on the headline pair; p is two-sided, alpha 0.05).' },
    { kind: 'table', table: buildVerdictTable(rows) },
    ...(rows.some((row) => row.claim === 'library-freedom' && row.status === 'structural') ? [{ kind: 'note' as const, text: `Library freedom — ${LIBRARY_FREEDOM_FACT} Run the \`library\` experiment to measure it.` }] : []),
    ...(gatewayNote(results) ? [{ kind: 'note' as const, text: gatewayNote(results)! }] : []),
    ...buildGatewayCaveatNote(results, rows),
    ...rows.flatMap((row): Block[] => (row.headline?.caveat ? [{ kind: 'note', text: `${row.title} — caveat: ${row.headline.caveat}` }] : [])),
    { kind: 'chart', id: 'charts-verdict' },
  ];
  const caveat = describeGatewayCaveat(results);
  const extra = collectComparisons(results).filter((comparison) => !rows.some((row) => row.headline === null ? false : sameComparison(row.headline, comparison)));
  if (extra.length > 0) {
    blocks.push({ kind: 'heading', level: 3, text: 'All other comparisons' });
    blocks.push({ kind: 'table', table: { id: 'comparisons-table', columns: ['claim', ...VERDICT_COLUMNS.slice(1)], rows: extra.map((comparison) => comparisonRow(comparison.claim ?? `(${comparison.experiment})`, comparison, caveat !== null && wentThroughGateway(comparison, comparison.experiment))) } });
  }
  return blocks;
}

/** One note naming every verdict row whose numbers went through the Node fallback gateway, with the caveat they carry. */
function buildGatewayCaveatNote(results: RunResults, rows: readonly VerdictRow[]): Block[] {
  const caveat = describeGatewayCaveat(results);
  const marked = rows.filter((row) => row.viaFallbackGateway).map((row) => row.title);
  if (caveat === null || marked.length === 0) return [];
  return [{ kind: 'note', text: `${marked.join(', ')} and every other figure marked "${FALLBACK_GATEWAY_MARK}" — caveat: ${caveat}.` }];
}

/** Whether two comparisons are the same measurement. */
function sameComparison(a: Comparison, b: Comparison): boolean {
  return a.claim === b.claim && a.metric === b.metric && a.model === b.model && a.monolith.variant === b.monolith.variant && a.microservices.variant === b.microservices.variant;
}
