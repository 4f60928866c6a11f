import { builtinModels } from './catalog.js';
import { writeBuiltinManifestCache } from './manifest/builtin-manifest.js';
import { ManifestError } from './manifest/read-manifest.js';
import { defaultStoreDir } from './paths.js';
import { prepareStore } from './publish.js';
import { ModelFileError } from './store.js';

// Run by `npm run build`: validates the built-in manifest (cached for servers) and puts version 1 of
// every built-in model into the store, so servers start offline.
try {
  writeBuiltinManifestCache();
  const store = defaultStoreDir();
  const written = prepareStore(store, builtinModels());
  console.log(`model store ${store}: ${written.length} file(s) written, ${builtinModels().length - written.length} already present`);
} catch (error) {
  console.error(error instanceof ModelFileError || error instanceof ManifestError ? `splitbench: ${error.message}` : error);
  process.exitCode = 1;
}
