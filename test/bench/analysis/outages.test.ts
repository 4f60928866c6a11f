import { describe, expect, it } from 'vitest';
import { findOutages, formatDowntime, mergeObservations } from '../../../bench/analysis/outages.js';
import type { Observation } from '../../../bench/load/request-log.js';

/** Observations every `stepMs` from `fromMs` to before `toMs`, failing inside [downFrom, downTo). */
function every(stepMs: number, fromMs: number, toMs: number, down: Array<[number, number]> = []): Observation[] {
  const list: Observation[] = [];
  for (let t = fromMs; t < toMs; t += stepMs) list.push({ tMs: t, ok: !down.some(([a, b]) => t >= a && t < b) });
  return list;
}

describe('outages from requests', () => {
  it('runs an outage from the first failed request to the next success, whatever bins it straddles', () => {
    const report = findOutages(every(50, 0, 2000, [[1220, 1700]]), 0, 2000);
    expect(report.outages).toEqual([{ fromMs: 1250, toMs: 1700, recovered: true }]);
    expect(report.downtimeMs).toBe(450);
    expect(report.failed).toBe(9);
    expect(report.unrecovered).toBe(false);
  });

  it('adds up several outages', () => {
    const report = findOutages(every(100, 0, 3000, [[500, 800], [2000, 2100]]), 0, 3000);
    expect(report.outages).toHaveLength(2);
    expect(report.downtimeMs).toBe(300 + 100);
  });

  it('runs an outage with no success after it to the window end and says so', () => {
    const report = findOutages(every(100, 0, 1000, [[600, 1000]]), 0, 1000);
    expect(report.outages).toEqual([{ fromMs: 600, toMs: 1000, recovered: false }]);
    expect(report.downtimeMs).toBe(400);
    expect(report.unrecovered).toBe(true);
  });

  it('finds no outage when nothing failed', () => {
    const report = findOutages(every(10, 0, 1000), 0, 1000);
    expect(report.outages).toEqual([]);
    expect(report.downtimeMs).toBe(0);
    expect(report.observations).toBe(100);
  });

  it('reports the largest gap between observations, the window edges included, as the resolution', () => {
    const list: Observation[] = [{ tMs: 100, ok: true }, { tMs: 150, ok: true }, { tMs: 450, ok: true }, { tMs: 500, ok: true }];
    expect(findOutages(list, 0, 600).resolutionMs).toBe(300);
    expect(findOutages(list, 0, 1200).resolutionMs).toBe(700);
    expect(findOutages([], 0, 1000)).toMatchObject({ resolutionMs: null, observations: 0, downtimeMs: 0 });
  });

  it('sees only the window: failures before it do not open an outage inside it', () => {
    const report = findOutages(every(100, 0, 2000, [[0, 1000]]), 1000, 2000);
    expect(report.outages).toEqual([]);
  });

  it('a sparse model alone misses a short outage that a probe merged with it catches', () => {
    const load = every(1000, 0, 5000, [[2000, 2600]]);
    const probe = every(100, 50, 5000, [[2000, 2600]]);
    expect(findOutages(load, 0, 5000).downtimeMs).toBe(1000);
    const merged = findOutages(mergeObservations(load, probe), 0, 5000);
    expect(merged.downtimeMs).toBe(650);
    expect(merged.resolutionMs).toBe(100);
  });

  it('writes every downtime with its resolution beside it', () => {
    expect(formatDowntime(820, 50)).toBe('820 ms (resolution 50 ms)');
    expect(formatDowntime(400, 100, true)).toBe('400 ms (resolution 100 ms; not recovered by the window end)');
    expect(formatDowntime(null, null)).toBe('n/a');
    expect(formatDowntime(500, undefined)).toBe('500 ms');
  });
});
