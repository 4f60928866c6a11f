import { resolve } from 'node:path';
import type { ModelSpec } from '../catalog.js';
import { readManifest, type LoadedManifest } from './read-manifest.js';

/** Environment variable naming the manifest every process of a run serves (set by the harness, inherited by servers and workers). */
export const MANIFEST_ENV = 'SPLITBENCH_MANIFEST';

let cached: { path: string; manifest: LoadedManifest } | null = null;

/** The manifest this process serves (from SPLITBENCH_MANIFEST), read once; null when none is set. */
export function activeManifest(): LoadedManifest | null {
  const path = process.env[MANIFEST_ENV];
  if (!path) return null;
  if (cached?.path !== path) cached = { path, manifest: readManifest(path) };
  return cached.manifest;
}

/** Model specs of the active manifest (none without one). */
export function activeManifestSpecs(): ModelSpec[] {
  return activeManifest()?.models.map((m) => m.spec) ?? [];
}

/** Reads a manifest and makes it the one this process and every process it starts serve. */
export function useManifest(path: string): LoadedManifest {
  const absolute = resolve(path);
  const manifest = readManifest(absolute);
  process.env[MANIFEST_ENV] = absolute;
  cached = { path: absolute, manifest };
  return manifest;
}
