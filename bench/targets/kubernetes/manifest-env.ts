/**
 * A user's manifest in Kubernetes objects: every container gets SPLITBENCH_MANIFEST (the checked
 * manifest as JSON, file paths inside the image), inline when it is small, else from a ConfigMap.
 */
import { ConfigMap } from 'kubernetes-models/v1';
import { MANIFEST_ENV } from '../../../models/manifest/active-manifest.js';

/** Largest manifest JSON passed inline as an env value; a larger one goes into the ConfigMap. */
export const INLINE_MANIFEST_LIMIT_BYTES = 8 * 1024;
/** Name of the ConfigMap holding a large manifest, and its key. */
export const MANIFEST_CONFIGMAP = 'splitbench-manifest';
export const MANIFEST_CONFIGMAP_KEY = 'manifest.json';

/** What the pods of a manifest run need: the JSON and where the image holds the models. */
export interface PodManifest {
  /** SPLITBENCH_MANIFEST value: the checked manifest as JSON, paths inside the image. */
  env: string;
  /** The model store inside the image (the pods' --store). */
  store: string;
  /** Names of the manifest's models (for the header note). */
  models: string[];
}

/** A container env entry: a literal value or a reference to a ConfigMap key. */
export type EnvEntry = { name: string; value: string } | { name: string; valueFrom: { configMapKeyRef: { name: string; key: string } } };

/** True when the manifest is too large to pass inline. */
export function needsConfigMap(manifest: PodManifest): boolean {
  return Buffer.byteLength(manifest.env, 'utf8') > INLINE_MANIFEST_LIMIT_BYTES;
}

/** The SPLITBENCH_MANIFEST env entry of every container. */
export function manifestEnvEntry(manifest: PodManifest): EnvEntry {
  if (!needsConfigMap(manifest)) return { name: MANIFEST_ENV, value: manifest.env };
  return { name: MANIFEST_ENV, valueFrom: { configMapKeyRef: { name: MANIFEST_CONFIGMAP, key: MANIFEST_CONFIGMAP_KEY } } };
}

/** The ConfigMap holding a large manifest in a namespace. */
export function manifestConfigMap(manifest: PodManifest, namespace: string, runId: string): ConfigMap {
  return new ConfigMap({
    metadata: { name: MANIFEST_CONFIGMAP, namespace, labels: { 'app.kubernetes.io/name': 'splitbench', 'splitbench.run': runId } },
    data: { [MANIFEST_CONFIGMAP_KEY]: manifest.env },
  });
}

/** Header lines of every file of a manifest run: the models come from the image, which must carry them. */
export function manifestNote(manifest: PodManifest, image: string): string {
  return `# models from your manifest (${manifest.models.join(', ')}), served from ${manifest.store}: the model files must be in the image ${image}; build it with \`splitbench image build --manifest F\` and pass its tag as --image\n`;
}
