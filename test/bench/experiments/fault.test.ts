import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRunConfig } from '../../../bench/config/run-config.js';
import { createSilentProgress } from '../../../bench/experiments/progress.js';
import { runExperiments } from '../../../bench/experiments/run-experiments.js';
import { LocalTarget } from '../../../bench/orchestrator/index.js';
import { readResults } from '../../../bench/results/read-results.js';
import type { FaultResult, RunResults } from '../../../bench/results/schema.js';
import { defaultStoreDir } from '../../../models/paths.js';
import { ensureCompiled } from '../orchestrator/helpers.js';

const MODELS = ['vad', 'tabular', 'ocr-cls'];
const workDir = mkdtempSync(join(tmpdir(), 'splitbench-fault-'));
let store = '';
let results: RunResults;

/** A private store with version 1 of each model, so versions other tests publish meanwhile cannot leak in. */
function copyStore(): string {
  const dir = join(workDir, 'store');
  for (const model of MODELS) cpSync(join(defaultStoreDir(), model, '1'), join(dir, model, '1'), { recursive: true });
  return dir;
}

/** The one result of a fault kind in a topology variant. */
function resultOf(variant: FaultResult['variant'], kind: FaultResult['faultKind']): FaultResult {
  const found = results.experiments.fault!.results.filter((r) => r.variant === variant && r.faultKind === kind);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/**
 * One real run, as the suite runs it: a short latency trial, then on the same topology a crash in
 * `tabular` next to `vad` and `ocr-cls`, on the naive monolith and on direct microservices.
 */
async function runCrashExperiment(attempt: number): Promise<RunResults> {
  const out = join(workDir, `run-${attempt}`);
  const config = resolveRunConfig({ experiments: 'latency,fault', models: MODELS.join(','), topologies: 'monolith:single,microservices:direct', trials: '1', out });
  Object.assign(config.settings.latency, { warmupMs: 200, durationMs: 800, lightOnlyDurationMs: 0 });
  Object.assign(config.settings.fault, { kinds: ['crash'], trials: 1, targetModels: ['tabular'], warmupMs: 500, baselineMs: 1250, faultMs: 1250, recoveryLimitMs: 3000, observeAfterReadyMs: 1000 });
  // A light steady load: the baseline must stay within SLO even when other work shares the cores.
  config.settings.latency.rates = { vad: 100, tabular: 100, 'ocr-cls': 20 };
  await runExperiments(config, { target: new LocalTarget(), progress: createSilentProgress(), signal: new AbortController().signal, storeDir: store, command: 'test' });
  return readResults(out);
}

// Other work on the two cores (tests, runs) can make the load generator late; the harness then
// marks the windows invalid, and an invalid measurement proves nothing either way: run once more.
beforeAll(async () => {
  ensureCompiled();
  store = copyStore();
  results = await runCrashExperiment(1);
  if (results.experiments.fault!.results.some((r) => !r.valid)) results = await runCrashExperiment(2);
}, 150_000);

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe('fault experiment, crash in one model, end to end', () => {
  it('runs the windows on the topology the latency trial started, not on one of its own', () => {
    expect(results.experiments.latency!.results.map((r) => r.variant)).toEqual(expect.arrayContaining(['single', 'direct']));
    expect(results.phases.map((p) => p.label).filter((label) => label.startsWith('fault · starting'))).toEqual([]);
    expect(results.experiments.fault!.notes.join('\n')).toMatch(/fault windows ran on the last 1 measurement session/);
  });

  it('ends a window once the topology has been ready for observeAfterReadyMs, not at the recovery limit', () => {
    const baseline = resultOf('single', 'none');
    const fullWindowMs = 500 + 1250 + 1250 + 3000;
    const observedMs = baseline.timeline.bins.vad!.length * baseline.timeline.binMs;
    expect(observedMs).toBeLessThan(fullWindowMs);
    expect(observedMs).toBeGreaterThanOrEqual(500 + 1250 + 1250 + 1000);
  });

  it('writes a complete, valid fault section with a baseline window and a crash window per variant', () => {
    const section = results.experiments.fault!;
    expect(section.status).toBe('complete');
    expect(section.results.filter((r) => !r.valid).map((r) => `${r.variant}/${r.faultKind}: ${r.invalidReasons.join('; ')}`)).toEqual([]);
    expect(section.finishedAt).toBeDefined();
    expect(section.results.map((r) => `${r.topology}/${r.variant}/${r.faultKind}`).sort()).toEqual(['microservices/direct/crash', 'microservices/direct/none', 'monolith/single/crash', 'monolith/single/none']);
    for (const result of section.results) expect(Object.keys(result.timeline.bins).sort()).toEqual(['ocr-cls', 'tabular', 'vad']);
  });

  it('takes every other model down with it in the single monolith', () => {
    const crash = resultOf('single', 'crash');
    expect(crash.blastRadius).toBe(1);
    expect(crash.impactedModels.sort()).toEqual(['ocr-cls', 'vad']);
    expect(crash.collateralFailedRequests).toBeGreaterThan(0);
    expect(crash.processesDied).toEqual(['monolith']);
    expect(crash.processesRestarted).toEqual(['monolith']);
    expect(crash.targetDowntimeMs).toBeGreaterThan(0);
  });

  // A neighbour's latency may still suffer, since the restarted service warms up on the same core:
  // a real effect the analysis reports; failed requests and dead processes it must not show.
  it('fails no request of another model in direct microservices, and the supervisor brings the crashed service back', () => {
    const crash = resultOf('direct', 'crash');
    expect(crash.blastRadius).toBeLessThan(resultOf('single', 'crash').blastRadius!);
    expect(crash.collateralFailedRequests).toBe(0);
    expect(crash.processesDied).toEqual(['service:tabular']);
    expect(crash.processesRestarted).toEqual(['service:tabular']);
    expect(crash.targetDowntimeMs).toBeGreaterThan(0);
    const neighbours = crash.perModel.filter((m) => !m.isTarget);
    expect(neighbours.every((m) => m.failedRequests === 0)).toBe(true);
  });

  it('marks injection, disarm, exit, restart and readiness on the crash timelines', () => {
    for (const variant of ['single', 'direct'] as const) {
      const kinds = resultOf(variant, 'crash').timeline.marks.map((m) => m.kind);
      for (const kind of ['inject', 'disarm', 'exit', 'restart', 'ready'] as const) expect(kinds).toContain(kind);
    }
  });

  it('summarises isolation scores and compares blast radius as the fault-isolation claim', () => {
    const section = results.experiments.fault!;
    const score = (variant: string) => section.isolationScores.find((s) => s.variant === variant && s.faultKind === 'crash')?.score;
    expect(score('single')).toBe(0);
    expect(score('direct')).toBeGreaterThan(0);
    const claim = section.comparisons.find((c) => c.claim === 'fault-isolation');
    expect(claim?.metric).toBe('blastRadius');
    expect(section.isolationMatrix).toEqual([]);
  });
});

describe('a run interrupted during a fault window', () => {
  it('keeps the latency results its session measured before the windows, marks the rest partial, and leaves no server behind', async () => {
    const out = join(workDir, 'interrupted');
    const config = resolveRunConfig({ experiments: 'latency,fault', models: MODELS.join(','), topologies: 'monolith:single,microservices:direct', trials: '1', out });
    Object.assign(config.settings.latency, { warmupMs: 200, durationMs: 800, lightOnlyDurationMs: 0 });
    Object.assign(config.settings.fault, { kinds: ['crash'], trials: 1, targetModels: ['tabular'], warmupMs: 250, baselineMs: 750, faultMs: 750, recoveryLimitMs: 1500, observeAfterReadyMs: 1000 });
    const controller = new AbortController();
    // Ctrl-C as the first fault window starts: the way `splitbench run` reacts to SIGINT.
    const progress = { ...createSilentProgress(), step: (label: string) => (label.startsWith('fault ·') ? controller.abort() : undefined) };
    await runExperiments(config, { target: new LocalTarget(), progress, signal: controller.signal, storeDir: store, command: 'test' });
    const interrupted = readResults(out);
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.experiments.latency!.results.filter((r) => r.variant === 'single').length).toBeGreaterThan(0);
    expect(interrupted.experiments.latency!.status).toBe('partial');
    expect(interrupted.experiments.fault!.status).toBe('partial');
    const servers = await execa('pgrep', ['-f', `${defaultStoreDir().replace(/\/models\/store$/, '')}/dist/(monolith|microservices)/`], { reject: false });
    expect(servers.stdout.trim()).toBe('');
  }, 60_000);
});
