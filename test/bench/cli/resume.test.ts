import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGeneratorFault } from '../../../bench/experiments/fault.js';
import { RunResultsSchema, type RunResults } from '../../../bench/results/schema.js';
import { collectUnitKeys } from '../../../bench/results/unit-keys.js';
import { ROOT, ensureCompiled, waitFor } from '../targets/local/helpers.js';

const CLI = join(ROOT, 'dist', 'bench', 'cli', 'main.js');
// Two variants, two measurement trials, then the fault experiment on topologies of its own (4 trials of a crash): about a minute.
const OPTIONS = ['--profile', 'quick', '--models', 'tabular,vad', '--trials', '2', '--topologies', 'monolith:single,microservices:direct', '--fault-kinds', 'crash'];
const RUN = ['run', 'latency,fault', ...OPTIONS];

const base = mkdtempSync(join(tmpdir(), 'splitbench-resume-'));
const interrupted = join(base, 'interrupted');
const uninterrupted = join(base, 'uninterrupted');

/** Reads a run's results.json, or null while it is not there or not parseable yet. */
function readRun(dir: string): RunResults | null {
  try {
    return RunResultsSchema.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
  } catch {
    return null;
  }
}

/** Runs the compiled CLI to completion. */
function runCli(args: string[]) {
  return execa(process.execPath, [CLI, ...args], { reject: false, timeout: 240_000 });
}

/** One entry per recorded trial result (a fault window run again after a generator fault counts once). */
function listTrials(results: RunResults): string[] {
  const latency = results.experiments.latency!.results.map((r) => `latency ${r.topology}/${r.variant} trial ${r.trial} ${r.model} ${r.scenario}`);
  const windows = results.experiments.fault!.results;
  const fault = windows.filter((r, i) => !(isGeneratorFault(r) && windows.slice(i + 1).some((later) => later.topology === r.topology && later.variant === r.variant && later.trial === r.trial && later.faultKind === r.faultKind && later.targetModel === r.targetModel)));
  return [...latency, ...fault.map((r) => `fault ${r.topology}/${r.variant} trial ${r.trial} ${r.faultKind} in ${r.targetModel}`)].sort();
}

let kept: RunResults;

beforeAll(() => ensureCompiled(), 120_000);
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('splitbench run --resume', () => {
  it('Ctrl-C after the first trials exits 130 with those trials in results.json', async () => {
    const run = execa(process.execPath, [CLI, ...RUN, '--out', interrupted], { reject: false, timeout: 240_000 });
    // Interrupted in the fault experiment: latency is done, some fault windows are in, most are not.
    const reached = await waitFor(() => (readRun(interrupted)?.experiments.fault?.results.length ?? 0) >= 2, 180_000, 250);
    run.kill('SIGINT');
    const result = await run;
    expect(reached).toBe(true);
    expect(result.exitCode).toBe(130);
    kept = readRun(interrupted)!;
    expect(kept.status).toBe('interrupted');
    expect(kept.experiments.fault!.status).toBe('partial');
    expect(kept.experiments.fault!.results.length).toBeLessThan(10);
  }, 240_000);

  it('refuses a changed config with exit 2, naming the differing fields, and leaves results.json as it was', async () => {
    const before = readFileSync(join(interrupted, 'results.json'), 'utf8');
    const result = await runCli([...RUN, '--seed', '7', '--trials', '3', '--resume', interrupted]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^splitbench: .*config differs from the run's in 2 field\(s\)/m);
    expect(result.stderr).toMatch(/trials \(--trials\): the run has 2, this command gives 3/);
    expect(result.stderr).toMatch(/seed \(--seed\): the run has 42, this command gives 7/);
    expect(result.stderr).toMatch(/^hint: resume with the same options as the interrupted run: splitbench run latency,fault --profile quick/m);
    expect(readFileSync(join(interrupted, 'results.json'), 'utf8')).toBe(before);
  }, 60_000);

  it('refuses a folder without results.json and an --out naming another folder with exit 2', async () => {
    const missing = await runCli([...RUN, '--resume', join(base, 'nowhere')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/--resume: no such run folder: .*nowhere/);
    const elsewhere = await runCli([...RUN, '--resume', interrupted, '--out', join(base, 'other')]);
    expect(elsewhere.exitCode).toBe(2);
    expect(elsewhere.stderr).toMatch(/--out .*other and --resume .*interrupted name different folders/);
    expect(existsSync(join(base, 'other'))).toBe(false);
  }, 60_000);

  it('resumed, keeps every trial it had, runs only the missing ones and gives the same set of trials as an uninterrupted run', async () => {
    const resumed = await runCli([...RUN, '--resume', interrupted]);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const results = readRun(interrupted)!;
    expect(results.status).toBe('complete');
    expect(results.runId).toBe(kept.runId);
    expect(results.experiments.fault!.status).toBe('complete');
    // What the first sitting measured is kept as it was, not measured again.
    expect(results.experiments.latency!.results).toEqual(kept.experiments.latency!.results);
    expect(results.experiments.fault!.results.slice(0, kept.experiments.fault!.results.length)).toEqual(kept.experiments.fault!.results);
    // Each sitting says what it measured; together, every unit once.
    const before = collectUnitKeys(kept);
    const [first, second] = results.sittings!;
    expect(results.sittings).toHaveLength(2);
    expect(first).toMatchObject({ index: 1, status: 'interrupted', command: kept.command });
    expect(second).toMatchObject({ index: 2, status: 'complete' });
    expect(new Set(first!.produced)).toEqual(before);
    expect(second!.produced.some((key) => before.has(key))).toBe(false);
    expect(new Set([...first!.produced, ...second!.produced])).toEqual(collectUnitKeys(results));
    expect(resumed.stdout).toContain(`resumed (sitting 2): ${before.size} unit(s) kept from earlier sittings, ${second!.produced.length} run in this one`);
    expect(readFileSync(join(interrupted, 'report.md'), 'utf8')).toContain('## Sittings');

    const whole = await runCli([...RUN, '--out', uninterrupted]);
    expect(whole.exitCode, whole.stderr).toBe(0);
    const trials = listTrials(results);
    expect(new Set(trials).size).toBe(trials.length);
    expect(trials).toEqual(listTrials(readRun(uninterrupted)!));
  }, 300_000);

  it('says a complete run has nothing left to run, renders its reports again and exits 0', async () => {
    rmSync(join(interrupted, 'report.md'));
    const before = readFileSync(join(interrupted, 'results.json'), 'utf8');
    const result = await runCli([...RUN, '--resume', interrupted]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/is already complete: nothing is left to run/);
    expect(existsSync(join(interrupted, 'report.md'))).toBe(true);
    expect(readFileSync(join(interrupted, 'results.json'), 'utf8')).toBe(before);
  }, 60_000);
});
