import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { builtinModels, defaultModelNames } from '../../../models/catalog.js';
import { defaultStoreDir } from '../../../models/paths.js';
import { listVersions, modelPath } from '../../../models/store.js';
import { checkManifest, type CheckedModel } from '../../../models/manifest/check-manifest.js';
import { initManifest } from '../../../models/manifest/init-manifest.js';
import { ManifestError, readManifest } from '../../../models/manifest/read-manifest.js';
import { UsageError } from '../errors.js';

/** One row of the models table. */
export interface ModelRow {
  name: string;
  version: number | null;
  bytes: number | null;
  inputs: { name: string; datatype: string; shape: number[] }[];
  sloMs: number;
  weightClass: string;
  /** Requests per second in the traffic mix. */
  rateRps: number;
  default: boolean;
}

/** Catalog rows with the newest version and size found in the store (null when not prepared). */
export function listModelRows(storeDir: string): ModelRow[] {
  return builtinModels().map((spec) => {
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
      rateRps: spec.rateRps,
      default: defaultModelNames().includes(spec.name),
    };
  });
}

/** Human size (KB/MB, 1 decimal). */
function formatBytes(bytes: number | null): string {
  if (bytes === null) return '-';
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/** Aligns a header and rows of cells into text columns. */
function alignColumns(header: string[], body: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...body.map(line)];
}

/** Renders rows as an aligned text table. */
export function formatModelTable(rows: ModelRow[]): string {
  const header = ['name', 'version', 'size', 'inputs', 'SLO ms', 'class', 'rate req/s'];
  const body = rows.map((r) => [
    r.default ? `${r.name} *` : r.name,
    r.version === null ? '-' : String(r.version),
    formatBytes(r.bytes),
    r.inputs.map((t) => `${t.name} ${t.datatype}[${t.shape.join(',')}]`).join(' '),
    String(r.sloMs),
    r.weightClass,
    String(r.rateRps),
  ]);
  return [...alignColumns(header, body), '', '* = served and measured by default; "-" = not in the store yet (run `npm run build`); models/builtin.yaml defines them'].join('\n');
}

/** Prints `models check` rows as an aligned table. */
function formatCheckTable(rows: CheckedModel[]): string {
  const header = ['name', 'file', 'sha256', 'runtime', 'inputs', 'load ms', 'run ms', 'outputs'];
  const body = rows.map((r) => [r.name, r.file, r.sha256.slice(0, 12), r.runtime, r.inputs, r.loadMs.toFixed(0), r.runMs.toFixed(2), r.outputs]);
  return alignColumns(header, body).join('\n');
}

/** A ManifestError as the CLI's usage error (exit 2), each problem on its own line. */
function asUsageError(error: unknown): unknown {
  return error instanceof ManifestError ? new UsageError(error.problems, error.hint) : error;
}

/** Registers `splitbench models`, `models init DIR` and `models check`. */
export function registerModelsCommand(program: Command): void {
  const models = program
    .command('models')
    .description('list the model catalog (name, version, size, inputs, SLO, class); `models init` and `models check` for your own models')
    .option('--json', 'print the catalog as JSON')
    .option('--store <dir>', 'model store to read versions and sizes from', defaultStoreDir())
    .action((options: { json?: boolean; store: string }) => {
      const rows = listModelRows(options.store);
      process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatModelTable(rows)}\n`);
    });
  models
    .command('init')
    .description('write a starter manifest (splitbench.yaml) from a folder of .onnx files, measuring each once; every guess is marked for review')
    .argument('<dir>', 'folder with your .onnx files')
    .option('--out <file>', 'manifest to write (default: DIR/splitbench.yaml)')
    .option('--force', 'overwrite an existing manifest')
    .action(async (dir: string, options: { out?: string; force?: boolean }) => {
      const out = resolve(options.out ?? join(dir, 'splitbench.yaml'));
      if (existsSync(out) && !options.force) throw new UsageError([`${out} already exists; pass --force to overwrite it, or --out to write elsewhere`]);
      try {
        const { text, models: found } = await initManifest(dir, dirname(out));
        writeFileSync(out, text);
        process.stdout.write(`wrote ${out}: ${found.map((m) => `${m.name} (${m.medianMs.toFixed(2)} ms, ${m.weightClass})`).join(', ')}\nreview the lines marked "guess", then: splitbench models check --manifest ${relative(process.cwd(), out).startsWith('..') ? out : relative(process.cwd(), out)}\n`);
      } catch (error) {
        throw asUsageError(error);
      }
    });
  models
    .command('check')
    .description('validate a manifest, load every model on its runtime and run one request of its inputs')
    .option('--manifest <file>', 'the manifest', 'splitbench.yaml')
    .option('--json', 'print the table as JSON')
    .action(async (options: { manifest: string; json?: boolean }) => {
      try {
        const rows = await checkManifest(readManifest(options.manifest));
        // `--json` after the subcommand may land on `models` itself, which has the same option.
        process.stdout.write(options.json || models.opts<{ json?: boolean }>().json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatCheckTable(rows)}\n${rows.length} model(s) load and answer as the manifest says\n`);
      } catch (error) {
        throw asUsageError(error);
      }
    });
}
