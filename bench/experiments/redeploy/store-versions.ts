import { rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { findModel } from '../../../models/catalog.js';
import { publishVersion } from '../../../models/publish.js';
import { listVersions, modelPath, type ModelFileInfo } from '../../../models/store.js';

/** Versions the experiment publishes, remembered so the store can be put back as it was. */
export interface PublishedVersions {
  publish(model: string, corrupt: boolean): ModelFileInfo;
  /** Newest version of a model in the store that was not published corrupt (what a fresh topology should serve). */
  latestGood(model: string): number;
  /** Removes every version this experiment added. */
  removeAll(): void;
}

/** Publishes new versions into the store and removes exactly those at the end (servers default to the latest). */
export function trackPublishedVersions(storeDir: string): PublishedVersions {
  const added: string[] = [];
  const corrupted = new Set<string>();
  return {
    publish(model, corrupt) {
      const spec = findModel(model);
      if (!spec) throw new Error(`unknown model "${model}"`);
      const before = new Set(listVersions(storeDir, model));
      const info = publishVersion(storeDir, spec, { corrupt });
      if (!before.has(info.version)) added.push(dirname(info.path));
      if (corrupt) corrupted.add(`${model}/${info.version}`);
      return info;
    },
    latestGood(model) {
      const good = listVersions(storeDir, model).filter((v) => !corrupted.has(`${model}/${v}`));
      if (good.length === 0) throw new Error(`model "${model}" has no loadable version in the store ${storeDir}`);
      return good.at(-1)!;
    },
    removeAll() {
      for (const dir of added.splice(0)) rmSync(dir, { recursive: true, force: true });
      corrupted.clear();
    },
  };
}

/** File size of a published version (what a process loading it reads). */
export function versionBytes(storeDir: string, model: string, version: number): number {
  return statSync(modelPath(storeDir, model, version)).size;
}
