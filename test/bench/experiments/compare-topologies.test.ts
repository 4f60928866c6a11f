import { describe, expect, it } from 'vitest';
import { compareMetric, type MetricDefinition } from '../../../bench/experiments/compare-topologies.js';

interface Row {
  topology: 'monolith' | 'microservices';
  variant: 'workers' | 'gateway';
  valid: boolean;
  invalidReasons: string[];
  notMeasured: Record<string, string>;
  p90Ms: number | null;
}

const row = (topology: Row['topology'], p90Ms: number | null, extra: Partial<Row> = {}): Row => ({
  topology,
  variant: topology === 'monolith' ? 'workers' : 'gateway',
  valid: true,
  invalidReasons: [],
  notMeasured: {},
  p90Ms,
  ...extra,
});

const p90: MetricDefinition<Row> = { claim: 'latency-light', metric: 'p90Ms', label: 'p90', unit: 'ms', better: 'lower', model: null, select: () => true, value: (r) => r.p90Ms };
const pair = { monolith: 'workers', microservices: 'gateway', headline: true } as const;

describe('compareMetric', () => {
  it('names the winner from the ratio of medians, microservices ÷ monolith', () => {
    const comparison = compareMetric([row('monolith', 10), row('monolith', 12), row('microservices', 20), row('microservices', 22)], p90, pair, 1);
    expect(comparison.ratio).toBeCloseTo(21 / 11, 5);
    expect(comparison.winner).toBe('monolith');
    expect(comparison.significant).toBeNull();
  });

  it('says why a side has no value: the run’s own not-measured reason, invalid trials, or not run', () => {
    const notMeasured = compareMetric([row('monolith', null, { notMeasured: { p90Ms: 'p90 needs at least 100 samples, got 23' } }), row('microservices', 5)], p90, pair, 1);
    expect(notMeasured.monolith.missing).toBe('not measured: p90 needs at least 100 samples, got 23');
    expect(notMeasured.microservices.missing).toBeUndefined();
    expect(notMeasured.winner).toBe('unknown');

    const invalid = compareMetric([row('monolith', 5), row('microservices', 9, { valid: false, invalidReasons: ['load generator late'] })], p90, pair, 1);
    expect(invalid.microservices.missing).toBe('the trial was invalid: load generator late');

    expect(compareMetric([row('monolith', 5)], p90, pair, 1).microservices.missing).toBe('not run');
  });
});

describe('addNoiseCaveat', () => {
  it('warns next to a blast-radius comparison when that variant’s no-fault baseline flagged models', async () => {
    const { addNoiseCaveat } = await import('../../../bench/experiments/fault/fault-metrics.js');
    const side = (variant: 'workers' | 'gateway') => ({ variant, values: [0], median: 0, ciLow: 0, ciHigh: 0 });
    const comparison = { claim: 'fault-isolation', metric: 'blastRadius', label: '', unit: 'fraction', better: 'lower', model: null, monolith: side('workers'), microservices: side('gateway'), ratio: null, ratioCiLow: null, ratioCiHigh: null, pValue: null, significant: null, winner: 'unknown' } as const;
    const baseline = (variant: 'workers' | 'gateway', impactedModels: string[]) => ({ faultKind: 'none', variant, valid: true, impactedModels }) as never;
    expect(addNoiseCaveat(comparison, [baseline('workers', []), baseline('gateway', [])]).caveat).toBeUndefined();
    expect(addNoiseCaveat(comparison, [baseline('workers', []), baseline('gateway', ['vad']), baseline('gateway', [])]).caveat).toMatch(/gateway: 1 of 2 \(vad\)/);
    expect(addNoiseCaveat({ ...comparison, metric: 'recoveryMs' }, [baseline('gateway', ['vad'])]).caveat).toBeUndefined();
  });
});
