import type { ModelSpec } from '../../models/catalog.js';
import { fromFloat16Bits } from '../../models/float16.js';
import { DATATYPE_INFO, type Tensor } from '../../models/tensor.js';
import { badRequest, checkCount, flattenNestedData, toTensorData, validateEnvelope, type MatchedInput, type OutputFormatRequest, type RequestEnvelope } from '../validation/validate-inputs.js';

/** A decoded, validated inference request. */
export interface DecodedRequest {
  id: string | undefined;
  inputs: Tensor[];
  outputNames: string[] | undefined;
  outputFormat: OutputFormatRequest;
}

/** Parses JSON text, turning syntax errors into a 400 naming the problem. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    return badRequest(`malformed JSON in ${what}: ${(error as Error).message}; expected an inference request {"inputs":[{"name","datatype","shape","data"}]}`);
  }
}

/** Decodes the inline JSON `data` of one matched input. */
export function decodeJsonData(input: MatchedInput): Tensor {
  let data = input.raw.data;
  const name = input.spec.name;
  if (!Array.isArray(data)) badRequest(`input "${name}": "data" must be an array of ${input.spec.datatype === 'BOOL' ? 'booleans' : 'numbers'}; got ${data === undefined ? 'nothing' : typeof data}`);
  // Nested when the first element is an array (an array later in a flat list fails the number check).
  if (data.length > 0 && Array.isArray(data[0])) data = flattenNestedData(input, data);
  const values = data as unknown[];
  checkCount(input, values.length);
  const typed = toTensorData(name, input.spec.datatype, values);
  return { name, datatype: input.spec.datatype, shape: input.spec.shape, data: typed };
}

/** Decodes a JSON inference request body for a model. */
export function decodeJsonRequest(model: ModelSpec, body: Buffer): DecodedRequest {
  const envelope: RequestEnvelope = validateEnvelope(model, parseJson(body.toString('utf8'), 'request body'));
  return { id: envelope.id, inputs: envelope.inputs.map(decodeJsonData), outputNames: envelope.outputNames, outputFormat: envelope.outputFormat };
}

/** JSON elements of a tensor: booleans for BOOL, numbers otherwise (INT64 as numbers, FP16 decoded from its bits). */
export function toJsonNumbers(tensor: Tensor): number[] | boolean[] {
  const info = DATATYPE_INFO[tensor.datatype];
  if (info.json === 'bool') return Array.from(tensor.data as Uint8Array, (v) => v !== 0);
  if (tensor.datatype === 'FP16') return Array.from(fromFloat16Bits(tensor.data as Uint16Array));
  if (tensor.data instanceof BigInt64Array) return Array.from(tensor.data, Number);
  return Array.from(tensor.data as Exclude<Tensor['data'], BigInt64Array>);
}

/**
 * Which outputs go back as binary data: an output's own `binary_data` wins, then the request's
 * `binary_data_output`, then the request's own encoding (a binary request gets binary outputs, a
 * JSON request JSON ones, as the protocol's clients expect).
 */
export function chooseBinaryOutputs(outputs: readonly Tensor[], format: OutputFormatRequest, binaryRequest: boolean): boolean[] {
  return outputs.map((output) => format.perOutput[output.name] ?? format.binaryDataOutput ?? binaryRequest);
}

/** Keeps only the requested outputs, in request order. */
export function selectOutputs(outputs: Tensor[], names: string[] | undefined): Tensor[] {
  if (!names) return outputs;
  return names.map((name) => outputs.find((output) => output.name === name)!);
}

/** Encodes an inference response as JSON text. */
export function encodeJsonResponse(model: string, version: number, id: string | undefined, outputs: Tensor[]): string {
  return JSON.stringify({
    model_name: model,
    model_version: String(version),
    ...(id === undefined ? {} : { id }),
    outputs: outputs.map((output) => ({ name: output.name, datatype: output.datatype, shape: output.shape, data: toJsonNumbers(output) })),
  });
}
