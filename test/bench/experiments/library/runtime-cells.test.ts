import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareOutputs } from '../../../../bench/experiments/library/compare-outputs.js';
import { runCell, type CellOptions } from '../../../../bench/experiments/library/run-cell.js';
import { findModel } from '../../../../models/catalog.js';
import { prepareStore } from '../../../../models/publish.js';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
let options: CellOptions;
let storeDir = '';
let outDir = '';

beforeAll(() => {
  spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json')], { stdio: 'ignore' });
  storeDir = mkdtempSync(join(tmpdir(), 'splitbench-library-store-'));
  outDir = mkdtempSync(join(tmpdir(), 'splitbench-library-cells-'));
  prepareStore(storeDir, ['tabular', 'rms-norm'].map((name) => findModel(name)!));
  options = { storeDir, outDir, threads: { intraOpThreads: 1, interOpThreads: 1 }, iterations: 10, cpus: null };
}, 120_000);

afterAll(() => {
  for (const dir of [storeDir, outDir]) rmSync(dir, { recursive: true, force: true });
});

describe('runtime cells on the real onnxruntime-node versions', () => {
  it('the opset-23 model fails on the oldest runtime with the loader saying why, and loads on the newest', async () => {
    const old = await runCell([{ model: 'rms-norm', runtime: 'ort-1.17' }], options);
    expect(old.completed).toBe(true);
    expect(old.steps[0]!.loaded).toBe(false);
    expect(old.steps[0]!.error).toMatch(/rms-norm.*failed to load on runtime ort-1\.17.*Unsupported model IR version: 11/);
    const fresh = await runCell([{ model: 'rms-norm', runtime: 'ort-1.30' }], options);
    expect(fresh.steps[0]!.loaded).toBe(true);
    expect(fresh.steps[0]!.medianMs).toBeGreaterThan(0);
  }, 60_000);

  it('1.22 then 1.30 cannot share a process: the second binding finds the first one\'s libonnxruntime.so.1', async () => {
    const outcome = await runCell([{ model: 'tabular', runtime: 'ort-1.22' }, { model: 'tabular', runtime: 'ort-1.30' }], options);
    expect(outcome.steps[0]!.loaded).toBe(true);
    expect(outcome.steps[1]!.loaded).toBe(false);
    expect(outcome.steps[1]!.error).toMatch(/version `VERS_1\.30\.0' not found/);
  }, 60_000);

  it('1.17 and 1.30 share a process and give the same tabular outputs (1.17 ships a versioned soname)', async () => {
    const outcome = await runCell([{ model: 'tabular', runtime: 'ort-1.17' }, { model: 'tabular', runtime: 'ort-1.30' }], options);
    expect(outcome.completed).toBe(true);
    const [first, second] = outcome.steps;
    expect(first!.outputs).not.toBeNull();
    expect(second!.outputs).not.toBeNull();
    expect(compareOutputs(first!.outputs!, second!.outputs!).matches).toBe(true);
  }, 60_000);
});
