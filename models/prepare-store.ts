import { CATALOG } from './catalog.js';
import { defaultStoreDir } from './paths.js';
import { prepareStore } from './publish.js';
import { ModelFileError } from './store.js';

// Run by `npm run build`: puts version 1 of every catalog model into the store, so servers start offline.
try {
  const store = defaultStoreDir();
  const written = prepareStore(store, CATALOG);
  console.log(`model store ${store}: ${written.length} file(s) written, ${CATALOG.length - written.length} already present`);
} catch (error) {
  console.error(error instanceof ModelFileError ? `splitbench: ${error.message}` : error);
  process.exitCode = 1;
}
