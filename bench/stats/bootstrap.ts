import { median, quantileSorted, sampleWithReplacement } from 'simple-statistics';
import { createRandom } from '../../models/random.js';

/** Options shared by the bootstrap estimators. */
export interface BootstrapOptions {
  /** Seed of the resampling, so an interval is reproducible. */
  seed?: number;
  /** Number of bootstrap resamples (default 2000). */
  iterations?: number;
  /** Confidence level in (0, 1) (default 0.95). */
  confidence?: number;
}

/** A point estimate with a percentile-bootstrap interval; the interval is null (with why) when it cannot be formed. */
export interface IntervalEstimate {
  estimate: number | null;
  low: number | null;
  high: number | null;
  confidence: number;
  n: number;
  reason: string | null;
}

const DEFAULTS = { seed: 1, iterations: 2000, confidence: 0.95 };

/** Median of `values` with a seeded percentile-bootstrap confidence interval. */
export function bootstrapMedian(values: readonly number[], options: BootstrapOptions = {}): IntervalEstimate {
  const { seed, iterations, confidence } = { ...DEFAULTS, ...options };
  const n = values.length;
  if (n === 0) return { estimate: null, low: null, high: null, confidence, n, reason: 'no values' };
  const estimate = median([...values]);
  if (n < 2) return { estimate, low: null, high: null, confidence, n, reason: 'an interval needs at least 2 values' };
  const random = createRandom(seed);
  const source = () => random.next();
  const medians = new Array<number>(iterations);
  for (let i = 0; i < iterations; i++) medians[i] = median(sampleWithReplacement([...values], n, source));
  const [low, high] = intervalOf(medians, confidence);
  return { estimate, low, high, confidence, n, reason: null };
}

/** Ratio median(a) / median(b) with a seeded bootstrap interval (groups resampled independently). */
export function bootstrapRatioOfMedians(
  a: readonly number[],
  b: readonly number[],
  options: BootstrapOptions = {},
): IntervalEstimate {
  const { seed, iterations, confidence } = { ...DEFAULTS, ...options };
  const n = Math.min(a.length, b.length);
  if (a.length === 0 || b.length === 0) return { estimate: null, low: null, high: null, confidence, n, reason: 'a group has no values' };
  const denominator = median([...b]);
  if (denominator === 0) return { estimate: null, low: null, high: null, confidence, n, reason: 'the median of the second group is 0' };
  const estimate = median([...a]) / denominator;
  if (a.length < 2 || b.length < 2) {
    return { estimate, low: null, high: null, confidence, n, reason: 'an interval needs at least 2 values per group' };
  }
  const random = createRandom(seed);
  const source = () => random.next();
  const ratios: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const bottom = median(sampleWithReplacement([...b], b.length, source));
    if (bottom !== 0) ratios.push(median(sampleWithReplacement([...a], a.length, source)) / bottom);
  }
  if (ratios.length < iterations / 2) {
    return { estimate, low: null, high: null, confidence, n, reason: 'the second group resamples to a median of 0 too often' };
  }
  const [low, high] = intervalOf(ratios, confidence);
  return { estimate, low, high, confidence, n, reason: null };
}

/** Equal-tailed percentile interval of a bootstrap distribution. */
function intervalOf(distribution: number[], confidence: number): [number, number] {
  const sorted = distribution.sort((x, y) => x - y);
  const tail = (1 - confidence) / 2;
  return [quantileSorted(sorted, tail), quantileSorted(sorted, 1 - tail)];
}
