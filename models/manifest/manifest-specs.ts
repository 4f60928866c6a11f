import type { FileSource, ModelSpec, VariableDims } from '../catalog.js';
import { toFloat16Bits } from '../float16.js';
import { createRandom } from '../random.js';
import { allocateData, DATATYPE_INFO, elementCount, type Datatype, type Tensor, type TensorData } from '../tensor.js';
import type { InputValues, ManifestEntryInput, ManifestModelEntry } from './manifest-schema.js';
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

/** Seed of one input of a request: input 0 takes the request's seed itself, the others are spread apart so no two inputs share a stream. */
function inputSeed(seed: number, index: number): number {
  return seed + index * 1_000_003;
}

/** A request of the entry's inputs for a seed, each with the given shape (the declared one, or the probe's). */
function makeRequest(inputs: readonly ManifestEntryInput[], seed: number, shapeOf: (input: ManifestEntryInput) => number[]): Tensor[] {
  return inputs.map((input, i) => {
    const shape = [...shapeOf(input)];
    return { name: input.name, datatype: input.datatype, shape, data: makeInputData(input.datatype, elementCount(shape), input.values ?? defaultValues(input.datatype), inputSeed(seed, i)) };
  });
}

/** A model's file as the harness read it (null for a generated or unread one), and its next version's. */
export interface ReadFile {
  path: string | null;
  sha256: string | null;
  next?: FileSource['next'];
}

/** The ModelSpec source of an entry: its file as read, its package pinned by hash, or its generator's recipe. */
function specSource(entry: ManifestModelEntry, read: ReadFile, signature: GraphSignature): ModelSpec['source'] {
  if (entry.package !== undefined) return { kind: 'package', packageName: entry.package.name, entry: entry.package.entry, file: entry.package.file, sha256: entry.sha256! };
  if (entry.generate !== undefined) {
    const { seed_per_version: seedPerVersion, ...recipe } = entry.generate;
    return { kind: 'generated', recipe: { ...recipe, seedPerVersion } };
  }
  return { kind: 'file', path: read.path!, sha256: read.sha256!, ...(signature.externalFiles.length > 0 ? { externalFiles: [...signature.externalFiles] } : {}), ...(read.next ? { next: read.next } : {}) };
}

/**
 * Inputs (by name) whose dims may vary: those the manifest lists under `dynamic`, else (for a user's
 * file) the graph's dynamic dims at any size. Packaged and generated models vary only where declared,
 * so a server that does not read the file validates exactly as the harness that did.
 */
function variableDimsOf(entry: ManifestModelEntry, signature: GraphSignature): Record<string, VariableDims> {
  const variable: Record<string, VariableDims> = {};
  for (const input of signature.inputs) {
    const declared = entry.inputs.find((t) => t.name === input.name)?.dynamic;
    const fromGraph = entry.file !== undefined ? input.dims.flatMap((d, i) => (d === null ? [i] : [])) : [];
    const dims = declared?.dims ?? fromGraph;
    if (dims.length > 0) variable[input.name] = { dims: [...dims], multipleOf: declared?.multiple_of ?? 1 };
  }
  return variable;
}

/** The ModelSpec of a manifest entry: the same interface for the built-in models and a user's, so every code path serves them alike. */
export function buildManifestSpec(entry: ManifestModelEntry, read: ReadFile, signature: GraphSignature, rateRps: number): ModelSpec {
  const variableDims = variableDimsOf(entry, signature);
  const hasProbe = entry.inputs.some((input) => input.probe_shape !== undefined);
  return {
    name: entry.name,
    description: entry.description ?? `${entry.file ?? entry.name} (from the manifest)`,
    initialVersion: 1,
    source: specSource(entry, read, signature),
    inputs: entry.inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: [...t.shape] })),
    outputs: entry.outputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: [...t.shape] })),
    sloMs: entry.slo_ms,
    weightClass: entry.weight_class,
    defaultEncoding: entry.encoding,
    rateRps,
    runByDefault: entry.run_by_default,
    sampleInputs: (seed) => makeRequest(entry.inputs, seed, (input) => input.shape),
    ...(Object.keys(variableDims).length > 0 ? { variableDims } : {}),
    ...(hasProbe ? { probeInputs: (seed: number) => makeRequest(entry.inputs, seed, (input) => input.probe_shape ?? input.shape) } : {}),
  };
}
