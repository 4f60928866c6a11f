import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestError, readManifest } from '../../models/manifest/read-manifest.js';
import { generateParametricModel, generateRmsNormModel } from '../../models/synthetic/generators.js';
import { ensureCompiled } from '../bench/targets/local/helpers.js';
import { externalizeWeights, writeIdentityModel } from './identity-model.js';
import { prepareStore, publishVersion } from '../../models/publish.js';
import { loadModel } from '../../models/runtime.js';
import { buildRequests } from '../../bench/experiments/traffic.js';
import { encodeInferRequest } from '../../bench/protocol/encode-request.js';
import { MANIFEST_ENV, useManifest } from '../../models/manifest/active-manifest.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'bench', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'splitbench-manifest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Three user models written with the project's ONNX writer: INT64 ids, a UINT8 image with a dynamic batch dim, a float MLP.
beforeAll(() => {
  ensureCompiled();
  writeIdentityModel(join(dir, 'token-ids.onnx'), 'ids', 'same', 'INT64', [1, 16]);
  writeIdentityModel(join(dir, 'thumb.onnx'), 'pixels', 'pixels_out', 'UINT8', [-1, 3, 8, 8]);
  writeFileSync(join(dir, 'mlp.onnx'), generateParametricModel({ width: 64, layers: 2, seed: 3 }));
});

/** A one-model manifest around thumb.onnx with `patch` applied to the model's lines. */
function thumbManifest(lines: Record<string, string>, name = 'bad.yaml'): string {
  const fields = {
    name: 'thumb', file: 'thumb.onnx', weight_class: 'light', slo_ms: '10', rate_rps: '20',
    inputs: '\n      - { name: pixels, datatype: UINT8, shape: [4, 3, 8, 8], values: { random: { low: 0, high: 255 } } }',
    outputs: '\n      - { name: pixels_out, datatype: UINT8, shape: [4, 3, 8, 8] }',
    ...lines,
  };
  const text = ['version: 1', 'models:', ...Object.entries(fields).filter(([, v]) => v !== '').map(([k, v], i) => `${i === 0 ? '  - ' : '    '}${k}: ${v}`), ''].join('\n');
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The problems readManifest reports for a manifest file. */
function problemsOf(path: string): string[] {
  try {
    readManifest(path);
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return (error as ManifestError).problems;
  }
  return [];
}

describe('models init and models check on a folder of your own ONNX files', () => {
  it('init writes a manifest of every file with each guess marked; check loads each and runs one request', async () => {
    const init = await execa(process.execPath, [CLI, 'models', 'init', dir], { reject: false });
    expect(init.exitCode, init.stderr).toBe(0);
    const text = readFileSync(join(dir, 'splitbench.yaml'), 'utf8');
    expect(text.match(/^ {2}- name: /gm)).toHaveLength(3);
    expect(text).toMatch(/name: "pixels", datatype: UINT8, shape: \[1, 3, 8, 8\].*# dynamic dims set to 1/);
    expect(text).toMatch(/name: "ids", datatype: INT64, shape: \[1, 16\]/);
    expect(text).toMatch(/slo_ms: \d+ {3}# guess from one measurement \(bare cost [\d.]+ ms on ort-1\.30\): review/);
    const check = await execa(process.execPath, [CLI, 'models', 'check', '--manifest', join(dir, 'splitbench.yaml'), '--json'], { reject: false });
    expect(check.exitCode, check.stderr).toBe(0);
    const rows = JSON.parse(check.stdout) as { name: string; outputs: string }[];
    expect(rows.map((r) => [r.name, r.outputs])).toEqual([['mlp', 'y FP32[1,64]'], ['thumb', 'pixels_out UINT8[1,3,8,8]'], ['token-ids', 'same INT64[1,16]']]);
    const again = await execa(process.execPath, [CLI, 'models', 'init', dir], { reject: false });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/splitbench\.yaml already exists; pass --force/);
  }, 60_000);

  it('serve --manifest serves those models: INT64 in and out, and a UINT8 value out of range is a 400 naming it', async () => {
    const serve = execa(process.execPath, [CLI, 'serve', 'monolith', '--manifest', join(dir, 'splitbench.yaml'), '--store', join(dir, 'store'), '--json'], { reject: false, buffer: false, stdout: 'pipe', stderr: 'pipe' });
    let text = '';
    serve.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const deadline = Date.now() + 30_000;
    while (!text.includes('}') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const endpoints = (JSON.parse(text.slice(0, text.lastIndexOf('}') + 1)) as { endpoints: Record<string, string> }).endpoints;
    const ids = Array.from({ length: 16 }, (_, i) => i * 1000);
    const answer = await fetch(endpoints['token-ids']!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [{ name: 'ids', datatype: 'INT64', shape: [1, 16], data: ids }] }) });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { outputs: { datatype: string; data: number[] }[] }).outputs[0]).toMatchObject({ datatype: 'INT64', data: ids });
    const bad = await fetch(endpoints.thumb!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [{ name: 'pixels', datatype: 'UINT8', shape: [1, 3, 8, 8], data: [256, ...new Array(191).fill(0)] }] }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('input "pixels": element 0 is 256; expected an integer from 0 to 255 (UINT8)');
    serve.kill('SIGINT');
    expect((await serve).exitCode).toBe(0);
  }, 60_000);

  it('a manifest model is a ModelSpec like the built-in ones: hashed, with seeded inputs of its datatypes', () => {
    const manifest = readManifest(thumbManifest({}, 'good.yaml'));
    const [thumb] = manifest.models;
    expect(thumb!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(thumb!.spec.source).toEqual({ kind: 'file', path: join(dir, 'thumb.onnx'), sha256: thumb!.sha256 });
    const [pixels] = thumb!.spec.sampleInputs(7);
    expect(pixels!.data).toBeInstanceOf(Uint8Array);
    expect(pixels!.data.length).toBe(4 * 3 * 64);
    expect(thumb!.spec.sampleInputs(7)[0]!.data).toEqual(pixels!.data);
    expect(thumb!.spec.variableDims).toEqual({ pixels: { dims: [0], multipleOf: 1 } });
  });
});

describe('bad manifests: every problem at once, each naming the line, the model, the field and the fix', () => {
  it('a missing file, a hash mismatch, a rate of 0', () => {
    expect(problemsOf(thumbManifest({ file: 'nope.onnx' }))).toEqual([expect.stringMatching(/^bad\.yaml:4: models\[0\] \(thumb\)\.file: nope\.onnx not found \(looked at .*nope\.onnx\); give the \.onnx path relative to the manifest$/)]);
    expect(problemsOf(thumbManifest({ sha256: `"${'0'.repeat(64)}"` }))).toEqual([expect.stringMatching(/^bad\.yaml:\d+: models\[0\] \(thumb\)\.sha256: the file's sha256 is [0-9a-f]{64}, the manifest says 0{64}; if the model changed on purpose, put the new hash in the manifest$/)]);
    expect(problemsOf(thumbManifest({ rate_rps: '0' }))).toEqual(["bad.yaml:7: models[0].rate_rps: the model's request rate in the mix must be above 0"]);
  });

  it('an input name or datatype the model does not have, a dynamic dim not given, an undeclared input', () => {
    expect(problemsOf(thumbManifest({ inputs: '\n      - { name: image, datatype: UINT8, shape: [4, 3, 8, 8] }' }))).toEqual([
      expect.stringMatching(/^bad\.yaml:9: models\[0\] \(thumb\)\.inputs\[0\]: the model has no input "image"; its inputs are "pixels"$/),
      expect.stringMatching(/^bad\.yaml:9: models\[0\] \(thumb\)\.inputs: the model's input "pixels" \(UINT8 \[\?, 3, 8, 8\]\) is not declared/),
    ]);
    expect(problemsOf(thumbManifest({ inputs: '\n      - { name: pixels, datatype: FP32, shape: [4, 3, 8, 8] }' }))).toEqual([expect.stringMatching(/inputs\[0\]: input "pixels" is UINT8 in the model, the manifest says FP32$/)]);
    expect(problemsOf(thumbManifest({ inputs: '\n      - { name: pixels, datatype: UINT8, shape: [3, 8, 8] }' }))).toEqual([expect.stringMatching(/input "pixels" has shape \[\?, 3, 8, 8\] in the model \(\? = dynamic\), the manifest gives \[3, 8, 8\]; give the fixed dims as they are and each dynamic one the size to send$/)]);
    expect(problemsOf(thumbManifest({ inputs: '\n      - { name: pixels, datatype: UINT8, shape: [-1, 3, 8, 8] }' }))).toEqual([expect.stringMatching(/^bad\.yaml:9: models\[0\]\.inputs\[0\]\.shape\[0\]: each dim must be a positive size to send/)]);
    expect(problemsOf(thumbManifest({ inputs: '\n      - { name: pixels, datatype: UINT8, shape: [4, 3, 8, 8], values: { random: { low: 0, high: 300 } } }' }))).toEqual([expect.stringMatching(/inputs\[0\]\.values: random range \[0, 300\] does not fit UINT8 \(0 to 255\)$/)]);
  });

  it('recorded requests (OIP JSON lines) are decoded as a server would, sent in turn, and a bad line is named', () => {
    const line = (batch: number, value: number) => JSON.stringify({ inputs: [{ name: 'pixels', datatype: 'UINT8', shape: [batch, 3, 8, 8], data: new Array(batch * 192).fill(value) }] });
    writeFileSync(join(dir, 'recorded.jsonl'), [line(1, 7), line(2, 8), '', line(3, 9), ''].join('\n'));
    const [thumb] = useManifest(thumbManifest({ requests_file: 'recorded.jsonl' }, 'recorded.yaml')).models;
    expect(thumb!.spec.recordedInputs!.map((inputs) => inputs[0]!.shape[0])).toEqual([1, 2, 3]);
    let request;
    try {
      request = buildRequests(['thumb'], 42).thumb!;
    } finally {
      delete process.env[MANIFEST_ENV];
    }
    expect(request.variants!.map((v) => v.body.byteLength)).toEqual([1, 2, 3].map((b) => encodeInferRequest(thumb!.spec.recordedInputs![b - 1]!, 'binary').body.byteLength));
    writeFileSync(join(dir, 'recorded.jsonl'), [line(1, 7), line(1, 300)].join('\n'));
    expect(problemsOf(thumbManifest({ requests_file: 'recorded.jsonl' }, 'recorded.yaml'))).toEqual([expect.stringMatching(/models\[0\] \(thumb\)\.requests_file: recorded\.jsonl:2: input "pixels": element 0 is 300; expected an integer from 0 to 255 \(UINT8\)$/)]);
  });

  it('a rate as a share of total_rps, and the mistakes around it', () => {
    const shared = (top: string, model: string) => {
      const path = join(dir, 'share.yaml');
      const text = readFileSync(thumbManifest({ rate_rps: '' }), 'utf8').replace('version: 1\n', `version: 1\n${top}`).replace('    slo_ms: 10\n', `    slo_ms: 10\n${model}`);
      writeFileSync(path, text);
      return path;
    };
    expect(readManifest(shared('total_rps: 200\n', '    rate_share: 0.25\n')).models[0]!.rateRps).toBe(50);
    expect(problemsOf(shared('total_rps: 200\n', ''))).toEqual([expect.stringMatching(/models\[0\]: give the model's rate in the mix as rate_rps \(requests per second\) or rate_share \(of total_rps\), one of the two$/)]);
    expect(problemsOf(shared('', '    rate_share: 0.5\n'))).toEqual([expect.stringMatching(/models\[0\]\.rate_share: rate_share needs total_rps at the top of the manifest$/)]);
  });

  it('reports every problem of a manifest at once, schema problems with their lines', () => {
    const path = join(dir, 'many.yaml');
    writeFileSync(path, ['version: 1', 'models:', '  - name: Thumb', '    file: thumb.onnx', '    weight_class: medium', '    slo_ms: 10', '    rate_rps: 5', '    colour: red', '    inputs: []', '    outputs: []', ''].join('\n'));
    const problems = problemsOf(path);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^many\.yaml:3: models\[0\]\.name: lower-case letters/),
      expect.stringMatching(/^many\.yaml:5: models\[0\]\.weight_class: .*"light".*"heavy"/),
      expect.stringMatching(/^many\.yaml:\d+: models\[0\]\.inputs: .*/),
      expect.stringMatching(/^many\.yaml:3: models\[0\]: .*colour/),
    ]));
    expect(problems.length).toBeGreaterThanOrEqual(5);
  });

  it('the CLI exits 2 with the problems and a hint, and a model that fails to load on its runtime is named', async () => {
    const missing = await execa(process.execPath, [CLI, 'models', 'check', '--manifest', thumbManifest({ file: 'nope.onnx' })], { reject: false });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/^splitbench: bad\.yaml:4: models\[0\] \(thumb\)\.file: nope\.onnx not found/m);
    expect(missing.stderr).toMatch(/^hint: fix the manifest/m);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    writeFileSync(join(dir, 'rms.onnx'), generateRmsNormModel({ width: 8, seed: 1 }));
    const rms = join(dir, 'rms.yaml');
    writeFileSync(rms, ['version: 1', 'models:', '  - name: rms', '    file: rms.onnx', '    runtime: ort-1.17', '    weight_class: light', '    slo_ms: 10', '    rate_rps: 5', '    inputs:', '      - { name: x, datatype: FP32, shape: [1, 8] }', '    outputs:', '      - { name: y, datatype: FP32, shape: [1, 8] }', ''].join('\n'));
    const old = await execa(process.execPath, [CLI, 'models', 'check', '--manifest', rms], { reject: false });
    expect(old.exitCode, old.stdout).toBe(2);
    expect(old.stderr).toMatch(/^splitbench: model "rms" \(rms\.onnx\): model "rms" version 1 .* failed to load on runtime ort-1\.17/m);
  }, 60_000);
});

describe('models with external data', () => {
  it('publish with their data file beside every version, load, and redeploy a new version that answers the same', async () => {
    const { model, data } = externalizeWeights(generateParametricModel({ width: 32, layers: 2, seed: 9 }), 'mlp-ext.data');
    writeFileSync(join(dir, 'mlp-ext.onnx'), model);
    writeFileSync(join(dir, 'mlp-ext.data'), data);
    const path = join(dir, 'ext.yaml');
    writeFileSync(path, ['version: 1', 'models:', '  - name: mlp-ext', '    file: mlp-ext.onnx', '    weight_class: light', '    slo_ms: 10', '    rate_rps: 5', '    inputs:', '      - { name: x, datatype: FP32, shape: [1, 32] }', '    outputs:', '      - { name: y, datatype: FP32, shape: [1, 32] }', ''].join('\n'));
    const [entry] = readManifest(path).models;
    expect(entry!.signature.externalFiles).toEqual(['mlp-ext.data']);
    const store = join(dir, 'ext-store');
    prepareStore(store, [entry!.spec]);
    const v2 = publishVersion(store, entry!.spec);
    expect(existsSync(join(dirname(v2.path), 'mlp-ext.data'))).toBe(true);
    expect(v2.bytes).toBe(readFileSync(v2.path).byteLength + data.byteLength);
    const outputs = [];
    for (const version of [1, 2]) {
      const loaded = await loadModel(entry!.spec, store, version, undefined, 0);
      outputs.push(Array.from((await loaded.run(entry!.spec.sampleInputs(3)))[0]!.data as Float32Array));
      await loaded.release();
    }
    expect(outputs[1]).toEqual(outputs[0]);
    expect(outputs[0]!.some((v) => v !== 0)).toBe(true);
    rmSync(join(dir, 'mlp-ext.data'));
    expect(problemsOf(path)).toEqual([expect.stringMatching(/models\[0\] \(mlp-ext\)\.file: the model keeps its weights in "mlp-ext\.data", which is not beside it .*; copy the data file next to the \.onnx$/)]);
  });
});

describe('a second file as the new version (next_file)', () => {
  it('redeploys publish the user\'s own new file every other version, and it answers with its own weights', async () => {
    writeFileSync(join(dir, 'mlp-v2.onnx'), generateParametricModel({ width: 64, layers: 2, seed: 4 }));
    const path = join(dir, 'next.yaml');
    writeFileSync(path, ['version: 1', 'models:', '  - name: mlp', '    file: mlp.onnx', '    next_file: mlp-v2.onnx', '    weight_class: light', '    slo_ms: 10', '    rate_rps: 5', '    inputs:', '      - { name: x, datatype: FP32, shape: [1, 64] }', '    outputs:', '      - { name: y, datatype: FP32, shape: [1, 64] }', ''].join('\n'));
    const [entry] = readManifest(path).models;
    const store = join(dir, 'next-store');
    prepareStore(store, [entry!.spec]);
    const v2 = publishVersion(store, entry!.spec);
    const v3 = publishVersion(store, entry!.spec);
    expect(readFileSync(v2.path).equals(readFileSync(join(dir, 'mlp-v2.onnx')))).toBe(true);
    expect(v2.sha256).toBe(entry!.next!.sha256);
    expect(readFileSync(v3.path).equals(readFileSync(join(dir, 'mlp.onnx')))).toBe(false);
    const answers: number[][] = [];
    for (const version of [1, 2, 3]) {
      const loaded = await loadModel(entry!.spec, store, version, undefined, 0);
      answers.push(Array.from((await loaded.run(entry!.spec.sampleInputs(5)))[0]!.data as Float32Array));
      await loaded.release();
    }
    expect(answers[1]).not.toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('refuses a next_file that takes other tensors than the model, or is missing, naming the field', () => {
    writeIdentityModel(join(dir, 'ids-32.onnx'), 'ids', 'same', 'INT64', [1, 32]);
    const path = join(dir, 'next-bad.yaml');
    const model = (next: string) => ['  - name: ids-' + next.replace(/\W/g, ''), '    file: token-ids.onnx', `    next_file: ${next}`, '    weight_class: light', '    slo_ms: 10', '    rate_rps: 5', '    inputs:', '      - { name: ids, datatype: INT64, shape: [1, 16] }', '    outputs:', '      - { name: same, datatype: INT64, shape: [1, 16] }'];
    writeFileSync(path, ['version: 1', 'models:', ...model('ids-32.onnx'), ...model('gone.onnx'), ''].join('\n'));
    expect(problemsOf(path)).toEqual([
      expect.stringMatching(/models\[0\] \(ids-ids32onnx\)\.next_file: ids-32\.onnx has inputs ids INT64 \[1, 32\].*the model has inputs ids INT64 \[1, 16\].*the new version must take and give the same tensors$/),
      expect.stringMatching(/models\[1\] \(ids-goneonnx\)\.next_file: gone\.onnx not found .*relative to the manifest$/),
    ]);
  });
});
