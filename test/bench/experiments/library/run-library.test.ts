import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResults } from '../../../../bench/results/read-results.js';
import type { RunResults } from '../../../../bench/results/schema.js';
import { ROOT, ensureCompiled } from '../../targets/local/helpers.js';

const CLI = join(ROOT, 'dist', 'bench', 'cli', 'main.js');
const RECORDED = join(ROOT, 'test', 'reports', 'fixtures', 'results-recorded.json');
const dirs: string[] = [];
let runDir = '';
let results: RunResults;

/** Runs the compiled CLI to completion. */
function runCli(args: string[], timeout = 60_000) {
  return execa(process.execPath, [CLI, ...args], { reject: false, timeout });
}

/** A fresh temporary folder, removed after the suite. */
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  ensureCompiled();
  runDir = tempDir('splitbench-library-run-');
  const run = await runCli(['run', 'library', '--profile', 'quick', '--models', 'vad,tabular', '--out', runDir, '--json'], 300_000);
  expect(run.exitCode, run.stderr).toBe(0);
  results = readResults(runDir);
}, 360_000);

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('run library --profile quick, end to end', () => {
  it('writes both matrices: the opset-23 model fails on the old runtimes, 1.22 and 1.30 cannot share a process', () => {
    const section = results.experiments.library!;
    expect(section.status).toBe('complete');
    expect(section.runtimes.map((r) => r.name)).toEqual(['ort-1.17', 'ort-1.22', 'ort-1.30']);
    expect(section.results).toHaveLength(3 * 3);
    const old = section.results.find((c) => c.model === 'rms-norm' && c.runtime === 'ort-1.17')!;
    expect(old).toMatchObject({ valid: true, loads: false });
    expect(old.error).toMatch(/Unsupported model IR version/);
    for (const cell of section.results.filter((c) => c.model !== 'rms-norm')) expect(cell).toMatchObject({ loads: true, matchesReference: true });
    const pair = section.cohosting.find((c) => c.first === 'ort-1.22' && c.second === 'ort-1.30')!;
    expect(pair.coexist).toBe(false);
    expect(pair.error).toMatch(/VERS_1\.30\.0' not found/);
    expect(section.cohosting.find((c) => c.first === 'ort-1.17' && c.second === 'ort-1.30')!.coexist).toBe(true);
    expect(section.consequences!.monolithOptions.every((o) => o.runtimes.includes('ort-1.30'))).toBe(true);
    expect(section.consequences!.runtimeChange.monolith.modelsToRevalidate).toBe(3);
  });

  it('turns library freedom into measured verdict rows, and the report shows both matrices', () => {
    const rows = results.experiments.library!.comparisons;
    expect(rows.every((c) => c.claim === 'library-freedom')).toBe(true);
    expect(rows.find((c) => c.metric === 'library.modelsToRevalidate')).toMatchObject({ monolith: { median: 3 }, microservices: { median: 1 }, winner: 'microservices' });
    // Latency measured on both sides (per-call samples of the cells), the counts labelled as counts.
    const latency = rows.find((c) => c.metric === 'library.bareLatencyMs')!;
    for (const side of [latency.monolith, latency.microservices]) expect(side).toMatchObject({ median: expect.any(Number), ciLow: expect.any(Number), ciHigh: expect.any(Number) });
    expect(latency.microservices.median).toBeGreaterThan(0);
    expect(latency.exact).toBeUndefined();
    expect(rows.filter((c) => c.exact).every((c) => c.label.endsWith('— counted from the deployment plan'))).toBe(true);
    expect(results.experiments.library!.results.filter((c) => c.loads).every((c) => (c.runs ?? 0) >= 10)).toBe(true);
    const markdown = readFileSync(join(runDir, 'report.md'), 'utf8');
    expect(markdown).toMatch(/\| Library freedom \| models whose best runtime they cannot run on/);
    expect(markdown).toContain('### Compatibility: model × runtime');
    expect(markdown).toContain('### Co-hosting: runtime loaded first (row)');
    expect(markdown).toMatch(/✗ second fails: version 'VERS_1\.30\.0' not found/);
    expect(readFileSync(join(runDir, 'library.csv'), 'utf8')).toMatch(/^matrix,model,runtime/);
  });

  it('report re-renders it, and compare against an older results file without the section renders both', async () => {
    const report = await runCli(['report', runDir]);
    expect(report.exitCode, report.stderr).toBe(0);
    const out = tempDir('splitbench-library-compare-');
    const compare = await runCli(['compare', RECORDED, runDir, '--out', out]);
    expect(compare.exitCode, compare.stderr).toBe(0);
    expect(readFileSync(join(out, 'compare.md'), 'utf8')).toContain('library-freedom');
  });

  it('an older results file without the section still renders, with library freedom as the structural statement', async () => {
    const old = tempDir('splitbench-library-old-');
    const { writeRunReports } = await import('../../../../reports/render-run.js');
    await writeRunReports(readResults(RECORDED), old);
    const markdown = readFileSync(join(old, 'report.md'), 'utf8');
    expect(markdown).toMatch(/\| Library freedom \| structural fact/);
    expect(markdown).toContain('the `library` experiment was not run');
  });
});
