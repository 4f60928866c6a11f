import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { FileSource, ModelSpec } from '../catalog.js';
import { checkPackagedHash, ModelFileError, resolvePackagedFile, sha256 } from '../store.js';
import { DATATYPE_INFO, type Datatype, type Tensor } from '../tensor.js';
import { decodeJsonRequest } from '../../serving/codec/json-codec.js';
import { ManifestSchema, rateOf, type InputValues, type ManifestData, type ManifestModelEntry, type ManifestTargets } from './manifest-schema.js';
import { buildManifestSpec } from './manifest-specs.js';
import { declaredSignature, readGraphSignature, type GraphSignature, type GraphTensor } from './onnx-graph.js';

/** A manifest that cannot be used: every problem found, each with its line, the field and the fix. */
export class ManifestError extends Error {
  readonly hint = 'fix the manifest (see README, "Benchmark your own models"); `splitbench models check --manifest FILE` checks it';
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0]! : `${problems.length} problems in the manifest:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ManifestError';
  }
}

/** One model of a loaded manifest: its entry, where it comes from, its graph signature and its spec. */
export interface ManifestModel {
  entry: ManifestModelEntry;
  /** Where the model comes from, for tables and results: the file, the package's file, or the generator. */
  source: string;
  /** The file read and hashed (a file or a package's file); null for a generated model or one whose file was not read. */
  path: string | null;
  /** sha256 of the file as read (or as pinned, when not read); null for a generated model. */
  sha256: string | null;
  bytes: number | null;
  /** The manifest's next_file as read: the new version redeploys publish. */
  next?: FileSource['next'];
  signature: GraphSignature;
  spec: ModelSpec;
  /** Requests per second in the mix (rate_rps, or rate_share of total_rps). */
  rateRps: number;
}

/** A validated manifest: every model found, hashed and matching its declared inputs and outputs. */
export interface LoadedManifest {
  path: string;
  models: ManifestModel[];
  /** Models the experiments single out, as the manifest names them. */
  targets: ManifestTargets;
}

/** How much of a manifest to check: `files` reads and hashes every model file (the harness); `declared` trusts the pinned hashes of packaged models (a server looking a built-in model up). */
export type ReadDepth = 'files' | 'declared';

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

/** The model file a file or package entry names, read; null for a generated model (or a packaged one at `declared` depth); a string says why it cannot be read. */
function readModelSource(entry: ManifestModelEntry, dir: string, depth: ReadDepth): { path: string; bytes: Buffer } | null | { problem: string; field: string } {
  if (entry.file !== undefined) {
    const path = resolve(dir, entry.file);
    if (!existsSync(path)) return { field: 'file', problem: `${entry.file} not found (looked at ${path}); give the .onnx path relative to the manifest` };
    return { path, bytes: readFileSync(path) };
  }
  if (entry.package === undefined || depth === 'declared') return null;
  try {
    const path = resolvePackagedFile(entry.name, { packageName: entry.package.name, entry: entry.package.entry, file: entry.package.file });
    return { path, bytes: readFileSync(path) };
  } catch (error) {
    if (!(error instanceof ModelFileError)) throw error;
    return { field: 'package', problem: error.message.replace('\n  hint: ', '; ') };
  }
}

/** How the model is named in tables and results. */
function describeSource(entry: ManifestModelEntry): string {
  if (entry.file !== undefined) return entry.file;
  if (entry.package !== undefined) return `${entry.package.name}/${entry.package.file}`;
  return `generated: ${entry.generate!.generator}`;
}

/** Problems of the declared inputs and outputs against the graph's, pushed through `where`. */
function compareSignature(entry: ManifestModelEntry, signature: GraphSignature, where: (path: PropertyKey[], message: string) => void): void {
  const inputNames = signature.inputs.map((t) => t.name);
  entry.inputs.forEach((input, i) => {
    const graph = signature.inputs.find((t) => t.name === input.name);
    const problem = compareTensor('input', input, graph, inputNames);
    if (problem) where(['inputs', i], problem);
    const fixed = graph && !problem ? (input.dynamic?.dims ?? []).filter((d) => graph.dims[d] !== null) : [];
    if (fixed.length > 0) where(['inputs', i, 'dynamic', 'dims'], `dim ${fixed.join(', ')} of "${input.name}" is fixed in the model (${showDims(graph!.dims)}); list only dims the model leaves dynamic (?)`);
  });
  for (const missing of signature.inputs.filter((t) => !entry.inputs.some((input) => input.name === t.name))) {
    where(['inputs'], `the model's input "${missing.name}" (${missing.datatype ?? missing.elemType} ${showDims(missing.dims)}) is not declared; add it with the size to send for each dynamic dim`);
  }
  const outputNames = signature.outputs.map((t) => t.name);
  entry.outputs.forEach((output, i) => {
    const problem = compareTensor('output', output, signature.outputs.find((t) => t.name === output.name), outputNames);
    if (problem) where(['outputs', i], problem);
  });
}

/** Problems of a model's external-data files: each must sit beside the .onnx (inside its folder). */
function checkExternalFiles(path: string, signature: GraphSignature, field: string, where: (path: PropertyKey[], message: string) => void): void {
  for (const external of signature.externalFiles) {
    const data = resolve(dirname(path), external);
    if (external.startsWith('/') || external.split(/[\\/]/).includes('..')) where([field], `the model keeps its weights in "${external}", outside its folder; keep external data beside the .onnx`);
    else if (!existsSync(data)) where([field], `the model keeps its weights in "${external}", which is not beside it (looked at ${data}); copy the data file next to the .onnx`);
  }
}

/** The tensors of a signature, for comparing two versions of a model. */
function showSignature(signature: GraphSignature): string {
  const show = (tensors: GraphTensor[]) => tensors.map((t) => `${t.name} ${t.datatype ?? t.elemType} ${showDims(t.dims)}`).join(', ');
  return `inputs ${show(signature.inputs)}; outputs ${show(signature.outputs)}`;
}

/** Reads and checks `next_file`, the new version redeploys publish: it must take and give what the model does. */
function readNextFile(file: string, dir: string, signature: GraphSignature, where: (path: PropertyKey[], message: string) => void): FileSource['next'] | undefined {
  const path = resolve(dir, file);
  if (!existsSync(path)) {
    where(['next_file'], `${file} not found (looked at ${path}); give the new version's .onnx path relative to the manifest`);
    return undefined;
  }
  const bytes = readFileSync(path);
  let nextSignature: GraphSignature;
  try {
    nextSignature = readGraphSignature(bytes);
  } catch (error) {
    where(['next_file'], `${file} is not a readable ONNX model (${(error as Error).message})`);
    return undefined;
  }
  checkExternalFiles(path, nextSignature, 'next_file', where);
  const [now, then] = [showSignature(signature), showSignature(nextSignature)];
  if (now !== then) where(['next_file'], `${file} has ${then}, the model has ${now}; the new version must take and give the same tensors`);
  return { path, sha256: sha256(bytes), ...(nextSignature.externalFiles.length > 0 ? { externalFiles: [...nextSignature.externalFiles] } : {}) };
}

/** Checks one model entry against its file; returns the model, or null with its problems pushed. */
function checkModel(entry: ManifestModelEntry, totalRps: number | undefined, dir: string, depth: ReadDepth, at: (path: PropertyKey[]) => string, index: number, problems: string[]): ManifestModel | null {
  const where = (path: PropertyKey[], message: string) => problems.push(`${at(['models', index, ...path])}: models[${index}] (${entry.name}).${fieldName(path)}: ${message}`);
  const before = problems.length;
  entry.inputs.forEach((input, i) => {
    const values = input.values ? checkValues(input.values, input.datatype) : null;
    if (values) where(['inputs', i, 'values'], values);
  });
  const read = readModelSource(entry, dir, depth);
  if (read !== null && 'problem' in read) {
    where([read.field], read.problem);
    return null;
  }
  let signature = declaredSignature(entry.inputs, entry.outputs);
  let hash = entry.sha256 ?? null;
  if (read !== null) {
    hash = sha256(read.bytes);
    const shown = entry.file ?? entry.package!.file;
    if (entry.package !== undefined) {
      const mismatch = checkPackagedHash(entry.name, read.path, read.bytes, entry.sha256!);
      if (mismatch) where(['sha256'], mismatch.message.replace('\n  hint: ', '; '));
    } else if (entry.sha256 && entry.sha256 !== hash) where(['sha256'], `the file's sha256 is ${hash}, the manifest says ${entry.sha256}; if the model changed on purpose, put the new hash in the manifest`);
    try {
      signature = readGraphSignature(read.bytes);
    } catch (error) {
      where(['file'], `${shown} is not a readable ONNX model (${(error as Error).message})`);
      return null;
    }
    checkExternalFiles(read.path, signature, 'file', where);
    compareSignature(entry, signature, where);
  }
  const next = read !== null && entry.next_file !== undefined ? readNextFile(entry.next_file, dir, signature, where) : undefined;
  if (problems.length > before) return null;
  const rateRps = rateOf(entry, totalRps);
  const spec = buildManifestSpec(entry, { path: read?.path ?? null, sha256: hash, ...(next ? { next } : {}) }, signature, rateRps);
  if (entry.requests_file !== undefined) {
    const recorded = readRecordedRequests(spec, resolve(dir, entry.requests_file), entry.requests_file);
    if (typeof recorded === 'string') {
      where(['requests_file'], recorded);
      return null;
    }
    spec.recordedInputs = recorded;
    spec.sampleInputs = (seed) => recorded[Math.abs(seed) % recorded.length]!;
  }
  return { entry, source: describeSource(entry), path: read?.path ?? null, sha256: hash, bytes: read?.bytes.byteLength ?? null, ...(next ? { next } : {}), signature, spec, rateRps };
}

/** A manifest's text parsed and validated against the schema (no model file read yet), with a locator for its problems. */
export interface ParsedManifest {
  path: string;
  data: ManifestData;
  at: (path: PropertyKey[]) => string;
}

/** Parses and validates a manifest's YAML; throws ManifestError listing every problem with its line. */
export function parseManifest(file: string, text?: string): ParsedManifest {
  const path = resolve(file);
  const name = basename(path);
  if (text === undefined && !existsSync(path)) throw new ManifestError([`manifest ${file} not found; write one with \`splitbench models init DIR\``]);
  const lines = new LineCounter();
  const doc = parseDocument(text ?? readFileSync(path, 'utf8'), { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) throw new ManifestError(doc.errors.map((e) => `${name}:${e.linePos?.[0]?.line ?? '?'}: YAML: ${e.message.split('\n')[0]}`));
  const at = (p: PropertyKey[]) => locate(doc, lines, name, p);
  const parsed = ManifestSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new ManifestError(parsed.error.issues.map((issue) => `${at(issue.path)}: ${fieldName(issue.path)}: ${issue.message}`));
  }
  return { path, data: parsed.data, at };
}

/** Checks a parsed manifest's models against their files (at `depth`); throws ManifestError listing every problem. */
export function loadManifest({ path, data, at }: ParsedManifest, depth: ReadDepth = 'files'): LoadedManifest {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  data.models.forEach((entry, i) => {
    if (seen.has(entry.name)) problems.push(`${at(['models', i, 'name'])}: models[${i}].name: "${entry.name}" is also the name of models[${seen.get(entry.name)}]; names must be unique`);
    seen.set(entry.name, i);
  });
  const models = data.models.map((entry, i) => checkModel(entry, data.total_rps, dirname(path), depth, at, i, problems));
  if (problems.length > 0) throw new ManifestError(problems);
  return { path, models: models as ManifestModel[], targets: data.experiment_targets ?? {} };
}

/** Reads, validates and hashes a manifest and its model files; throws ManifestError listing every problem. */
export function readManifest(file: string, depth: ReadDepth = 'files'): LoadedManifest {
  return loadManifest(parseManifest(file), depth);
}
