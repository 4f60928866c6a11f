import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../../../bench/experiments/diagnose/parse-metrics.js';
import { ServingMetrics } from '../../../serving/metrics/registry.js';

describe('serving metrics', () => {
  it('renders cumulative latency buckets, sums and counts per model from plain counters', async () => {
    const metrics = new ServingMetrics();
    const vad = metrics.forModel('vad');
    for (const seconds of [0.0004, 0.0009, 0.003, 20]) vad.observeRequest(200, seconds);
    vad.observeRequest(503, 0.0001);
    const samples = parsePrometheusText(await metrics.render());
    const bucket = (le: string) => samples.find((s) => s.name === 'splitbench_request_duration_seconds_bucket' && s.labels.le === le && s.labels.model === 'vad')?.value;
    expect([bucket('0.0005'), bucket('0.001'), bucket('0.005'), bucket('10'), bucket('+Inf')]).toEqual([2, 3, 4, 4, 5]);
    expect(samples.find((s) => s.name === 'splitbench_request_duration_seconds_count')?.value).toBe(5);
    expect(samples.find((s) => s.name === 'splitbench_request_duration_seconds_sum')?.value).toBeCloseTo(20.0044, 6);
    expect(samples.filter((s) => s.name === 'splitbench_requests_total').map((s) => [s.labels.code, s.value])).toEqual([['200', 4], ['503', 1]]);
  });

  it('escapes quotes, backslashes and newlines in model names and still exposes the process metrics', async () => {
    const metrics = new ServingMetrics();
    metrics.forModel('a"b\\c\nd').observeInference(0.002);
    const text = await metrics.render();
    expect(text).toContain('splitbench_inference_duration_seconds_count{model="a\\"b\\\\c\\nd"} 1');
    expect(text).toMatch(/^process_cpu_seconds_total /m);
  });
});
