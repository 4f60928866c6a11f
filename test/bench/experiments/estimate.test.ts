import { describe, expect, it } from 'vitest';
import { resolveRunConfig } from '../../../bench/config/run-config.js';
import { estimateSteps } from '../../../bench/experiments/estimate.js';

describe('estimateSteps (the progress bar’s weights)', () => {
  it('follows the profile’s own durations: a fault window is warm-up + baseline + fault + recovery observed', () => {
    const quick = estimateSteps(resolveRunConfig({ experiments: 'all' }));
    expect(quick.faultWindowMs).toBe(250 + 1000 + 1000 + (1500 + 1500)); // observed until 1.5 s after ready, ~1.5 s restart
    expect(quick.throughputMs).toBe((0.5 + 2 * 1) * 1000);
    const standard = estimateSteps(resolveRunConfig({ experiments: 'all', profile: 'standard' }));
    expect(standard.faultWindowMs).toBe(1000 + 4000 + 4000 + 10_000);
    expect(standard.throughputMs).toBe(6 * (1 + 6 * 3) * 1000);
  });

  it('leaves out the light-only phase when the run has no heavy model to be idle', () => {
    const withHeavy = estimateSteps(resolveRunConfig({ experiments: 'latency', models: 'vad,ocr-det' }));
    const lightOnly = estimateSteps(resolveRunConfig({ experiments: 'latency', models: 'vad,tabular' }));
    expect(withHeavy.latencyMs - lightOnly.latencyMs).toBe(300 + 1500);
  });
});
