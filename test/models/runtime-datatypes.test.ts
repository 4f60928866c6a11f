import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../models/catalog.js';
import { loadModel } from '../../models/runtime.js';
import { modelPath } from '../../models/store.js';
import { identityModelBytes } from './identity-model.js';
import { toFloat16Bits } from '../../models/float16.js';
import { DATATYPES, type Datatype, type Tensor } from '../../models/tensor.js';

const store = mkdtempSync(join(tmpdir(), 'splitbench-datatypes-'));
afterAll(() => rmSync(store, { recursive: true, force: true }));

// One input of each datatype, with values at its edges (BOOL as 0/1 bytes, FP16 as half bits).
const INPUTS: Record<Datatype, Tensor['data']> = {
  BOOL: Uint8Array.from([1, 0, 1, 1, 0, 1]),
  UINT8: Uint8Array.from([0, 1, 2, 128, 254, 255]),
  INT8: Int8Array.from([-128, -1, 0, 1, 2, 127]),
  INT32: Int32Array.from([-(2 ** 31), -1, 0, 1, 2, 2 ** 31 - 1]),
  INT64: BigInt64Array.from([-(2n ** 63n), -1n, 0n, 1n, 2n ** 40n, 2n ** 63n - 1n]),
  FP16: toFloat16Bits([-65504, -1, 0, 0.5, 1.5, 65504]),
  FP32: Float32Array.from([-1e30, -1, 0, 0.5, 1.5, 1e30]),
  FP64: Float64Array.from([-1e300, -1, 0, 0.5, Math.PI, 1e300]),
};

/** Writes an Identity model of a datatype into the temp store and returns its spec. */
function identityModel(datatype: Datatype): ModelSpec {
  const name = `identity-${datatype.toLowerCase()}`;
  const bytes = identityModelBytes('x', 'y', datatype, [2, 3]);
  const file = modelPath(store, name, 1);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return {
    name, description: `Identity on ${datatype}`, initialVersion: 1, source: { kind: 'generated', recipe: { kind: 'tabular', features: 1, hidden: 1, seed: 1 } } as unknown as ModelSpec['source'],
    inputs: [{ name: 'x', datatype, shape: [2, 3] }], outputs: [{ name: 'y', datatype, shape: [2, 3] }], sloMs: 10, weightClass: 'light', defaultEncoding: 'binary', rateRps: 1, runByDefault: true,
    sampleInputs: () => [{ name: 'x', datatype, shape: [2, 3], data: INPUTS[datatype] }],
  };
}

// The runtime takes and gives back every served datatype byte for byte (real onnxruntime sessions).
describe('onnxruntime sessions on every served datatype', () => {
  for (const datatype of DATATYPES) {
    it(`${datatype}: an Identity model returns the input's bytes, typed as ${datatype}`, async () => {
      const model = await loadModel(identityModel(datatype), store, 1, undefined, 1);
      try {
        const [output] = await model.run(model.spec.sampleInputs(1));
        expect(output!.datatype).toBe(datatype);
        expect(output!.shape).toEqual([2, 3]);
        expect(output!.data.constructor).toBe(INPUTS[datatype].constructor);
        expect(Buffer.from(output!.data.buffer, output!.data.byteOffset, output!.data.byteLength)).toEqual(Buffer.from(INPUTS[datatype].buffer));
      } finally {
        await model.release();
      }
    });
  }
});
