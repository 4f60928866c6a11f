import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { CATALOG, DEFAULT_MODEL_NAMES } from '../../../models/catalog.js';
import { defaultStoreDir } from '../../../models/paths.js';
import { listVersions, modelPath } from '../../../models/store.js';

/** One row of the models table. */
export interface ModelRow {
  name: string;
  version: number | null;
  bytes: number | null;
  inputs: { name: string; datatype: string; shape: number[] }[];
  sloMs: number;
  weightClass: string;
  default: boolean;
}

/** Catalog rows with the newest version and size found in the store (null when not prepared). */
export function listModelRows(storeDir: string): ModelRow[] {
  return CATALOG.map((spec) => {
    const version = listVersions(storeDir, spec.name).at(-1) ?? null;
    let bytes: number | null = null;
    if (version !== null) {
      try {
        bytes = statSync(modelPath(storeDir, spec.name, version)).size;
      } catch {
        bytes = null;
      }
    }
    return {
      name: spec.name,
      version,
      bytes,
      inputs: spec.inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: [...t.shape] })),
      sloMs: spec.sloMs,
      weightClass: spec.weightClass,
      default: DEFAULT_MODEL_NAMES.includes(spec.name),
    };
  });
}

/** Human size (KB/MB, 1 decimal). */
function formatBytes(bytes: number | null): string {
  if (bytes === null) return '-';
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/** Renders rows as an aligned text table. */
export function formatModelTable(rows: ModelRow[]): string {
  const header = ['name', 'version', 'size', 'inputs', 'SLO ms', 'class'];
  const body = rows.map((r) => [
    r.default ? `${r.name} *` : r.name,
    r.version === null ? '-' : String(r.version),
    formatBytes(r.bytes),
    r.inputs.map((t) => `${t.name} ${t.datatype}[${t.shape.join(',')}]`).join(' '),
    String(r.sloMs),
    r.weightClass,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...body.map(line), '', '* = served and measured by default; "-" = not in the store yet (run `npm run build`)'].join('\n');
}

/** Registers `splitbench models`. */
export function registerModelsCommand(program: Command): void {
  program
    .command('models')
    .description('list the model catalog (name, version, size, inputs, SLO, class)')
    .option('--json', 'print the catalog as JSON')
    .option('--store <dir>', 'model store to read versions and sizes from', defaultStoreDir())
    .action((options: { json?: boolean; store: string }) => {
      const rows = listModelRows(options.store);
      process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatModelTable(rows)}\n`);
    });
}
