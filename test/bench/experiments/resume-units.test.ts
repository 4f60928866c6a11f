import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStoreDir } from '../../../models/paths.js';
import { resolveRunConfig, type RunConfig } from '../../../bench/config/run-config.js';
import { createSilentProgress } from '../../../bench/experiments/progress.js';
import { runExperiments } from '../../../bench/experiments/run-experiments.js';
import { LocalTarget } from '../../../bench/targets/local/local-target.js';
import { readResults } from '../../../bench/results/read-results.js';
import type { RunResults } from '../../../bench/results/schema.js';

const base = mkdtempSync(join(tmpdir(), 'splitbench-resume-units-'));
const out = join(base, 'run');
// Each sitting's results as it left them.
const sittings: RunResults[] = [];

/** A short run whose fault windows ride on its one measurement session per variant. */
function makeConfig(): RunConfig {
  const config = resolveRunConfig({ experiments: 'latency,throughput,footprint,fault', models: 'vad,tabular', topologies: 'monolith:single,microservices:direct', trials: '1', faultKinds: 'crash', out });
  Object.assign(config.settings.latency, { warmupMs: 300, durationMs: 1500, lightOnlyDurationMs: 0, rates: { vad: 60, tabular: 60 } });
  Object.assign(config.settings.throughput, { connections: [1], warmupSec: 0.2, durationSec: 0.5, ceilingIterations: 50 });
  Object.assign(config.settings.footprint, { idleSettleMs: 200, scalingCounts: [1, 2] });
  Object.assign(config.settings.fault, { trials: 1, warmupMs: 250, baselineMs: 1000, faultMs: 1000, recoveryLimitMs: 3500, observeAfterReadyMs: 1500 });
  return config;
}

/**
 * Runs one sitting (continuing the run on disk after the first) and reads back results.json. With
 * `stopAt`, it is interrupted as Ctrl-C would: the signal aborts once that step begins, so the
 * step finishes and the run stops before the next.
 */
async function runSitting(command: string, stopAt?: string): Promise<RunResults> {
  const controller = new AbortController();
  const progress = { ...createSilentProgress(), step: (label: string) => (label === stopAt ? controller.abort() : undefined) };
  const resume = sittings.length > 0 ? { resume: readResults(out) } : {};
  await runExperiments(makeConfig(), { target: new LocalTarget(), progress, signal: controller.signal, storeDir: defaultStoreDir(), command, ...resume });
  const results = readResults(out);
  sittings.push(results);
  return results;
}

/** Phase labels a sitting added. */
function phasesOf(index: number): string[] {
  return sittings[index]!.phases.slice(index === 0 ? 0 : sittings[index - 1]!.phases.length).map((p) => p.label);
}

beforeAll(async () => {
  // 1: stopped after the monolith's baseline window (its measurements done, its crash window not).
  await runSitting('first', 'fault · monolith/single · trial 1 · baseline (no fault)');
  // 2: stopped after the microservices latency phase (its throughput and footprint not measured).
  await runSitting('resume 1', 'latency · microservices/direct · trial 1/1');
  // 3: to the end.
  await runSitting('resume 2');
}, 240_000);

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('a run interrupted twice and resumed twice', () => {
  it('stops each sitting where it was interrupted, keeping what it measured', () => {
    const [first, second] = sittings;
    expect(first!.status).toBe('interrupted');
    expect(first!.experiments.fault!.results.map((r) => `${r.topology} ${r.faultKind}`)).toEqual(['monolith none']);
    expect(first!.experiments.throughput!.results.map((r) => r.topology)).toEqual(['monolith']);
    expect(second!.status).toBe('interrupted');
    expect(second!.experiments.latency!.results.map((r) => r.topology)).toEqual(['monolith', 'monolith', 'microservices', 'microservices']);
    expect(second!.experiments.throughput!.results.map((r) => r.topology)).toEqual(['monolith']);
  });

  it('keeps every unit it had, as it was, and runs exactly the missing ones', () => {
    const [first, second, last] = sittings;
    expect(last!.status).toBe('complete');
    expect(last!.runId).toBe(first!.runId);
    const { latency, throughput, footprint, fault } = last!.experiments;
    expect(latency!.results).toEqual(second!.experiments.latency!.results);
    expect(latency!.results.slice(0, 2)).toEqual(first!.experiments.latency!.results);
    expect(throughput!.results[0]).toEqual(first!.experiments.throughput!.results[0]);
    expect(throughput!.results.map((r) => r.topology)).toEqual(['monolith', 'microservices']);
    expect(footprint!.results.map((r) => r.topology)).toEqual(['monolith', 'microservices']);
    expect(footprint!.scaling.map((p) => `${p.topology} ${p.modelCount}`).sort()).toEqual(['microservices 1', 'microservices 2', 'monolith 1', 'monolith 2']);
    expect(fault!.results[0]).toEqual(first!.experiments.fault!.results[0]);
    const windows = new Set(fault!.results.map((r) => `${r.topology} ${r.faultKind}`));
    expect([...windows].sort()).toEqual(['microservices crash', 'microservices none', 'monolith crash', 'monolith none']);
    for (const name of ['latency', 'throughput', 'footprint', 'fault'] as const) expect(last!.experiments[name]!.status).toBe('complete');
  });

  it('records what each sitting measured', () => {
    const recorded = sittings[2]!.sittings!;
    expect(recorded.map((s) => [s.index, s.status, s.command])).toEqual([
      [1, 'interrupted', 'first'],
      [2, 'interrupted', 'resume 1'],
      [3, 'complete', 'resume 2'],
    ]);
    expect([...recorded[0]!.produced].sort()).toEqual(['fault monolith/single trial 1 baseline in tabular', 'footprint monolith/single trial 1', 'latency monolith/single trial 1', 'throughput monolith/single trial 1']);
    expect([...recorded[1]!.produced].sort()).toEqual(['fault monolith/single trial 1 crash in tabular', 'latency microservices/direct trial 1']);
    expect(recorded[2]!.produced).toHaveLength(8);
  });

  it('runs the missing window of a session whose measurements were done on a topology started for it, and says so', () => {
    const labels = phasesOf(1);
    expect(labels.filter((l) => l.startsWith('starting '))).toEqual(['starting microservices/direct · trial 1/1']);
    expect(labels).toContain('fault · starting monolith/single · trial 1');
    expect(labels).toContain('fault · monolith/single · trial 1 · crash in tabular');
    expect(labels).not.toContain('fault · monolith/single · trial 1 · baseline (no fault)');
    expect(sittings[2]!.experiments.fault!.notes.some((n) => n.startsWith('resumed run: the fault windows of monolith/single fault trial 1'))).toBe(true);
  });

  it('measures only the missing phases of a session, and the ceiling again when throughput is missing', () => {
    const labels = phasesOf(2);
    expect(labels).toContain('throughput · microservices/direct · trial 1/1');
    expect(labels.some((l) => l.includes('monolith/single · trial 1/1'))).toBe(false);
    expect(sittings[2]!.experiments.throughput!.notes.some((n) => n.startsWith('resumed run: the bare-inference ceiling was measured again in sitting 3'))).toBe(true);
  });

  it('does not repeat the method notes of a section it continues', () => {
    const notes = sittings[2]!.experiments.fault!.notes.filter((n) => n.startsWith('fault windows ran on the last') || n.startsWith('memory limit'));
    expect(notes).toHaveLength(2);
  });
});
