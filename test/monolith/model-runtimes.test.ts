import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalTarget } from '../../bench/targets/local/local-target.js';
import { ProcessStartError } from '../../bench/targets/local/supervisor.js';
import type { RunningTopology } from '../../bench/targets/types.js';
import { findModel } from '../../models/catalog.js';
import { prepareStore } from '../../models/publish.js';
import { ensureCompiled, makeSpec } from '../bench/targets/local/helpers.js';

let storeDir = '';
const running: RunningTopology[] = [];

/** One JSON inference of a model's sample through a base URL; returns the HTTP status. */
async function infer(url: string, model: string): Promise<number> {
  const inputs = findModel(model)!.sampleInputs(1).map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, data: Array.from(t.data as Float32Array) }));
  const response = await fetch(`${url}/v2/models/${model}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs }) });
  await response.text();
  return response.status;
}

beforeAll(() => {
  ensureCompiled();
  storeDir = mkdtempSync(join(tmpdir(), 'splitbench-model-runtimes-'));
  prepareStore(storeDir, ['tabular', 'rms-norm'].map((name) => findModel(name)!));
}, 120_000);

afterAll(async () => {
  for (const topology of running) await topology.stop();
  rmSync(storeDir, { recursive: true, force: true });
});

describe('per-model runtimes', () => {
  it('a monolith co-hosts 1.17 and 1.30 (they ship different sonames) and answers on both', async () => {
    const topology = await new LocalTarget().start(makeSpec({ kind: 'monolith', variant: 'single', models: ['tabular', 'rms-norm'], storeDir, runtime: 'ort-1.17', modelRuntimes: { 'rms-norm': 'ort-1.30' } }), { readyTimeoutMs: 60_000 });
    running.push(topology);
    const url = topology.endpoints().tabular!;
    expect(await infer(url, 'tabular')).toBe(200);
    expect(await infer(url, 'rms-norm')).toBe(200);
  }, 90_000);

  it('a monolith asked to co-host 1.22 and 1.30 refuses to start, naming the runtime and the missing symbol version', async () => {
    const start = new LocalTarget().start(makeSpec({ kind: 'monolith', variant: 'single', models: ['tabular', 'rms-norm'], storeDir, restartPolicy: 'never', runtime: 'ort-1.22', modelRuntimes: { 'rms-norm': 'ort-1.30' } }), { readyTimeoutMs: 60_000 });
    const error = await start.then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProcessStartError);
    expect((error as ProcessStartError).message).toMatch(/exited before ready \(code 2/);
    expect((error as ProcessStartError).stderrTail.join('\n')).toMatch(/"rms-norm" .*failed to load on runtime ort-1\.30: its binding could not be loaded .*VERS_1\.30\.0' not found/);
  }, 90_000);

  it('microservices give each model its own runtime, including pairs that cannot share a process', async () => {
    const topology = await new LocalTarget().start(makeSpec({ kind: 'microservices', variant: 'direct', models: ['tabular', 'rms-norm'], storeDir, modelRuntimes: { tabular: 'ort-1.22' } }), { readyTimeoutMs: 60_000 });
    running.push(topology);
    expect(await infer(topology.endpoints().tabular!, 'tabular')).toBe(200);
    expect(await infer(topology.endpoints()['rms-norm']!, 'rms-norm')).toBe(200);
  }, 90_000);
});
