import { describe, expect, it } from 'vitest';
import { bootstrapMedian, bootstrapRatioOfMedians } from '../../../bench/stats/bootstrap.js';
import { minimumTwoSidedPValue, testDifference } from '../../../bench/stats/significance.js';
import { coefficientOfVariation } from '../../../bench/stats/variation.js';
import { reportPercentile, requiredSamplesForPercentile } from '../../../bench/stats/percentile-rule.js';
import { createRandom } from '../../../models/random.js';

/** Seeded normal-ish sample (sum of uniforms) around `center`. */
function sample(n: number, center: number, spread: number, seed: number): number[] {
  const random = createRandom(seed);
  return Array.from({ length: n }, () => center + spread * (random.next() + random.next() + random.next() - 1.5));
}

describe('bootstrap', () => {
  it('gives a median interval that contains the true median of a known sample', () => {
    const values = sample(200, 10, 4, 1);
    const estimate = bootstrapMedian(values, { seed: 42 });
    expect(estimate.low).not.toBeNull();
    expect(estimate.low!).toBeLessThan(10);
    expect(estimate.high!).toBeGreaterThan(10);
    expect(estimate.high! - estimate.low!).toBeLessThan(1.5);
    expect(bootstrapMedian(values, { seed: 42 })).toEqual(estimate);
  });

  it('computes the median exactly and refuses an interval from one value', () => {
    expect(bootstrapMedian([3, 1, 2, 100]).estimate).toBe(2.5);
    const one = bootstrapMedian([5]);
    expect(one).toMatchObject({ estimate: 5, low: null, high: null });
    expect(one.reason).toMatch(/at least 2/);
  });

  it('estimates the ratio of two groups medians with an interval around the truth', () => {
    const a = sample(100, 30, 6, 2);
    const b = sample(100, 10, 2, 3);
    const ratio = bootstrapRatioOfMedians(a, b, { seed: 9 });
    expect(ratio.estimate!).toBeCloseTo(3, 0);
    expect(ratio.low!).toBeLessThan(3);
    expect(ratio.high!).toBeGreaterThan(3);
    expect(bootstrapRatioOfMedians([1, 2, 3], [4, 8, 12]).estimate).toBe(0.25);
    expect(bootstrapRatioOfMedians([1, 2], [0, 0]).reason).toMatch(/median of the second group is 0/);
  });
});

describe('testDifference', () => {
  it('finds clearly different groups significant and identical ones not', () => {
    const fast = [10.1, 10.3, 9.9, 10.0, 10.2, 10.4];
    const slow = [20.3, 19.8, 20.1, 20.6, 19.9, 20.2];
    const different = testDifference(fast, slow, { seed: 1 });
    expect(different.verdict).toBe('significant');
    expect(different.pValue!).toBeLessThan(0.01);
    const same = testDifference(fast, [...fast], { seed: 1 });
    expect(same.verdict).toBe('not-significant');
    expect(same.pValue!).toBeGreaterThan(0.5);
  });

  it('says "not enough trials" when no outcome could reach alpha', () => {
    expect(minimumTwoSidedPValue(3, 3)).toBeCloseTo(0.1, 10);
    const result = testDifference([1, 2, 3], [10, 11, 12]);
    expect(result.verdict).toBe('not-enough-trials');
    expect(result.pValue).toBeNull();
    expect(result.reason).toMatch(/not enough trials/);
    expect(testDifference([1, 2, 3, 4], [10, 11, 12, 13]).verdict).toBe('significant');
  });
});

describe('coefficientOfVariation', () => {
  it('matches a hand-computed value', () => {
    // mean 5, sample sd = sqrt(32/7)
    expect(coefficientOfVariation([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7) / 5, 12);
    expect(coefficientOfVariation([1])).toBeNull();
  });
});

describe('percentile sample rule', () => {
  it('requires n >= 10 / (1 - p)', () => {
    expect(requiredSamplesForPercentile(50)).toBe(20);
    expect(requiredSamplesForPercentile(90)).toBe(100);
    expect(requiredSamplesForPercentile(99)).toBe(1000);
    expect(requiredSamplesForPercentile(99.9)).toBe(10000);
  });

  it('reports a percentile without enough samples as null with the reason', () => {
    expect(reportPercentile(99, 999, () => 1)).toMatchObject({ value: null, reason: 'p99 needs at least 1000 samples, got 999' });
    expect(reportPercentile(99, 1000, () => 7).value).toBe(7);
  });
});
