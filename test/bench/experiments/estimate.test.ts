import { describe, expect, it } from 'vitest';
import { resolveRunConfig } from '../../../bench/config/run-config.js';
import { estimateSteps } from '../../../bench/experiments/estimate.js';
import { planWindows } from '../../../bench/experiments/fault.js';

describe('estimateSteps (the progress bar’s weights)', () => {
  it('follows the profile’s own durations: a fault window is warm-up + baseline + fault + observation, a restart more when the fault kills', () => {
    const config = resolveRunConfig({ experiments: 'all' });
    const quick = estimateSteps(config);
    const { warmupMs, baselineMs, faultMs, observeAfterReadyMs } = config.settings.fault;
    expect(observeAfterReadyMs).not.toBeNull();
    const slow = quick.faultWindowMs('slow');
    expect(slow).toBeGreaterThan(warmupMs + baselineMs + faultMs + observeAfterReadyMs!);
    expect(quick.faultWindowMs('crash')).toBeGreaterThan(slow);
    expect(quick.faultWindowMs('hang')).toBeGreaterThanOrEqual(warmupMs + baselineMs + faultMs + config.settings.latency.timeoutMs);
  });

  it('sweeps each model alone only in the trials the profile asks for, and expects the plateau rule to cut sweeps short', () => {
    const standard = estimateSteps(resolveRunConfig({ experiments: 'all', profile: 'standard' }));
    expect(standard.throughputMs(0)).toBe(6 * standard.throughputMs(3));
    expect(standard.throughputMs(3)).toBeLessThan((0.5 + 6 * 1.5) * 1000);
  });

  it('leaves out the light-only phase when the run has no heavy model to be idle', () => {
    const withHeavy = estimateSteps(resolveRunConfig({ experiments: 'latency', models: 'vad,ocr-det' }));
    const config = resolveRunConfig({ experiments: 'latency', models: 'vad,tabular' });
    const lightOnly = estimateSteps(config);
    expect(withHeavy.latencyMs - lightOnly.latencyMs).toBeGreaterThanOrEqual(config.settings.latency.warmupMs + config.settings.latency.lightOnlyDurationMs);
  });
});

describe('planWindows (which fault goes into which model)', () => {
  it('builds the isolation matrix from the crash alone in standard, the other kinds going into tabular', () => {
    const config = resolveRunConfig({ experiments: 'fault', profile: 'standard' });
    const windows = planWindows(config, 1);
    expect(windows.filter((w) => w.kind === 'crash').map((w) => w.targetModel)).toEqual(['vad', 'ocr-cls', 'ocr-det', 'ocr-rec', 'tabular']);
    expect(windows.filter((w) => w.kind !== 'crash').every((w) => w.targetModel === 'tabular')).toBe(true);
    expect(new Set(windows.map((w) => w.kind)).size).toBe(7);
  });

  it('injects every kind into every model named with --fault-models', () => {
    const config = resolveRunConfig({ experiments: 'fault', profile: 'standard', faultModels: 'vad,tabular', faultKinds: 'slow,crash' });
    expect(planWindows(config, 1)).toEqual([
      { kind: 'slow', targetModel: 'vad' },
      { kind: 'slow', targetModel: 'tabular' },
      { kind: 'crash', targetModel: 'vad' },
      { kind: 'crash', targetModel: 'tabular' },
    ]);
  });
});
