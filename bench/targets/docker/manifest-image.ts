/**
 * A runtime image for a user's manifest: the same contents as the built-in one plus version 1 of
 * every manifest model in the model-repository layout under /app/models/store-manifest, in a
 * repository of its own and labelled with its model set, so it is never taken for the built-in image.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { publishManifest } from '../../../models/manifest/publish-manifest.js';
import type { LoadedManifest } from '../../../models/manifest/read-manifest.js';

/** Where an image holds the manifest's models (`<store>/<model>/1/model.onnx`). */
export const IMAGE_MANIFEST_STORE = '/app/models/store-manifest';
/** Repository of images that carry a manifest's models (the built-in image is `splitbench-runtime`). */
export const MANIFEST_IMAGE_REPOSITORY = 'splitbench-manifest-runtime';
/** Image label: the model set the image carries (`builtin`, or a hash of the manifest's names and file hashes). */
export const IMAGE_MODEL_SET_LABEL = 'splitbench.model-set';
/** Image label: the names of the manifest models the image carries ('' for the built-in image). */
export const IMAGE_MODELS_LABEL = 'splitbench.models';

/** The model set of a manifest: its names and an id over each name and sha256 (external data included by the staged files' hash). */
export function manifestModelSet(manifest: LoadedManifest): { id: string; names: string[] } {
  const names = manifest.models.map((m) => m.entry.name);
  const id = createHash('sha256').update(manifest.models.map((m) => `${m.entry.name}=${m.sha256}`).join('\n')).digest('hex').slice(0, 16);
  return { id, names };
}

/** Publishes the manifest's models into `<stage>/app/models/store-manifest`; returns that folder relative to the stage. */
export function stageManifestStore(stage: string, manifest: LoadedManifest): string {
  const inStage = IMAGE_MANIFEST_STORE.slice(1);
  publishManifest(join(stage, inStage), manifest);
  return inStage;
}
