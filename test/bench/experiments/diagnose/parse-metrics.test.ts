import { describe, expect, it } from 'vitest';
import { parsePrometheusText, readModelCounters } from '../../../../bench/experiments/diagnose/parse-metrics.js';
import { ServingMetrics } from '../../../../serving/metrics/registry.js';

describe('reading /metrics', () => {
  it('reads per-model requests, 5xx answers and duration sums from what the servers really expose', async () => {
    const metrics = new ServingMetrics();
    const tabular = metrics.forModel('tabular');
    tabular.observeRequest(200, 0.002);
    tabular.observeRequest(500, 0.001);
    tabular.observeRequest(503, 0.001);
    tabular.observeInference(0.0015);
    metrics.forModel('vad').observeRequest(200, 0.004);
    metrics.forModel('_unknown').observeRequest(404, 0.001);
    const counters = readModelCounters(await metrics.render());
    expect(Object.keys(counters).sort()).toEqual(['tabular', 'vad']);
    expect(counters.tabular).toMatchObject({ requests: 3, errors5xx: 2, requestCount: 3, inferenceCount: 1 });
    expect(counters.tabular!.requestSecondsSum).toBeCloseTo(0.004, 6);
    expect(counters.tabular!.inferenceSecondsSum).toBeCloseTo(0.0015, 6);
    expect(counters.vad).toMatchObject({ requests: 1, errors5xx: 0 });
  });

  it('parses escaped label values, timestamps and infinities, and skips comments and malformed lines', () => {
    const text = ['# HELP x help', '# TYPE x counter', 'x{model="a\\"b",code="500"} 3 1700000000000', 'bucket{le="+Inf"} +Inf', 'not a sample line', 'bad{model="a"} NaNish', 'plain 7'].join('\n');
    expect(parsePrometheusText(text)).toEqual([
      { name: 'x', labels: { model: 'a"b', code: '500' }, value: 3 },
      { name: 'bucket', labels: { le: '+Inf' }, value: Infinity },
      { name: 'plain', labels: {}, value: 7 },
    ]);
  });
});
