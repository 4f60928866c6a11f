import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { permutationTest, quantileSorted } from 'simple-statistics';
import type { Comparison, RunResults } from '../bench/results/schema.js';
import { renderBlocksHtml, renderBlocksMarkdown, type Block, type Cell } from './document.js';
import { escapeHtml, formatNumber, formatUnit, medianOf, type Unit } from './format.js';
import { REPORT_CSS } from './html-style.js';
import { collectMetricSeries, keyOfSeries, labelSeries, type MetricSeries } from './metric-series.js';
import { collectComparisons, formatRatio } from './verdict.js';

/** Fewest trials per run for a significance statement. */
export const MIN_TRIALS_FOR_SIGNIFICANCE = 3;
const BOOTSTRAP_RESAMPLES = 1000;

export type ChangeVerdict = 'better' | 'worse' | 'no significant change' | 'not enough trials' | 'only in before' | 'only in after' | 'not measured';

/** One metric of one configuration, before (run a) and after (run b). */
export interface MetricChange {
  key: string;
  experiment: string;
  metric: string;
  label: string;
  unit: Unit;
  better: 'lower' | 'higher';
  before: number | null;
  after: number | null;
  beforeTrials: number;
  afterTrials: number;
  /** after ÷ before, on medians. */
  ratio: number | null;
  ratioCiLow: number | null;
  ratioCiHigh: number | null;
  pValue: number | null;
  significant: boolean | null;
  verdict: ChangeVerdict;
}

/** One monolith-vs-microservices comparison in both runs. */
export interface ClaimChange {
  key: string;
  claim: string;
  label: string;
  model: string | null;
  before: Comparison | null;
  after: Comparison | null;
}

export interface RunComparison {
  before: { runId: string; startedAt: string; gitSha: string | null };
  after: { runId: string; startedAt: string; gitSha: string | null };
  claims: ClaimChange[];
  metrics: MetricChange[];
}

/** Seeded PRNG (mulberry32) so comparisons are reproducible. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws a resample with replacement. */
function resample(values: readonly number[], random: () => number): number[] {
  return values.map(() => values[Math.floor(random() * values.length)] ?? 0);
}

/** Bootstrap 95% CI of the ratio of medians after ÷ before. */
export function bootstrapRatioOfMedians(before: readonly number[], after: readonly number[], seed = 1): { low: number; high: number } | null {
  const random = createRandom(seed);
  const ratios: number[] = [];
  for (let index = 0; index < BOOTSTRAP_RESAMPLES; index += 1) {
    const denominator = medianOf(resample(before, random));
    const numerator = medianOf(resample(after, random));
    if (denominator && numerator !== null) ratios.push(numerator / denominator);
  }
  if (ratios.length < BOOTSTRAP_RESAMPLES / 2) return null;
  ratios.sort((a, b) => a - b);
  return { low: quantileSorted(ratios, 0.025), high: quantileSorted(ratios, 0.975) };
}

/** Compares one series across two runs. */
function compareSeries(key: string, before: MetricSeries | undefined, after: MetricSeries | undefined): MetricChange {
  const any = (after ?? before) as MetricSeries;
  const beforeMedian = before ? medianOf(before.values) : null;
  const afterMedian = after ? medianOf(after.values) : null;
  const change: MetricChange = {
    key,
    experiment: any.experiment,
    metric: any.metric,
    label: labelSeries(any),
    unit: any.unit,
    better: any.better,
    before: beforeMedian,
    after: afterMedian,
    beforeTrials: before?.values.length ?? 0,
    afterTrials: after?.values.length ?? 0,
    ratio: beforeMedian && afterMedian !== null ? afterMedian / beforeMedian : null,
    ratioCiLow: null,
    ratioCiHigh: null,
    pValue: null,
    significant: null,
    verdict: 'not measured',
  };
  if (!before) return { ...change, verdict: 'only in after' };
  if (!after) return { ...change, verdict: 'only in before' };
  if (beforeMedian === null || afterMedian === null) return change;
  if (before.values.length < MIN_TRIALS_FOR_SIGNIFICANCE || after.values.length < MIN_TRIALS_FOR_SIGNIFICANCE) return { ...change, verdict: 'not enough trials' };
  const interval = beforeMedian === 0 ? null : bootstrapRatioOfMedians(before.values, after.values);
  const pValue = permutationTest([...before.values], [...after.values], 'two_side', 2000, createRandom(7));
  const significant = interval ? interval.low > 1 || interval.high < 1 : beforeMedian !== afterMedian && pValue < 0.05;
  const improved = any.better === 'lower' ? afterMedian < beforeMedian : afterMedian > beforeMedian;
  return { ...change, ratioCiLow: interval?.low ?? null, ratioCiHigh: interval?.high ?? null, pValue, significant, verdict: significant ? (improved ? 'better' : 'worse') : 'no significant change' };
}

/** Identity of a comparison, for matching across runs. */
function keyOfComparison(comparison: Comparison & { experiment: string }): string {
  return [comparison.experiment, comparison.claim ?? '', comparison.metric, comparison.model ?? '', comparison.monolith.variant, comparison.microservices.variant].join('|');
}

/** Compares two runs metric by metric (matched by experiment, metric, model, topology, variant). */
export function compareRuns(a: RunResults, b: RunResults): RunComparison {
  const beforeSeries = new Map(collectMetricSeries(a).map((series) => [keyOfSeries(series), series]));
  const afterSeries = new Map(collectMetricSeries(b).map((series) => [keyOfSeries(series), series]));
  const keys = [...new Set([...beforeSeries.keys(), ...afterSeries.keys()])];
  const metrics = keys.map((key) => compareSeries(key, beforeSeries.get(key), afterSeries.get(key)));
  const order: Record<ChangeVerdict, number> = { worse: 0, better: 1, 'no significant change': 2, 'not enough trials': 3, 'not measured': 4, 'only in before': 5, 'only in after': 6 };
  metrics.sort((x, y) => order[x.verdict] - order[y.verdict] || x.key.localeCompare(y.key));
  const beforeComparisons = new Map(collectComparisons(a).map((comparison) => [keyOfComparison(comparison), comparison]));
  const afterComparisons = new Map(collectComparisons(b).map((comparison) => [keyOfComparison(comparison), comparison]));
  const claims = [...new Set([...beforeComparisons.keys(), ...afterComparisons.keys()])].map((key) => {
    const any = (afterComparisons.get(key) ?? beforeComparisons.get(key)) as Comparison;
    return { key, claim: any.claim ?? '(no claim)', label: any.label, model: any.model, before: beforeComparisons.get(key) ?? null, after: afterComparisons.get(key) ?? null };
  });
  const describe = (results: RunResults) => ({ runId: results.runId, startedAt: results.startedAt, gitSha: results.environment.gitSha });
  return { before: describe(a), after: describe(b), claims, metrics };
}

/** Renders a change's verdict as a toned cell. */
function verdictCell(change: MetricChange): Cell {
  const tone = change.verdict === 'better' ? 'good' : change.verdict === 'worse' ? 'bad' : 'muted';
  return { text: change.verdict, tone };
}

/** The comparison as format-neutral blocks. */
export function buildComparisonBlocks(comparison: RunComparison): Block[] {
  const claimRows: Cell[][] = comparison.claims.map((claim) => [
    claim.claim,
    `${claim.label}${claim.model ? ` [${claim.model}]` : ''}`,
    claim.before ? `${formatRatio(claim.before)} → ${claim.before.winner}` : 'not measured',
    claim.after ? `${formatRatio(claim.after)} → ${claim.after.winner}` : 'not measured',
    claim.before && claim.after && claim.before.winner !== claim.after.winner ? { text: `winner changed: ${claim.before.winner} → ${claim.after.winner}`, tone: 'bad' } : 'same winner',
  ]);
  const metricRows: Cell[][] = comparison.metrics.map((change) => [
    change.experiment,
    change.metric,
    change.label,
    `${formatUnit(change.before, change.unit)} (n=${change.beforeTrials})`,
    `${formatUnit(change.after, change.unit)} (n=${change.afterTrials})`,
    change.ratio === null ? '—' : `${formatNumber(change.ratio)}×${change.ratioCiLow !== null && change.ratioCiHigh !== null ? ` [${formatNumber(change.ratioCiLow)}–${formatNumber(change.ratioCiHigh)}]` : ''}`,
    change.pValue === null ? '—' : formatNumber(change.pValue, 2),
    verdictCell(change),
  ]);
  const counts = (verdict: ChangeVerdict) => comparison.metrics.filter((change) => change.verdict === verdict).length;
  return [
    { kind: 'paragraph', text: `Before: ${comparison.before.runId} (${comparison.before.startedAt}, git ${comparison.before.gitSha ?? '—'}). After: ${comparison.after.runId} (${comparison.after.startedAt}, git ${comparison.after.gitSha ?? '—'}).` },
    { kind: 'paragraph', text: `${counts('worse')} metric(s) significantly worse, ${counts('better')} significantly better, ${counts('no significant change')} unchanged, ${counts('not enough trials')} with too few trials (< ${MIN_TRIALS_FOR_SIGNIFICANCE} per run) to tell. Ratio = after ÷ before of the medians, with a bootstrap 95% CI; significant when the CI excludes 1; p from a two-sided permutation test.` },
    { kind: 'heading', level: 2, text: 'Verdict claims (ratio microservices ÷ monolith)' },
    claimRows.length > 0 ? { kind: 'table', table: { id: 'compare-claims', columns: ['claim', 'metric', 'before', 'after', 'change'], rows: claimRows } } : { kind: 'not-measured', title: 'Claims', reason: 'neither run recorded comparisons' },
    { kind: 'heading', level: 2, text: 'Every metric (median over valid trials)' },
    metricRows.length > 0 ? { kind: 'table', table: { id: 'compare-metrics', columns: ['experiment', 'metric', 'configuration', 'before', 'after', 'ratio after ÷ before [95% CI]', 'p', 'change'], rows: metricRows } } : { kind: 'not-measured', title: 'Metrics', reason: 'neither run has results' },
  ];
}

/** Renders the comparison as Markdown. */
export function renderComparisonMarkdown(comparison: RunComparison): string {
  return `# splitbench compare: ${comparison.before.runId} → ${comparison.after.runId}\n\n${renderBlocksMarkdown(buildComparisonBlocks(comparison))}`;
}

/** Renders the comparison as one self-contained HTML file. */
export function renderComparisonHtml(comparison: RunComparison): string {
  const title = `splitbench compare: ${comparison.before.runId} → ${comparison.after.runId}`;
  return `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${REPORT_CSS}</style></head>\n<body>\n<h1>${escapeHtml(title)}</h1>\n${renderBlocksHtml(buildComparisonBlocks(comparison), new Map())}\n</body>\n</html>\n`;
}

/** Writes compare.md and compare.html for two runs into dir. */
export async function writeComparison(a: RunResults, b: RunResults, dir: string): Promise<{ files: string[]; comparison: RunComparison }> {
  const comparison = compareRuns(a, b);
  await mkdir(dir, { recursive: true });
  const markdown = join(dir, 'compare.md');
  const html = join(dir, 'compare.html');
  await writeFile(markdown, renderComparisonMarkdown(comparison));
  await writeFile(html, renderComparisonHtml(comparison));
  return { files: [markdown, html], comparison };
}
