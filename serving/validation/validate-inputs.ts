import type { ModelSpec } from '../../models/catalog.js';
import { fromFloat16Bits, toFloat16Bits } from '../../models/float16.js';
import { DATATYPE_INFO, type Datatype, type TensorData, type TensorSpec } from '../../models/tensor.js';
import { ServingError } from '../backend/backend.js';

/** One request input whose name, datatype and shape matched the model's declaration. */
export interface MatchedInput {
  spec: TensorSpec;
  count: number;
  raw: Record<string, unknown>;
}

/** The validated envelope of an inference request, before tensor data is decoded. */
export interface RequestEnvelope {
  id: string | undefined;
  inputs: MatchedInput[];
  outputNames: string[] | undefined;
  /** How the client asked for outputs to be returned (binary tensor extension). */
  outputFormat: OutputFormatRequest;
}

/** The binary tensor extension's output parameters: per-output `binary_data`, request-level `binary_data_output`. */
export interface OutputFormatRequest {
  /** Output name → its `parameters.binary_data`, for outputs that set it. */
  perOutput: Record<string, boolean>;
  /** The request's `parameters.binary_data_output`, when set. */
  binaryDataOutput: boolean | undefined;
}

/** Raises a 400 with a message naming the problem. */
export function badRequest(message: string): never {
  throw new ServingError(400, message);
}

/** Formats a shape like [1,512]. */
function showShape(shape: readonly unknown[]): string {
  return `[${shape.join(',')}]`;
}

/** True for a plain JSON object. */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks one input's datatype and shape against the declaration. */
function matchInput(model: ModelSpec, raw: Record<string, unknown>, declared: TensorSpec): MatchedInput {
  const where = `model "${model.name}" input "${declared.name}"`;
  if (raw.datatype !== declared.datatype) {
    badRequest(`${where}: wrong datatype ${JSON.stringify(raw.datatype ?? null)}; expected "${declared.datatype}"`);
  }
  const shape = raw.shape;
  if (!Array.isArray(shape) || !shape.every((dim) => Number.isInteger(dim) && dim >= 0)) {
    badRequest(`${where}: "shape" must be an array of non-negative integers; expected ${showShape(declared.shape)}`);
  }
  if (shape.length !== declared.shape.length) {
    badRequest(`${where}: wrong rank: shape ${showShape(shape)} has rank ${shape.length}; expected rank ${declared.shape.length}, shape ${showShape(declared.shape)}`);
  }
  const variable = model.variableDims?.[declared.name];
  for (let i = 0; i < shape.length; i++) {
    const want = declared.shape[i]!;
    if (variable?.dims.includes(i)) {
      const dim = shape[i] as number;
      if (dim <= 0 || dim % variable.multipleOf !== 0) badRequest(`${where}: wrong shape ${showShape(shape)}; dimension ${i} may vary but must be a positive multiple of ${variable.multipleOf} (declared ${showShape(declared.shape)})`);
    } else if (want !== -1 && shape[i] !== want) {
      badRequest(`${where}: wrong shape ${showShape(shape)}; expected ${showShape(declared.shape)}${variable ? ` (dimensions ${variable.dims.join(', ')} may vary)` : ''}`);
    }
  }
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  return { spec: { ...declared, shape: shape as number[] }, count, raw };
}

/** Validates the request object: inputs known, none missing or repeated, datatypes and shapes as declared. */
export function validateEnvelope(model: ModelSpec, body: unknown): RequestEnvelope {
  if (!isObject(body)) badRequest(`request body must be a JSON object {"inputs":[...]}; got ${Array.isArray(body) ? 'an array' : typeof body}`);
  if (!Array.isArray(body.inputs)) badRequest(`request needs an "inputs" array; model "${model.name}" expects inputs: ${model.inputs.map((i) => i.name).join(', ')}`);
  const seen = new Set<string>();
  const inputs: MatchedInput[] = [];
  for (const raw of body.inputs as unknown[]) {
    if (!isObject(raw) || typeof raw.name !== 'string') badRequest('every input must be an object with a string "name", "datatype", "shape" and "data"');
    const declared = model.inputs.find((input) => input.name === raw.name);
    if (!declared) badRequest(`unexpected input "${raw.name}"; model "${model.name}" expects inputs: ${model.inputs.map((i) => i.name).join(', ')}`);
    if (seen.has(raw.name)) badRequest(`input "${raw.name}" is given more than once; expected each input once`);
    seen.add(raw.name);
    inputs.push(matchInput(model, raw, declared));
  }
  const missing = model.inputs.filter((input) => !seen.has(input.name)).map((input) => input.name);
  if (missing.length > 0) badRequest(`missing input${missing.length > 1 ? 's' : ''} ${missing.map((n) => `"${n}"`).join(', ')}; model "${model.name}" expects inputs: ${model.inputs.map((i) => i.name).join(', ')}`);
  const outputs = readOutputs(model, body.outputs);
  return { id: readId(body.id), inputs, outputNames: outputs.names, outputFormat: { perOutput: outputs.binary, binaryDataOutput: readBinaryDataOutput(body.parameters) } };
}

/** Reads the request-level `parameters.binary_data_output` flag. */
function readBinaryDataOutput(parameters: unknown): boolean | undefined {
  if (parameters === undefined || parameters === null) return undefined;
  if (!isObject(parameters)) badRequest(`"parameters" must be an object; got ${Array.isArray(parameters) ? 'an array' : typeof parameters}`);
  const flag = parameters.binary_data_output;
  if (flag === undefined) return undefined;
  if (typeof flag !== 'boolean') badRequest(`parameters.binary_data_output must be true or false; got ${JSON.stringify(flag)}`);
  return flag;
}

/** Reads the optional request id. */
function readId(id: unknown): string | undefined {
  if (id === undefined || id === null) return undefined;
  if (typeof id !== 'string') badRequest(`"id" must be a string; got ${typeof id}`);
  return id;
}

/** Reads the optional list of requested outputs and their `binary_data` flags, rejecting unknown names. */
function readOutputs(model: ModelSpec, outputs: unknown): { names: string[] | undefined; binary: Record<string, boolean> } {
  const binary: Record<string, boolean> = {};
  if (outputs === undefined || outputs === null) return { names: undefined, binary };
  if (!Array.isArray(outputs)) badRequest('"outputs" must be an array of {"name": ...}');
  const names = outputs.map((output: unknown) => {
    const name = isObject(output) ? output.name : undefined;
    if (typeof name !== 'string' || !model.outputs.some((o) => o.name === name)) {
      badRequest(`unknown output ${JSON.stringify(name ?? null)}; model "${model.name}" has outputs: ${model.outputs.map((o) => o.name).join(', ')}`);
    }
    const parameters = (output as Record<string, unknown>).parameters;
    if (parameters !== undefined && parameters !== null) {
      if (!isObject(parameters)) badRequest(`output "${name}": "parameters" must be an object; got ${typeof parameters}`);
      const flag = parameters.binary_data;
      if (flag !== undefined && typeof flag !== 'boolean') badRequest(`output "${name}": parameters.binary_data must be true or false; got ${JSON.stringify(flag)}`);
      if (flag !== undefined) binary[name] = flag;
    }
    return name;
  });
  return { names, binary };
}

/**
 * Flattens row-major nested `data` (e.g. [[1,2],[3,4]] for shape [2,2]), checking the nesting
 * matches the shape at every depth; a 400 names the expected shape otherwise.
 */
export function flattenNestedData(input: MatchedInput, data: readonly unknown[]): unknown[] {
  const shape = input.spec.shape;
  const out: unknown[] = [];
  const fail = (why: string): never =>
    badRequest(`input "${input.spec.name}": nested "data" does not match shape ${showShape(shape)}: ${why}; expected ${shape.length} levels of nesting, row-major (like [[1,2],[3,4]] for [2,2]), or a flat array of ${input.count} numbers`);
  const walk = (value: readonly unknown[], depth: number, at: string): void => {
    if (depth >= shape.length) return fail(`${at || 'data'} is nested deeper than the shape's rank ${shape.length}`);
    if (value.length !== shape[depth]) return fail(`${at || 'data'} has ${value.length} element(s) where dimension ${depth} is ${shape[depth]}`);
    const last = depth === shape.length - 1;
    value.forEach((item, i) => {
      if (Array.isArray(item)) {
        if (last) fail(`${at}[${i}] is an array where a number was expected`);
        walk(item, depth + 1, `${at}[${i}]`);
      } else {
        if (!last) fail(`${at}[${i}] is ${JSON.stringify(item ?? null)} where an array of ${shape[depth + 1]} was expected`);
        out.push(item);
      }
    });
  };
  walk(data, 0, '');
  return out;
}

/** Largest finite value of each float datatype: JSON numbers beyond it would become infinities. */
const FLOAT_MAX: Partial<Record<Datatype, number>> = { FP16: 65504, FP32: 3.4028234663852886e38, FP64: Number.MAX_VALUE };

/** What a JSON element of a datatype must be, for the error message. */
function expectedElement(datatype: Datatype): string {
  const info = DATATYPE_INFO[datatype];
  if (info.json === 'bool') return 'true or false (BOOL)';
  if (info.json === 'integer') return `an integer from ${info.min} to ${info.max} (${datatype})`;
  return `a finite ${datatype} number`;
}

/** Converts JSON elements to the datatype's typed array, rejecting anything outside its range. */
export function toTensorData(name: string, datatype: Datatype, values: readonly unknown[]): TensorData {
  const info = DATATYPE_INFO[datatype];
  const fail = (i: number): never => badRequest(`input "${name}": element ${i} is ${JSON.stringify(values[i] ?? null)}; expected ${expectedElement(datatype)}`);
  if (info.json === 'bool') {
    const out = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) {
      if (typeof values[i] !== 'boolean') fail(i);
      out[i] = values[i] ? 1 : 0;
    }
    return out;
  }
  if (info.json === 'integer') {
    const out = info.allocate(values.length);
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < info.min! || value > info.max!) fail(i);
      if (out instanceof BigInt64Array) out[i] = BigInt(value as number);
      else out[i] = value as number;
    }
    return out;
  }
  const max = FLOAT_MAX[datatype]!;
  // One pass that checks and stores (FP16 stores to doubles first, then rounds to half bits).
  const out = datatype === 'FP32' ? new Float32Array(values.length) : new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !(Math.abs(value) <= max)) fail(i);
    out[i] = value as number;
  }
  return datatype === 'FP16' ? toFloat16Bits(out) : out;
}

/** Rejects NaN and infinities in binary float data (FP16 read from its bits). */
export function checkFinite(name: string, datatype: Datatype, data: TensorData): void {
  if (DATATYPE_INFO[datatype].json !== 'float') return;
  const values = datatype === 'FP16' ? fromFloat16Bits(data as Uint16Array) : (data as Float32Array | Float64Array);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) badRequest(`input "${name}": element ${i} is ${values[i]}; expected finite ${datatype} values`);
  }
}

/** Checks an element count against the shape. */
export function checkCount(input: MatchedInput, actual: number): void {
  if (actual !== input.count) {
    badRequest(`input "${input.spec.name}": element count mismatch: got ${actual} values, shape ${showShape(input.spec.shape)} needs ${input.count}`);
  }
}
