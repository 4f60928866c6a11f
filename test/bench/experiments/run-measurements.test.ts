import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStoreDir, projectRoot } from '../../../models/paths.js';
import { resolveRunConfig } from '../../../bench/config/run-config.js';
import { createSilentProgress } from '../../../bench/experiments/progress.js';
import { runExperiments } from '../../../bench/experiments/run-experiments.js';
import { LocalTarget } from '../../../bench/targets/local/local-target.js';
import { readResults } from '../../../bench/results/read-results.js';
import type { RunResults } from '../../../bench/results/schema.js';

const out = mkdtempSync(join(tmpdir(), 'splitbench-run-'));
let results: RunResults;

beforeAll(async () => {
  const config = resolveRunConfig({ experiments: 'latency,throughput,footprint', models: 'vad,tabular', topologies: 'monolith:single,microservices:direct', trials: '1', out });
  Object.assign(config.settings.latency, { warmupMs: 300, durationMs: 1800, lightOnlyDurationMs: 0, rates: { vad: 100, tabular: 100 } });
  Object.assign(config.settings.throughput, { connections: [1, 4], warmupSec: 0.2, durationSec: 0.5, ceilingIterations: 50 });
  Object.assign(config.settings.footprint, { idleSettleMs: 200, scalingCounts: [1, 2] });
  await runExperiments(config, { target: new LocalTarget(), progress: createSilentProgress(), signal: new AbortController().signal, storeDir: defaultStoreDir(), command: 'test' });
  results = readResults(out);
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('an end-to-end run of the measurement experiments', () => {
  it('writes a complete results.json that parses against the schema, with the environment and models', () => {
    expect(results.status).toBe('complete');
    expect(results.environment.cores).toBeGreaterThan(0);
    expect(results.models.map((m) => m.name)).toEqual(['vad', 'tabular']);
    expect(results.models[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('measures latency per model and topology from real requests', () => {
    const latency = results.experiments.latency!.results;
    for (const topology of ['monolith', 'microservices'] as const) {
      for (const model of ['vad', 'tabular']) {
        const result = latency.find((r) => r.topology === topology && r.model === model && r.scenario === 'mixed');
        expect(result, `${topology} ${model}`).toBeDefined();
        expect(result!.succeeded).toBeGreaterThan(100);
        expect(result!.latency.p50Ms).toBeGreaterThan(0);
        // 180 requests cannot support a p99 claim: it must be missing, with the reason.
        expect(result!.latency.p99Ms).toBeNull();
        expect(result!.notMeasured['latency.p99Ms']).toMatch(/1000/);
      }
    }
  });

  it('measures capacity against the bare-inference ceiling and footprint per process', () => {
    const throughput = results.experiments.throughput!.results;
    expect(throughput.every((r) => (r.maxRps ?? 0) > 0 && (r.ceilingRps ?? 0) > 0)).toBe(true);
    // The mix is sent by the same loop on both topologies and records each model's share per level.
    for (const mixed of throughput.filter((r) => r.model === 'mixed')) {
      expect(mixed).toMatchObject({ loadGenerator: 'mix-loop', plannedShares: { vad: 0.5, tabular: 0.5 } });
      expect(mixed.sweep.every((p) => p.shares?.map((s) => s.model).sort().join() === 'tabular,vad')).toBe(true);
    }
    const footprint = results.experiments.footprint!;
    const mono = footprint.results.find((r) => r.topology === 'monolith')!;
    const micro = footprint.results.find((r) => r.topology === 'microservices')!;
    expect(mono.processCount).toBe(1);
    expect(micro.processCount).toBe(2);
    expect(mono.idleRssBytes).toBeGreaterThan(20e6);
    expect(micro.idleRssBytes!).toBeGreaterThan(mono.idleRssBytes!);
    expect(mono.cpuSecondsPer1kRequests).toBeGreaterThan(0);
    expect(mono.costPer1MRequestsUsd).toBeGreaterThan(0);
    expect(footprint.scaling.map((p) => p.modelCount).sort()).toEqual([1, 1, 2, 2]);
    expect(footprint.marginal).toHaveLength(2);
  });

  it('compares the topologies on each claim, saying when there are too few trials for a test', () => {
    const memory = results.experiments.footprint!.comparisons.find((c) => c.claim === 'memory')!;
    expect(memory.ratio).toBeGreaterThan(1);
    expect(memory.winner).toBe('monolith');
    expect(memory.significant).toBeNull();
    expect(memory.note).toMatch(/not enough trials/);
  });
});

describe('the run command', () => {
  it('rejects bad options with every problem listed and exit code 2, before starting anything', async () => {
    const cli = join(projectRoot(), 'dist', 'bench', 'cli', 'main.js');
    const result = await execa(process.execPath, [cli, 'run', 'latncy', '--profile', 'quik', '--models', 'vad,nope'], { reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/"latncy" unknown/);
    expect(result.stderr).toMatch(/"quik" is not a profile/);
    expect(result.stderr).toMatch(/"nope" not in the catalog/);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
