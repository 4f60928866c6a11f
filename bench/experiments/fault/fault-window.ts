import { findModel } from '../../../models/catalog.js';
import { analyseFault } from '../../analysis/blast-radius.js';
import { nowMs, sleep } from '../../clock.js';
import type { TopologyVariant } from '../../config/topologies.js';
import type { OpenLoopResult } from '../../load/types.js';
import type { RunningTopology } from '../../targets/types.js';
import type { FaultSettings } from '../../config/profiles.js';
import type { DiagnoseResult, FaultKind, FaultResult } from '../../results/schema.js';
import { checkGeneratorSaturation, combineValidity } from '../../stats/index.js';
import { isSettled, marksFromEvents, type AbsoluteMark, type BackgroundLoad } from '../background-load.js';
import type { ExperimentContext } from '../context.js';
import { collectObservations, toRequestLogs, withoutProbes } from '../availability-probe.js';
import { toTimeline } from '../traffic.js';
import { diagnoseWindow } from '../diagnose/diagnose-result.js';
import { startSignalRecorder, type RecordedSignals, type SignalRecorder } from '../diagnose/record-signals.js';
import { startFaultLoad } from './fault-load.js';
import { armFault, buildFaultRequest, type FaultRequest, disarmFaults, disarmUntilAcknowledged, hostPid } from './fault-admin.js';
import { findReadyAgainAt, summariseProcessFates } from './process-events.js';
import { waitUntilHealthy } from './topology-health.js';

/** How long a topology may take to be healthy again after a window before it is replaced. */
export const HEALTH_TIMEOUT_MS = 30_000;
/** How long after the load ends the harness keeps trying to disarm a process too busy to answer. */
const DISARM_GRACE_MS = 20_000;

/** One fault window to run: which fault in which model, on which started topology. */
export interface FaultWindowPlan {
  who: TopologyVariant;
  trial: number;
  kind: FaultKind;
  targetModel: string;
  seed: number;
  /** The window's durations; the profile's fault settings when absent (the diagnose experiment alone passes its own). */
  timing?: FaultWindowTiming;
  /** Record the platform signals during the load (diagnose): /proc and one /metrics scrape per process per tick. */
  recordSignals?: { tickMs: number; scrapeTimeoutMs: number };
}

/** The durations that shape a window. */
export type FaultWindowTiming = Pick<FaultSettings, 'warmupMs' | 'baselineMs' | 'faultMs' | 'recoveryLimitMs' | 'observeAfterReadyMs'>;

/** A window's result plus what the harness learnt about the topology's state. */
export interface FaultWindowOutcome {
  result: FaultResult;
  /** False when the topology did not get healthy again: the caller replaces it. */
  healthy: boolean;
  notes: string[];
  /** The diagnoser's reading of the same window; present when the plan asked to record signals. */
  diagnosis?: DiagnoseResult;
}

/** Sleeps until an absolute instant (nowMs clock). */
export async function sleepUntil(atMs: number): Promise<void> {
  const wait = atMs - nowMs();
  if (wait > 0) await sleep(wait);
}

/**
 * Arms a fault. A fast fault (crash under load) can kill the process before its answer to the arm
 * request is sent: that counts as armed when the process that got the request is gone.
 */
export async function armOrSeeItStrike(topology: RunningTopology, adminUrl: string, request: FaultRequest, armedPid: number | null): Promise<string[]> {
  try {
    await armFault(adminUrl, request);
    return [];
  } catch (error) {
    await sleep(50);
    if (hostPid(topology, request.model) === armedPid) throw error;
    return [`the process died before answering the arm request (${(error as Error).message}): the fault struck at once`];
  }
}

/** When the fault was armed and disarmed (nowMs clock), with the marks and notes of both. */
interface Injection {
  injectAtMs: number;
  disarmAtMs: number;
  marks: AbsoluteMark[];
  notes: string[];
}

/** Arms the fault at baseline end, disarms it after faultMs; returns the marks and anything worth noting. */
async function injectDuringLoad(topology: RunningTopology, plan: FaultWindowPlan, timing: FaultWindowTiming, loadStartMs: number, loadEndMs: number): Promise<Injection> {
  const { warmupMs, baselineMs, faultMs } = timing;
  await sleepUntil(loadStartMs + warmupMs + baselineMs);
  // The baseline window has the same shape as a fault window, with nothing armed.
  if (plan.kind === 'none') return { injectAtMs: loadStartMs + warmupMs + baselineMs, disarmAtMs: loadStartMs + warmupMs + baselineMs + faultMs, marks: [], notes: [] };
  const adminUrl = topology.adminUrls()[plan.targetModel];
  if (!adminUrl) throw new Error(`topology has no process hosting model "${plan.targetModel}"`);
  const request = buildFaultRequest(plan.targetModel, plan.kind);
  const armedPid = hostPid(topology, plan.targetModel);
  const injectAtMs = nowMs();
  const armNotes = await armOrSeeItStrike(topology, adminUrl, request, armedPid);
  const knobs = request.ms !== undefined ? ` ${request.ms} ms` : request.bytesPerRequest !== undefined ? ` ${request.bytesPerRequest / 1024 / 1024} MiB/request` : '';
  const marks: AbsoluteMark[] = [{ atMs: injectAtMs, kind: 'inject', label: `${plan.kind}${knobs} armed in ${plan.targetModel}`, model: plan.targetModel }];
  await sleepUntil(injectAtMs + faultMs);
  const sentAtMs = nowMs();
  const disarm = await disarmUntilAcknowledged(topology, plan.targetModel, armedPid, loadEndMs + DISARM_GRACE_MS);
  const late = disarm.atMs - sentAtMs > 250 ? ` ${Math.round(disarm.atMs - sentAtMs)} ms after it was sent` : '';
  marks.push({ atMs: disarm.atMs, kind: 'disarm', label: disarm.acknowledged ? `${plan.kind} disarmed${late}` : `disarm not acknowledged: ${disarm.detail}`, model: plan.targetModel });
  const who = `${plan.who.topology}/${plan.who.variant} ${plan.kind} in ${plan.targetModel}`;
  const notes: string[] = armNotes.map((n) => `${who}: ${n}`);
  if (!disarm.acknowledged) notes.push(`${who}: disarm not acknowledged (${disarm.detail})`);
  else if (late) notes.push(`${who}: the process acknowledged the disarm${late} (${disarm.attempts} attempt(s)): it was too busy to answer the admin API, so the fault stayed armed that much longer`);
  return { injectAtMs, disarmAtMs: disarm.atMs, marks, notes };
}

/**
 * With `observeAfterReadyMs` set, ends the load once the fault is disarmed, every process that died
 * is ready again (the supervisor's events), and every model has answered well (no error, within its
 * SLO: the load's requests and the probes, as the generator reports them live) for
 * observeAfterReadyMs since then: recovered and settled. The rest of the recovery limit would only
 * add bins after recovery. True when it ended it.
 */
async function endWhenSettled(ctx: ExperimentContext, topology: RunningTopology, load: BackgroundLoad, injection: Injection, loadEndMs: number, observeAfterReadyMs: number | null): Promise<boolean> {
  const { binMs } = ctx.config.settings.fault;
  if (observeAfterReadyMs === null) return false;
  while (!ctx.signal.aborted && nowMs() < loadEndMs - binMs) {
    const readyAtMs = findReadyAgainAt(topology.events, injection.injectAtMs);
    if (readyAtMs !== null && isSettled(load.handle.health(), ctx.config.models, Math.max(readyAtMs, injection.disarmAtMs) - load.startedAtMs, observeAfterReadyMs)) {
      // On a bin boundary, so the timeline ends with a whole bin.
      const endAtMs = load.startedAtMs + Math.ceil((nowMs() - load.startedAtMs) / binMs) * binMs;
      await sleepUntil(endAtMs);
      await load.handle.abort();
      return true;
    }
    await sleep(50);
  }
  return false;
}

/**
 * Validity of a window: the load ran to its end and the generator kept its schedule. Latency is
 * timed from the intended send, so a late generator alone could push a bin over an SLO: its send-lag
 * p99 must stay under half the tightest SLO in the run.
 */
function judgeWindow(run: OpenLoopResult, sloMs: Record<string, number>, endedEarlyOnPurpose: boolean): { valid: boolean; invalidReasons: string[] } {
  const maxSendLagP99Ms = Math.min(...Object.values(sloMs)) / 2;
  return combineValidity(
    checkGeneratorSaturation({ cpuUtilisation: run.generator.cpuUtilisation, sendLagP99Ms: run.generator.sendLagP99Ms }, { maxSendLagP99Ms }),
    run.aborted && !endedEarlyOnPurpose ? { valid: false, invalidReasons: ['run was interrupted before the end of the window'] } : { valid: true, invalidReasons: [] },
  );
}

/**
 * One window under steady mixed load: baseline, the fault armed for faultMs (none for the baseline
 * window), observation until the load ends, then a wait until every process is ready again.
 * Everything reported is read off the timeline and the supervisor's events; with recordSignals,
 * the platform signals recorded during the load are also handed to the diagnoser (never the culprit).
 */
export async function runFaultWindow(ctx: ExperimentContext, topology: RunningTopology, plan: FaultWindowPlan): Promise<FaultWindowOutcome> {
  const timing = plan.timing ?? ctx.config.settings.fault;
  const { warmupMs, baselineMs, faultMs, recoveryLimitMs } = timing;
  const { binMs } = ctx.config.settings.fault;
  const durationMs = warmupMs + baselineMs + faultMs + recoveryLimitMs;
  const recorder: SignalRecorder | null = plan.recordSignals ? startSignalRecorder(topology, plan.recordSignals.tickMs, plan.recordSignals.scrapeTimeoutMs) : null;
  let recorded: RecordedSignals | null = null;
  let injected: Injection;
  let endedEarly = false;
  let run: OpenLoopResult;
  let loadStartedAtMs: number;
  let loadEndedAtMs: number;
  try {
    const load = await startFaultLoad(ctx, topology, { warmupMs, durationMs: baselineMs + faultMs + recoveryLimitMs }, plan.seed);
    loadStartedAtMs = load.startedAtMs;
    try {
      injected = await injectDuringLoad(topology, plan, timing, load.startedAtMs, load.startedAtMs + durationMs);
      endedEarly = await endWhenSettled(ctx, topology, load, injected, load.startedAtMs + durationMs, timing.observeAfterReadyMs);
    } catch (error) {
      await disarmFaults(topology.adminUrls()[plan.targetModel]);
      await load.handle.abort();
      throw error;
    }
    run = await load.handle.result;
    loadEndedAtMs = nowMs();
  } finally {
    // The recording ends with the load: the health wait after it is not part of the window.
    if (recorder) recorded = await recorder.stop();
  }
  const healthyAtMs = await waitUntilHealthy(topology, HEALTH_TIMEOUT_MS, ctx.signal);
  const eventsUntil = healthyAtMs ?? nowMs();
  const fates = summariseProcessFates(topology.events, loadStartedAtMs, eventsUntil);
  const sloMs = Object.fromEntries(ctx.config.models.map((m) => [m, findModel(m)!.sloMs]));
  // Bins (charts, SLO rule) are the load's alone; outages merge the load's requests with the probes.
  const timelineOnly = toTimeline(withoutProbes(run));
  const injectedAtMs = Math.floor((injected.injectAtMs - run.startedAtMs) / binMs) * binMs;
  const analysis = analyseFault({
    timeline: timelineOnly,
    targetModel: plan.targetModel,
    sloMs,
    baseline: { fromMs: warmupMs, toMs: Math.min(warmupMs + baselineMs, injectedAtMs) },
    injectedAtMs,
    observeUntilMs: run.durationMs,
    observations: collectObservations(run),
    probes: collectObservations(run, 'probes'),
  });
  const marks: AbsoluteMark[] = [...injected.marks, ...marksFromEvents(topology.events, loadStartedAtMs, eventsUntil)];
  if (analysis.recoveryMs !== null && plan.kind !== 'none') marks.push({ atMs: run.startedAtMs + injectedAtMs + analysis.recoveryMs, kind: 'recovered', label: 'every model back within SLO' });
  if (healthyAtMs !== null && fates.died.length > 0) marks.push({ atMs: healthyAtMs, kind: 'other', label: 'topology healthy again (all processes ready)' });
  const notMeasured: Record<string, string> = {};
  if (analysis.recoveryMs === null) notMeasured.recoveryMs = endedEarly ? `not every model was back within SLO (or its baseline) in the bins by the end of the window, though every model's requests had answered well for ${timing.observeAfterReadyMs} ms` : `not every model was back within SLO (or its baseline) ${recoveryLimitMs} ms after the fault was disarmed`;
  if (analysis.blastRadius === null) notMeasured.blastRadius = analysis.undeterminedModels.length > 0 ? `no other model could be judged: ${analysis.undeterminedModels.map((u) => `${u.model} (${u.reason})`).join('; ')}` : 'no other model in the run';
  if (analysis.collateralP99InflationRatio === null) notMeasured.collateralP99InflationRatio = 'no neighbour had a p99 in both the baseline and the fault window';
  const notes = [...injected.notes];
  if (healthyAtMs === null) notes.push(`${plan.who.topology}/${plan.who.variant} ${plan.kind} in ${plan.targetModel}: the topology was not healthy ${HEALTH_TIMEOUT_MS} ms after the window; it was stopped and started again`);
  const validity = judgeWindow(run, sloMs, endedEarly);
  const result: FaultResult = {
    topology: plan.who.topology,
    variant: plan.who.variant,
    trial: plan.trial,
    ...validity,
    notMeasured,
    faultKind: plan.kind,
    targetModel: plan.targetModel,
    blastRadius: analysis.blastRadius,
    impactedModels: analysis.impactedModels,
    collateralFailedRequests: analysis.collateralFailedRequests,
    collateralP99InflationRatio: analysis.collateralP99InflationRatio,
    targetDowntimeMs: analysis.targetDowntimeMs,
    recoveryMs: analysis.recoveryMs,
    processesDied: fates.died,
    processesRestarted: fates.restarted,
    perModel: analysis.perModel,
    timeline: { ...timelineOnly, marks: toTimeline(run, marks).marks },
    ...(analysis.targetDowntimeResolutionMs !== undefined ? { targetDowntimeResolutionMs: analysis.targetDowntimeResolutionMs, targetUnrecovered: analysis.targetUnrecovered ?? false } : {}),
    undeterminedModels: analysis.undeterminedModels,
    requestLogs: toRequestLogs(run),
  };
  // The same instants for the diagnoser: baseline after the warm-up, the injection, the load's end.
  const diagnosis = recorded && plan.recordSignals ? diagnoseWindow(topology, recorded, run, { baselineFromMs: run.startedAtMs + warmupMs, injectedAtMs: injected.injectAtMs, untilMs: loadEndedAtMs }, { who: plan.who, trial: plan.trial, kind: plan.kind, targetModel: plan.targetModel, tickMs: plan.recordSignals.tickMs, validity }) : undefined;
  return { result, healthy: healthyAtMs !== null, notes, ...(diagnosis ? { diagnosis } : {}) };
}
