import type { TopologyVariant } from '../config/topologies.js';
import type { Claim, Comparison, VariantName } from '../results/schema.js';
import { bootstrapMedian, bootstrapRatioOfMedians, testDifference } from '../stats/index.js';

/** A per-trial result that names who produced it. */
interface Attributed {
  topology: 'monolith' | 'microservices';
  variant: VariantName;
  valid: boolean;
  invalidReasons?: string[];
  notMeasured?: Record<string, string>;
}

/** How to read one metric off a kind of result. */
export interface MetricDefinition<R extends Attributed> {
  claim: Claim | null;
  metric: string;
  label: string;
  unit: Comparison['unit'];
  better: Comparison['better'];
  model: string | null;
  select: (result: R) => boolean;
  value: (result: R) => number | null;
}

/** Which monolith variant is set against which microservices variant. */
export interface VariantPair {
  monolith: VariantName;
  microservices: VariantName;
  headline: boolean;
}

/** Differences under 3% count as a tie: below what repeated runs on one machine can resolve. */
export const TIE_TOLERANCE = 0.03;

/** The winner by the ratio microservices ÷ monolith: within the tie tolerance a tie, else the better side; unknown without a ratio. */
export function pickWinnerByRatio(ratio: number | null, better: Comparison['better']): Comparison['winner'] {
  if (ratio === null) return 'unknown';
  if (Math.abs(ratio - 1) <= TIE_TOLERANCE) return 'tie';
  return (ratio < 1) === (better === 'lower') ? 'microservices' : 'monolith';
}

/**
 * The pairs to compare: the best-tuned all-in-one (workers) against split behind one endpoint
 * (gateway) is the headline, so neither side is a strawman; naive single vs direct is the other pair.
 */
export function choosePairs(variants: readonly TopologyVariant[]): VariantPair[] {
  const has = (v: VariantName) => variants.some((x) => x.variant === v);
  const mono = (['workers', 'single'] as const).filter(has);
  const micro = (['gateway', 'direct'] as const).filter(has);
  if (mono.length === 0 || micro.length === 0) return [];
  const pairs: VariantPair[] = [{ monolith: mono[0]!, microservices: micro[0]!, headline: true }];
  if (mono.length > 1 && micro.length > 1) pairs.push({ monolith: mono[1]!, microservices: micro[1]!, headline: false });
  return pairs;
}

/** Per-trial values of a metric for one side, valid results only. */
function valuesOf<R extends Attributed>(results: readonly R[], definition: MetricDefinition<R>, topology: Attributed['topology'], variant: VariantName): number[] {
  return results
    .filter((r) => r.topology === topology && r.variant === variant && r.valid && definition.select(r))
    .map(definition.value)
    .filter((v): v is number => v !== null && Number.isFinite(v));
}

/** Why one side has no value: not run, every trial invalid, or the metric not measured (with the run's own reason). */
function explainMissing<R extends Attributed>(results: readonly R[], definition: MetricDefinition<R>, topology: Attributed['topology'], variant: VariantName): string {
  const mine = results.filter((r) => r.topology === topology && r.variant === variant && definition.select(r));
  if (mine.length === 0) return 'not run';
  const valid = mine.filter((r) => r.valid);
  if (valid.length === 0) return `${mine.length === 1 ? 'the trial was' : `all ${mine.length} trials were`} invalid: ${[...new Set(mine.flatMap((r) => r.invalidReasons ?? []))].slice(0, 2).join('; ') || 'see the validity section'}`;
  const reasons = [...new Set(valid.map((r) => r.notMeasured?.[definition.metric]).filter((reason): reason is string => reason !== undefined))];
  return `not measured: ${reasons.length > 0 ? reasons.join('; ') : 'no value in the valid trials'}`;
}

/** Builds one monolith-vs-microservices comparison: medians with 95% CIs, ratio with its CI, significance, winner. */
export function compareMetric<R extends Attributed>(results: readonly R[], definition: MetricDefinition<R>, pair: VariantPair, seed: number): Comparison {
  const mono = valuesOf(results, definition, 'monolith', pair.monolith);
  const micro = valuesOf(results, definition, 'microservices', pair.microservices);
  const side = (topology: Attributed['topology'], variant: VariantName, values: number[]) => {
    const estimate = bootstrapMedian(values, { seed });
    return { variant, values, median: estimate.estimate, ciLow: estimate.low, ciHigh: estimate.high, ...(values.length === 0 ? { missing: explainMissing(results, definition, topology, variant) } : {}) };
  };
  const ratio = bootstrapRatioOfMedians(micro, mono, { seed });
  const test = testDifference(micro, mono, { seed });
  const notes: string[] = [];
  if (ratio.reason) notes.push(`ratio interval: ${ratio.reason}`);
  if (test.verdict === 'not-enough-trials') notes.push(test.reason);
  if (mono.length === 0 || micro.length === 0) notes.push('no valid value on one side');
  const winner = pickWinnerByRatio(ratio.estimate, definition.better);
  return {
    claim: pair.headline ? definition.claim : null,
    metric: definition.metric,
    label: `${definition.label} (${pair.monolith} vs ${pair.microservices})`,
    unit: definition.unit,
    better: definition.better,
    model: definition.model,
    monolith: side('monolith', pair.monolith, mono),
    microservices: side('microservices', pair.microservices, micro),
    ratio: ratio.estimate,
    ratioCiLow: ratio.low,
    ratioCiHigh: ratio.high,
    pValue: test.pValue,
    significant: test.verdict === 'not-enough-trials' ? null : test.verdict === 'significant',
    winner,
    ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
  };
}

/** Compares every metric definition for every variant pair. */
export function compareAll<R extends Attributed>(results: readonly R[], definitions: readonly MetricDefinition<R>[], variants: readonly TopologyVariant[], seed: number): Comparison[] {
  return choosePairs(variants).flatMap((pair) => definitions.map((definition) => compareMetric(results, definition, pair, seed)));
}
