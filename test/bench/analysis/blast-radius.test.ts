import { describe, expect, it } from 'vitest';
import { analyseFault, findRecovery } from '../../../bench/analysis/blast-radius.js';
import { downtimeMs, isViolating } from '../../../bench/analysis/bin-health.js';
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
