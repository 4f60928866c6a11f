import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareStore } from '../publish.js';
import { describeModelFile } from '../store.js';
import { loadModel } from '../runtime.js';
import { resolveRuntime } from '../runtimes.js';
import { ManifestError, type LoadedManifest } from './read-manifest.js';

/** What one request of each model did when its manifest was checked. */
export interface CheckedModel {
  name: string;
  file: string;
  sha256: string;
  bytes: number;
  runtime: string;
  inputs: string;
  loadMs: number;
  runMs: number;
  outputs: string;
}

/** Publishes every manifest model into a scratch store, loads each on its runtime as a server would, and runs one request of its inputs. */
export async function checkManifest(manifest: LoadedManifest): Promise<CheckedModel[]> {
  const store = mkdtempSync(join(tmpdir(), 'splitbench-check-'));
  const problems: string[] = [];
  const rows: CheckedModel[] = [];
  try {
    prepareStore(store, manifest.models.map((m) => m.spec));
    for (const model of manifest.models) {
      const runtime = resolveRuntime(model.entry.runtime);
      try {
        const loaded = await loadModel(model.spec, store, 1, undefined, 0, runtime);
        try {
          const started = performance.now();
          const outputs = await loaded.run(model.spec.sampleInputs(1));
          const runMs = performance.now() - started;
          outputs.forEach((output, i) => {
            const declared = model.spec.outputs[i]!;
            if (output.datatype !== declared.datatype || output.shape.join(',') !== declared.shape.join(',')) {
              problems.push(`model "${model.entry.name}": output "${declared.name}" came back ${output.datatype} [${output.shape.join(', ')}], the manifest says ${declared.datatype} [${declared.shape.join(', ')}]; put what the model returns for the inputs you send`);
            }
          });
          const published = describeModelFile(store, model.entry.name, 1);
          rows.push({
            name: model.entry.name, file: model.source, sha256: published.sha256, bytes: published.bytes, runtime: runtime.name,
            inputs: model.spec.inputs.map((t) => `${t.name} ${t.datatype}[${t.shape.join(',')}]`).join(' '),
            loadMs: loaded.loadMs, runMs,
            outputs: outputs.map((t) => `${t.name} ${t.datatype}[${t.shape.join(',')}]`).join(' '),
          });
        } finally {
          await loaded.release();
        }
      } catch (error) {
        problems.push(`model "${model.entry.name}" (${model.source}): ${(error as Error).message.split('\n')[0]}`);
      }
    }
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
  if (problems.length > 0) throw new ManifestError(problems);
  return rows;
}
