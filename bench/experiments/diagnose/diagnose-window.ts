import { findModel } from '../../../models/catalog.js';
import type { SignalTimeline } from '../../analysis/diagnose-signals.js';
import { assessBlame, diagnoseTimeline } from '../../analysis/diagnoser.js';
import { nowMs } from '../../clock.js';
import type { TopologyVariant } from '../../config/topologies.js';
import type { OpenLoopResult } from '../../load/types.js';
import type { RunningTopology } from '../../orchestrator/types.js';
import type { DiagnoseResult, FaultKind } from '../../results/schema.js';
import { checkGeneratorSaturation, combineValidity } from '../../stats/index.js';
import type { ExperimentContext } from '../context.js';
import { buildFaultRequest, disarmFaults, disarmUntilAcknowledged, hostPid } from '../fault/fault-admin.js';
import { withoutProbes } from '../availability-probe.js';
import { startFaultLoad } from '../fault/fault-load.js';
import { armOrSeeItStrike, HEALTH_TIMEOUT_MS, sleepUntil } from '../fault/fault-window.js';
import { summariseProcessFates } from '../fault/process-events.js';
import { waitUntilHealthy } from '../fault/topology-health.js';
import { toTimeline } from '../traffic.js';
import { startSignalRecorder, type RecordedSignals } from './record-signals.js';

/** How long after the load ends the harness keeps trying to disarm a process too busy to answer. */
const DISARM_GRACE_MS = 20_000;

/** One diagnose window: which fault in which model, on which started topology. */
export interface DiagnoseWindowPlan {
  who: TopologyVariant;
  trial: number;
  /** `none`: the baseline window, the same with nothing armed (what the rules implicate with no fault). */
  kind: FaultKind;
  targetModel: string;
  seed: number;
}

/** A window's result, whether the topology is healthy again, and what is worth noting. */
export interface DiagnoseWindowOutcome {
  result: DiagnoseResult;
  healthy: boolean;
  notes: string[];
}

/** The signals of a window as the diagnoser sees them: no culprit, only what the platform showed. */
export function buildSignalTimeline(topology: RunningTopology, recorded: RecordedSignals, run: OpenLoopResult, window: { baselineFromMs: number; injectedAtMs: number; untilMs: number }): SignalTimeline {
  const inWindow = (t: number) => t >= window.baselineFromMs && t <= window.untilMs;
  // Client-side signals are the users' requests: the harness's availability probes are not what a platform shows.
  const client = toTimeline(withoutProbes(run));
  return {
    models: [...topology.spec.models],
    processes: recorded.processes,
    baselineFromMs: window.baselineFromMs,
    injectedAtMs: window.injectedAtMs,
    ticks: recorded.ticks.filter((t) => t > window.injectedAtMs && t <= window.untilMs),
    resources: recorded.resources.filter((r) => inWindow(r.atMs)),
    exits: topology.events.filter((e) => e.type === 'exit' && inWindow(e.atMs)).map((e) => ({ atMs: e.atMs, process: e.process })),
    logs: (topology.stderrLines?.() ?? []).filter((l) => inWindow(l.atMs)).map((l) => ({ atMs: l.atMs, process: l.process })),
    scrapes: recorded.scrapes.filter((s) => inWindow(s.atMs)),
    client: { startedAtMs: client.startedAtMs, binMs: client.binMs, bins: Object.fromEntries(Object.entries(client.bins).map(([model, bins]) => [model, bins.map((b) => ({ tMs: b.tMs, count: b.count, errors: b.errors, p99Ms: b.p99Ms, maxMs: b.maxMs }))])) },
  };
}

/** Valid when the load ran to its end and the generator kept its schedule (send-lag p99 under half the tightest SLO). */
function judgeLoad(ctx: ExperimentContext, run: OpenLoopResult): { valid: boolean; invalidReasons: string[] } {
  const maxSendLagP99Ms = Math.min(...ctx.config.models.map((m) => findModel(m)!.sloMs)) / 2;
  return combineValidity(
    checkGeneratorSaturation({ cpuUtilisation: run.generator.cpuUtilisation, sendLagP99Ms: run.generator.sendLagP99Ms }, { maxSendLagP99Ms }),
    run.aborted ? { valid: false, invalidReasons: ['run was interrupted before the end of the window'] } : { valid: true, invalidReasons: [] },
  );
}

/**
 * One window under steady mixed load: a baseline, then the fault armed in one model and kept armed
 * while the recorder samples /proc and /metrics on its tick; then disarm and wait until healthy.
 * The diagnoser ranks the models from those signals, the supervisor's exits and stderr, and the
 * client-side bins alone; only then is its ranking compared with the real culprit.
 */
export async function runDiagnoseWindow(ctx: ExperimentContext, topology: RunningTopology, plan: DiagnoseWindowPlan): Promise<DiagnoseWindowOutcome> {
  const { warmupMs, baselineMs, observeMs, tickMs, scrapeTimeoutMs } = ctx.config.settings.diagnose;
  const recorder = startSignalRecorder(topology, tickMs, scrapeTimeoutMs);
  const notes: string[] = [];
  const label = `${plan.who.topology}/${plan.who.variant} ${plan.kind} in ${plan.targetModel}`;
  let run: OpenLoopResult;
  let recorded: RecordedSignals;
  let injectedAtMs: number;
  let armedPid: number | null;
  try {
    const load = await startFaultLoad(ctx, topology, { warmupMs, durationMs: baselineMs + observeMs }, plan.seed);
    try {
      await sleepUntil(load.startedAtMs + warmupMs + baselineMs);
      const adminUrl = topology.adminUrls()[plan.targetModel];
      if (!adminUrl) throw new Error(`topology has no process hosting model "${plan.targetModel}"`);
      armedPid = hostPid(topology, plan.targetModel);
      injectedAtMs = nowMs();
      if (plan.kind !== 'none') notes.push(...(await armOrSeeItStrike(topology, adminUrl, buildFaultRequest(plan.targetModel, plan.kind), armedPid)).map((n) => `${label}: ${n}`));
    } catch (error) {
      await load.handle.abort();
      throw error;
    }
    run = await load.handle.result;
  } finally {
    recorded = await recorder.stop();
  }
  if (plan.kind !== 'none') {
    const disarm = await disarmUntilAcknowledged(topology, plan.targetModel, armedPid, nowMs() + DISARM_GRACE_MS);
    if (!disarm.acknowledged && disarm.detail && !disarm.detail.includes('is gone')) notes.push(`${label}: disarm not acknowledged (${disarm.detail})`);
  }
  const healthyAtMs = await waitUntilHealthy(topology, HEALTH_TIMEOUT_MS, ctx.signal);
  if (healthyAtMs === null && !ctx.signal.aborted) {
    await disarmFaults(topology.adminUrls()[plan.targetModel]);
    notes.push(`${label}: the topology was not healthy ${HEALTH_TIMEOUT_MS} ms after the window; it was stopped and started again`);
  }
  const untilMs = injectedAtMs + observeMs;
  const baselineFromMs = run.startedAtMs + warmupMs;
  const timeline = buildSignalTimeline(topology, recorded, run, { baselineFromMs, injectedAtMs, untilMs });
  const rankings = diagnoseTimeline(timeline);
  const blame = assessBlame(rankings, plan.targetModel, injectedAtMs);
  const lastTick = rankings.at(-1)?.atMs ?? injectedAtMs;
  const baseline = plan.kind === 'none';
  const notMeasured: Record<string, string> = baseline ? { timeToBlameMs: 'baseline window: no fault was injected' } : blame.undeterminedReason === null ? {} : { timeToBlameMs: `undetermined: ${blame.undeterminedReason}` };
  const result: DiagnoseResult = {
    topology: plan.who.topology,
    variant: plan.who.variant,
    trial: plan.trial,
    ...judgeLoad(ctx, run),
    notMeasured,
    faultKind: plan.kind,
    targetModel: plan.targetModel,
    tickMs,
    observedMs: Math.round(lastTick - injectedAtMs),
    suspects: baseline ? blame.finalRanking.filter((r) => r.score > 0).length : blame.suspects,
    models: timeline.models.length,
    timeToBlameMs: baseline ? null : blame.timeToBlameMs,
    singledOutBy: baseline ? null : blame.singledOutBy,
    finalRanking: blame.finalRanking,
    firstSignals: blame.firstSignals,
    processesDied: summariseProcessFates(topology.events, injectedAtMs, untilMs).died,
  };
  return { result, healthy: healthyAtMs !== null, notes };
}
