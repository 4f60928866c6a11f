import { describe, expect, it } from 'vitest';
import { buildSchedule } from '../../../bench/load/schedule.js';

describe('buildSchedule with fixedCountFromMs (latency runs)', () => {
  it('gives every Poisson stream exactly rate × measured time arrivals after the warm-up, in every seed', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const schedule = buildSchedule({ streams: [{ name: 'ocr-det', rateRps: 1, arrival: 'poisson' }, { name: 'vad', rateRps: 80, arrival: 'poisson' }], durationMs: 21_500, seed, fixedCountFromMs: 1500 });
      const [heavy, light] = schedule.streams;
      expect(heavy!.intendedMs.filter((t) => t >= 1500)).toHaveLength(20);
      expect(light!.intendedMs.filter((t) => t >= 1500)).toHaveLength(1600);
      expect(heavy!.intendedMs.every((t, i, all) => t < 21_500 && (i === 0 || all[i - 1]! <= t))).toBe(true);
    }
  });

  it('leaves the warm-up and runs without it as plain Poisson draws (the count varies with the seed)', () => {
    const counts = new Set(Array.from({ length: 20 }, (_, seed) => buildSchedule({ streams: [{ name: 'ocr-det', rateRps: 1, arrival: 'poisson' }], durationMs: 20_000, seed }).streams[0]!.intendedMs.length));
    expect(counts.size).toBeGreaterThan(3);
  });

  it('spreads the fixed arrivals over the whole window, not bunched at one end', () => {
    const { intendedMs } = buildSchedule({ streams: [{ name: 'vad', rateRps: 80, arrival: 'poisson' }], durationMs: 21_000, seed: 7, fixedCountFromMs: 1000 }).streams[0]!;
    const measured = intendedMs.filter((t) => t >= 1000);
    const firstHalf = measured.filter((t) => t < 11_000).length;
    expect(firstHalf / measured.length).toBeGreaterThan(0.45);
    expect(firstHalf / measured.length).toBeLessThan(0.55);
  });
});
