import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinModels } from '../../../models/catalog.js';
import { prepareStore } from '../../../models/publish.js';
import { resolveRunConfig, type RunConfig } from '../../../bench/config/run-config.js';
import { createSilentProgress } from '../../../bench/experiments/progress.js';
import { runExperiments } from '../../../bench/experiments/run-experiments.js';
import { LocalTarget } from '../../../bench/targets/local/local-target.js';
import { readResults } from '../../../bench/results/read-results.js';
import type { RunResults } from '../../../bench/results/schema.js';

const MODELS = ['vad', 'tabular'];
const base = mkdtempSync(join(tmpdir(), 'splitbench-resume-rd-'));
const storeDir = join(base, 'store');
const out = join(base, 'run');
const sittings: RunResults[] = [];

/** Redeploy (2 recreate rollouts a side, one topology per variant) and diagnose on its own windows (baseline and a crash). */
function makeConfig(): RunConfig {
  const config = resolveRunConfig({ experiments: 'redeploy,diagnose', models: MODELS.join(','), topologies: 'monolith:single,microservices:direct', faultKinds: 'crash', out });
  config.settings.redeploy = { ...config.settings.redeploy, targetModel: 'tabular', trials: 2, trialsInOneSession: true, recreateOn: 'all', leadMs: 500, tailMs: 1000 };
  config.settings.latency.rates = { vad: 60, tabular: 60 };
  Object.assign(config.settings.diagnose, { trials: 1, variantsOn: 'all', warmupMs: 250, baselineMs: 1000, observeMs: 1500 });
  return config;
}

/** Runs one sitting (continuing the run on disk after the first), interrupted as Ctrl-C would once the step `stopAt` begins. */
async function runSitting(command: string, stopAt?: string): Promise<RunResults> {
  const controller = new AbortController();
  const progress = { ...createSilentProgress(), step: (label: string) => (label === stopAt ? controller.abort() : undefined) };
  const resume = sittings.length > 0 ? { resume: readResults(out) } : {};
  await runExperiments(makeConfig(), { target: new LocalTarget(), progress, signal: controller.signal, storeDir, command, ...resume });
  const results = readResults(out);
  sittings.push(results);
  return results;
}

/** Rollouts as `topology trial`, in recorded order. */
function listRollouts(results: RunResults): string[] {
  return results.experiments.redeploy!.results.map((r) => `${r.topology} ${r.trial}`);
}

beforeAll(async () => {
  prepareStore(storeDir, builtinModels().filter((m) => MODELS.includes(m.name)));
  // 1: stopped after the monolith's first rollout; 2: after the monolith's diagnose baseline; 3: to the end.
  await runSitting('first', 'redeploy · monolith/single · recreate model · trial 1');
  await runSitting('resume 1', 'diagnose · monolith/single · trial 1 · baseline (no fault)');
  await runSitting('resume 2');
}, 240_000);

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('resuming the redeploy and diagnose experiments', () => {
  it('performs only the rollouts that are missing, keeping the ones done', () => {
    const [first, second, last] = sittings;
    expect(first!.status).toBe('interrupted');
    expect(listRollouts(first!)).toEqual(['monolith 0']);
    expect(second!.experiments.redeploy!.status).toBe('complete');
    expect(listRollouts(second!)).toEqual(['monolith 0', 'monolith 1', 'microservices 0', 'microservices 1']);
    expect(second!.experiments.redeploy!.results[0]).toEqual(first!.experiments.redeploy!.results[0]);
    expect(last!.experiments.redeploy).toEqual(second!.experiments.redeploy);
  });

  it('runs only the diagnose windows that are missing', () => {
    const [, second, last] = sittings;
    expect(second!.experiments.diagnose!.results.map((r) => `${r.topology} ${r.faultKind}`)).toEqual(['monolith none']);
    expect(last!.status).toBe('complete');
    expect(last!.experiments.diagnose!.status).toBe('complete');
    expect(last!.experiments.diagnose!.results.map((r) => `${r.topology} ${r.faultKind}`)).toEqual(['monolith none', 'monolith crash', 'microservices none', 'microservices crash']);
    expect(last!.experiments.diagnose!.results[0]).toEqual(second!.experiments.diagnose!.results[0]);
    const methodNotes = last!.experiments.diagnose!.notes.filter((n) => n.startsWith('fault in tabular (never shown to the diagnoser)'));
    expect(methodNotes).toHaveLength(1);
    expect(last!.experiments.redeploy!.notes.filter((n) => n.startsWith('the steady load during rollouts'))).toHaveLength(1);
  });

  it('records the rollouts and windows each sitting added', () => {
    expect(sittings[2]!.sittings!.map((s) => [...s.produced].sort())).toEqual([
      ['redeploy monolith/single trial 1 recreate model'],
      ['diagnose monolith/single trial 1 baseline in tabular', 'redeploy microservices/direct trial 1 recreate model', 'redeploy microservices/direct trial 2 recreate model', 'redeploy monolith/single trial 2 recreate model'],
      ['diagnose microservices/direct trial 1 baseline in tabular', 'diagnose microservices/direct trial 1 crash in tabular', 'diagnose monolith/single trial 1 crash in tabular'],
    ]);
  });
});
