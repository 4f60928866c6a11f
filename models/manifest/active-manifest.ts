import { resolve } from 'node:path';
import type { ModelSpec } from '../catalog.js';
import { buildManifestSpec } from './manifest-specs.js';
import { readManifest, type LoadedManifest, type ManifestModel } from './read-manifest.js';

/**
 * Environment variable naming the manifest every process of a run serves: set by the harness to the
 * models it already checked (JSON, no file reads), inherited by servers and workers; a plain path
 * (set by hand) is read and checked in full.
 */
export const MANIFEST_ENV = 'SPLITBENCH_MANIFEST';

/** What crosses to child processes: each checked model without its recorded requests. */
type PassedModel = Omit<ManifestModel, 'spec'>;

let cached: { value: string; manifest: LoadedManifest; specs: ModelSpec[] } | null = null;

/** Rebuilds models the harness checked, so a server's start-up costs no hashing or graph reading (the same in every topology). */
function fromPassed(value: string): LoadedManifest {
  const passed = JSON.parse(value) as Omit<LoadedManifest, 'models'> & { models: PassedModel[] };
  return { ...passed, models: passed.models.map((m) => ({ ...m, spec: buildManifestSpec(m.entry, m, m.signature, m.rateRps) })) };
}

/** The manifest this process serves (from SPLITBENCH_MANIFEST), read once; null when none is set. */
export function activeManifest(): LoadedManifest | null {
  const value = process.env[MANIFEST_ENV];
  if (!value) return null;
  if (cached?.value !== value) {
    const manifest = value.startsWith('{') ? fromPassed(value) : readManifest(value);
    cached = { value, manifest, specs: manifest.models.map((m) => m.spec) };
  }
  return cached.manifest;
}

/** Model specs of the active manifest (none without one). */
export function activeManifestSpecs(): ModelSpec[] {
  return activeManifest() ? cached!.specs : [];
}

/** Reads and checks a manifest, and makes it the one this process and every process it starts serve. */
export function useManifest(path: string): LoadedManifest {
  const manifest = readManifest(resolve(path));
  const models: PassedModel[] = manifest.models.map(({ spec: _spec, ...passed }) => passed);
  const value = JSON.stringify({ ...manifest, models });
  process.env[MANIFEST_ENV] = value;
  cached = { value, manifest, specs: manifest.models.map((m) => m.spec) };
  return manifest;
}
