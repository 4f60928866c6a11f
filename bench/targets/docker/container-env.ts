/**
 * The manifest as a container gets it: the JSON the harness passes to its local children
 * (SPLITBENCH_MANIFEST), with each model's file where the runtime image holds it.
 */
import { MANIFEST_ENV } from '../../../models/manifest/active-manifest.js';
import { modelPath } from '../../../models/store.js';
import { IMAGE_MANIFEST_STORE } from './manifest-image.js';

/** One model of the passed manifest, as far as the rewrite needs it. */
interface PassedModelPaths {
  entry: { name: string };
  path: string;
}

/**
 * SPLITBENCH_MANIFEST for a container: `value` (the harness's JSON) with every model's `path` at
 * version 1 in the image's manifest store; null when the harness serves no manifest.
 */
export function manifestEnvInImage(value: string | undefined = process.env[MANIFEST_ENV], store = IMAGE_MANIFEST_STORE): string | null {
  if (!value) return null;
  if (!value.startsWith('{')) throw new Error(`${MANIFEST_ENV} is a path (${value}); containers take the checked manifest as JSON: pass --manifest so the harness checks it`);
  const passed = JSON.parse(value) as { path: string; models: PassedModelPaths[] };
  return JSON.stringify({ ...passed, models: passed.models.map((model) => ({ ...model, path: modelPath(store, model.entry.name, 1) })) });
}

/** A container's environment (KEY=value): the planned process's, plus the manifest when there is one. */
export function containerEnv(env: Record<string, string>, manifestEnv: string | null | undefined): string[] {
  const entries = Object.entries(env).map(([key, value]) => `${key}=${value}`);
  return manifestEnv ? [...entries, `${MANIFEST_ENV}=${manifestEnv}`] : entries;
}
