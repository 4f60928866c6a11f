import { randomUUID } from 'node:crypto';
import { findModel } from '../../models/catalog.js';
import { describeModelFile, latestVersion } from '../../models/store.js';
import type { RunConfig } from '../config/run-config.js';
import { isTasksetAvailable, LoadGenerator } from '../load/generator-client.js';
import { checkCgroupV1 } from '../targets/local/cgroup-v1.js';
import type { RunningTopology, Target } from '../targets/types.js';
import { fingerprintEnvironment, readGitSha, readOwnVersion } from '../results/environment.js';
import { readGatewayCalibration } from '../results/gateway-calibration.js';
import { RunRecorder } from '../results/run-recorder.js';
import { SCHEMA_VERSION, type ExperimentName, type RunResults } from '../results/schema.js';
import { finishSitting, startSitting, type SittingStart } from '../results/sittings.js';
import { measureBareInference, type BareInferenceMs } from './ceiling.js';
import { compareAll } from './compare-topologies.js';
import { pushNotesOnce, RunInterruptedError, throwIfInterrupted, type ExperimentContext } from './context.js';
import { estimateSteps } from './estimate.js';
import { describeGatewayLine, runUsesGateway } from './gateway-line.js';
import { computeMarginalCosts, measureScaling } from './footprint.js';
import { runSession, type SessionResults } from './measure-session.js';
import { deriveInterference, FOOTPRINT_METRICS, interferenceMetrics, latencyMetrics, THROUGHPUT_METRICS } from './metrics.js';
import { recordPhases, trackProgress, type Progress } from './progress.js';
import { formatWallTime, summarizeExperiment } from './experiment-summary.js';
import { trackTimeLeft } from './time-left.js';
import { countFaultWindows, estimateFaultMs, faultSpecExtras, finishFaultExperiment, listMissingWindows, runFaultSessions, runFaultTrial, runFaultWindows } from './fault.js';
import { countRollouts, estimateRedeployMs, runRedeployExperiment } from './redeploy.js';
import { chooseDiagnoseVariants, estimateDiagnoseMs, runDiagnoseExperiment } from './diagnose/diagnose.js';
import { estimateLibraryMs, runLibraryExperiment } from './library/run-library.js';
import { isSectionKept, listMissingMeasurements, narrowToMissing, needsCeiling } from './resume-units.js';

/** How a run is driven: where topologies start, how progress shows, what interrupts it. */
export interface RunDriver {
  target: Target;
  progress: Progress;
  signal: AbortSignal;
  storeDir: string;
  command: string;
  /** Results of the run to continue (`--resume`), already checked against this config: its units are kept, the rest run. */
  resume?: RunResults;
}

/** The results skeleton: environment, config, models, and no experiment yet. */
function createResults(config: RunConfig, storeDir: string, command: string): RunResults {
  const cgroup = checkCgroupV1();
  const environment = fingerprintEnvironment(
    { servers: config.cpus.servers, generator: config.cpus.generator, tasksetApplied: isTasksetAvailable() && config.cpus.servers !== null },
    cgroup.available ? { mechanism: 'cgroup-v1', detail: 'memory limits (leak fault) enforced by cgroup v1 memory.limit_in_bytes' } : { mechanism: 'watchdog', detail: `cgroup v1 unavailable (${cgroup.reason}); servers enforce memory limits with their own RSS watchdog` },
  );
  if (config.gateway) environment.gateway = { ...config.gateway };
  // The Node-vs-nginx figures calibrate saved on this machine, for the caveat of gateway numbers.
  const gatewayCalibration = runUsesGateway(config) ? readGatewayCalibration() : null;
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
    ...(gatewayCalibration ? { calibration: { overhead: [], gateways: gatewayCalibration } } : {}),
    phases: [],
    thresholds: [],
  };
}

/**
 * The results a sitting writes into: a fresh skeleton, or on `--resume` the run's own results
 * (same runId, startedAt and phases) with a new sitting opened and this command's thresholds.
 */
function prepareResults(config: RunConfig, driver: RunDriver): { results: RunResults; sitting: SittingStart | null } {
  if (!driver.resume) return { results: createResults(config, driver.storeDir, driver.command), sitting: null };
  const results = driver.resume;
  const sitting = startSitting(results, driver.command, readGitSha());
  results.config = { ...results.config, thresholds: [...config.thresholds] };
  return { results, sitting };
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

/**
 * Opens a section again on a resumed run: a complete one stays as it is, a missing one is opened,
 * the library's partial one is replaced (it runs again whole), any other goes back to running.
 */
function reopenSection(recorder: RunRecorder, name: ExperimentName): void {
  const section = recorder.results.experiments[name];
  if (!section || (name === 'library' && section.status !== 'complete')) return openSection(recorder, name);
  if (section.status === 'complete') return;
  recorder.updateSection(name, (s) => {
    s.status = 'running';
    delete s.error;
    delete s.finishedAt;
  });
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
    recorder.updateSection('fault', (s) => pushNotesOnce(s.notes, note));
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
      const faultTrial = trial - firstFaultTrial;
      const windowsLeft = hostsFault && trial >= firstFaultTrial && listMissingWindows(ctx, who, faultTrial).length > 0;
      const then = windowsLeft ? (topology: RunningTopology) => runFaultWindows(ctx, who, faultTrial, topology) : undefined;
      const missing = listMissingMeasurements(ctx, who, trial);
      if (missing.length > 0) await runSession(narrowToMissing(ctx, missing), who, trial, bare, { extras, onMeasured, then });
      else if (windowsLeft) {
        // Resumed after the session's measurements: its missing windows get a topology of their own.
        const note = `resumed run: the fault windows of ${who.topology}/${who.variant} fault trial ${faultTrial + 1} that an earlier sitting did not reach ran on a topology started for them (its measurement session was done)`;
        recorder.updateSection('fault', (s) => pushNotesOnce(s.notes, note));
        await runFaultTrial(ctx, who, faultTrial);
      }
    }
  }
}

/**
 * Progress units (expected ms) of each part of the run, known before it starts so the time-left
 * estimate holds from the start; a resumed run plans only the units it still lacks.
 */
export function planUnits(ctx: ExperimentContext): Record<string, number> {
  const { config } = ctx;
  const wants = new Set(config.experiments);
  const steps = estimateSteps(config);
  const kept = (name: ExperimentName) => !wants.has(name) || isSectionKept(ctx, name);
  // The share of an experiment's planned units that earlier sittings already recorded.
  const left = (experiment: string, total: number) => (total > 0 ? Math.max(0, 1 - [...(ctx.resume ?? [])].filter((key) => key.startsWith(`${experiment} `)).length / total) : 1);
  const riding = faultRidesOnSessions(config);
  const firstFaultTrial = config.trials - config.settings.fault.trials;
  let measurementsMs = 0;
  for (let trial = 0; hasMeasurementSessions(config) && trial < config.trials; trial++) {
    for (const who of config.variants) {
      const missing = listMissingMeasurements(ctx, who, trial);
      const windowsMs = riding && trial >= firstFaultTrial ? listMissingWindows(ctx, who, trial - firstFaultTrial).reduce((sum, { window }) => sum + steps.faultWindowMs(window.kind), 0) : 0;
      if (missing.length > 0 || windowsMs > 0) measurementsMs += steps.sessionStartMs(who);
      if (missing.includes('latency') || missing.includes('footprint')) measurementsMs += steps.latencyMs;
      if (missing.includes('throughput')) measurementsMs += steps.throughputMs(trial);
      measurementsMs += windowsMs;
    }
  }
  const scalingMs = config.variants.reduce((sum, who) => sum + config.settings.footprint.scalingCounts.reduce((s, n) => s + steps.scalingPointMs(who, n), 0), 0);
  const diagnoseWindows = config.settings.diagnose.trials * chooseDiagnoseVariants(config).length * (config.settings.diagnose.kinds.length + 1);
  return {
    ...(needsCeiling(ctx) ? { ceiling: estimateBareInferenceMs(config) } : {}),
    ...(measurementsMs > 0 ? { measurements: measurementsMs } : {}),
    ...(kept('footprint') ? {} : { scaling: scalingMs * left('scaling', config.settings.footprint.scalingCounts.length * config.variants.length) }),
    ...(kept('redeploy') ? {} : { redeploy: estimateRedeployMs(config) * left('redeploy', countRollouts(config)) }),
    ...(kept('fault') || riding ? {} : { fault: estimateFaultMs(config, false) * left('fault', countFaultWindows(config)) }),
    ...(kept('diagnose') ? {} : { diagnose: estimateDiagnoseMs(config) * left('diagnose', diagnoseWindows) }),
    ...(kept('library') ? {} : { library: estimateLibraryMs(config) }),
  };
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
  if (recorder.results.experiments.latency && !isSectionKept(ctx, 'latency')) {
    recorder.updateSection('latency', (s) => {
      s.comparisons = [...compareAll(s.results, latencyMetrics(config.models, config.settings.latency), config.variants, seed), ...compareAll(deriveInterference(s.results), interferenceMetrics(config.models), config.variants, seed)];
      s.status = 'complete';
      s.finishedAt = finished;
    });
  }
  if (recorder.results.experiments.throughput && !isSectionKept(ctx, 'throughput')) {
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
  const { results, sitting } = prepareResults(config, driver);
  const recorder = new RunRecorder(config.outDir, results);
  const ctx: ExperimentContext = { config, recorder, target: driver.target, progress: recordPhases(driver.progress, (phase) => recorder.results.phases.push(phase)), storeDir: driver.storeDir, generator: new LoadGenerator({ cpus: config.cpus.generator }), signal: driver.signal };
  if (sitting) ctx.resume = sitting.before;
  const plan = planUnits(ctx);
  const clock = trackTimeLeft(plan);
  const progress = trackProgress(ctx.progress, clock);
  ctx.progress = progress;
  const wants = new Set(config.experiments);
  const plannedMs = Object.values(plan).reduce((sum, ms) => sum + ms, 0);
  progress.plan(plannedMs);
  const resumed = sitting ? `resuming (sitting ${recorder.results.sittings!.length}): ${sitting.before.size} unit(s) kept, ` : '';
  progress.log(`splitbench: ${config.profile} profile, ${resumed}about ${formatWallTime(plannedMs)} planned; results are written to ${recorder.file} as each trial finishes`);
  const gatewayLine = describeGatewayLine(config);
  if (gatewayLine) progress.log(gatewayLine);
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
    for (const name of config.experiments) (sitting ? reopenSection : openSection)(recorder, name);
    let bare: BareInferenceMs = {};
    if (needsCeiling(ctx)) {
      await runPart('ceiling', [], async () => {
        progress.step('measuring bare inference (the throughput ceiling)');
        bare = await measureBareInference(config, driver.storeDir, config.models, config.settings.throughput.ceilingIterations);
        if (sitting) recorder.updateSection('throughput', (s) => pushNotesOnce(s.notes, `resumed run: the bare-inference ceiling was measured again in sitting ${recorder.results.sittings!.length}; each throughput trial's efficiency is against the ceiling measured in its own sitting`));
        progress.tick(estimateBareInferenceMs(config));
      });
    }
    if (hasMeasurementSessions(config)) {
      const finishes = (['latency', 'throughput', ...(riding ? ['fault' as const] : [])] as ExperimentName[]).filter((name) => wants.has(name));
      await runPart('measurements', finishes, async () => {
        await runMeasurementTrials(ctx, bare);
        compareMeasurements(ctx);
        if (riding && !isSectionKept(ctx, 'fault')) finishFaultExperiment(ctx);
      });
    }
    if (wants.has('footprint') && !isSectionKept(ctx, 'footprint')) {
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
    if (wants.has('redeploy') && !isSectionKept(ctx, 'redeploy')) await runPart('redeploy', ['redeploy'], () => runRedeployExperiment(ctx));
    if (wants.has('fault') && !riding && !isSectionKept(ctx, 'fault')) {
      await runPart('fault', ['fault'], async () => {
        await runFaultSessions(ctx);
        finishFaultExperiment(ctx);
      });
    }
    if (wants.has('diagnose') && !isSectionKept(ctx, 'diagnose')) await runPart('diagnose', ['diagnose'], () => runDiagnoseExperiment(ctx));
    if (wants.has('library') && !isSectionKept(ctx, 'library')) await runPart('library', ['library'], () => runLibraryExperiment(ctx));
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
    if (sitting) finishSitting(recorder.results, sitting);
    recorder.flush();
  }
  return recorder;
}
