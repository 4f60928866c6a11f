import { useManifest } from '../../models/manifest/active-manifest.js';
import { ManifestError, type LoadedManifest } from '../../models/manifest/read-manifest.js';

/** What reading `--manifest F` gave: the manifest (made the active one), or null with its problems. */
export interface ManifestOption {
  manifest: LoadedManifest | null;
  /** Each problem of the manifest, prefixed `--manifest: ` so it reads among the command's other problems. */
  problems: string[];
}

/**
 * Reads and checks `--manifest F` and makes it the one this process and every server it starts
 * serve; absent (undefined) gives no manifest and no problems, so the built-in models serve.
 */
export function readManifestOption(path: string | undefined): ManifestOption {
  if (path === undefined) return { manifest: null, problems: [] };
  try {
    return { manifest: useManifest(path), problems: [] };
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error;
    return { manifest: null, problems: error.problems.map((problem) => `--manifest: ${problem}`) };
  }
}
