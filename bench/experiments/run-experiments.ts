import { randomUUID } from 'node:crypto';
import { findModel } from '../../models/catalog.js';
import { describeModelFile, latestVersion } from '../../models/store.js';
import type { RunConfig } from '../config/run-config.js';
import { isTasksetAvailable, LoadGenerator } from '../load/generator-client.js';
import { checkCgroupV1 } from '../targets/local/cgroup-v1.js';
import type { RunningTopology, Target } from '../targets/types.js';
import { fingerprintEnvironment, readOwnVersion } from '../results/environment.js';
import { RunRecorder } from '../results/run-recorder.js';
import { SCHEMA_VERSION, type ExperimentName, type RunResults } from '../results/schema.js';
import { measureBareInference, type BareInferenceMs } from './ceiling.js';
import { compareAll } from './compare-topologies.js';
import { RunInterruptedError, throwIfInterrupted, type ExperimentContext } from './context.js';
import { estimateSteps } from './estimate.js';
import { computeMarginalCosts, measureScaling } from './footprint.js';
import { runSession, type SessionResults } from './measure-session.js';
import { deriveInterference, FOOTPRINT_METRICS, interferenceMetrics, latencyMetrics, THROUGHPUT_METRICS } from './metrics.js';
import { recordPhases, trackProgress, type Progress } from './progress.js';
import { formatWallTime, summarizeExperiment } from './experiment-summary.js';
import { trackTimeLeft } from './time-left.js';
import { estimateFaultMs, faultSpecExtras, finishFaultExperiment, runFaultSessions, runFaultWindows } from './fault.js';
import { estimateRedeployMs, runRedeployExperiment } from './redeploy.js';
import { estimateDiagnoseMs, runDiagnoseExperiment } from './diagnose/diagnose.js';
import { estimateLibraryMs, runLibraryExperiment } from './library/run-library.js';

/** How a run is driven: where topologies start, how progress shows, what interrupts it. */
export interface RunDriver {
  target: Target;
  progress: Progress;
  signal: AbortSignal;
  storeDir: string;
  command: string;
}

/** The results skeleton: environment, config, models, and no experiment yet. */
function createResults(config: RunConfig, storeDir: string, command: string): RunResults {
  const cgroup = checkCgroupV1();
  const environment = fingerprintEnvironment(
    { servers: config.cpus.servers, generator: config.cpus.generator, tasksetApplied: isTasksetAvailable() && config.cpus.servers !== null },
    cgroup.available ? { mechanism: 'cgroup-v1', detail: 'memory limits (leak fault) enforced by cgroup v1 memory.limit_in_bytes' } : { mechanism: 'watchdog', detail: `cgroup v1 unavailable (${cgroup.reason}); servers enforce memory limits with their own RSS watchdog` },
  );
  if (config.gateway) environment.gateway = { ...config.gateway };
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'splitbench', version: readOwnVersion() },
    runId: randomUUID(),
    status: 'running',
    startedAt: new Date().toISOString(),
    command,
    environment,
    config: JSON.parse(JSON.stringify(config)) as Record<string, unknown>,
    models: config.models.map((name) => {
      const spec = findModel(name)!;
      const file = describeModelFile(storeDir, name, latestVersion(storeDir, name));
      return { name, version: file.version, sha256: file.sha256, bytes: file.bytes, sloMs: spec.sloMs, weightClass: spec.weightClass };
    }),
    experiments: {},
    phases: [],
    thresholds: [],
  };
}

/** Marks every still-running section as partial (interrupted) or failed. */
function closeOpenSections(recorder: RunRecorder, status: 'partial' | 'failed', error?: string): void {
  for (const section of Object.values(recorder.results.experiments)) {
    if (section && section.status === 'running') {
      section.status = status;
      section.finishedAt = new Date().toISOString();
      if (error) section.error = error;
    }
  }
}

/** Opens an experiment's section in results.json. */
function openSection(recorder: RunRecorder, name: ExperimentName): void {
  const base = { status: 'running' as const, startedAt: new Date().toISOString(), comparisons: [], notes: [], results: [] };
  if (name === 'footprint') recorder.startSection(name, { ...base, scaling: [], marginal: [] });
  else if (name === 'fault') recorder.startSection(name, { ...base, isolationMatrix: [], isolationScores: [] });
  else if (name === 'library') recorder.startSection(name, { ...base, runtimes: [], cohosting: [] });
  else recorder.startSection(name, base);
}

/**
 * Whether the fault windows ride on the measurement sessions: when the run measures latency,
 * throughput or footprint with at least as many trials as the fault experiment has, the last
 * sessions of each variant go on with the fault windows instead of starting the topology again.
 */
function faultRidesOnSessions(config: RunConfig): boolean {
  return config.experiments.includes('fault') && hasMeasurementSessions(config) && config.settings.fault.trials <= config.trials;
}

/** Whether the run measures latency, throughput or footprint: those share one session per trial and variant. */
function hasMeasurementSessions(config: RunConfig): boolean {
  return config.experiments.some((name) => name === 'latency' || name === 'throughput' || name === 'footprint');
}

/** Runs the trials of latency, throughput and footprint, interleaving topologies A B A B (and the fault windows in the last ones). */
async function runMeasurementTrials(ctx: ExperimentContext, bare: BareInferenceMs): Promise<void> {
  const { config, recorder } = ctx;
  const hostsFault = faultRidesOnSessions(config);
  // Every session is started alike (fault hooks and memory limit too, when some host windows), so trials stay comparable.
  const extras = hostsFault ? faultSpecExtras(ctx) : {};
  const firstFaultTrial = config.trials - config.settings.fault.trials;
  if (hostsFault) {
    const note = `fault windows ran on the last ${config.settings.fault.trials} measurement session(s) of each variant, after its latency and throughput phases, instead of on a topology started for them; every session of the run was started with the fault hooks and memory limit, so all trials are alike`;
    recorder.updateSection('fault', (s) => s.notes.push(note));
  }
  // Recorded as soon as a session's measurements are done: fault windows after them may be interrupted.
  const onMeasured = (session: SessionResults): void => {
    if (recorder.results.experiments.latency) recorder.updateSection('latency', (s) => s.results.push(...session.latency));
    if (recorder.results.experiments.throughput) recorder.updateSection('throughput', (s) => s.results.push(...session.throughput));
    if (session.footprint) recorder.updateSection('footprint', (s) => s.results.push(session.footprint!));
  };
  for (let trial = 0; trial < config.trials; trial++) {
    for (const who of config.variants) {
      throwIfInterrupted(ctx.signal);
      const then = hostsFault && trial >= firstFaultTrial ? (topology: RunningTopology) => runFaultWindows(ctx, who, trial - firstFaultTrial, topology) : undefined;
      await runSession(ctx, who, trial, bare, { extras, onMeasured, then });
    }
  }
}

/** Progress units (expected ms) of each experiment of the run, known before it starts so the time-left estimate holds from the start. */
export function planUnits(config: RunConfig): Record<string, number> {
  const wants = new Set(config.experiments);
  const steps = estimateSteps(config);
  const trials = Array.from({ length: hasMeasurementSessions(config) ? config.trials : 0 }, (_, trial) => trial);
  const sessionMs = (trial: number) => steps.sessionStartMs + (wants.has('latency') || wants.has('footprint') ? steps.latencyMs : 0) + (wants.has('throughput') ? steps.throughputMs(trial) : 0);
  const ridesOnSessions = faultRidesOnSessions(config);
  const scalingMs = config.variants.reduce((sum, who) => sum + config.settings.footprint.scalingCounts.reduce((s, n) => s + steps.scalingPointMs(who, n), 0), 0);
  return {
    ...(bare(config) ? { ceiling: estimateBareInferenceMs(config) } : {}),
    ...(trials.length > 0 ? { measurements: config.variants.length * trials.reduce((sum, trial) => sum + sessionMs(trial), 0) + (ridesOnSessions ? estimateFaultMs(config, true) : 0) } : {}),
    ...(wants.has('footprint') ? { scaling: scalingMs } : {}),
    ...(wants.has('redeploy') ? { redeploy: estimateRedeployMs(config) } : {}),
    ...(wants.has('fault') && !ridesOnSessions ? { fault: estimateFaultMs(config, false) } : {}),
    ...(wants.has('diagnose') ? { diagnose: estimateDiagnoseMs(config) } : {}),
    ...(wants.has('library') ? { library: estimateLibraryMs(config) } : {}),
  };
}

/** Whether the run measures bare inference (the throughput ceiling) first. */
function bare(config: RunConfig): boolean {
  return config.experiments.includes('throughput');
}

// Bare inference of the default models for the ceiling, measured here: 1.9 s at 100 iterations, 6.2 s at 500.
const BARE_START_MS = 800;
const BARE_MS_PER_ITERATION = 10.8;

/** Expected wall time of the bare-inference ceiling. */
function estimateBareInferenceMs(config: RunConfig): number {
  return BARE_START_MS + BARE_MS_PER_ITERATION * config.settings.throughput.ceilingIterations;
}

/** What the profile leaves out of the sweeps on purpose, so a short curve is not read as a failure. */
function describeSweepLimits(config: RunConfig): string[] {
  const { plateauGain, perModel, perModelTrials } = config.settings.throughput;
  const notes: string[] = [];
  if (plateauGain !== null) notes.push(`each sweep stopped at the first level that added less than ${Math.round(plateauGain * 100)}% to the best rps before it: past the knee more connections only queue (latency rises, rps does not), so the levels after it were not run; max rps is the best level measured`);
  if (perModel && perModelTrials !== null && perModelTrials < config.trials) notes.push(`each model alone was swept in the first ${perModelTrials} trial(s) of every variant (descriptive, no claim); the mixed sweep, which carries the throughput claim, ran in all ${config.trials}`);
  return notes;
}

/** Computes the monolith-vs-microservices comparisons of the measurement experiments. */
function compareMeasurements(ctx: ExperimentContext): void {
  const { config, recorder } = ctx;
  const finished = new Date().toISOString();
  const seed = config.seed;
  if (recorder.results.experiments.latency) {
    recorder.updateSection('latency', (s) => {
      s.comparisons = [...compareAll(s.results, latencyMetrics(config.models, config.settings.latency), config.variants, seed), ...compareAll(deriveInterference(s.results), interferenceMetrics(config.models), config.variants, seed)];
      s.status = 'complete';
      s.finishedAt = finished;
    });
  }
  if (recorder.results.experiments.throughput) {
    recorder.updateSection('throughput', (s) => {
      s.comparisons = compareAll(s.results, THROUGHPUT_METRICS, config.variants, seed);
      s.notes.push('mixed sweeps: every variant is driven by the same mix loop, each connection sending the models in order to each model\'s own URL, so both sides serve the same work; achieved shares are recorded per level and a drift beyond the tolerance makes the result invalid');
      s.notes.push(...describeSweepLimits(config));
      s.status = 'complete';
      s.finishedAt = finished;
    });
  }
}

/** Runs every experiment the config names and writes results.json as it goes; returns the recorder. */
export async function runExperiments(config: RunConfig, driver: RunDriver): Promise<RunRecorder> {
  const recorder = new RunRecorder(config.outDir, createResults(config, driver.storeDir, driver.command));
  const plan = planUnits(config);
  const clock = trackTimeLeft(plan);
  const progress = trackProgress(
    recordPhases(driver.progress, (phase) => recorder.results.phases.push(phase)),
    clock,
  );
  const ctx: ExperimentContext = { config, recorder, target: driver.target, progress, storeDir: driver.storeDir, generator: new LoadGenerator({ cpus: config.cpus.generator }), signal: driver.signal };
  const wants = new Set(config.experiments);
  const plannedMs = Object.values(plan).reduce((sum, ms) => sum + ms, 0);
  progress.plan(plannedMs);
  progress.log(`splitbench: ${config.profile} profile, about ${formatWallTime(plannedMs)} planned; results are written to ${recorder.file} as each trial finishes`);
  clock.checkpoint('start');
  // One part of the plan: run it, write down the estimate against the clock, print a line per experiment it finished.
  const runPart = async (part: string, finishes: ExperimentName[], work: () => Promise<void>): Promise<void> => {
    clock.begin(part);
    const t0 = performance.now();
    await work();
    clock.end();
    clock.checkpoint(`${part} done`);
    recorder.results.timing = clock.record(false);
    recorder.flush();
    for (const name of finishes) progress.log(summarizeExperiment(recorder.results, name, performance.now() - t0, clock.leftMs()));
  };
  const riding = faultRidesOnSessions(config);
  try {
    for (const name of config.experiments) openSection(recorder, name);
    let bare: BareInferenceMs = {};
    if (wants.has('throughput')) {
      await runPart('ceiling', [], async () => {
        progress.step('measuring bare inference (the throughput ceiling)');
        bare = await measureBareInference(config, driver.storeDir, config.models, config.settings.throughput.ceilingIterations);
        progress.tick(estimateBareInferenceMs(config));
      });
    }
    if (hasMeasurementSessions(config)) {
      const finishes = (['latency', 'throughput', ...(riding ? ['fault' as const] : [])] as ExperimentName[]).filter((name) => wants.has(name));
      await runPart('measurements', finishes, async () => {
        await runMeasurementTrials(ctx, bare);
        compareMeasurements(ctx);
        if (riding) finishFaultExperiment(ctx);
      });
    }
    if (wants.has('footprint')) {
      await runPart('scaling', ['footprint'], async () => {
        await measureScaling(ctx, (point) => recorder.updateSection('footprint', (s) => s.scaling.push(point)));
        recorder.updateSection('footprint', (s) => {
          s.marginal = computeMarginalCosts(s.scaling);
          s.priceTable = config.settings.footprint.price;
          s.comparisons = compareAll(s.results, FOOTPRINT_METRICS, config.variants, config.seed);
          s.status = 'complete';
          s.finishedAt = new Date().toISOString();
        });
      });
    }
    if (wants.has('redeploy')) await runPart('redeploy', ['redeploy'], () => runRedeployExperiment(ctx));
    if (wants.has('fault') && !riding) {
      await runPart('fault', ['fault'], async () => {
        await runFaultSessions(ctx);
        finishFaultExperiment(ctx);
      });
    }
    if (wants.has('diagnose')) await runPart('diagnose', ['diagnose'], () => runDiagnoseExperiment(ctx));
    if (wants.has('library')) await runPart('library', ['library'], () => runLibraryExperiment(ctx));
    recorder.results.timing = clock.record(true);
    recorder.finish('complete');
  } catch (error) {
    const interrupted = error instanceof RunInterruptedError || driver.signal.aborted;
    closeOpenSections(recorder, interrupted ? 'partial' : 'failed', interrupted ? 'interrupted' : (error as Error).message);
    clock.end();
    recorder.results.timing = clock.record(false);
    recorder.finish(interrupted ? 'interrupted' : 'failed');
    if (!interrupted) throw error;
  } finally {
    await ctx.generator.close();
    progress.stop();
    recorder.flush();
  }
  return recorder;
}
