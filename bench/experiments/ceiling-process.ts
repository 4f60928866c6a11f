import { performance } from 'node:perf_hooks';
import { mean, median } from 'simple-statistics';
import { findModel } from '../../models/catalog.js';
import { loadModel } from '../../models/runtime.js';

// Child process: bare session.run of each model, no HTTP, on the CPU set the servers get.
// argv: <storeDir> <iterations> <intraOp> <interOp> <model>...; prints one JSON line { model: { meanMs, medianMs } }.
const [storeDir, iterationsArg, intraArg, interArg, ...models] = process.argv.slice(2);
const iterations = Number(iterationsArg);
const MIN_RUNS = 20;
const result: Record<string, { meanMs: number; medianMs: number }> = {};
for (const name of models) {
  const spec = findModel(name);
  if (!spec) throw new Error(`unknown model ${name}`);
  const model = await loadModel(spec, storeDir!, spec.initialVersion, { intraOpThreads: Number(intraArg), interOpThreads: Number(interArg) });
  const inputs = spec.sampleInputs(1);
  // Heavy models stop at a time budget (5 ms per asked iteration, at least MIN_RUNS runs): a ceiling
  // needs a stable mean, not hundreds of 45 ms runs.
  const budgetEndsAt = performance.now() + iterations * 5;
  const durations: number[] = [];
  while (durations.length < iterations && (durations.length < MIN_RUNS || performance.now() < budgetEndsAt)) {
    const started = performance.now();
    await model.run(inputs);
    durations.push(performance.now() - started);
  }
  result[name] = { meanMs: mean(durations), medianMs: median(durations) };
  await model.release();
}
process.stdout.write(`${JSON.stringify(result)}\n`);
