import type { ModelSpec } from '../../models/catalog.js';
import { DATATYPE_INFO, type Tensor } from '../../models/tensor.js';
import { badRequest, checkCount, checkFinite, validateEnvelope, type MatchedInput } from '../validation/validate-inputs.js';
import { decodeJsonData, parseJson, toJsonNumbers, type DecodedRequest } from './json-codec.js';

/** Header that carries the length of the JSON part of a binary-extension body. */
export const BINARY_HEADER = 'inference-header-content-length';

/** Reads the binary_data_size parameter of an input, if it has one. */
function binarySize(input: MatchedInput): number | undefined {
  const parameters = input.raw.parameters as Record<string, unknown> | undefined;
  const size = parameters?.binary_data_size;
  if (size === undefined) return undefined;
  if (!Number.isInteger(size) || (size as number) < 0) badRequest(`input "${input.spec.name}": parameters.binary_data_size must be a non-negative integer; got ${JSON.stringify(size)}`);
  return size as number;
}

/** A typed array over `bytes` without copying when aligned, else over an aligned copy (little-endian host). */
function viewTensorData(input: MatchedInput, body: Buffer, offset: number, size: number): Tensor {
  const { name, datatype, shape } = input.spec;
  const info = DATATYPE_INFO[datatype];
  const width = info.bytes;
  if (size % width !== 0) badRequest(`input "${name}": binary_data_size ${size} is not a multiple of ${width} bytes (${datatype})`);
  checkCount(input, size / width);
  const start = body.byteOffset + offset;
  const buffer = start % width === 0 ? body.buffer : body.buffer.slice(start, start + size);
  const at = start % width === 0 ? start : 0;
  const length = size / width;
  const data = info.view(buffer, at, length);
  checkFinite(name, datatype, data);
  if (datatype === 'BOOL') {
    const bad = (data as Uint8Array).findIndex((v) => v > 1);
    if (bad >= 0) badRequest(`input "${name}": element ${bad} is byte ${(data as Uint8Array)[bad]}; expected 0 or 1 (BOOL)`);
  }
  return { name, datatype, shape, data };
}

/** Decodes a binary-extension request: JSON header of `headerLength` bytes, then raw tensors in input order. */
export function decodeBinaryRequest(model: ModelSpec, body: Buffer, headerValue: string): DecodedRequest {
  const headerLength = Number(headerValue);
  if (!/^\d+$/.test(headerValue.trim()) || headerLength <= 0 || headerLength > body.byteLength) {
    badRequest(`Inference-Header-Content-Length ${JSON.stringify(headerValue)} is invalid: expected an integer between 1 and the body length ${body.byteLength}`);
  }
  const envelope = validateEnvelope(model, parseJson(body.toString('utf8', 0, headerLength), 'binary request header'));
  let offset = headerLength;
  const inputs = envelope.inputs.map((input) => {
    const size = binarySize(input);
    if (size === undefined) return decodeJsonData(input);
    if (offset + size > body.byteLength) {
      badRequest(`input "${input.spec.name}": binary_data_size ${size} at offset ${offset} runs past the body end (${body.byteLength} bytes); sizes must add up to the body after the header`);
    }
    const tensor = viewTensorData(input, body, offset, size);
    offset += size;
    return tensor;
  });
  if (offset !== body.byteLength) {
    badRequest(`binary body has ${body.byteLength - offset} byte(s) after the last tensor; expected header (${headerLength}) + binary_data_size sum = ${offset} bytes`);
  }
  return { id: envelope.id, inputs, outputNames: envelope.outputNames, outputFormat: envelope.outputFormat };
}

/** A binary response: JSON header bytes followed by each output's raw bytes. */
export interface EncodedBinary {
  headerLength: number;
  chunks: Buffer[];
  byteLength: number;
}

/** Encodes outputs with the binary extension; outputs whose flag in `binary` is false stay inline JSON `data` in the header. */
export function encodeBinaryResponse(model: string, version: number, id: string | undefined, outputs: Tensor[], binary: readonly boolean[] = outputs.map(() => true)): EncodedBinary {
  const header = Buffer.from(JSON.stringify({
    model_name: model,
    model_version: String(version),
    ...(id === undefined ? {} : { id }),
    outputs: outputs.map((output, i) =>
      binary[i]
        ? { name: output.name, datatype: output.datatype, shape: output.shape, parameters: { binary_data_size: output.data.byteLength } }
        : { name: output.name, datatype: output.datatype, shape: output.shape, data: toJsonNumbers(output) }),
  }));
  const chunks = [header, ...outputs.filter((_, i) => binary[i]).map((output) => Buffer.from(output.data.buffer, output.data.byteOffset, output.data.byteLength))];
  return { headerLength: header.byteLength, chunks, byteLength: chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0) };
}
