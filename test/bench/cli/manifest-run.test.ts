import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateParametricModel } from '../../../models/synthetic/generators.js';
import { ensureCompiled } from '../targets/local/helpers.js';
import { writeIdentityModel } from '../../models/identity-model.js';

const CLI = join(import.meta.dirname, '..', '..', '..', 'dist', 'bench', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'splitbench-manifest-run-'));
const store = join(dir, 'store');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The user's own models, written with the project's ONNX writer: INT64 ids, UINT8 pixels with a dynamic batch, a float MLP.
beforeAll(() => {
  ensureCompiled();
  writeIdentityModel(join(dir, 'ids.onnx'), 'ids', 'same', 'INT64', [1, 16]);
  writeIdentityModel(join(dir, 'pixels.onnx'), 'p', 'q', 'UINT8', [-1, 3, 8, 8]);
  writeFileSync(join(dir, 'mlp.onnx'), generateParametricModel({ width: 128, layers: 4, seed: 5 }));
  const model = (name: string, file: string, input: string, output: string, rate: number) =>
    [`  - name: ${name}`, `    file: ${file}`, '    weight_class: light', '    slo_ms: 50', `    rate_rps: ${rate}`, '    inputs:', `      - ${input}`, '    outputs:', `      - ${output}`].join('\n');
  writeFileSync(join(dir, 'splitbench.yaml'), ['version: 1', 'models:',
    model('ids', 'ids.onnx', '{ name: ids, datatype: INT64, shape: [1, 16], values: { random: { low: 0, high: 1000 } } }', '{ name: same, datatype: INT64, shape: [1, 16] }', 20),
    model('pixels', 'pixels.onnx', '{ name: p, datatype: UINT8, shape: [2, 3, 8, 8] }', '{ name: q, datatype: UINT8, shape: [2, 3, 8, 8] }', 20),
    model('mlp', 'mlp.onnx', '{ name: x, datatype: FP32, shape: [1, 128] }', '{ name: y, datatype: FP32, shape: [1, 128] }', 20), ''].join('\n'));
});

describe('run on your own models (--manifest)', () => {
  it('measures latency, a crash, a redeploy and the footprint (with the built-in scaling models) of the manifest models on both topologies, recording each file with its hash', async () => {
    const out = join(dir, 'run');
    const run = await execa(process.execPath, [CLI, 'run', 'latency,fault,redeploy,footprint', '--manifest', join(dir, 'splitbench.yaml'), '--store', store, '--trials', '1', '--topologies', 'monolith:single,microservices:direct', '--gateway', 'node', '--out', out, '--json'], { reject: false, timeout: 240_000 });
    expect(run.exitCode, run.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      config: { models: string[]; manifest: { models: { name: string; sha256: string }[] }; settings: { latency: { rates: Record<string, number> } } };
      experiments: Record<string, { results: { topology: string; model?: string; targetModel?: string }[] }>;
    };
    expect(results.config.models).toEqual(['ids', 'pixels', 'mlp']);
    expect(results.config.manifest.models.map((m) => m.name)).toEqual(['ids', 'pixels', 'mlp']);
    for (const m of results.config.manifest.models) expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(results.config.settings.latency.rates).toMatchObject({ ids: 20, pixels: 20, mlp: 20 });
    const latency = results.experiments.latency!.results;
    for (const topology of ['monolith', 'microservices']) {
      expect([...new Set(latency.filter((r) => r.topology === topology).map((r) => r.model))].sort()).toEqual(['ids', 'mlp', 'pixels']);
    }
    expect(results.experiments.fault!.results.map((r) => r.topology).sort()).toEqual(expect.arrayContaining(['microservices', 'monolith']));
    expect(results.experiments.redeploy!.results.map((r) => r.topology).sort()).toEqual(expect.arrayContaining(['microservices', 'monolith']));
    expect(results.experiments.footprint!.results.map((r) => r.topology)).toEqual(expect.arrayContaining(['microservices', 'monolith']));
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/\bids\b[\s\S]*\bpixels\b[\s\S]*\bmlp\b/);
  }, 300_000);
});
