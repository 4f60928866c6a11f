import type { ModelSpec, VariableDims } from '../catalog.js';
import { toFloat16Bits } from '../float16.js';
import { createRandom } from '../random.js';
import { allocateData, DATATYPE_INFO, elementCount, type Datatype, type Tensor, type TensorData } from '../tensor.js';
import type { InputValues, ManifestModelEntry } from './manifest-schema.js';
import type { GraphSignature } from './onnx-graph.js';

/** Values to send when the manifest gives none: small non-negative integers, floats in [-1, 1), random booleans. */
export function defaultValues(datatype: Datatype): InputValues {
  const info = DATATYPE_INFO[datatype];
  if (info.json === 'integer') return { random: { low: Math.max(0, info.min!), high: Math.min(10, info.max!) } };
  return { random: { low: -1, high: 1 } };
}

/** Values of one input for a seed, as the manifest says to make them. */
export function makeInputData(datatype: Datatype, count: number, values: InputValues, seed: number): TensorData {
  const info = DATATYPE_INFO[datatype];
  if ('zeros' in values) return allocateData(datatype, count);
  if ('constant' in values) {
    const v = values.constant;
    const number = typeof v === 'boolean' ? Number(v) : v;
    if (datatype === 'FP16') return toFloat16Bits(new Array<number>(count).fill(number));
    const data = allocateData(datatype, count);
    if (data instanceof BigInt64Array) data.fill(BigInt(number));
    else data.fill(number);
    return data;
  }
  const random = createRandom(seed);
  const { low, high } = values.random;
  const draws = Array.from({ length: count }, () => random.next());
  if (info.json === 'bool') return Uint8Array.from(draws, (r) => (r < 0.5 ? 0 : 1));
  if (info.json === 'integer') {
    const ints = draws.map((r) => Math.min(high, Math.floor(low + (high - low + 1) * r)));
    const data = allocateData(datatype, count);
    if (data instanceof BigInt64Array) ints.forEach((n, i) => (data[i] = BigInt(n)));
    else ints.forEach((n, i) => (data[i] = n));
    return data;
  }
  const floats = draws.map((r) => low + (high - low) * r);
  return datatype === 'FP16' ? toFloat16Bits(floats) : datatype === 'FP64' ? Float64Array.from(floats) : Float32Array.from(floats);
}

/** The ModelSpec of a manifest entry: the same interface the built-in models have, so every code path serves it alike. */
export function buildManifestSpec(entry: ManifestModelEntry, path: string, sha256: string, signature: GraphSignature): ModelSpec {
  const variableDims: Record<string, VariableDims> = {};
  for (const input of signature.inputs) {
    const dims = input.dims.flatMap((d, i) => (d === null ? [i] : []));
    if (dims.length > 0) variableDims[input.name] = { dims, multipleOf: 1 };
  }
  const sampleInputs = (seed: number): Tensor[] =>
    entry.inputs.map((input, i) => ({ name: input.name, datatype: input.datatype, shape: [...input.shape], data: makeInputData(input.datatype, elementCount(input.shape), input.values ?? defaultValues(input.datatype), seed * 131 + i) }));
  return {
    name: entry.name,
    description: entry.description ?? `${entry.file} (from the manifest)`,
    initialVersion: 1,
    source: { kind: 'file', path, sha256, ...(signature.externalFiles.length > 0 ? { externalFiles: [...signature.externalFiles] } : {}) },
    inputs: entry.inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: [...t.shape] })),
    outputs: entry.outputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: [...t.shape] })),
    sloMs: entry.slo_ms,
    weightClass: entry.weight_class,
    defaultEncoding: entry.encoding,
    sampleInputs,
    ...(Object.keys(variableDims).length > 0 ? { variableDims } : {}),
  };
}
