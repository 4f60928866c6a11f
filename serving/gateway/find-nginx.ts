import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where Debian and source builds put nginx, searched after PATH (sbin is often missing from a user's PATH). */
const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin', '/sbin'];

/** Absolute path of the nginx binary (SPLITBENCH_NGINX overrides the search), or null when it is not installed. */
export function findNginx(): string | null {
  const override = process.env.SPLITBENCH_NGINX;
  const candidates = override ? [override] : [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS].map((dir) => join(dir, 'nginx'));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}
