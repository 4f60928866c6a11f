import { writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from 'simple-statistics';
import { findModel } from '../../../models/catalog.js';
import { loadModel, type LoadedModel } from '../../../models/runtime.js';
import { resolveRuntime } from '../../../models/runtimes.js';
import type { CellJob, CellLine } from './cell-protocol.js';

// Child process of the library experiment: loads each step's model on its runtime, in order, into
// this ONE process (all stay loaded), then runs each once (outputs to files) and times bare calls.
// argv: <job JSON>. Prints one JSON line per event, so a crash still leaves what happened before it.
const job = JSON.parse(process.argv[2]!) as CellJob;
const MIN_RUNS = 10;

/** Writes one line of the protocol synchronously, so it survives a crash right after. */
function emit(line: CellLine): void {
  writeSync(1, `${JSON.stringify(line)}\n`);
}

/** Loads every step in order; a failed step is reported and the others still go on. */
async function loadSteps(): Promise<(LoadedModel | null)[]> {
  const loaded: (LoadedModel | null)[] = [];
  for (const [index, step] of job.steps.entries()) {
    try {
      const model = await loadModel(findModel(step.model)!, job.storeDir, findModel(step.model)!.initialVersion, job.threads, 2, resolveRuntime(step.runtime));
      loaded.push(model);
      emit({ event: 'loaded', index, loadMs: model.loadMs });
    } catch (error) {
      loaded.push(null);
      emit({ event: 'load-failed', index, error: String((error as Error)?.message ?? error).split('\n')[0]! });
    }
  }
  return loaded;
}

/** Runs the sample once (outputs to files, for the parent to compare) then times bare calls within a budget. */
async function measure(index: number, model: LoadedModel): Promise<void> {
  const inputs = model.spec.sampleInputs(1);
  try {
    const outputs = await model.run(inputs);
    const files = outputs.map((tensor, k) => {
      const file = join(job.outDir, `${job.id}-${index}-${k}.bin`);
      writeFileSync(file, new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
      return { name: tensor.name, datatype: tensor.datatype, file };
    });
    const budgetEndsAt = performance.now() + job.iterations * 5;
    const durations: number[] = [];
    while (durations.length < job.iterations && (durations.length < MIN_RUNS || performance.now() < budgetEndsAt)) {
      const started = performance.now();
      await model.run(inputs);
      durations.push(performance.now() - started);
    }
    // Every timed call goes to the parent too: its intervals resample them.
    emit({ event: 'ran', index, outputs: files, medianMs: median(durations), runs: durations.length, durationsMs: durations });
  } catch (error) {
    emit({ event: 'run-failed', index, error: String((error as Error)?.message ?? error).split('\n')[0]! });
  }
}

const models = await loadSteps();
for (const [index, model] of models.entries()) if (model) await measure(index, model);
for (const model of models) await model?.release();
emit({ event: 'done' });
