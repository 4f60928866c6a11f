import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRunConfig } from '../../../bench/config/run-config.js';
import { createSilentProgress } from '../../../bench/experiments/progress.js';
import { runExperiments } from '../../../bench/experiments/run-experiments.js';
import { LocalTarget } from '../../../bench/targets/local/index.js';
import { readResults } from '../../../bench/results/read-results.js';
import type { FaultResult, RunResults } from '../../../bench/results/schema.js';
import { findModel } from '../../../models/catalog.js';
import { defaultStoreDir } from '../../../models/paths.js';
import { ensureCompiled } from '../targets/local/helpers.js';
import { expectDowntimeMatches, findProcessGap } from './outage-helpers.js';

// Every default model, the 1-rps heavy ones included: only their availability probes can see a short outage.
const MODELS = ['vad', 'tabular', 'ocr-cls', 'ocr-det', 'ocr-rec'];
const TRIALS = 2;
const workDir = mkdtempSync(join(tmpdir(), 'splitbench-fault-'));
let store = '';
let results: RunResults;

/** A private store with version 1 of each model, so versions other tests publish meanwhile cannot leak in. */
function copyStore(): string {
  const dir = join(workDir, 'store');
  for (const model of MODELS) cpSync(join(defaultStoreDir(), model, '1'), join(dir, model, '1'), { recursive: true });
  return dir;
}

/** The results of a fault kind in a topology variant: one per trial (the no-fault window runs in the first trial only). */
function resultsOf(variant: FaultResult['variant'], kind: FaultResult['faultKind']): FaultResult[] {
  const found = results.experiments.fault!.results.filter((r) => r.variant === variant && r.faultKind === kind);
  expect(found).toHaveLength(kind === 'none' ? 1 : TRIALS);
  return found;
}

/** The first trial's result of a fault kind in a topology variant. */
function resultOf(variant: FaultResult['variant'], kind: FaultResult['faultKind']): FaultResult {
  return resultsOf(variant, kind)[0]!;
}

/**
 * One real run, as the suite runs it: a short latency trial, then on the same topology a crash in
 * `tabular` next to `vad` and `ocr-cls`, on the naive monolith and on direct microservices.
 */
async function runCrashExperiment(attempt: number): Promise<RunResults> {
  const out = join(workDir, `run-${attempt}`);
  const config = resolveRunConfig({ experiments: 'latency,fault', models: MODELS.join(','), topologies: 'monolith:single,microservices:direct', trials: String(TRIALS), out });
  Object.assign(config.settings.latency, { warmupMs: 200, durationMs: 800, lightOnlyDurationMs: 0 });
  Object.assign(config.settings.fault, { kinds: ['crash'], trials: TRIALS, targetModels: ['tabular'], warmupMs: 500, baselineMs: 1250, faultMs: 1250, recoveryLimitMs: 3000, observeAfterReadyMs: 1000 });
  // The default quick rates (vad and tabular 80 rps, ocr-cls 10, ocr-det and ocr-rec 1).
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
}, 300_000);

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe('fault experiment, crash in one model, end to end', () => {
  it('runs the windows on the topology the latency trial started, not on one of its own', () => {
    expect(results.experiments.latency!.results.map((r) => r.variant)).toEqual(expect.arrayContaining(['single', 'direct']));
    expect(results.phases.map((p) => p.label).filter((label) => label.startsWith('fault · starting'))).toEqual([]);
    expect(results.experiments.fault!.notes.join('\n')).toMatch(new RegExp(`fault windows ran on the last ${TRIALS} measurement session`));
  });

  it('ends a window once the topology has been ready for observeAfterReadyMs, not at the recovery limit', () => {
    // The split topology's windows (no fault, two crashes). A window may end only once every model
    // answered well for observeAfterReadyMs after the fault; one that ran to its limit must have had
    // a reason: a bin after the fault with an error or a request over its model's SLO. (In the
    // single-loop monolith every 1-rps heavy request blocks vad and tabular past their SLO.)
    const fullWindowMs = 500 + 1250 + 1250 + 3000;
    const faultEndMs = 500 + 1250 + 1250;
    for (const window of [resultOf('direct', 'none'), ...resultsOf('direct', 'crash')]) {
      const bins = window.timeline.bins;
      const observedMs = bins.vad!.length * window.timeline.binMs;
      expect(observedMs).toBeGreaterThanOrEqual(faultEndMs + 1000);
      if (observedMs < fullWindowMs) continue;
      const unsettled = Object.entries(bins).some(([model, list]) => list.some((bin) => bin.tMs >= faultEndMs - window.timeline.binMs && (bin.errors > 0 || (bin.maxMs ?? 0) > findModel(model)!.sloMs)));
      expect(unsettled, `${window.faultKind} window ran to its ${fullWindowMs} ms limit with every bin after the fault clean`).toBe(true);
    }
  });

  it('writes a complete, valid fault section with one baseline window and a crash window per trial and variant', () => {
    const section = results.experiments.fault!;
    expect(section.status).toBe('complete');
    expect(section.results.filter((r) => !r.valid).map((r) => `${r.variant}/${r.faultKind}: ${r.invalidReasons.join('; ')}`)).toEqual([]);
    expect(section.finishedAt).toBeDefined();
    expect(section.results.map((r) => `${r.topology}/${r.variant}/${r.faultKind}`).sort()).toEqual(['microservices/direct/crash', 'microservices/direct/crash', 'microservices/direct/none', 'monolith/single/crash', 'monolith/single/crash', 'monolith/single/none']);
    for (const result of section.results) expect(Object.keys(result.timeline.bins).sort()).toEqual([...MODELS].sort());
  });

  it('keeps every load and probe request of each window, apart from the load\'s bins', () => {
    for (const result of results.experiments.fault!.results) {
      expect(result.requestLogs!.filter((log) => log.probe).map((log) => log.stream).sort()).toEqual(MODELS.map((m) => `probe:${m}`).sort());
      expect(result.requestLogs!.filter((log) => !log.probe).map((log) => log.model).sort()).toEqual([...MODELS].sort());
      expect(JSON.stringify(result.requestLogs).length).toBeLessThan(40_000);
      for (const model of MODELS) expect(result.perModel.find((m) => m.model === model)!.probeObservations, model).toBeGreaterThan(0);
      expect(Object.keys(result.timeline.bins).some((name) => name.startsWith('probe:'))).toBe(false);
    }
  });

  it('takes every other model down with it in the single monolith, the 1-rps ones included, window after window', () => {
    for (const crash of resultsOf('single', 'crash')) {
      expect(crash.blastRadius).toBe(1);
      expect(crash.impactedModels.sort()).toEqual(MODELS.filter((m) => m !== 'tabular').sort());
      expect(crash.undeterminedModels).toEqual([]);
      expect(crash.collateralFailedRequests).toBeGreaterThan(0);
      expect(crash.processesDied).toEqual(['monolith']);
      expect(crash.processesRestarted).toEqual(['monolith']);
      for (const model of ['ocr-det', 'ocr-rec']) expect(crash.perModel.find((m) => m.model === model)!.probeFailures, model).toBeGreaterThan(0);
    }
  });

  // The crash strikes at the injection and the process is back at the replacement's ready: the
  // outage read off requests and probes must match that to within its resolution + 50 ms, for the
  // target and (in the monolith) every model. Whole 250 ms bins read 0 for a sub-second restart
  // that straddles bins. Checked on every window, valid or not: outages are timed by intended
  // send times, so a late generator shifts both ends of an outage alike.
  it('measures the crashed target\'s downtime, and every monolith model\'s, within its resolution of the process gap', () => {
    for (const [variant, process] of [['single', 'monolith'], ['direct', 'service:tabular']] as const) {
      for (const crash of resultsOf(variant, 'crash')) {
        const gap = findProcessGap(crash.timeline.marks, process, 'inject');
        expect(crash.targetUnrecovered).toBe(false);
        expectDowntimeMatches(`${variant} trial ${crash.trial} target`, crash.targetDowntimeMs, crash.targetDowntimeResolutionMs, gap);
        if (variant === 'single') for (const impact of crash.perModel) expectDowntimeMatches(`${variant} trial ${crash.trial} ${impact.model}`, impact.downtimeMs, impact.resolutionMs, gap);
      }
    }
  });

  // A neighbour's latency may still suffer, since the restarted service warms up on the same core:
  // a real effect the analysis reports; failed requests and dead processes it must not show.
  it('fails no request or probe of another model in direct microservices, window after window, and the supervisor brings the crashed service back', () => {
    for (const crash of resultsOf('direct', 'crash')) {
      expect(crash.blastRadius).toBeLessThan(1);
      expect(crash.collateralFailedRequests).toBe(0);
      expect(crash.processesDied).toEqual(['service:tabular']);
      expect(crash.processesRestarted).toEqual(['service:tabular']);
      expect(crash.targetDowntimeMs).toBeGreaterThan(0);
      const neighbours = crash.perModel.filter((m) => !m.isTarget);
      expect(neighbours.map((m) => `${m.model}: ${m.failedRequests} failed, ${m.probeFailures} probes failed, ${m.outages} outages`)).toEqual(neighbours.map((m) => `${m.model}: 0 failed, 0 probes failed, 0 outages`));
    }
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
