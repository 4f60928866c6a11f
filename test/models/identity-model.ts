import onnxProto from 'onnx-proto';
import { writeFileSync } from 'node:fs';
import { writeOnnxModel } from '../../models/synthetic/onnx-writer.js';
import type { Datatype } from '../../models/tensor.js';

const { onnx } = onnxProto;

/** ONNX bytes of an Identity model `input → output` of one datatype and shape (-1 for a dynamic batch dim). */
export function identityModelBytes(input: string, output: string, datatype: Datatype, shape: number[]): Uint8Array {
  return writeOnnxModel({ name: `identity-${input}`, inputs: [{ name: input, shape, datatype }], outputs: [{ name: output, shape, datatype }], initializers: [], nodes: [{ op: 'Identity', inputs: [input], outputs: [output] }] });
}

/** Writes an Identity model to `path` (a user's model, as the tests need one). */
export function writeIdentityModel(path: string, input: string, output: string, datatype: Datatype, shape: number[]): void {
  writeFileSync(path, identityModelBytes(input, output, datatype, shape));
}

/** Moves every initializer's weights of ONNX bytes into an external-data file `dataName`: the model and the data file's bytes. */
export function externalizeWeights(bytes: Uint8Array, dataName: string): { model: Uint8Array; data: Buffer } {
  const model = onnx.ModelProto.decode(bytes);
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const init of model.graph?.initializer ?? []) {
    const raw = init.rawData && init.rawData.length > 0 ? Buffer.from(init.rawData) : Buffer.from(Float32Array.from(init.floatData ?? []).buffer);
    chunks.push(raw);
    init.rawData = new Uint8Array(0);
    init.floatData = [];
    init.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    init.externalData = [{ key: 'location', value: dataName }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(raw.byteLength) }].map((e) => onnx.StringStringEntryProto.create(e));
    offset += raw.byteLength;
  }
  return { model: onnx.ModelProto.encode(model).finish(), data: Buffer.concat(chunks) };
}
