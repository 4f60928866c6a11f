import { findModel } from '../../../models/catalog.js';
import { nowMs, sleep } from '../../clock.js';
import type { Observation } from '../../load/request-log.js';
import type { OpenLoopResult } from '../../load/types.js';
import type { RunningTopology, SupervisorEvent } from '../../targets/types.js';
import type { ResourceReport } from '../../resources/sampler.js';
import type { RedeployResult } from '../../results/schema.js';
import { marksFromEvents, startBackgroundLoad, waitUntilSettled, type AbsoluteMark, type BackgroundLoad } from '../background-load.js';
import { throwIfInterrupted, type ExperimentContext } from '../context.js';
import { estimateSteps, TOPOLOGY_START_MS } from '../estimate.js';
import { watchTopology } from '../footprint.js';
import { buildTopologySpec } from '../topology-spec.js';
import { collectObservations, toRequestLogs, withoutProbes } from '../availability-probe.js';
import { sliceObservations } from '../../load/request-log.js';
import { buildRequests, toTimeline } from '../traffic.js';
import { computeExtraPeakRss, countRestartedProcesses, findUnhealthyBaseline, judgeByProbe, listReadiedProcesses, measurePerModel, sliceTimeline, type ProbeVerdict } from './analyze-rollout.js';
import { performRollout, rollBack, type HostState, type RolloutRecord } from './perform-rollout.js';
import type { RedeploySession, RolloutStep } from './plan.js';
import type { PublishedVersions } from './store-versions.js';
import { versionBytes } from './store-versions.js';
import { PROBE_TIMEOUT_MS, startVersionProbe, waitForProbes, type VersionProbe } from './version-probe.js';

/** Load scheduled per rollout beyond the tail; the load is aborted once the last rollout was observed. */
const ROLLOUT_BUDGET_MS = 20_000;
/** Longest wait for the topology to settle before the next rollout (within the budget above). */
const SETTLE_CAP_MS = 8000;
/** Time between the settle check and the rollout's start (publishing the version), with room to spare. */
const PUBLISH_MARGIN_MS = 150;
/** Probe period: fine for light targets, sparser for heavy ones so the probe does not load them. */
const PROBE_INTERVAL_MS = { light: 20, heavy: 100 } as const;

/** One rollout done in the session, with everything needed to turn it into a result afterwards. */
interface DoneRollout {
  step: RolloutStep;
  fromVersion: number;
  toVersion: number;
  publishedAtMs: number;
  record: RolloutRecord;
  windowEndMs: number;
  verdict: ProbeVerdict;
  /** Models (and their version) loaded by each process that became ready during the rollout. */
  loaded: Array<{ model: string; version: number }>;
}

/** What a session collected once its load, probe and sampler stopped. */
interface SessionData {
  load: OpenLoopResult | null;
  loadError: string | null;
  resources: ResourceReport | null;
  events: SupervisorEvent[];
}

/** Supervisor stop events as marks (marksFromEvents leaves them out; in a redeploy they are the moment a process went away). */
function marksFromStops(events: readonly SupervisorEvent[]): AbsoluteMark[] {
  return events.filter((e) => e.type === 'stop').map((e) => ({ atMs: e.atMs, kind: 'exit' as const, label: `${e.process} stopped (drained)`, process: e.process }));
}

/** Models (with version) that processes readied during the rollout had to load. */
function listLoadedModels(topology: RunningTopology, record: RolloutRecord, target: string, toVersion: number, pinned: Record<string, number>): DoneRollout['loaded'] {
  if (record.reloadMode === 'in-process') return record.error === null ? [{ model: target, version: toVersion }] : [];
  const readied = listReadiedProcesses(topology.events, record.startedAtMs, record.endedAtMs);
  return topology
    .processes()
    .filter((p) => readied.includes(p.name))
    .flatMap((p) => p.models.map((model) => ({ model, version: model === target ? toVersion : pinned[model]! })));
}

/** Turns one finished rollout and the session's measurements into a result. */
function buildResult(ctx: ExperimentContext, session: RedeploySession, trial: number, done: DoneRollout, data: SessionData, target: string): RedeployResult {
  const { leadMs } = ctx.config.settings.redeploy;
  const { record } = done;
  const notMeasured: Record<string, string> = {};
  const invalidReasons: string[] = [];
  const marks: AbsoluteMark[] = [
    { atMs: done.publishedAtMs, kind: 'publish', label: `published ${target} v${done.toVersion}${done.step.corrupt ? ' (corrupt file)' : ''}`, model: target },
    ...record.marks,
    ...marksFromEvents(data.events, record.startedAtMs - leadMs, done.windowEndMs),
    ...marksFromStops(data.events.filter((e) => e.atMs >= record.startedAtMs - leadMs && e.atMs <= done.windowEndMs)),
  ];
  const empty = { startedAtMs: record.startedAtMs - leadMs, binMs: ctx.config.settings.fault.binMs, bins: {}, marks: [] };
  const timeline = data.load ? sliceTimeline(toTimeline(withoutProbes(data.load), marks), record.startedAtMs - leadMs, done.windowEndMs) : empty;
  // Requests and probes of the slice, re-based to its start: what downtime is read from.
  const sliceFromMs = timeline.startedAtMs - (data.load?.startedAtMs ?? timeline.startedAtMs);
  const sliceToMs = done.windowEndMs - (data.load?.startedAtMs ?? timeline.startedAtMs);
  const slice = (byModel: Record<string, Observation[]>) => Object.fromEntries(Object.entries(byModel).map(([model, list]) => [model, sliceObservations(list, sliceFromMs, sliceToMs)]));
  const observed = data.load ? { observations: slice(collectObservations(data.load)), probes: slice(collectObservations(data.load, 'probes')), untilMs: done.windowEndMs } : undefined;
  if (!data.load) invalidReasons.push(`no load timeline: ${data.loadError ?? 'the load generator did not report'}`);
  const lagMs = data.load?.generator.sendLagP99Ms ?? null;
  if (lagMs !== null && lagMs > data.load!.binMs / 2) invalidReasons.push(`load generator send-lag p99 ${lagMs.toFixed(0)} ms exceeds half a timeline bin (${data.load!.binMs / 2} ms): requests land in the wrong bins`);
  if (done.verdict.problem) invalidReasons.push(done.verdict.problem);
  const unhealthy = data.load ? findUnhealthyBaseline(timeline, record.startedAtMs) : [];
  if (unhealthy.length > 0) invalidReasons.push(`already failing before the rollout (lead window): ${unhealthy.map((u) => `${u.model} ${(100 * u.errorRate).toFixed(1)}% errors`).join(', ')} — the topology is overloaded at this load, so the rollout's own cost cannot be told apart`);
  if (done.verdict.timeToNewVersionMs === null) notMeasured.timeToNewVersionMs = `the probe never got an answer from v${done.toVersion} (${done.verdict.outcome})`;
  const extraPeakRssBytes = data.resources ? computeExtraPeakRss(data.resources.totals, record.startedAtMs, record.endedAtMs) : null;
  if (extraPeakRssBytes === null) notMeasured.extraPeakRssBytes = 'no RSS sample before and during the rollout';
  const bytesReloaded = done.loaded.reduce((sum, l) => sum + versionBytes(ctx.storeDir, l.model, l.version), 0);
  return {
    topology: session.who.topology,
    variant: session.who.variant,
    trial: done.step.trial ?? trial,
    valid: invalidReasons.length === 0,
    invalidReasons,
    notMeasured,
    strategy: done.step.strategy,
    changeKind: done.step.changeKind,
    targetModel: target,
    corrupt: done.step.corrupt,
    reloadMode: record.reloadMode,
    outcome: done.verdict.outcome,
    fromVersion: done.fromVersion,
    toVersion: done.toVersion,
    timeToNewVersionMs: done.verdict.timeToNewVersionMs === null ? null : Math.round(done.verdict.timeToNewVersionMs),
    processesRestarted: countRestartedProcesses(data.events, record.startedAtMs, record.endedAtMs),
    modelsReloaded: done.loaded.length,
    bytesReloaded,
    extraPeakRssBytes,
    perModel: data.load ? measurePerModel(timeline, ctx.config.models, record.startedAtMs, observed) : ctx.config.models.map((model) => ({ model, downtimeMs: null, failedRequests: 0, p99Ms: null })),
    timeline,
    ...(data.load ? { requestLogs: toRequestLogs(data.load, sliceFromMs, sliceToMs) } : {}),
  };
}

/** The context with the latency experiment's rates scaled down: the steady load the rollouts run under. */
function scaleLoad(ctx: ExperimentContext, scale: number): ExperimentContext {
  const latency = ctx.config.settings.latency;
  const rates = Object.fromEntries(Object.entries(latency.rates).map(([model, rps]) => [model, rps * scale]));
  return { ...ctx, config: { ...ctx.config, settings: { ...ctx.config.settings, latency: { ...latency, rates } } } };
}

/** Stops what a session started, keeping whatever the load generator and the sampler measured. */
async function collectSession(topology: RunningTopology, load: BackgroundLoad | null, probe: VersionProbe | null, sampler: ReturnType<typeof watchTopology> | null): Promise<SessionData> {
  await probe?.stop();
  let result: OpenLoopResult | null = null;
  let loadError: string | null = null;
  if (load) {
    await load.handle.abort().catch(() => undefined);
    result = await load.handle.result.catch((error: unknown) => ((loadError = String((error as Error)?.message ?? error)), null));
  }
  const resources = sampler ? await sampler.stop() : null;
  await topology.stop();
  return { load: result, loadError, resources, events: [...topology.events] };
}

/**
 * Starts one topology pinned to the store's current versions, runs its rollouts one after another
 * under one steady mixed load (each rollout gets the tail of the previous one as its lead), and
 * reports one result per rollout, also when the session is cut short.
 */
export async function runRedeploySession(ctx: ExperimentContext, session: RedeploySession, trial: number, seed: number, published: PublishedVersions, onResult: (result: RedeployResult, error: string | null) => void): Promise<void> {
  const settings = ctx.config.settings.redeploy;
  const target = settings.targetModel;
  const pinned = Object.fromEntries(ctx.config.models.map((m) => [m, published.latestGood(m)]));
  const spec = buildTopologySpec(ctx.config, ctx.storeDir, session.who, { versions: pinned, monolithGateway: session.monolithGateway });
  ctx.progress.step(`redeploy · starting ${session.who.topology}/${session.who.variant} · trial ${trial + 1}`);
  const topology = await ctx.target.start(spec, { readyTimeoutMs: 60_000 });
  const state: HostState = { host: session.who.topology === 'monolith' ? 'monolith' : `service:${target}`, version: pinned[target]! };
  const done: DoneRollout[] = [];
  let load: BackgroundLoad | null = null;
  let probe: VersionProbe | null = null;
  let sampler: ReturnType<typeof watchTopology> | null = null;
  let data: SessionData | null = null;
  try {
    sampler = watchTopology(topology);
    load = await startBackgroundLoad(scaleLoad(ctx, settings.loadScale), topology, settings.leadMs + session.steps.length * (settings.tailMs + ROLLOUT_BUDGET_MS), seed);
    const request = buildRequests([target], ctx.config.seed)[target]!;
    const probeUrl = () => (topology.endpoints()[target] ? `${topology.endpoints()[target]}/v2/models/${target}/infer` : null);
    probe = startVersionProbe(probeUrl, request, PROBE_INTERVAL_MS[findModel(target)?.weightClass ?? 'light']);
    await sleep(settings.leadMs);
    ctx.progress.tick(TOPOLOGY_START_MS + settings.leadMs);
    for (const [index, step] of session.steps.entries()) {
      throwIfInterrupted(ctx.signal);
      // Every rollout starts on a settled topology, so its lead window is not the previous rollout's
      // recovery; one that never settles is judged by its lead window as usual (invalid). The lead
      // window starts on a bin boundary (up to a bin earlier) and the publish comes first: both are covered.
      if (index > 0) await waitUntilSettled(load, ctx.config.models, settings.leadMs + ctx.config.settings.fault.binMs + PUBLISH_MARGIN_MS, SETTLE_CAP_MS, ctx.signal);
      ctx.progress.step(`redeploy · ${session.who.topology}/${session.who.variant} · ${step.strategy} ${step.changeKind}${step.corrupt ? ' (corrupt)' : ''} · trial ${(step.trial ?? trial) + 1}`);
      const fromVersion = state.version;
      const publishedAtMs = nowMs();
      const info = published.publish(target, step.corrupt);
      await sampler.sampleNow();
      const record = await performRollout(topology, state, target, info.version, step);
      await sampler.sampleNow();
      await sleep(settings.tailMs);
      await waitForProbes(probe, record.endedAtMs, 4, 2 * PROBE_TIMEOUT_MS);
      const windowEndMs = nowMs();
      const verdict = judgeByProbe(probe.samples, info.version, record.startedAtMs, record.endedAtMs, windowEndMs);
      done.push({ step, fromVersion, toVersion: info.version, publishedAtMs, record, windowEndMs, verdict, loaded: listLoadedModels(topology, record, target, info.version, pinned) });
      ctx.progress.tick(estimateSteps(ctx.config).rolloutMs(step));
      if (verdict.outcome === 'failed-down' && index < session.steps.length - 1) {
        await rollBack(topology, state, target);
        await sleep(settings.leadMs);
      }
    }
  } finally {
    data = await collectSession(topology, load, probe, sampler);
    for (const rollout of done) onResult(buildResult(ctx, session, trial, rollout, data, target), rollout.record.error);
  }
}
