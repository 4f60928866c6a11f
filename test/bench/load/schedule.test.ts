import { describe, expect, it } from 'vitest';
import { coefficientOfVariation } from '../../../bench/stats/variation.js';
import { buildSchedule } from '../../../bench/load/schedule.js';

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - (times[i] ?? 0));

describe('buildSchedule', () => {
  it('is reproducible for a seed and differs across seeds', () => {
    const spec = { streams: [{ name: 'a', rateRps: 200, arrival: 'poisson' as const }], durationMs: 2000 };
    const a = buildSchedule({ ...spec, seed: 7 });
    const b = buildSchedule({ ...spec, seed: 7 });
    const c = buildSchedule({ ...spec, seed: 8 });
    expect(b).toEqual(a);
    expect(c.streams[0]?.intendedMs).not.toEqual(a.streams[0]?.intendedMs);
  });

  it('gives constant arrivals the exact rate and even spacing', () => {
    const s = buildSchedule({ streams: [{ name: 'a', rateRps: 500, arrival: 'constant' }], durationMs: 10_000, seed: 1 });
    const times = s.streams[0]?.intendedMs ?? [];
    expect(times.length).toBe(5000);
    for (const gap of gaps(times)) expect(gap).toBeCloseTo(2, 9);
    expect(times.every((t) => t >= 0 && t < 10_000)).toBe(true);
  });

  it('gives Poisson arrivals the mean rate and exponential gaps (CV about 1)', () => {
    const s = buildSchedule({ streams: [{ name: 'a', rateRps: 1000, arrival: 'poisson' }], durationMs: 60_000, seed: 3 });
    const times = s.streams[0]?.intendedMs ?? [];
    expect(times.length / 60).toBeGreaterThan(1000 * 0.98);
    expect(times.length / 60).toBeLessThan(1000 * 1.02);
    expect(coefficientOfVariation(gaps(times))).toBeGreaterThan(0.97);
    expect(coefficientOfVariation(gaps(times))).toBeLessThan(1.03);
  });

  it('merges several streams (mixed traffic) in time order, each at its own rate', () => {
    const s = buildSchedule({
      streams: [
        { name: 'light', rateRps: 300, arrival: 'poisson' },
        { name: 'heavy', rateRps: 30, arrival: 'constant' },
      ],
      durationMs: 20_000,
      seed: 11,
    });
    expect(s.sends.length).toBe((s.streams[0]?.intendedMs.length ?? 0) + (s.streams[1]?.intendedMs.length ?? 0));
    expect(gaps(s.sends.map((x) => x.atMs)).every((g) => g >= 0)).toBe(true);
    expect(s.sends.filter((x) => x.stream === 1).length).toBe(600);
    expect(Math.abs(s.sends.filter((x) => x.stream === 0).length / 20 - 300)).toBeLessThan(15);
    // Adding a stream does not move the first stream's times.
    const alone = buildSchedule({ streams: [{ name: 'light', rateRps: 300, arrival: 'poisson' }], durationMs: 20_000, seed: 11 });
    expect(alone.streams[0]?.intendedMs).toEqual(s.streams[0]?.intendedMs);
  });

  it('rejects a zero rate', () => {
    expect(() => buildSchedule({ streams: [{ name: 'a', rateRps: 0, arrival: 'constant' }], durationMs: 1000, seed: 1 })).toThrow(/rate/);
  });
});
