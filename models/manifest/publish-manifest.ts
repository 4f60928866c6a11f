import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../paths.js';
import { prepareStore } from '../publish.js';
import { modelPath, sha256 } from '../store.js';
import type { LoadedManifest } from './read-manifest.js';

/** The store manifest runs use unless --store is given: apart from the built-in models' store, so a user's "vad" never replaces ours. */
export function manifestStoreDir(): string {
  return join(projectRoot(), 'models', 'store-manifest');
}

/**
 * Publishes version 1 of every manifest model into the store; a model whose stored version 1 is
 * another file (an older manifest, a changed model) is removed first with its later versions.
 */
export function publishManifest(storeDir: string, manifest: LoadedManifest): string[] {
  for (const model of manifest.models) {
    const first = modelPath(storeDir, model.entry.name, 1);
    if (existsSync(first) && sha256(readFileSync(first)) !== model.sha256) rmSync(join(storeDir, model.entry.name), { recursive: true, force: true });
  }
  return prepareStore(storeDir, manifest.models.map((m) => m.spec));
}
