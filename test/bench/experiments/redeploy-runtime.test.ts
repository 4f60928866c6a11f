import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinModels } from '../../../models/catalog.js';
import { prepareStore } from '../../../models/publish.js';
import { resolveRunConfig, type RunConfig } from '../../../bench/config/run-config.js';
import type { RedeploySettings } from '../../../bench/config/profiles.js';
import { runExperiments } from '../../../bench/experiments/run-experiments.js';
import { createSilentProgress } from '../../../bench/experiments/progress.js';
import { LocalTarget } from '../../../bench/targets/local/local-target.js';
import { readResults } from '../../../bench/results/read-results.js';
import type { RunResults } from '../../../bench/results/schema.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const MODELS = ['vad', 'tabular', 'rms-norm'];
let storeDir = '';
const outDirs: string[] = [];

/** A quick `code` (runtime change) redeploy of tabular at low rates, unpinned: this checks behaviour, not speed. */
function makeConfig(topologies: string, models: string[], redeploy: Partial<RedeploySettings> = {}): RunConfig {
  const outDir = mkdtempSync(join(tmpdir(), 'splitbench-redeploy-runtime-'));
  outDirs.push(outDir);
  const config = resolveRunConfig({ experiments: 'redeploy', models: models.join(','), topologies, profile: 'quick', out: outDir });
  config.settings.redeploy = { ...config.settings.redeploy, targetModel: 'tabular', strategies: ['recreate'], changeKinds: ['code'], badDeploy: false, trials: 1, recreateOn: 'all', loadScale: 1, leadMs: 600, tailMs: 1200, ...redeploy };
  config.settings.latency.rates = { vad: 40, tabular: 40, 'rms-norm': 20 };
  config.cpus = { servers: null, generator: null };
  return config;
}

/** Runs the redeploy experiment for real and reads results.json back. */
async function runRedeploy(config: RunConfig): Promise<NonNullable<RunResults['experiments']['redeploy']>> {
  await runExperiments(config, { target: new LocalTarget(), progress: createSilentProgress(), signal: new AbortController().signal, storeDir, command: 'test' });
  const section = readResults(config.outDir).experiments.redeploy!;
  expect(section.status).toBe('complete');
  return section;
}

beforeAll(() => {
  spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json')], { stdio: 'ignore' });
  storeDir = mkdtempSync(join(tmpdir(), 'splitbench-redeploy-runtime-store-'));
  prepareStore(storeDir, builtinModels().filter((m) => MODELS.includes(m.name)));
}, 120_000);

afterAll(() => {
  for (const dir of [storeDir, ...outDirs]) rmSync(dir, { recursive: true, force: true });
});

describe('code change = runtime change of one model, on real processes', () => {
  it('moves only the target service to the new runtime in microservices, but fails the monolith when another model cannot load there', async () => {
    const section = await runRedeploy(makeConfig('monolith:single,microservices:direct', MODELS));
    const micro = section.results.find((r) => r.topology === 'microservices')!;
    expect(micro.changeKind).toBe('code');
    expect(micro.outcome).toBe('rolled-out');
    expect(micro.processesRestarted).toBe(1);
    expect(micro.modelsReloaded).toBe(1);
    expect(micro.timeline.marks.some((m) => m.kind === 'rollout-start' && /runtime ort-1\.30 → ort-1\.22/.test(m.label))).toBe(true);
    for (const other of micro.perModel.filter((m) => m.model !== 'tabular')) expect(other.failedRequests, other.model).toBe(0);

    const mono = section.results.find((r) => r.topology === 'monolith')!;
    expect(mono.outcome).not.toBe('rolled-out');
    expect(mono.timeToNewVersionMs).toBeNull();
    expect(section.notes.some((n) => /monolith\/single .*the rollout failed \(.*rms-norm.*ort-1\.22/.test(n))).toBe(true);
  }, 120_000);

  it('restarts every model of the monolith on the new runtime when they all load there', async () => {
    const section = await runRedeploy(makeConfig('monolith:single,microservices:direct', ['vad', 'tabular']));
    const mono = section.results.find((r) => r.topology === 'monolith')!;
    expect(mono.outcome).toBe('rolled-out');
    expect(mono.processesRestarted).toBe(1);
    expect(mono.modelsReloaded).toBe(2);
    for (const model of mono.perModel) expect(model.downtimeMs, model.model).toBeGreaterThan(0);
  }, 120_000);
});
