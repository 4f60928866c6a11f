import type { RunConfig } from '../config/run-config.js';
import type { TopologyVariant } from '../config/topologies.js';
import type { RunningTopology } from '../targets/types.js';
import type { FaultKind, FaultResult } from '../results/schema.js';
import { faultKey } from '../results/unit-keys.js';
import { compareAll } from './compare-topologies.js';
import { throwIfInterrupted, type ExperimentContext } from './context.js';
import { estimateSteps, TOPOLOGY_START_MS } from './estimate.js';
import { addNoiseCaveat, buildFaultMetrics } from './fault/fault-metrics.js';
import { describeFindings } from './fault/fault-findings.js';
import { runFaultWindow } from './fault/fault-window.js';
import { buildIsolationMatrix, buildIsolationScores } from './fault/isolation.js';
import { buildTopologySpec, type SpecExtras } from './topology-spec.js';

/** One window of a session: a fault kind (or `none`, the baseline) in one target model. */
interface WindowSpec {
  kind: FaultKind;
  targetModel: string;
}

/**
 * The windows of one trial's session: the baseline first (first trial only, with baselineOnce),
 * then the isolation kinds in every target model and every other kind in the kind target.
 */
export function planWindows(config: RunConfig, trial: number): WindowSpec[] {
  const { kinds, targetModels, baselineOnce, isolationKinds, kindTarget } = config.settings.fault;
  const baseline: WindowSpec[] = baselineOnce && trial > 0 ? [] : [{ kind: 'none', targetModel: targetModels[0]! }];
  const targetsOf = (kind: WindowSpec['kind']): string[] => (isolationKinds === 'all' || (isolationKinds as readonly string[]).includes(kind) ? targetModels : [kindTarget]);
  return [...baseline, ...kinds.flatMap((kind) => targetsOf(kind).map((targetModel) => ({ kind, targetModel })))];
}

/** The windows of one trial a run still lacks, each with its place in the plan (which fixes its seed); all of them on a fresh run. */
export function listMissingWindows(ctx: ExperimentContext, who: TopologyVariant, trial: number): Array<{ window: WindowSpec; index: number }> {
  return planWindows(ctx.config, trial)
    .map((window, index) => ({ window, index }))
    .filter(({ window }) => !ctx.resume?.has(faultKey(who, trial, window.kind, window.targetModel)));
}

/**
 * What a topology needs for fault windows: fault hooks and the profile's memory limit per
 * model-hosting process, pinned to the model versions recorded at run start (a restart mid-run
 * serves the same). Measurement sessions that host fault windows are started with it too.
 */
export function faultSpecExtras(ctx: ExperimentContext): SpecExtras {
  const versions = Object.fromEntries(ctx.recorder.results.models.map((m) => [m.name, m.version]));
  return { faults: true, memoryLimitBytes: ctx.config.settings.fault.memoryLimitBytes, versions };
}

/**
 * Whether the diagnose experiment rides on the fault windows: a run with both records the platform
 * signals during every fault window and diagnoses it, instead of injecting the same faults again.
 */
export function diagnoseRidesOnFault(config: RunConfig): boolean {
  return config.experiments.includes('fault') && config.experiments.includes('diagnose');
}

/** Which kinds go into which models, for the notes: "crash in vad, tabular; slow, error in tabular". */
export function describeFaultTargets(config: RunConfig): string {
  const { kinds, targetModels, isolationKinds, kindTarget } = config.settings.fault;
  if (isolationKinds === 'all') return `${kinds.join(', ')} in ${targetModels.join(', ')}`;
  const everywhere = kinds.filter((k) => isolationKinds.includes(k));
  const once = kinds.filter((k) => !isolationKinds.includes(k));
  return [everywhere.length > 0 ? `${everywhere.join(', ')} in ${targetModels.join(', ')} (the isolation matrix)` : '', once.length > 0 ? `${once.join(', ')} in ${kindTarget}` : ''].filter(Boolean).join('; ');
}

/** Starts a topology variant ready for fault windows. */
function startFaultTopology(ctx: ExperimentContext, who: TopologyVariant): Promise<RunningTopology> {
  return ctx.target.start(buildTopologySpec(ctx.config, ctx.storeDir, who, faultSpecExtras(ctx)));
}

/** Records how the memory limit is enforced, once per run. */
function noteLimits(ctx: ExperimentContext, topology: RunningTopology): void {
  const { limits } = topology.fairness;
  const how = limits.applied ? (limits.reason ?? 'cgroup v1 memory.limit_in_bytes') : limits.serverWatchdog ? `the servers' own RSS watchdog (${limits.reason ?? 'cgroup unavailable'})` : `nothing (${limits.reason ?? 'not applied'})`;
  const note = `memory limit ${Math.round(ctx.config.settings.fault.memoryLimitBytes / 1024 / 1024)} MiB per model-hosting process (each service, or the whole monolith), enforced by ${how}`;
  ctx.recorder.updateSection('fault', (s) => {
    if (!s.notes.includes(note)) s.notes.push(note);
  });
}

/** Records, once per run, that the windows carry the diagnose recording's scrapes. */
function noteRecording(ctx: ExperimentContext, tickMs: number): void {
  const note = `platform signals recorded during every window for the diagnose experiment: /proc and one /metrics scrape per server process every ${tickMs} ms, the same rule in both topologies (so the services and gateway get more scrapes than the one monolith process)`;
  ctx.recorder.updateSection('fault', (s) => {
    if (!s.notes.includes(note)) s.notes.push(note);
  });
}

/**
 * Every window of one trial on a started topology, in turn; a window that leaves the topology
 * unhealthy gets it replaced by a fresh start. Returns the topology now running (the caller stops it).
 */
export async function runFaultWindows(ctx: ExperimentContext, who: TopologyVariant, trial: number, started: RunningTopology): Promise<RunningTopology> {
  const windows = listMissingWindows(ctx, who, trial);
  const label = `${who.topology}/${who.variant} · trial ${trial + 1}`;
  let topology = started;
  noteLimits(ctx, topology);
  const { tickMs, scrapeTimeoutMs } = ctx.config.settings.diagnose;
  const recordSignals = diagnoseRidesOnFault(ctx.config) ? { tickMs, scrapeTimeoutMs } : undefined;
  if (recordSignals) noteRecording(ctx, tickMs);
  for (const [position, { window, index }] of windows.entries()) {
    for (let attempt = 0; ; attempt++) {
      throwIfInterrupted(ctx.signal);
      ctx.progress.step(`fault · ${label} · ${window.kind === 'none' ? 'baseline (no fault)' : `${window.kind} in ${window.targetModel}`}${attempt > 0 ? ' (repeated)' : ''}`);
      const seed = ctx.config.seed * 1000 + 700 + trial * 50 + index + attempt * 10_000;
      let outcome;
      try {
        outcome = await runFaultWindow(ctx, topology, { who, trial, kind: window.kind, targetModel: window.targetModel, seed, ...(recordSignals ? { recordSignals } : {}) });
      } catch (error) {
        // A harness step that failed (an admin request timing out on a starved machine) measured
        // nothing: the window runs once more on a fresh topology, and a second failure ends the run.
        throwIfInterrupted(ctx.signal);
        if (attempt >= WINDOW_RETRIES) throw error;
        const note = `${label} · ${window.kind} in ${window.targetModel}: the window failed before it measured anything (${(error as Error).message}); it was run once more on a fresh start`;
        ctx.recorder.updateSection('fault', (s) => void s.notes.push(note));
        await topology.stop();
        topology = await startFaultTopology(ctx, who);
        continue;
      }
      const repeat = attempt < GENERATOR_RETRIES && isGeneratorFault(outcome.result);
      ctx.recorder.updateSection('fault', (s) => {
        s.results.push(outcome.result);
        s.notes.push(...outcome.notes);
        if (repeat) s.notes.push(`${label} · ${window.kind} in ${window.targetModel}: the window was invalid because of the load generator alone (${outcome.result.invalidReasons.join('; ')}); it is kept as invalid and the window was run once more`);
      });
      if (outcome.diagnosis) ctx.recorder.updateSection('diagnose', (s) => s.results.push(outcome.diagnosis!));
      ctx.progress.tick(estimateSteps(ctx.config).faultWindowMs(window.kind));
      if (!outcome.healthy && (repeat || position < windows.length - 1)) {
        throwIfInterrupted(ctx.signal);
        await topology.stop();
        ctx.progress.step(`fault · restarting ${label} after an unhealthy window`);
        topology = await startFaultTopology(ctx, who);
      }
      if (!repeat) break;
    }
  }
  return topology;
}

/** Times a window that only the load generator invalidated is run again (it measured the harness, not the topology). */
const GENERATOR_RETRIES = 1;
/** Times a window whose harness steps failed (nothing measured) is run again. */
const WINDOW_RETRIES = 1;

/** True when every reason a window is invalid is the load generator's own lag or saturation. */
export function isGeneratorFault(result: Pick<FaultResult, 'valid' | 'invalidReasons'>): boolean {
  return !result.valid && result.invalidReasons.length > 0 && result.invalidReasons.every((reason) => reason.startsWith('load generator'));
}

/** How many fault windows the run has (every trial, variant, kind and target, plus the baselines). */
export function countFaultWindows(config: RunConfig): number {
  const trials = Array.from({ length: config.settings.fault.trials }, (_, trial) => trial);
  return config.variants.length * trials.reduce((sum, trial) => sum + planWindows(config, trial).length, 0);
}

/** Expected wall time of every fault window of the run (each kind has its own), plus the starts of their own sessions when they do not ride on the measurement ones. */
export function estimateFaultMs(config: RunConfig, ridesOnSessions: boolean): number {
  const steps = estimateSteps(config);
  const trials = Array.from({ length: config.settings.fault.trials }, (_, trial) => trial);
  const windowsMs = trials.reduce((sum, trial) => sum + planWindows(config, trial).reduce((s, w) => s + steps.faultWindowMs(w.kind), 0), 0);
  return config.variants.length * (windowsMs + (ridesOnSessions ? 0 : config.settings.fault.trials * TOPOLOGY_START_MS));
}

/**
 * The fault experiment (DESIGN.md §6) on topologies of its own: per trial and topology variant, a
 * start, then a baseline window and every fault kind in every target model under steady mixed load.
 * (A run that also measures latency or throughput hosts the windows in its last sessions instead.)
 */
export async function runFaultSessions(ctx: ExperimentContext): Promise<void> {
  const { config } = ctx;
  for (let trial = 0; trial < config.settings.fault.trials; trial++) {
    for (const who of config.variants) {
      if (listMissingWindows(ctx, who, trial).length > 0) await runFaultTrial(ctx, who, trial);
    }
  }
}

/** One trial's windows (those still missing) on a topology started for them, stopped afterwards. */
export async function runFaultTrial(ctx: ExperimentContext, who: TopologyVariant, trial: number): Promise<void> {
  throwIfInterrupted(ctx.signal);
  ctx.progress.step(`fault · starting ${who.topology}/${who.variant} · trial ${trial + 1}`);
  let topology = await startFaultTopology(ctx, who);
  try {
    topology = await runFaultWindows(ctx, who, trial, topology);
  } finally {
    await topology.stop();
  }
}

/**
 * Closes the fault experiment once every window ran: the isolation matrix, isolation scores,
 * monolith-vs-microservices comparisons and findings, all read off the recorded windows.
 */
export function finishFaultExperiment(ctx: ExperimentContext): void {
  const { config } = ctx;
  ctx.recorder.updateSection('fault', (s) => {
    s.isolationMatrix = config.settings.fault.targetModels.length > 1 ? buildIsolationMatrix(s.results) : [];
    s.isolationScores = buildIsolationScores(s.results);
    s.comparisons = compareAll(s.results, buildFaultMetrics(config.settings.fault.kinds), config.variants, config.seed).map((c) => addNoiseCaveat(c, s.results));
    const { observeAfterReadyMs, recoveryLimitMs } = config.settings.fault;
    if (observeAfterReadyMs !== null) s.notes.push(`each window ended once recovered and settled: the fault disarmed, every process that died ready again, and every model's requests and probes answered without error and within its SLO for ${observeAfterReadyMs} ms since (reported live by the load generator; at most ${recoveryLimitMs} ms after disarming); the baseline window ends the same way after its unarmed fault period`);
    s.notes.push(...describeFindings(s.results, config));
    s.status = 'complete';
    s.finishedAt = new Date().toISOString();
  });
}
