import { EXPERIMENT_NAMES, FaultKindSchema, VariantSchema, type ExperimentName, type FaultKind, type RunResults, type ThresholdOutcome, type Topology, type VariantName } from '../bench/results/schema.js';
import { formatUnit, medianOf } from './format.js';
import { collectMetricSeries, labelSeries, listMetricNames, METRICS, type MetricInfo, type MetricSeries } from './metric-series.js';

/**
 * Threshold grammar (CI gating), documented in reports/README.md:
 *
 *   expression := path op number
 *   path       := segment ("." segment)*        segments in any order, separated by dots
 *   op         := "<" | "<=" | ">" | ">=" | "=="
 *   number     := a decimal number, exponent allowed (500e6, 0.5, 1e-3)
 *
 * Segments: exactly one topology (monolith | microservices), exactly one metric (see METRICS), and
 * optionally an experiment (to disambiguate), a variant, a fault kind, `light-only` (latency
 * baseline scenario; default `mixed`), a redeploy strategy (recreate | rolling), a change kind
 * (model-change | code-change), and one model name (any other word). Omitted segments mean "all":
 * the threshold must hold for every matching series, and the reported actual is the worst one.
 * Each series' value is the median over its valid trials.
 */
export type ThresholdOperator = '<' | '<=' | '>' | '>=' | '==';
export const THRESHOLD_OPERATORS: readonly ThresholdOperator[] = ['<', '<=', '>', '>=', '=='];

export interface ParsedThreshold {
  expression: string;
  topology: Topology;
  variant: VariantName | null;
  experiment: ExperimentName;
  metric: string;
  info: MetricInfo;
  model: string | null;
  faultKind: FaultKind | null;
  scenario: 'mixed' | 'light-only' | null;
  strategy: 'recreate' | 'rolling' | null;
  changeKind: 'model' | 'code' | null;
  operator: ThresholdOperator;
  limit: number;
}

/** A threshold expression that does not follow the grammar; the message says what and what is allowed. */
export class ThresholdSyntaxError extends Error {
  constructor(readonly expression: string, detail: string) {
    super(`threshold "${expression}": ${detail}`);
    this.name = 'ThresholdSyntaxError';
  }
}

const EXAMPLES = 'e.g. microservices.vad.p99Ms<20, monolith.single.vad.p99Ms<=50, monolith.blastRadius.crash<=1, footprint.monolith.idleRssBytes<500e6';
const VARIANT_TOPOLOGY: Record<VariantName, Topology> = { single: 'monolith', workers: 'monolith', direct: 'microservices', gateway: 'microservices' };

/** Parses a threshold expression, throwing ThresholdSyntaxError with a precise message when it is wrong. */
export function parseThreshold(expression: string): ParsedThreshold {
  const text = expression.trim();
  const match = /^([^<>=\s]+)\s*(<=|>=|==|<|>)\s*(\S+)$/.exec(text);
  if (!match) {
    throw new ThresholdSyntaxError(expression, `expected <topology>[.<variant>][.<model or fault kind>].<metric> <op> <number> with op one of ${THRESHOLD_OPERATORS.join(' ')} (${EXAMPLES})`);
  }
  const [, path = '', operator = '<', numberText = ''] = match;
  const limit = Number(numberText);
  if (numberText === '' || !Number.isFinite(limit)) throw new ThresholdSyntaxError(expression, `"${numberText}" is not a number; write a plain number such as 20, 0.5 or 500e6 (no units: the unit is in the metric name)`);
  const segments = path.split('.');
  if (segments.some((segment) => segment === '')) throw new ThresholdSyntaxError(expression, 'empty segment: segments are separated by single dots');

  let topology: Topology | null = null;
  let variant: VariantName | null = null;
  let experiment: ExperimentName | null = null;
  let faultKind: FaultKind | null = null;
  let scenario: 'light-only' | null = null;
  let strategy: 'recreate' | 'rolling' | null = null;
  let changeKind: 'model' | 'code' | null = null;
  const metrics: string[] = [];
  const others: string[] = [];
  for (const segment of segments) {
    if (segment === 'monolith' || segment === 'microservices') {
      if (topology) throw new ThresholdSyntaxError(expression, 'names two topologies; name exactly one: monolith or microservices');
      topology = segment;
    } else if ((VariantSchema.options as readonly string[]).includes(segment)) variant = segment as VariantName;
    else if ((EXPERIMENT_NAMES as readonly string[]).includes(segment)) experiment = segment as ExperimentName;
    else if ((FaultKindSchema.options as readonly string[]).includes(segment)) faultKind = segment as FaultKind;
    else if (segment === 'light-only') scenario = 'light-only';
    else if (segment === 'recreate' || segment === 'rolling') strategy = segment;
    else if (segment === 'model-change' || segment === 'code-change') changeKind = segment === 'model-change' ? 'model' : 'code';
    else if (METRICS[segment]) metrics.push(segment);
    else others.push(segment);
  }
  if (!topology) throw new ThresholdSyntaxError(expression, `must name a topology: monolith or microservices (${EXAMPLES})`);
  if (variant && VARIANT_TOPOLOGY[variant] !== topology) throw new ThresholdSyntaxError(expression, `variant "${variant}" belongs to ${VARIANT_TOPOLOGY[variant]}; ${topology} variants are ${Object.entries(VARIANT_TOPOLOGY).filter(([, owner]) => owner === topology).map(([name]) => name).join(', ')}`);
  if (metrics.length === 0) {
    const guess = others[others.length - 1] ?? segments[segments.length - 1] ?? '';
    throw new ThresholdSyntaxError(expression, `unknown metric "${guess}"; known metrics: ${listMetricNames().join(', ')}`);
  }
  if (metrics.length > 1) throw new ThresholdSyntaxError(expression, `names more than one metric (${metrics.join(', ')}); name exactly one`);
  if (others.length > 1) {
    throw new ThresholdSyntaxError(expression, `unrecognised segments ${others.map((other) => `"${other}"`).join(', ')}: at most one model name is allowed; other segments must be a topology, variant (${VariantSchema.options.join('|')}), experiment (${EXPERIMENT_NAMES.join('|')}), fault kind (${FaultKindSchema.options.join('|')}), light-only, recreate|rolling, model-change|code-change, or a metric`);
  }
  const metric = metrics[0] ?? '';
  const candidates = (METRICS[metric] ?? []).filter((info) => !experiment || info.experiment === experiment);
  if (candidates.length === 0) throw new ThresholdSyntaxError(expression, `metric "${metric}" does not belong to experiment "${experiment ?? ''}"; it belongs to ${(METRICS[metric] ?? []).map((info) => info.experiment).join(', ')}`);
  if (candidates.length > 1) throw new ThresholdSyntaxError(expression, `metric "${metric}" exists in ${candidates.map((info) => info.experiment).join(' and ')}; prefix the experiment, e.g. ${candidates[0]?.experiment ?? ''}.${path}`);
  const info = candidates[0] as MetricInfo;
  const model = others[0] ?? null;
  if (model && info.subject === 'none') throw new ThresholdSyntaxError(expression, `metric "${metric}" is per topology, not per model; drop "${model}"`);
  return {
    expression,
    topology,
    variant,
    experiment: info.experiment,
    metric,
    info,
    model,
    faultKind,
    scenario: info.experiment === 'latency' ? (scenario ?? 'mixed') : null,
    strategy,
    changeKind,
    operator: operator as ThresholdOperator,
    limit,
  };
}

/** Whether a value satisfies the operator against the limit. */
function satisfies(value: number, operator: ThresholdOperator, limit: number): boolean {
  switch (operator) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '==':
      return value === limit;
  }
}

/** The series a parsed threshold selects. */
function selectSeries(all: readonly MetricSeries[], parsed: ParsedThreshold): MetricSeries[] {
  return all.filter(
    (series) =>
      series.experiment === parsed.experiment &&
      series.metric === parsed.metric &&
      series.topology === parsed.topology &&
      (!parsed.variant || series.variant === parsed.variant) &&
      (!parsed.model || series.model === parsed.model) &&
      (!parsed.faultKind || series.faultKind === parsed.faultKind) &&
      (!parsed.scenario || series.scenario === parsed.scenario) &&
      (!parsed.strategy || series.strategy === parsed.strategy) &&
      (!parsed.changeKind || series.changeKind === parsed.changeKind),
  );
}

/** Why nothing matched: which part of the run is missing. */
function explainUnmatched(results: RunResults, parsed: ParsedThreshold): string {
  const section = results.experiments[parsed.experiment];
  if (!section) return `not measured: experiment "${parsed.experiment}" was not run`;
  if (section.status === 'failed') return `not measured: experiment "${parsed.experiment}" failed${section.error ? ` (${section.error})` : ''}`;
  const filters = [parsed.variant, parsed.model, parsed.faultKind, parsed.scenario !== 'mixed' ? parsed.scenario : null, parsed.strategy, parsed.changeKind].filter(Boolean).join(' ');
  return `not measured: no ${parsed.experiment} result for ${parsed.topology}${filters ? ` ${filters}` : ''}`;
}

/** Evaluates one parsed threshold: every matching series must pass; a series that was not measured fails. */
function evaluateParsed(results: RunResults, all: readonly MetricSeries[], parsed: ParsedThreshold): ThresholdOutcome {
  const selected = selectSeries(all, parsed);
  if (selected.length === 0) return { expression: parsed.expression, actual: null, passed: false, reason: explainUnmatched(results, parsed) };
  const unmeasured = selected.filter((series) => series.values.length === 0);
  if (unmeasured.length > 0) {
    const first = unmeasured[0] as MetricSeries;
    const why = first.invalidReasons.length > 0 && first.notMeasuredReasons.length === 0 ? `every trial invalid (${[...new Set(first.invalidReasons)].join('; ')})` : [...new Set(first.notMeasuredReasons)].join('; ') || 'no value';
    return { expression: parsed.expression, actual: null, passed: false, reason: `not measured for ${labelSeries(first)}: ${why}` };
  }
  const measured = selected.map((series) => ({ series, value: medianOf(series.values) as number }));
  const failing = measured.filter((entry) => !satisfies(entry.value, parsed.operator, parsed.limit));
  const lowerIsWorse = parsed.operator === '>' || parsed.operator === '>=';
  const worst = (failing.length > 0 ? failing : measured).reduce((a, b) => (lowerIsWorse ? (b.value < a.value ? b : a) : b.value > a.value ? b : a));
  const scope = measured.length > 1 ? `worst of ${measured.length} series: ` : '';
  const where = `${scope}${labelSeries(worst.series)} = ${formatUnit(worst.value, parsed.info.unit)} (median of ${worst.series.values.length} valid trial${worst.series.values.length === 1 ? '' : 's'})`;
  return { expression: parsed.expression, actual: worst.value, passed: failing.length === 0, reason: failing.length === 0 ? where : `${where} fails ${parsed.operator} ${parsed.limit}` };
}

/** Evaluates threshold expressions against a run; a syntax error throws ThresholdSyntaxError. */
export function evaluateThresholds(results: RunResults, expressions: readonly string[]): ThresholdOutcome[] {
  const parsed = expressions.map(parseThreshold);
  const series = collectMetricSeries(results);
  return parsed.map((threshold) => evaluateParsed(results, series, threshold));
}

/** Whether any threshold failed (the CLI exits 3 then). */
export function anyThresholdFailed(outcomes: readonly ThresholdOutcome[]): boolean {
  return outcomes.some((outcome) => !outcome.passed);
}
