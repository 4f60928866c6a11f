import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { ModelSpec } from '../catalog.js';
import { sha256 } from '../store.js';
import { DATATYPE_INFO, type Datatype, type Tensor } from '../tensor.js';
import { decodeJsonRequest } from '../../serving/codec/json-codec.js';
import { ManifestSchema, rateOf, type InputValues, type ManifestModelEntry } from './manifest-schema.js';
import { buildManifestSpec } from './manifest-specs.js';
import { readGraphSignature, type GraphSignature, type GraphTensor } from './onnx-graph.js';

/** A manifest that cannot be used: every problem found, each with its line, the field and the fix. */
export class ManifestError extends Error {
  readonly hint = 'fix the manifest (see README, "Benchmark your own models"); `splitbench models check --manifest FILE` checks it';
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0]! : `${problems.length} problems in the manifest:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ManifestError';
  }
}

/** One model of a loaded manifest: its entry, the file as read (hash recorded) and its graph signature. */
export interface ManifestModel {
  entry: ManifestModelEntry;
  path: string;
  sha256: string;
  bytes: number;
  signature: GraphSignature;
  spec: ModelSpec;
  /** Requests per second in the mix (rate_rps, or rate_share of total_rps). */
  rateRps: number;
}

/** A validated manifest: every model file found, hashed and matching its declared inputs and outputs. */
export interface LoadedManifest {
  path: string;
  models: ManifestModel[];
}

/** `file:line` of a path in the document: the deepest node on the path that exists. */
function locate(doc: Document, lines: LineCounter, file: string, path: readonly PropertyKey[]): string {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true);
    if (isNode(node) && node.range) return `${file}:${lines.linePos(node.range[0]).line}`;
  }
  return file;
}

/** `models[0].inputs[1].datatype` style name of a path. */
function fieldName(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') || '(top level)';
}

/** Why a value generator does not fit a datatype, or null when it does. */
function checkValues(values: InputValues, datatype: Datatype): string | null {
  const info = DATATYPE_INFO[datatype];
  if ('random' in values) {
    if (!(values.random.low < values.random.high)) return `random.low (${values.random.low}) must be below random.high (${values.random.high})`;
    if (info.json === 'integer' && (values.random.low < info.min! || values.random.high > info.max!)) return `random range [${values.random.low}, ${values.random.high}] does not fit ${datatype} (${info.min} to ${info.max})`;
    return null;
  }
  if ('constant' in values) {
    const value = values.constant;
    if (info.json === 'bool') return typeof value === 'boolean' ? null : `constant ${JSON.stringify(value)} is not true or false (BOOL)`;
    if (typeof value !== 'number') return `constant ${JSON.stringify(value)} is not a number (${datatype})`;
    if (info.json === 'integer' && (!Number.isInteger(value) || value < info.min! || value > info.max!)) return `constant ${value} is not an integer from ${info.min} to ${info.max} (${datatype})`;
  }
  return null;
}

/** A shape for messages: [1, 3, ?, ?] with ? for dynamic dims. */
function showDims(dims: readonly (number | null)[]): string {
  return `[${dims.map((d) => d ?? '?').join(', ')}]`;
}

/** Problems of one declared tensor against the graph's tensor of the same name. */
function compareTensor(kind: 'input' | 'output', declared: { name: string; datatype: Datatype; shape: number[] }, graph: GraphTensor | undefined, names: string[]): string | null {
  if (!graph) return `the model has no ${kind} "${declared.name}"; its ${kind}s are ${names.map((n) => `"${n}"`).join(', ')}`;
  if (graph.datatype !== declared.datatype) return `${kind} "${declared.name}" is ${graph.datatype ?? `ONNX element type ${graph.elemType} (not served)`} in the model, the manifest says ${declared.datatype}`;
  if (graph.dims.length !== declared.shape.length || graph.dims.some((d, i) => d !== null && d !== declared.shape[i])) {
    return `${kind} "${declared.name}" has shape ${showDims(graph.dims)} in the model (? = dynamic), the manifest gives [${declared.shape.join(', ')}]; give the fixed dims as they are and each dynamic one the size to send`;
  }
  return null;
}

const MAX_RECORDED_REQUESTS = 10_000;

/** Decodes a file of recorded OIP JSON requests (one per line) as the servers would; a string says what is wrong with it. */
function readRecordedRequests(spec: ModelSpec, path: string, shown: string): Tensor[][] | string {
  if (!existsSync(path)) return `${shown} not found (looked at ${path}); give the file of recorded requests (OIP JSON, one per line) relative to the manifest`;
  const lines = readFileSync(path, 'utf8').split('\n');
  const requests: Tensor[][] = [];
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    try {
      requests.push(decodeJsonRequest(spec, Buffer.from(line)).inputs);
    } catch (error) {
      return `${shown}:${i + 1}: ${(error as Error).message}`;
    }
    if (requests.length > MAX_RECORDED_REQUESTS) return `${shown} has more than ${MAX_RECORDED_REQUESTS} requests; keep a sample of them`;
  }
  return requests.length > 0 ? requests : `${shown} has no requests; put one OIP JSON request per line ({"inputs":[{"name","datatype","shape","data"}]})`;
}

/** Checks one model entry against its file; returns the model, or null with its problems pushed. */
function checkModel(entry: ManifestModelEntry, totalRps: number | undefined, dir: string, at: (path: PropertyKey[]) => string, index: number, problems: string[]): ManifestModel | null {
  const where = (path: PropertyKey[], message: string) => problems.push(`${at(['models', index, ...path])}: models[${index}] (${entry.name}).${fieldName(path)}: ${message}`);
  const before = problems.length;
  const path = resolve(dir, entry.file);
  if (!existsSync(path)) {
    where(['file'], `${entry.file} not found (looked at ${path}); give the .onnx path relative to the manifest`);
    return null;
  }
  const bytes = readFileSync(path);
  const hash = sha256(bytes);
  if (entry.sha256 && entry.sha256 !== hash) where(['sha256'], `the file's sha256 is ${hash}, the manifest says ${entry.sha256}; if the model changed on purpose, put the new hash in the manifest`);
  let signature: GraphSignature;
  try {
    signature = readGraphSignature(bytes);
  } catch (error) {
    where(['file'], `${entry.file} is not a readable ONNX model (${(error as Error).message})`);
    return null;
  }
  for (const external of signature.externalFiles) {
    const data = resolve(dirname(path), external);
    if (external.startsWith('/') || external.split(/[\\/]/).includes('..')) where(['file'], `the model keeps its weights in "${external}", outside its folder; keep external data beside the .onnx`);
    else if (!existsSync(data)) where(['file'], `the model keeps its weights in "${external}", which is not beside it (looked at ${data}); copy the data file next to the .onnx`);
  }
  const inputNames = signature.inputs.map((t) => t.name);
  entry.inputs.forEach((input, i) => {
    const problem = compareTensor('input', input, signature.inputs.find((t) => t.name === input.name), inputNames);
    if (problem) where(['inputs', i], problem);
    const values = input.values ? checkValues(input.values, input.datatype) : null;
    if (values) where(['inputs', i, 'values'], values);
  });
  for (const missing of signature.inputs.filter((t) => !entry.inputs.some((input) => input.name === t.name))) {
    where(['inputs'], `the model's input "${missing.name}" (${missing.datatype ?? missing.elemType} ${showDims(missing.dims)}) is not declared; add it with the size to send for each dynamic dim`);
  }
  const outputNames = signature.outputs.map((t) => t.name);
  entry.outputs.forEach((output, i) => {
    const problem = compareTensor('output', output, signature.outputs.find((t) => t.name === output.name), outputNames);
    if (problem) where(['outputs', i], problem);
  });
  if (problems.length > before) return null;
  const spec = buildManifestSpec(entry, path, hash, signature);
  if (entry.requests_file !== undefined) {
    const recorded = readRecordedRequests(spec, resolve(dir, entry.requests_file), entry.requests_file);
    if (typeof recorded === 'string') {
      where(['requests_file'], recorded);
      return null;
    }
    spec.recordedInputs = recorded;
    spec.sampleInputs = (seed) => recorded[Math.abs(seed) % recorded.length]!;
  }
  return { entry, path, sha256: hash, bytes: bytes.byteLength, signature, spec, rateRps: rateOf(entry, totalRps) };
}

/** Reads, validates and hashes a manifest and its model files; throws ManifestError listing every problem. */
export function readManifest(file: string): LoadedManifest {
  const path = resolve(file);
  const name = basename(path);
  if (!existsSync(path)) throw new ManifestError([`manifest ${file} not found; write one with \`splitbench models init DIR\``]);
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(path, 'utf8'), { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) throw new ManifestError(doc.errors.map((e) => `${name}:${e.linePos?.[0]?.line ?? '?'}: YAML: ${e.message.split('\n')[0]}`));
  const at = (p: PropertyKey[]) => locate(doc, lines, name, p);
  const parsed = ManifestSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new ManifestError(parsed.error.issues.map((issue) => `${at(issue.path)}: ${fieldName(issue.path)}: ${issue.message}`));
  }
  const problems: string[] = [];
  const seen = new Map<string, number>();
  parsed.data.models.forEach((entry, i) => {
    if (seen.has(entry.name)) problems.push(`${at(['models', i, 'name'])}: models[${i}].name: "${entry.name}" is also the name of models[${seen.get(entry.name)}]; names must be unique`);
    seen.set(entry.name, i);
  });
  const models = parsed.data.models.map((entry, i) => checkModel(entry, parsed.data.total_rps, dirname(path), at, i, problems));
  if (problems.length > 0) throw new ManifestError(problems);
  return { path, models: models as ManifestModel[] };
}
