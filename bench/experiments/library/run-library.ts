import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findModel } from '../../../models/catalog.js';
import { prepareStore } from '../../../models/publish.js';
import { DEFAULT_RUNTIME_NAME, describeRuntime, RUNTIMES } from '../../../models/runtimes.js';
import type { RunConfig } from '../../config/run-config.js';
import { isTasksetAvailable } from '../../load/generator-client.js';
import type { CohostingCell, CompatibilityCell } from '../../results/schema.js';
import { TIE_TOLERANCE } from '../compare-topologies.js';
import { throwIfInterrupted, type ExperimentContext } from '../context.js';
import { compareOutputs, OUTPUT_TOLERANCE } from './compare-outputs.js';
import { deriveConsequences, isUsable, SAME_SPEED_FLOOR_MS, SAME_SPEED_MARGIN } from './consequences.js';
import { compareLibrary } from './library-comparisons.js';
import { runCell, type CellOptions, type StepOutputs } from './run-cell.js';
import { cellKey, type CellSamples } from './summed-latency.js';

/** The synthetic model that needs a newer opset than the oldest runtime: always part of the experiment. */
export const OPSET_NEW_MODEL = 'rms-norm';
// Wall time of one cell process measured here: node start, runtime and model load (~200 ms), then
// bare runs within a budget of 5 ms per iteration (heavy models use it all, light ones a tenth).
const CELL_START_MS = 200;
const CELL_MS_PER_ITERATION = { heavy: 5, light: 0.5 } as const;

/** Expected wall time of one compatibility cell of a model, for the progress plan. */
function estimateCellMs(config: RunConfig, model: string): number {
  return CELL_START_MS + config.settings.throughput.ceilingIterations * CELL_MS_PER_ITERATION[findModel(model)?.weightClass === 'heavy' ? 'heavy' : 'light'];
}

/** Models the library experiment measures: the run's models plus the opset-new synthetic one. */
export function libraryModels(config: RunConfig): string[] {
  return [...new Set([...config.models, OPSET_NEW_MODEL])];
}

/** Expected duration of the experiment (compatibility cells + ordered co-hosting pairs), in progress units. */
export function estimateLibraryMs(config: RunConfig): number {
  const compatibility = libraryModels(config).reduce((sum, model) => sum + RUNTIMES.length * estimateCellMs(config, model), 0);
  return compatibility + RUNTIMES.length * (RUNTIMES.length - 1) * CELL_START_MS;
}

/** How cells are started: the run's store, thread budget and server CPUs. */
function cellOptions(ctx: ExperimentContext, outDir: string): CellOptions {
  const { config } = ctx;
  return {
    storeDir: ctx.storeDir,
    outDir,
    threads: { intraOpThreads: config.threads.intraOpThreads, interOpThreads: config.threads.interOpThreads },
    iterations: config.settings.throughput.ceilingIterations,
    cpus: config.cpus.servers && isTasksetAvailable() ? config.cpus.servers : null,
  };
}

/** Why a cell's process ended without reporting, when it did. */
function describeExit(exitCode: number | null, signal: string | null, stderrTail: readonly string[]): string {
  return `the cell process ended (${signal ? `signal ${signal}` : `exit code ${exitCode}`}) before reporting${stderrTail.length > 0 ? `: ${stderrTail.at(-1)}` : ''}`;
}

/** Measures every model on every runtime, each in its own process; outputs (for the reference comparison) and per-call durations are kept. */
async function measureCompatibility(ctx: ExperimentContext, models: readonly string[], options: CellOptions): Promise<{ cells: CompatibilityCell[]; outputs: Map<string, StepOutputs[]>; samples: CellSamples }> {
  const cells: CompatibilityCell[] = [];
  const outputs = new Map<string, StepOutputs[]>();
  const samples = new Map<string, number[]>();
  // Model-major, with the runtime order rotated per model: a model's cells run back to back, so
  // load from elsewhere on the machine does not favour whichever runtime happened to run first.
  for (const [index, model] of models.entries()) {
    for (const runtime of [...RUNTIMES.slice(index % RUNTIMES.length), ...RUNTIMES.slice(0, index % RUNTIMES.length)]) {
      throwIfInterrupted(ctx.signal);
      ctx.progress.step(`library · ${model} on ${runtime.name}`);
      const outcome = await runCell([{ model, runtime: runtime.name }], options);
      ctx.progress.tick(estimateCellMs(ctx.config, model));
      const step = outcome.steps[0]!;
      const reported = step.loaded || step.error !== null;
      if (step.outputs) outputs.set(`${model}@${runtime.name}`, step.outputs);
      if (step.durationsMs.length > 0) samples.set(cellKey(model, runtime.name), step.durationsMs);
      cells.push({
        model,
        runtime: runtime.name,
        valid: reported,
        loads: step.loaded,
        error: step.error ?? (reported ? null : describeExit(outcome.exitCode, outcome.signal, outcome.stderrTail)),
        referenceRuntime: null,
        matchesReference: null,
        maxAbsDiff: null,
        loadMs: step.loadMs,
        medianMs: step.medianMs,
        ...(step.runs !== null ? { runs: step.runs } : {}),
      });
    }
  }
  cells.sort((a, b) => RUNTIMES.findIndex((r) => r.name === a.runtime) - RUNTIMES.findIndex((r) => r.name === b.runtime) || models.indexOf(a.model) - models.indexOf(b.model));
  return { cells, outputs, samples };
}

/** Reference runtime of a model: the default runtime when it ran the model, else the newest that did. */
function chooseReference(model: string, outputs: ReadonlyMap<string, StepOutputs[]>): string | null {
  if (outputs.has(`${model}@${DEFAULT_RUNTIME_NAME}`)) return DEFAULT_RUNTIME_NAME;
  return [...RUNTIMES].reverse().find((r) => outputs.has(`${model}@${r.name}`))?.name ?? null;
}

/** Fills each cell's reference comparison in place. */
function judgeOutputs(cells: CompatibilityCell[], outputs: ReadonlyMap<string, StepOutputs[]>): void {
  for (const cell of cells) {
    const reference = chooseReference(cell.model, outputs);
    cell.referenceRuntime = reference;
    const mine = outputs.get(`${cell.model}@${cell.runtime}`);
    if (!reference || !mine) continue;
    const verdict = compareOutputs(mine, outputs.get(`${cell.model}@${reference}`)!);
    cell.matchesReference = verdict.matches;
    cell.maxAbsDiff = verdict.maxAbsDiff;
    if (!verdict.matches) cell.error = `outputs differ from ${reference}: ${verdict.reason}`;
  }
}

/** The model a runtime runs in the co-hosting test: its fastest usable one (cheap, and known to work alone). */
function pickCohostModel(runtime: string, models: readonly string[], cells: readonly CompatibilityCell[]): string | null {
  const usable = cells.filter((c) => c.runtime === runtime && models.includes(c.model) && isUsable(c) && c.medianMs !== null);
  return usable.sort((a, b) => a.medianMs! - b.medianMs!)[0]?.model ?? null;
}

/** Tries every ordered pair of runtimes in one process, for real: first loads and runs, then second. */
async function measureCohosting(ctx: ExperimentContext, models: readonly string[], cells: readonly CompatibilityCell[], outputs: ReadonlyMap<string, StepOutputs[]>, options: CellOptions): Promise<CohostingCell[]> {
  const result: CohostingCell[] = [];
  for (const first of RUNTIMES) {
    for (const second of RUNTIMES) {
      if (first === second) continue;
      throwIfInterrupted(ctx.signal);
      ctx.progress.step(`library · ${first.name} + ${second.name} in one process`);
      const firstModel = pickCohostModel(first.name, models, cells);
      const secondModel = pickCohostModel(second.name, models, cells);
      const base = { first: first.name, second: second.name, firstModel, secondModel };
      if (!firstModel || !secondModel) {
        result.push({ ...base, coexist: null, firstOk: false, secondOk: false, exitCode: null, signal: null, error: `not tried: ${!firstModel ? first.name : second.name} runs none of the models` });
        ctx.progress.tick(CELL_START_MS);
        continue;
      }
      const outcome = await runCell([{ model: firstModel, runtime: first.name }, { model: secondModel, runtime: second.name }], options);
      ctx.progress.tick(CELL_START_MS);
      const ok = (index: number, model: string): { ok: boolean; error: string | null } => {
        const step = outcome.steps[index]!;
        if (step.loaded && !step.outputs && !outcome.completed) return { ok: false, error: `${model} on ${outcome.steps[index]!.step.runtime} loaded, then ${describeExit(outcome.exitCode, outcome.signal, outcome.stderrTail)} (steps loaded: ${outcome.steps.filter((s) => s.loaded).length} of 2)` };
        if (!step.loaded || !step.outputs) return { ok: false, error: step.error ?? (outcome.completed ? 'did not run' : describeExit(outcome.exitCode, outcome.signal, outcome.stderrTail)) };
        const reference = outputs.get(`${model}@${chooseReference(model, outputs)}`);
        const verdict = reference ? compareOutputs(step.outputs, reference) : { matches: true, reason: null };
        return verdict.matches ? { ok: true, error: null } : { ok: false, error: `${model} answered wrongly: ${verdict.reason}` };
      };
      const a = ok(0, firstModel);
      const b = ok(1, secondModel);
      const crashed = !outcome.completed ? describeExit(outcome.exitCode, outcome.signal, outcome.stderrTail) : null;
      result.push({ ...base, coexist: a.ok && b.ok && crashed === null, firstOk: a.ok, secondOk: b.ok, exitCode: outcome.exitCode, signal: outcome.signal, error: a.error ?? b.error ?? crashed });
    }
  }
  return result;
}

/** What the library section says about how its numbers were obtained. */
function describeMethod(ctx: ExperimentContext, models: readonly string[]): string[] {
  return [
    `runtimes: ${RUNTIMES.map((r) => `${r.name} = ${r.packageName}@${describeRuntime(r).version}`).join(', ')}; each is an npm alias of onnxruntime-node installed by \`npm ci\` with install scripts skipped (the CPU binaries ship in the package); the default (every other experiment's) is ${DEFAULT_RUNTIME_NAME}`,
    `models: ${models.join(', ')}; ${OPSET_NEW_MODEL} is a synthetic model written by splitbench's ONNX writer that needs opset 23 (RMSNormalization, IR version 11), so runtimes older than onnxruntime 1.23 cannot load it`,
    `compatibility matrix: every model × runtime cell runs in its own fresh child process, a model's cells back to back with the runtime order rotated per model (${ctx.config.cpus.servers ? `pinned to the server CPUs ${ctx.config.cpus.servers.join(',')}` : 'unpinned'}, ${ctx.config.threads.intraOpThreads} intra-op / ${ctx.config.threads.interOpThreads} inter-op thread): load + 2 warm-up runs, one run of the sample input whose outputs are compared, then bare session.run calls (up to ${ctx.config.settings.throughput.ceilingIterations}, heavy models stop at a time budget after 10); latency is their median`,
    `outputs match when every element satisfies |output − reference| ≤ ${OUTPUT_TOLERANCE.abs} + ${OUTPUT_TOLERANCE.rel}·|reference| (INT64 exactly), on the same seeded input; the reference is ${DEFAULT_RUNTIME_NAME} when it loads the model, else the newest runtime that does`,
    'co-hosting matrix: for every ordered pair, ONE child process loads the row runtime with its fastest usable model, then the column runtime with its fastest usable model (both stay loaded), then runs both and compares them with the reference; a pair co-hosts when both answered correctly and the process exited cleanly. Tried, never assumed; the load order matters (the first shared library loaded wins)',
    `consequences: the monolith must run every model on one runtime, or on two runtimes that co-host (sets of three were not tried); of those options it takes the one losing the least summed per-call latency. Microservices run each model on its fastest usable runtime. A model "loses its best runtime" when the monolith's runtime is both more than ${SAME_SPEED_MARGIN * 100}% and more than ${SAME_SPEED_FLOOR_MS} ms per call slower for it (bare medians move that much between runs, and smaller differences vanish under one request's serving overhead); the latency-lost figures are the raw differences`,
    '"one model needs runtime X": in the monolith every model moves to X, so all are re-validated and the one process restarts (every model goes down with it); in microservices only that model\'s service is re-validated and restarted',
    `verdict rows: bare latency is measured on both sides (each side's per-call medians from the compatibility matrix, summed over models, on the runtimes that side runs them on; intervals bootstrapped over the per-call samples; within ${TIE_TOLERANCE * 100}% a tie); models losing their best runtime, models to re-validate and processes to restart are counted from the deployment plan, not sampled`,
  ];
}

/**
 * The library experiment: what does one shared runtime cost? Compatibility matrix model × runtime,
 * co-hosting matrix runtime × runtime, and what they imply for each topology.
 */
export async function runLibraryExperiment(ctx: ExperimentContext): Promise<void> {
  const models = libraryModels(ctx.config);
  prepareStore(ctx.storeDir, models.map((name) => findModel(name)!));
  const outDir = mkdtempSync(join(tmpdir(), 'splitbench-library-'));
  try {
    ctx.recorder.updateSection('library', (s) => {
      s.runtimes = RUNTIMES.map(describeRuntime);
      s.tolerance = { ...OUTPUT_TOLERANCE };
      s.notes.push(...describeMethod(ctx, models));
    });
    const options = cellOptions(ctx, outDir);
    const { cells, outputs, samples } = await measureCompatibility(ctx, models, options);
    judgeOutputs(cells, outputs);
    ctx.recorder.updateSection('library', (s) => s.results.push(...cells));
    const cohosting = await measureCohosting(ctx, models, cells, outputs, options);
    const consequences = deriveConsequences(models, RUNTIMES.map((r) => r.name), cells, cohosting);
    ctx.recorder.updateSection('library', (s) => {
      s.cohosting = cohosting;
      s.consequences = consequences;
      s.comparisons = compareLibrary(consequences, ctx.config.variants, samples, ctx.config.seed);
      s.status = 'complete';
      s.finishedAt = new Date().toISOString();
    });
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
