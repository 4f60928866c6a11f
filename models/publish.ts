import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FileSource, ModelSpec } from './catalog.js';
import { latestVersion, modelPath, readPackagedModel, sha256, type ModelFileInfo } from './store.js';
import { generateFromRecipe } from './synthetic/generators.js';
import { restampOnnxModel } from './synthetic/onnx-writer.js';

// The writing side of the model store (the harness and the build use it; servers only read the store).

/** The user's file a version is made from: the manifest's `next_file` for every other version after the first (when given), else `file`. */
function fileOfVersion(spec: ModelSpec, source: FileSource, version: number): Pick<FileSource, 'path' | 'sha256' | 'externalFiles'> {
  return source.next && (version - spec.initialVersion) % 2 === 1 ? source.next : source;
}

/** Bytes of a given version of a model, from its file, its package or its generator. */
export function modelBytes(spec: ModelSpec, version: number): Uint8Array {
  const { source } = spec;
  if (source.kind === 'generated') return generateFromRecipe(source.recipe, version);
  const file = source.kind === 'file' ? fileOfVersion(spec, source, version) : null;
  // The user's own new version goes out as it is: redeploy measures their real file.
  if (file && file !== source) return readManifestFile(spec.name, file);
  const original = source.kind === 'file' ? readManifestFile(spec.name, source) : readPackagedModel(spec.name, source);
  // Later versions of the same file carry the same weights re-stamped: new bytes to load.
  return version === spec.initialVersion ? original : restampOnnxModel(original, { 'splitbench.version': String(version) });
}

/** Reads a manifest's model file, failing clearly when it changed since the manifest was loaded. */
function readManifestFile(name: string, source: Pick<FileSource, 'path' | 'sha256'>): Uint8Array {
  const bytes = readFileSync(source.path);
  const actual = sha256(bytes);
  if (actual !== source.sha256) throw new Error(`model "${name}": ${source.path} changed since the manifest was read (sha256 ${actual}, expected ${source.sha256}); run again to read it afresh`);
  return bytes;
}

/** Copies a manifest model's external-data files beside a published version, so the runtime finds them where the model says; returns their bytes. */
function copyExternalFiles(spec: ModelSpec, version: number, modelFile: string): number {
  if (spec.source.kind !== 'file') return 0;
  const file = fileOfVersion(spec, spec.source, version);
  let bytes = 0;
  for (const external of file.externalFiles ?? []) {
    const target = join(dirname(modelFile), external);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(dirname(file.path), external), target);
    bytes += statSync(target).size;
  }
  return bytes;
}

/** Writes a file atomically, so a server never loads half a model. */
function writeAtomically(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, path);
}

/** Makes sure the store holds the initial version of every given model; returns what was written. */
export function prepareStore(storeDir: string, specs: readonly ModelSpec[]): string[] {
  const written: string[] = [];
  for (const spec of specs) {
    const path = modelPath(storeDir, spec.name, spec.initialVersion);
    if (existsSync(path) && statSync(path).size > 0) continue;
    copyExternalFiles(spec, spec.initialVersion, path);
    writeAtomically(path, modelBytes(spec, spec.initialVersion));
    written.push(path);
  }
  return written;
}

/** Options for publishing a new version. */
export interface PublishOptions {
  /** Write a truncated, unloadable file: a bad deploy. */
  corrupt?: boolean;
}

/** Publishes version latest+1 of a model into the store and describes it. */
export function publishVersion(storeDir: string, spec: ModelSpec, options: PublishOptions = {}): ModelFileInfo {
  const version = latestVersion(storeDir, spec.name) + 1;
  const bytes = modelBytes(spec, version);
  const content = options.corrupt ? corruptBytes(bytes) : bytes;
  const path = modelPath(storeDir, spec.name, version);
  const externalBytes = copyExternalFiles(spec, version, path);
  writeAtomically(path, content);
  return { path, version, bytes: content.byteLength + externalBytes, sha256: sha256(content) };
}

/** Keeps the first third of a model and appends garbage: what an interrupted upload looks like. */
function corruptBytes(bytes: Uint8Array): Uint8Array {
  const head = bytes.subarray(0, Math.floor(bytes.byteLength / 3));
  const garbage = new Uint8Array(1024).fill(0xff);
  const result = new Uint8Array(head.byteLength + garbage.byteLength);
  result.set(head);
  result.set(garbage, head.byteLength);
  return result;
}
