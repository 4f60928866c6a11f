import { describe, expect, it } from 'vitest';
import {
  checkGeneratorSaturation,
  checkMinimumDuration,
  checkPercentileSamples,
  checkStability,
  checkWarmupExcluded,
  combineValidity,
} from '../../../bench/stats/validity.js';

describe('validity rules', () => {
  it('marks a too-short run invalid with the reason', () => {
    expect(checkMinimumDuration(59_000, 60_000)).toEqual({ valid: false, invalidReasons: ['measured for 59000 ms, less than the required 60000 ms'] });
    expect(checkMinimumDuration(60_000, 60_000).valid).toBe(true);
  });

  it('marks too few samples for a claimed percentile invalid', () => {
    const verdict = checkPercentileSamples(5000, [50, 99, 99.9]);
    expect(verdict.valid).toBe(false);
    expect(verdict.invalidReasons).toEqual(['p99.9 needs at least 10000 samples, got 5000']);
    expect(checkPercentileSamples(10_000, [99.9]).valid).toBe(true);
  });

  it('requires the warm-up to be excluded and long enough', () => {
    expect(checkWarmupExcluded({ warmupMs: 0, warmupExcluded: true }, 1000).invalidReasons[0]).toMatch(/warm-up of 0 ms/);
    expect(checkWarmupExcluded({ warmupMs: 2000, warmupExcluded: false }, 1000).invalidReasons[0]).toMatch(/not excluded/);
    expect(checkWarmupExcluded({ warmupMs: 2000, warmupExcluded: true }, 1000).valid).toBe(true);
  });

  it('checks stability across windows: p50 agreement and achieved within 2% of offered', () => {
    const steady = [10, 10.5, 9.8, 10.2].map((p50Ms) => ({ p50Ms, offeredRps: 100, achievedRps: 99.5 }));
    expect(checkStability(steady)).toEqual({ valid: true, invalidReasons: [] });
    const drifting = [...steady, { p50Ms: 30, offeredRps: 100, achievedRps: 90 }];
    const verdict = checkStability(drifting);
    expect(verdict.valid).toBe(false);
    expect(verdict.invalidReasons).toHaveLength(2);
    expect(verdict.invalidReasons[0]).toMatch(/window 4 p50 30/);
    expect(verdict.invalidReasons[1]).toMatch(/window 4 achieved 90.0 rps vs offered 100.0/);
    expect(checkStability([steady[0]!]).valid).toBe(false);
  });

  it('flags a saturated or late generator', () => {
    expect(checkGeneratorSaturation({ cpuUtilisation: 0.95, sendLagP99Ms: 1 }).invalidReasons[0]).toMatch(/saturated: 95%/);
    expect(checkGeneratorSaturation({ cpuUtilisation: 0.3, sendLagP99Ms: 12 }).invalidReasons[0]).toMatch(/send-lag p99 12.00 ms/);
    expect(checkGeneratorSaturation({ cpuUtilisation: 0.3, sendLagP99Ms: 1 }).valid).toBe(true);
  });

  it('combines verdicts, keeping every reason', () => {
    const combined = combineValidity(checkMinimumDuration(1, 10), checkPercentileSamples(10, [99]), { valid: true, invalidReasons: [] });
    expect(combined.valid).toBe(false);
    expect(combined.invalidReasons).toHaveLength(2);
  });
});
