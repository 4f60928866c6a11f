import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../paths.js';
import { sha256 } from '../store.js';
import type { ManifestData } from './manifest-schema.js';
import { loadManifest, parseManifest, readManifest, type LoadedManifest, type ReadDepth } from './read-manifest.js';

/** The manifest of the built-in models, shipped with the project. */
export function builtinManifestPath(): string {
  return join(projectRoot(), 'models', 'builtin.yaml');
}

/** The built-in manifest as the build validated it (dist/models/builtin-manifest.json), keyed by the YAML's hash. */
function cachePath(): string {
  return join(projectRoot(), 'dist', 'models', 'builtin-manifest.json');
}

interface BuiltinCache {
  yamlSha256: string;
  data: ManifestData;
}

/** Writes the validated built-in manifest for servers to load without parsing YAML (~0.1-0.3 s a process here); `npm run build` calls it. */
export function writeBuiltinManifestCache(): void {
  const text = readFileSync(builtinManifestPath(), 'utf8');
  const cache: BuiltinCache = { yamlSha256: sha256(Buffer.from(text)), data: parseManifest(builtinManifestPath(), text).data };
  writeFileSync(cachePath(), JSON.stringify(cache));
}

/** The validated built-in manifest: from the build's cache when it matches the YAML as it is now, else parsed afresh. */
function parseBuiltin(): LoadedManifest {
  const path = builtinManifestPath();
  const text = readFileSync(path, 'utf8');
  if (existsSync(cachePath())) {
    const cache = JSON.parse(readFileSync(cachePath(), 'utf8')) as BuiltinCache;
    if (cache.yamlSha256 === sha256(Buffer.from(text))) return loadManifest({ path, data: cache.data, at: () => 'builtin.yaml' }, 'declared');
  }
  return loadManifest(parseManifest(path, text), 'declared');
}

let declared: LoadedManifest | null = null;

/**
 * The built-in manifest. At `declared` depth (the default: servers looking a model up) no model
 * file is read, so a server's start costs the same in every topology; the harness reads it at
 * `files` depth once per run, which hashes the packaged files against their pins.
 */
export function builtinManifest(depth: ReadDepth = 'declared'): LoadedManifest {
  if (depth === 'files') return readManifest(builtinManifestPath(), 'files');
  return (declared ??= parseBuiltin());
}
