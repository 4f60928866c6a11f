import { writeFileSync } from 'node:fs';
import { writeOnnxModel } from '../../models/synthetic/onnx-writer.js';
import type { Datatype } from '../../models/tensor.js';

/** ONNX bytes of an Identity model `input → output` of one datatype and shape (-1 for a dynamic batch dim). */
export function identityModelBytes(input: string, output: string, datatype: Datatype, shape: number[]): Uint8Array {
  return writeOnnxModel({ name: `identity-${input}`, inputs: [{ name: input, shape, datatype }], outputs: [{ name: output, shape, datatype }], initializers: [], nodes: [{ op: 'Identity', inputs: [input], outputs: [output] }] });
}

/** Writes an Identity model to `path` (a user's model, as the tests need one). */
export function writeIdentityModel(path: string, input: string, output: string, datatype: Datatype, shape: number[]): void {
  writeFileSync(path, identityModelBytes(input, output, datatype, shape));
}
