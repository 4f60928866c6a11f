import { describe, expect, it } from 'vitest';
import { analyseFault, findRecovery } from '../../../bench/analysis/blast-radius.js';
import { downtimeMs, isViolating } from '../../../bench/analysis/bin-health.js';
import { mergeObservations } from '../../../bench/analysis/outages.js';
import type { Observation } from '../../../bench/load/request-log.js';
import type { Timeline, TimelineBin } from '../../../bench/results/schema.js';

const BIN = 250;

/** A healthy bin, or a failing / slow one, at index i. */
function bin(i: number, kind: 'ok' | 'down' | 'slow' = 'ok'): TimelineBin {
  if (kind === 'down') return { tMs: i * BIN, count: 10, ok: 0, errors: 10, p50Ms: null, p99Ms: null, maxMs: null };
  const p99 = kind === 'slow' ? 500 : 5;
  return { tMs: i * BIN, count: 10, ok: 10, errors: 0, p50Ms: p99 / 2, p99Ms: p99, maxMs: p99 };
}

/** A model's bins: 40 bins (10 s), `faulty` maps bin index → kind. */
function series(faulty: Record<number, 'down' | 'slow'> = {}): TimelineBin[] {
  return Array.from({ length: 40 }, (_, i) => bin(i, faulty[i] ?? 'ok'));
}

function range(from: number, to: number, kind: 'down' | 'slow'): Record<number, 'down' | 'slow'> {
  return Object.fromEntries(Array.from({ length: to - from }, (_, k) => [from + k, kind]));
}

const slo = { a: 20, b: 20, c: 20 };
const windows = { baseline: { fromMs: 0, toMs: 4000 }, injectedAtMs: 5000, observeUntilMs: 10000 };

function timeline(bins: Record<string, TimelineBin[]>): Timeline {
  return { startedAtMs: 0, binMs: BIN, bins, marks: [] };
}

describe('bin health', () => {
  it('violates on more than 1% errors or a p99 over the SLO, never on an empty bin', () => {
    expect(isViolating(bin(0), 20)).toBe(false);
    expect(isViolating(bin(0, 'down'), 20)).toBe(true);
    expect(isViolating(bin(0, 'slow'), 20)).toBe(true);
    expect(isViolating({ ...bin(0), count: 0, ok: 0 }, 20)).toBe(false);
  });

  it('counts downtime as bins with traffic and no success', () => {
    expect(downtimeMs(series(range(20, 24, 'down')), BIN, 0, 10000)).toBe(1000);
  });
});

describe('fault analysis', () => {
  it('gives blast radius 1 when every other model goes down with the target (one failure domain)', () => {
    const down = range(20, 26, 'down');
    const result = analyseFault({ timeline: timeline({ a: series(down), b: series(down), c: series(down) }), targetModel: 'a', sloMs: slo, ...windows });
    expect(result.blastRadius).toBe(1);
    expect(result.impactedModels).toEqual(['b', 'c']);
    expect(result.collateralFailedRequests).toBe(2 * 6 * 10);
    expect(result.targetDowntimeMs).toBe(1500);
    expect(result.recoveryMs).toBe(1500);
  });

  it('gives blast radius 0 when only the target fails (isolation)', () => {
    const result = analyseFault({ timeline: timeline({ a: series(range(20, 24, 'down')), b: series(), c: series() }), targetModel: 'a', sloMs: slo, ...windows });
    expect(result.blastRadius).toBe(0);
    expect(result.collateralFailedRequests).toBe(0);
    expect(result.recoveryMs).toBe(1000);
  });

  it('counts a neighbour that only got slow as impacted, with its p99 inflation', () => {
    const result = analyseFault({ timeline: timeline({ a: series(range(20, 22, 'down')), b: series(range(20, 23, 'slow')), c: series() }), targetModel: 'a', sloMs: slo, ...windows });
    expect(result.blastRadius).toBe(0.5);
    expect(result.impactedModels).toEqual(['b']);
    expect(result.collateralP99InflationRatio).toBe(100);
  });

  it('does not blame the fault for violations the baseline already had at the same rate', () => {
    // b violates one bin in four all the time, fault or not.
    const flaky = Object.fromEntries(Array.from({ length: 10 }, (_, k) => [k * 4, 'slow' as const]));
    const result = analyseFault({ timeline: timeline({ a: series(range(20, 22, 'down')), b: series(flaky), c: series() }), targetModel: 'a', sloMs: slo, ...windows });
    expect(result.impactedModels).toEqual([]);
  });

  it('does not let a noisy latency baseline excuse a neighbour\'s failed requests', () => {
    const noisy = Object.fromEntries(Array.from({ length: 20 }, (_, k) => [k * 2, 'slow' as const]));
    const neighbour = series({ ...noisy, ...range(20, 24, 'down') });
    const result = analyseFault({ timeline: timeline({ a: series(range(20, 24, 'down')), b: neighbour, c: series(noisy) }), targetModel: 'a', sloMs: slo, ...windows });
    expect(result.impactedModels).toEqual(['b']);
  });

  it('reports no recovery when the models still violate at the end of observation', () => {
    const result = analyseFault({ timeline: timeline({ a: series(range(20, 40, 'down')), b: series(), c: series() }), targetModel: 'a', sloMs: slo, ...windows });
    expect(result.recoveryMs).toBeNull();
    expect(result.targetDowntimeMs).toBe(5000);
  });

  it('waits for the last violation, so a slow-acting fault is not reported recovered before it bites', () => {
    const late = { ...range(28, 30, 'down') };
    const t = timeline({ a: series(late), b: series(late), c: series() });
    expect(findRecovery(t, (m, b) => isViolating(b, slo[m as 'a'] ?? 20), 5000, 10000)).toBe(7500);
  });

  it('counts a model that always breaches its SLO as recovered once it is back to its baseline', () => {
    const chronic = series(range(0, 40, 'slow'));
    const result = analyseFault({ timeline: timeline({ a: series(range(20, 22, 'down')), b: chronic, c: series() }), targetModel: 'a', sloMs: slo, ...windows });
    expect(result.recoveryMs).toBe(500);
    expect(result.impactedModels).toEqual([]);
  });
});

/** Observations every `stepMs` over the 10 s timeline, failing inside [downFrom, downTo). */
function observe(stepMs: number, down: [number, number] | null = null, phaseMs = 0): Observation[] {
  const list: Observation[] = [];
  for (let t = phaseMs; t < 10_000; t += stepMs) list.push({ tMs: t, ok: down === null || t < down[0] || t >= down[1] });
  return list;
}

describe('fault analysis from requests and probes', () => {
  it('measures a target outage shorter than two bins that straddles a bin edge, which whole bins read as 0', () => {
    // Down 5200–5600 ms: bins 20 and 22 keep a success each, bin 21 has none only at 100 rps, not at 10.
    const sparse = Array.from({ length: 40 }, (_, i) => bin(i));
    const result = analyseFault({ timeline: timeline({ a: sparse, b: series(), c: series() }), targetModel: 'a', sloMs: slo, ...windows, observations: { a: observe(50, [5200, 5600]), b: observe(50), c: observe(50) } });
    expect(result.targetDowntimeMs).toBe(400);
    expect(result.targetDowntimeResolutionMs).toBe(50);
    expect(result.targetUnrecovered).toBe(false);
    expect(result.recoveryMs).toBeGreaterThanOrEqual(600);
  });

  it('counts a neighbour with an outage only its probe saw as impacted, although its bins look healthy', () => {
    const probeOnly = mergeObservations(observe(1000, null, 700), observe(100, [5000, 5500], 20));
    const result = analyseFault({ timeline: timeline({ a: series(range(20, 22, 'down')), b: series(), c: series() }), targetModel: 'a', sloMs: slo, ...windows, observations: { a: observe(50, [5000, 5500]), b: probeOnly, c: observe(100) }, probes: { b: observe(100, [5000, 5500], 20) } });
    expect(result.impactedModels).toEqual(['b']);
    expect(result.blastRadius).toBe(0.5);
    const b = result.perModel.find((m) => m.model === 'b')!;
    expect(b.downtimeMs).toBe(500);
    expect(b.probeFailures).toBe(5);
    expect(b.failedRequests).toBe(0);
  });

  it('leaves a neighbour with too few observations undetermined: listed with the reason, out of the ratio', () => {
    const result = analyseFault({ timeline: timeline({ a: series(range(20, 22, 'down')), b: series(), c: series() }), targetModel: 'a', sloMs: slo, ...windows, observations: { a: observe(50, [5000, 5500]), b: observe(1000), c: observe(100) } });
    expect(result.undeterminedModels).toEqual([{ model: 'b', reason: expect.stringMatching(/resolution 1000 ms.*at most 500 ms/) }]);
    expect(result.blastRadius).toBe(0);
    expect(result.perModel.find((m) => m.model === 'b')!.impacted).toBe(false);
  });

  it('gives no blast radius when no neighbour could be judged', () => {
    const result = analyseFault({ timeline: timeline({ a: series(range(20, 22, 'down')), b: series() }), targetModel: 'a', sloMs: slo, ...windows, observations: { a: observe(50, [5000, 5500]), b: [] } });
    expect(result.blastRadius).toBeNull();
    expect(result.undeterminedModels[0]!.reason).toMatch(/only 0 request\(s\) and probe\(s\)/);
  });

  it('reports no recovery, and an unrecovered target downtime, when the target is still out at the end', () => {
    const result = analyseFault({ timeline: timeline({ a: series(range(20, 40, 'down')), b: series(), c: series() }), targetModel: 'a', sloMs: slo, ...windows, observations: { a: observe(50, [5000, 10_000]), b: observe(50), c: observe(50) } });
    expect(result.recoveryMs).toBeNull();
    expect(result.targetDowntimeMs).toBe(5000);
    expect(result.targetUnrecovered).toBe(true);
  });
});
