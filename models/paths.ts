import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: the nearest folder above this file with a package.json (works from src and dist). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('splitbench: cannot find the project root (no package.json above the code)');
    dir = parent;
  }
  return dir;
}

/** Default model store, created by `npm run build` (git-ignored). */
export function defaultStoreDir(): string {
  return process.env.SPLITBENCH_STORE ?? join(projectRoot(), 'models', 'store');
}

/** Compiled JavaScript entry point of a module, by its path relative to the project root without extension. */
export function compiledEntry(relativeModule: string): string {
  return join(projectRoot(), 'dist', `${relativeModule}.js`);
}
