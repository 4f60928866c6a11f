import type { RunConfig } from '../config/run-config.js';
import type { TopologyVariant } from '../config/topologies.js';
import type { RunningTopology } from '../orchestrator/types.js';
import type { FaultKind } from '../results/schema.js';
import { compareAll } from './compare-topologies.js';
import { throwIfInterrupted, type ExperimentContext } from './context.js';
import { buildFaultMetrics } from './fault/fault-metrics.js';
import { describeFindings } from './fault/fault-findings.js';
import { runFaultWindow } from './fault/fault-window.js';
import { buildIsolationMatrix, buildIsolationScores } from './fault/isolation.js';
import { buildTopologySpec } from './topology-spec.js';

/** One window of a session: a fault kind (or `none`, the baseline) in one target model. */
interface WindowSpec {
  kind: FaultKind;
  targetModel: string;
}

/** The windows of every session: the baseline first, then every fault kind in every target model. */
export function planWindows(config: RunConfig): WindowSpec[] {
  const { kinds, targetModels } = config.settings.fault;
  return [{ kind: 'none', targetModel: targetModels[0]! }, ...kinds.flatMap((kind) => targetModels.map((targetModel) => ({ kind, targetModel })))];
}

/**
 * Starts a topology variant with fault hooks and the profile's memory limit per model-hosting
 * process, pinned to the model versions recorded at run start (a restart mid-run serves the same).
 */
function startFaultTopology(ctx: ExperimentContext, who: TopologyVariant): Promise<RunningTopology> {
  const versions = Object.fromEntries(ctx.recorder.results.models.map((m) => [m.name, m.version]));
  return ctx.target.start(buildTopologySpec(ctx.config, ctx.storeDir, who, { faults: true, memoryLimitBytes: ctx.config.settings.fault.memoryLimitBytes, versions }));
}

/** Records how the memory limit is enforced, once per run. */
function noteLimits(ctx: ExperimentContext, topology: RunningTopology): void {
  const { limits } = topology.fairness;
  const how = limits.applied ? 'cgroup v1 memory.limit_in_bytes' : limits.serverWatchdog ? `the servers' own RSS watchdog (${limits.reason ?? 'cgroup unavailable'})` : `nothing (${limits.reason ?? 'not applied'})`;
  const note = `memory limit ${Math.round(ctx.config.settings.fault.memoryLimitBytes / 1024 / 1024)} MiB per model-hosting process (each service, or the whole monolith), enforced by ${how}`;
  ctx.recorder.updateSection('fault', (s) => {
    if (!s.notes.includes(note)) s.notes.push(note);
  });
}

/**
 * One trial of one topology variant: started once, every window run on it in turn, replaced by a
 * fresh start only when a window left it unhealthy.
 */
async function runFaultSession(ctx: ExperimentContext, who: TopologyVariant, trial: number, windows: readonly WindowSpec[]): Promise<void> {
  const label = `${who.topology}/${who.variant} · trial ${trial + 1}`;
  ctx.progress.step(`fault · starting ${label}`);
  let topology = await startFaultTopology(ctx, who);
  try {
    noteLimits(ctx, topology);
    for (const [index, window] of windows.entries()) {
      throwIfInterrupted(ctx.signal);
      ctx.progress.step(`fault · ${label} · ${window.kind === 'none' ? 'baseline (no fault)' : `${window.kind} in ${window.targetModel}`}`);
      const seed = ctx.config.seed * 1000 + 700 + trial * 50 + index;
      const outcome = await runFaultWindow(ctx, topology, { who, trial, kind: window.kind, targetModel: window.targetModel, seed });
      ctx.recorder.updateSection('fault', (s) => {
        s.results.push(outcome.result);
        s.notes.push(...outcome.notes);
      });
      ctx.progress.tick();
      if (!outcome.healthy && index < windows.length - 1) {
        throwIfInterrupted(ctx.signal);
        await topology.stop();
        ctx.progress.step(`fault · restarting ${label} after an unhealthy window`);
        topology = await startFaultTopology(ctx, who);
      }
    }
  } finally {
    await topology.stop();
  }
}

/**
 * The fault experiment (DESIGN.md §6): per topology variant, a baseline window and every fault kind
 * in every target model under steady mixed load, measured from the timeline and the process events;
 * then the isolation matrix, isolation scores and monolith-vs-microservices comparisons.
 */
export async function runFaultExperiment(ctx: ExperimentContext): Promise<void> {
  const { config } = ctx;
  const trials = config.settings.fault.trials;
  const windows = planWindows(config);
  ctx.progress.plan(trials * config.variants.length * windows.length);
  for (let trial = 0; trial < trials; trial++) {
    for (const who of config.variants) await runFaultSession(ctx, who, trial, windows);
  }
  ctx.recorder.updateSection('fault', (s) => {
    s.isolationMatrix = config.settings.fault.targetModels.length > 1 ? buildIsolationMatrix(s.results) : [];
    s.isolationScores = buildIsolationScores(s.results);
    s.comparisons = compareAll(s.results, buildFaultMetrics(config.settings.fault.kinds), config.variants, config.seed);
    s.notes.push(...describeFindings(s.results, config));
    s.status = 'complete';
    s.finishedAt = new Date().toISOString();
  });
}
