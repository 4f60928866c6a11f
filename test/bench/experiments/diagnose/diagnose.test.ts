import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRunConfig } from '../../../../bench/config/run-config.js';
import { createSilentProgress } from '../../../../bench/experiments/progress.js';
import { runExperiments } from '../../../../bench/experiments/run-experiments.js';
import { LocalTarget } from '../../../../bench/targets/local/index.js';
import { readResults } from '../../../../bench/results/read-results.js';
import type { DiagnoseResult, RunResults } from '../../../../bench/results/schema.js';
import { defaultStoreDir } from '../../../../models/paths.js';
import { ensureCompiled } from '../../targets/local/helpers.js';

const MODELS = ['tabular', 'vad', 'ocr-cls'];
const workDir = mkdtempSync(join(tmpdir(), 'splitbench-diagnose-'));
let results: RunResults;

/** A private store with version 1 of each model, so versions other tests publish meanwhile cannot leak in. */
function copyStore(): string {
  const dir = join(workDir, 'store');
  for (const model of MODELS) cpSync(join(defaultStoreDir(), model, '1'), join(dir, model, '1'), { recursive: true });
  return dir;
}

/** The one window of a fault kind on a topology. */
function windowOf(topology: DiagnoseResult['topology'], kind: DiagnoseResult['faultKind']): DiagnoseResult {
  const found = results.experiments.diagnose!.results.filter((r) => r.topology === topology && r.faultKind === kind);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** Models for which a signal fired at some point of a window. */
function modelsWith(result: DiagnoseResult, signal: string): string[] {
  return [...new Set(result.firstSignals.filter((s) => s.signal === signal).map((s) => s.model))].sort();
}

// One real run: a leak and an error in `tabular` next to `vad` and `ocr-cls`, naive monolith vs direct microservices.
beforeAll(async () => {
  ensureCompiled();
  const out = join(workDir, 'run');
  const config = resolveRunConfig({ experiments: 'diagnose', models: MODELS.join(','), topologies: 'monolith:single,microservices:direct', out });
  Object.assign(config.settings.diagnose, { kinds: ['leak', 'error'], trials: 1, targetModel: 'tabular', variantsOn: 'all', warmupMs: 500, baselineMs: 1500, observeMs: 3000 });
  config.settings.latency.rates = { vad: 100, tabular: 100, 'ocr-cls': 20 };
  await runExperiments(config, { target: new LocalTarget(), progress: createSilentProgress(), signal: new AbortController().signal, storeDir: copyStore(), command: 'test' });
  results = readResults(out);
}, 180_000);

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

// The machine may be shared: a late load generator marks windows invalid (recorded with the reason),
// but the diagnoser's reading of the server-side and process signals is asserted either way.
describe('diagnose experiment on real topologies', () => {
  it('writes a complete section with one window per fault kind and topology, and the troubleshooting comparison', () => {
    const section = results.experiments.diagnose!;
    expect(section.status).toBe('complete');
    expect(section.results.map((r) => `${r.variant}/${r.faultKind}`).sort()).toEqual(['direct/error', 'direct/leak', 'direct/none', 'single/error', 'single/leak', 'single/none']);
    for (const baseline of section.results.filter((r) => r.faultKind === 'none')) expect(baseline).toMatchObject({ timeToBlameMs: null, notMeasured: { timeToBlameMs: 'baseline window: no fault was injected' } });
    for (const r of section.results) expect(r.valid || r.invalidReasons.length > 0).toBe(true);
    const headline = section.comparisons.find((c) => c.claim === 'troubleshooting' && c.metric === 'meanSuspects');
    expect(headline?.label).toBe('suspects to inspect, mean over fault kinds (single vs direct)');
  });

  it('names the erroring model by its own 5xx count in both topologies: the monolith does as well here', () => {
    for (const topology of ['monolith', 'microservices'] as const) {
      const window = windowOf(topology, 'error');
      expect(window).toMatchObject({ suspects: 1, singledOutBy: 'server-errors' });
      expect(window.timeToBlameMs).toBeGreaterThan(0);
      expect(modelsWith(window, 'server-errors')).toEqual(['tabular']);
    }
    // Findings are read off valid windows only.
    if (windowOf('monolith', 'error').valid && windowOf('microservices', 'error').valid) expect(results.experiments.diagnose!.notes.join('\n')).toMatch(/error: both topologies singled the culprit out/);
  });

  it('sees the leak as RSS growth of the process: every model of the monolith, only the leaking service', () => {
    expect(modelsWith(windowOf('monolith', 'leak'), 'process-rss')).toEqual([...MODELS].sort());
    const split = windowOf('microservices', 'leak');
    expect(modelsWith(split, 'process-rss')).toEqual(['tabular']);
    expect(split.suspects).toBe(1);
    expect(split.finalRanking[0]).toMatchObject({ model: 'tabular', rank: 1 });
  });
});
