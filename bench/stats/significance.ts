import { permutationTest } from 'simple-statistics';
import { createRandom } from '../../models/random.js';

/**
 * Two-group significance test. We use simple-statistics' `permutationTest` (difference of means,
 * two-sided) with a seeded random source: it makes no normality assumption, works on the few
 * per-trial summaries (e.g. each trial's p99) an interleaved A/B run produces, and is reproducible.
 * With n1 + n2 values there are only C(n1+n2, n1) distinct splits, so the smallest p-value any
 * data could reach is 2 / C(n1+n2, n1); when that is not below alpha we say "not enough trials"
 * instead of reporting a verdict the design cannot support (3 vs 3 trials can never reach 0.05).
 */
export type SignificanceVerdict = 'significant' | 'not-significant' | 'not-enough-trials';

/** Outcome of `testDifference`. */
export interface SignificanceResult {
  test: 'permutation-difference-of-means';
  pValue: number | null;
  alpha: number;
  /** Smallest two-sided p-value reachable with these group sizes. */
  minAchievablePValue: number;
  verdict: SignificanceVerdict;
  reason: string;
}

/** Options of `testDifference`. */
export interface SignificanceOptions {
  alpha?: number;
  /** Number of random permutations (default 10000). */
  permutations?: number;
  seed?: number;
}

/** Tests whether groups a and b differ (two-sided, seeded permutation test). */
export function testDifference(a: readonly number[], b: readonly number[], options: SignificanceOptions = {}): SignificanceResult {
  const alpha = options.alpha ?? 0.05;
  const minAchievablePValue = minimumTwoSidedPValue(a.length, b.length);
  const base = { test: 'permutation-difference-of-means' as const, alpha, minAchievablePValue };
  if (a.length < 2 || b.length < 2 || minAchievablePValue >= alpha) {
    return {
      ...base,
      pValue: null,
      verdict: 'not-enough-trials',
      reason: `not enough trials: with ${a.length} vs ${b.length} values the smallest reachable p-value is ${minAchievablePValue.toPrecision(3)} (needs < ${alpha})`,
    };
  }
  const random = createRandom(options.seed ?? 1);
  const permutations = options.permutations ?? 10_000;
  const sampled = permutationTest([...a], [...b], 'two_side', permutations, () => random.next());
  // Monte Carlo permutations: (k + 1) / (N + 1), never 0 (Phipson & Smyth 2010), and never below what the exact test could reach.
  const pValue = Math.max(minAchievablePValue, (sampled * permutations + 1) / (permutations + 1));
  const significant = pValue < alpha;
  return {
    ...base,
    pValue,
    verdict: significant ? 'significant' : 'not-significant',
    reason: `p = ${pValue.toPrecision(3)} ${significant ? '<' : '>='} alpha = ${alpha}`,
  };
}

/** 2 / C(n1 + n2, n1), capped at 1: the resolution of an exact two-sided permutation test. */
export function minimumTwoSidedPValue(n1: number, n2: number): number {
  if (n1 < 1 || n2 < 1) return 1;
  let combinations = 1;
  const small = Math.min(n1, n2);
  for (let i = 1; i <= small; i++) combinations = (combinations * (n1 + n2 - small + i)) / i;
  return Math.min(1, 2 / combinations);
}
