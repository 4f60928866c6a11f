import { describe, expect, it } from 'vitest';
import { buildMixCycle, plannedShares } from '../../../bench/load/mix-loop.js';
import { checkMixShares, MIX_SHARE_TOLERANCE, mixShareTolerance } from '../../../bench/stats/validity.js';

/** A level of a two-model 50/50 mix with the given request counts. */
function level(connections: number, a: number, b: number) {
  const total = a + b;
  return {
    connections,
    shares: [
      { model: 'tabular', planned: 0.5, achieved: total > 0 ? a / total : null, requests: a },
      { model: 'vad', planned: 0.5, achieved: total > 0 ? b / total : null, requests: b },
    ],
  };
}

describe('checkMixShares (the share-drift rule)', () => {
  it('accepts shares within 2 percentage points of the plan', () => {
    expect(MIX_SHARE_TOLERANCE).toBe(0.02);
    expect(checkMixShares([level(1, 5100, 4900), level(8, 4950, 5050)])).toEqual({ valid: true, invalidReasons: [] });
  });

  it('marks a level whose shares drift beyond the tolerance invalid, naming the model, the shares and the level', () => {
    const verdict = checkMixShares([level(1, 5000, 5000), level(8, 7600, 2400)]);
    expect(verdict.valid).toBe(false);
    expect(verdict.invalidReasons).toHaveLength(2);
    expect(verdict.invalidReasons[0]).toMatch(/at 8 connections tabular got 76\.0% of the requests \(7600\), planned 50\.0% ± 2\.0 pp/);
  });

  it('widens the tolerance to one request per connection when a level completed few requests', () => {
    // 8 connections, 100 requests: each connection may stop part-way through its turn, so ±8 pp.
    expect(mixShareTolerance(level(8, 54, 46))).toBeCloseTo(0.08);
    expect(checkMixShares([level(8, 54, 46)]).valid).toBe(true);
    expect(checkMixShares([level(8, 60, 40)]).valid).toBe(false);
  });

  it('cannot judge a level where nothing completed, and says so', () => {
    const verdict = checkMixShares([level(4, 0, 0)]);
    expect(verdict.valid).toBe(false);
    expect(verdict.invalidReasons[0]).toMatch(/no request completed/);
  });
});

describe('buildMixCycle', () => {
  it('is plain round-robin for equal weights', () => {
    expect(buildMixCycle([1, 1, 1])).toEqual([0, 1, 2]);
  });

  it('spreads a weighted target through the cycle in proportion to its weight', () => {
    const cycle = buildMixCycle([3, 1]);
    expect(cycle.filter((i) => i === 0)).toHaveLength(3);
    expect(cycle.filter((i) => i === 1)).toHaveLength(1);
    expect(buildMixCycle([2, 1])).toEqual([0, 1, 0]);
    expect(plannedShares([{ model: 'a', weight: 3 }, { model: 'b', weight: 1 }])).toEqual({ a: 0.75, b: 0.25 });
  });

  it('refuses weights that are not positive integers, naming the bad weight', () => {
    expect(() => buildMixCycle([1, 0.5])).toThrow(/weights must be integers >= 1, got 0.5/);
    expect(() => buildMixCycle([])).toThrow(/no targets/);
  });
});
