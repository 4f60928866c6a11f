import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinModels } from '../../../models/catalog.js';
import { prepareStore } from '../../../models/publish.js';
import { listVersions } from '../../../models/store.js';
import { resolveRunConfig, type RunConfig } from '../../../bench/config/run-config.js';
import type { RedeploySettings } from '../../../bench/config/profiles.js';
import { runExperiments } from '../../../bench/experiments/run-experiments.js';
import { createSilentProgress } from '../../../bench/experiments/progress.js';
import { LocalTarget } from '../../../bench/targets/local/local-target.js';
import { readResults } from '../../../bench/results/read-results.js';
import type { RedeployResult } from '../../../bench/results/schema.js';
import { expectDowntimeMatches, findProcessGap } from './outage-helpers.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const MODELS = ['vad', 'tabular', 'ocr-cls'];
let storeDir = '';
const outDirs: string[] = [];

/** A quick redeploy config on the light models, at low rates, so the outcome does not hinge on other work on the machine. */
function makeConfig(topologies: string, redeploy: Partial<RedeploySettings>): RunConfig {
  const outDir = mkdtempSync(join(tmpdir(), 'splitbench-redeploy-run-'));
  outDirs.push(outDir);
  const config = resolveRunConfig({ experiments: 'redeploy', models: MODELS.join(','), topologies, profile: 'quick', out: outDir });
  config.settings.redeploy = { ...config.settings.redeploy, targetModel: 'tabular', trials: 1, recreateOn: 'all', loadScale: 1, leadMs: 600, tailMs: 1200, ...redeploy };
  config.settings.latency.rates = { vad: 60, tabular: 60, 'ocr-cls': 15 };
  // Unpinned: other suites pin their servers to the same core; this test checks behaviour, not speed.
  config.cpus = { servers: null, generator: null };
  return config;
}

/** Runs the redeploy experiment for real and reads its results back from results.json. */
async function runRedeploy(config: RunConfig): Promise<RedeployResult[]> {
  await runExperiments(config, { target: new LocalTarget(), progress: createSilentProgress(), signal: new AbortController().signal, storeDir, command: 'test' });
  const section = readResults(config.outDir).experiments.redeploy;
  expect(section?.status).toBe('complete');
  return section!.results;
}

/** The one result of a topology, strategy and corruption. */
function pick(results: readonly RedeployResult[], topology: RedeployResult['topology'], strategy: RedeployResult['strategy'], corrupt: boolean): RedeployResult {
  const found = results.filter((r) => r.topology === topology && r.strategy === strategy && r.corrupt === corrupt);
  expect(found, `${topology} ${strategy} corrupt=${corrupt}`).toHaveLength(1);
  return found[0]!;
}

beforeAll(() => {
  spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json')], { stdio: 'ignore' });
  storeDir = mkdtempSync(join(tmpdir(), 'splitbench-redeploy-store-'));
  prepareStore(storeDir, builtinModels().filter((m) => MODELS.includes(m.name)));
}, 120_000);

afterAll(() => {
  for (const dir of [storeDir, ...outDirs]) rmSync(dir, { recursive: true, force: true });
});

describe('redeploy experiment on real processes', () => {
  it('a model recreate restarts one service and spares the other models in microservices, but takes every model down in the monolith', async () => {
    const results = await runRedeploy(makeConfig('monolith:single,microservices:direct', { strategies: ['recreate'], changeKinds: ['model'], badDeploy: false }));
    const micro = pick(results, 'microservices', 'recreate', false);
    expect(micro.outcome).toBe('rolled-out');
    expect(micro.reloadMode).toBe('process-restart');
    expect(micro.processesRestarted).toBe(1);
    expect(micro.modelsReloaded).toBe(1);
    expect(micro.timeToNewVersionMs).toBeGreaterThan(0);
    for (const other of micro.perModel.filter((m) => m.model !== 'tabular')) expect(other.failedRequests, other.model).toBe(0);
    expect(micro.perModel.find((m) => m.model === 'tabular')!.failedRequests).toBeGreaterThan(0);
    for (const other of micro.perModel.filter((m) => m.model !== 'tabular')) expect([other.model, other.downtimeMs, other.probeFailures]).toEqual([other.model, 0, 0]);
    expectDowntimeMatches('microservices tabular', micro.perModel.find((m) => m.model === 'tabular')!.downtimeMs, micro.perModel.find((m) => m.model === 'tabular')!.resolutionMs, findProcessGap(micro.timeline.marks, 'service:tabular', 'rollout-start'));

    const mono = pick(results, 'monolith', 'recreate', false);
    expect(mono.outcome).toBe('rolled-out');
    expect(mono.processesRestarted).toBe(1);
    expect(mono.modelsReloaded).toBe(MODELS.length);
    // Every model is down from the monolith's SIGTERM (it drains at once) to its replacement's ready, measured from requests and probes (whole bins read 0 here).
    for (const model of mono.perModel) expect(model.downtimeMs, model.model).toBeGreaterThan(0);
    const gap = findProcessGap(mono.timeline.marks, 'monolith', 'rollout-start');
    for (const impact of mono.perModel) {
      expect(impact.unrecovered, impact.model).toBe(false);
      expectDowntimeMatches(`monolith ${impact.model}`, impact.downtimeMs, impact.resolutionMs, gap);
    }
    expect(mono.timeline.marks.map((m) => m.kind)).toEqual(expect.arrayContaining(['publish', 'rollout-start', 'spawn', 'ready', 'rollout-end']));
    expect(listVersions(storeDir, 'tabular')).toEqual([1]);
  }, 60_000);

  it('a corrupt version in a rolling deploy leaves the old version serving', async () => {
    const results = await runRedeploy(makeConfig('monolith:workers,microservices:gateway', { strategies: ['rolling'], changeKinds: ['model'], badDeploy: true }));
    for (const topology of ['monolith', 'microservices'] as const) {
      const good = pick(results, topology, 'rolling', false);
      expect(good.outcome, `${topology} good`).toBe('rolled-out');
      const bad = pick(results, topology, 'rolling', true);
      expect(bad.outcome, `${topology} corrupt`).toBe('failed-old-serving');
      expect(bad.fromVersion).toBe(good.toVersion);
      expect(bad.toVersion).toBeGreaterThan(bad.fromVersion);
      expect(bad.timeToNewVersionMs).toBeNull();
    }
    expect(pick(results, 'monolith', 'rolling', true).reloadMode).toBe('in-process');
    expect(pick(results, 'microservices', 'rolling', false).timeline.marks.some((m) => m.kind === 'switch')).toBe(true);
    expect(listVersions(storeDir, 'tabular')).toEqual([1]);
  }, 60_000);
});
