import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRunConfig, type RunConfig } from '../../../../bench/config/run-config.js';
import { estimateDiagnoseMs } from '../../../../bench/experiments/diagnose/diagnose.js';
import { createSilentProgress } from '../../../../bench/experiments/progress.js';
import { runExperiments } from '../../../../bench/experiments/run-experiments.js';
import { LocalTarget } from '../../../../bench/targets/local/index.js';
import { readResults } from '../../../../bench/results/read-results.js';
import type { RunResults } from '../../../../bench/results/schema.js';
import { defaultStoreDir } from '../../../../models/paths.js';
import { ensureCompiled } from '../../targets/local/helpers.js';

const MODELS = ['tabular', 'vad'];
const workDir = mkdtempSync(join(tmpdir(), 'splitbench-diagnose-on-fault-'));
let config: RunConfig;
let results: RunResults;

/** A private store with version 1 of each model, so versions other tests publish meanwhile cannot leak in. */
function copyStore(): string {
  const dir = join(workDir, 'store');
  for (const model of MODELS) cpSync(join(defaultStoreDir(), model, '1'), join(dir, model, '1'), { recursive: true });
  return dir;
}

/** What identifies a window: variant, trial, fault kind and target, sorted. */
function windowKeys(list: readonly { variant: string; trial: number; faultKind: string; targetModel: string }[]): string[] {
  return list.map((r) => `${r.variant}|${r.trial}|${r.faultKind}|${r.targetModel}`).sort();
}

// One real run of `fault,diagnose`: a crash in `tabular` next to `vad`, naive monolith vs direct microservices.
beforeAll(async () => {
  ensureCompiled();
  const out = join(workDir, 'run');
  config = resolveRunConfig({ experiments: 'fault,diagnose', models: MODELS.join(','), topologies: 'monolith:single,microservices:direct', out });
  Object.assign(config.settings.fault, { kinds: ['crash'], trials: 1, targetModels: ['tabular'], warmupMs: 500, baselineMs: 1250, faultMs: 1250, recoveryLimitMs: 3000, observeAfterReadyMs: 1000 });
  await runExperiments(config, { target: new LocalTarget(), progress: createSilentProgress(), signal: new AbortController().signal, storeDir: copyStore(), command: 'test' });
  results = readResults(out);
}, 240_000);

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe('diagnose in a run that also has fault', () => {
  it('diagnoses every fault window, baselines included, and runs no window of its own', () => {
    const fault = results.experiments.fault!;
    const diagnose = results.experiments.diagnose!;
    // Four windows (a baseline and a crash per variant); an invalid one (a late generator on a busy machine) runs once more.
    expect(new Set(windowKeys(fault.results)).size).toBe(4);
    expect(fault.results.length).toBeLessThanOrEqual(4 + fault.results.filter((r) => !r.valid).length);
    expect(windowKeys(diagnose.results)).toEqual(windowKeys(fault.results));
    // One progress step per window, all of them the fault experiment's; none is diagnose's.
    const labels = results.phases.map((p) => p.label);
    expect(labels.filter((l) => l.startsWith('diagnose'))).toEqual([]);
    expect(labels.filter((l) => /^fault · .* · trial \d+ · /.test(l))).toHaveLength(fault.results.length);
  });

  it('completes the section with a note saying so and the troubleshooting comparison', () => {
    const diagnose = results.experiments.diagnose!;
    expect(diagnose.status).toBe('complete');
    expect(diagnose.notes[0]).toMatch(/^diagnosed on the fault experiment's windows: same injections/);
    expect(results.experiments.fault!.notes.join('\n')).toMatch(/one \/metrics scrape per server process every 250 ms, the same rule in both topologies/);
    expect(diagnose.comparisons.find((c) => c.metric === 'meanSuspects')?.label).toBe('suspects to inspect, mean over fault kinds (single vs direct)');
    for (const r of diagnose.results) expect(r.valid || r.invalidReasons.length > 0).toBe(true);
    for (const r of diagnose.results.filter((w) => w.faultKind === 'none')) expect(r.notMeasured.timeToBlameMs).toBe('baseline window: no fault was injected');
  });

  it('sees the crash as a process exit, with the same validity as the fault window', () => {
    const diagnoseCrashes = results.experiments.diagnose!.results.filter((w) => w.faultKind === 'crash');
    for (const r of diagnoseCrashes) {
      // Its twin: the fault window of the same variant at the same place in the run (repeats included).
      const mine = diagnoseCrashes.filter((w) => w.variant === r.variant);
      const twin = results.experiments.fault!.results.filter((f) => f.variant === r.variant && f.faultKind === 'crash')[mine.indexOf(r)]!;
      expect(r.valid).toBe(twin.valid);
      expect(r.processesDied.length).toBeGreaterThan(0);
      expect(r.firstSignals.some((s) => s.signal === 'process-exit')).toBe(true);
    }
  });

  it('plans no time for diagnose windows', () => {
    expect(estimateDiagnoseMs(config)).toBe(0);
  });
});
