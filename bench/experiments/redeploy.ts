import { PROBE_INTERVAL_MS } from './availability-probe.js';
import type { RunConfig } from '../config/run-config.js';
import type { TopologyVariant } from '../config/topologies.js';
import type { Comparison, RedeployResult } from '../results/schema.js';
import { compareAll } from './compare-topologies.js';
import { estimateSteps, TOPOLOGY_START_MS } from './estimate.js';
import { pushNotesOnce, type ExperimentContext } from './context.js';
import { planRedeploy, type RedeployPlan } from './redeploy/plan.js';
import { CODE_CHANGE_RUNTIME } from './redeploy/perform-rollout.js';
import { DEFAULT_RUNTIME_NAME } from '../../models/runtimes.js';
import { redeployMetrics } from './redeploy/redeploy-metrics.js';
import { runRedeploySession } from './redeploy/run-session.js';
import { trackPublishedVersions } from './redeploy/store-versions.js';
import { redeployKey } from '../results/unit-keys.js';

/** What every redeploy section says about how its numbers were obtained. */
function describeMethod(ctx: ExperimentContext, plan: RedeployPlan): string[] {
  const s = ctx.config.settings.redeploy;
  const headline = s.strategies.includes('recreate') ? 'recreate' : 'rolling';
  return [
    ...plan.notes,
    `the steady load during rollouts is ${s.loadScale} × the latency experiment's per-model rates (${ctx.config.models.map((m) => `${m} ${(ctx.config.settings.latency.rates[m] ?? 0) * s.loadScale} rps`).join(', ')}): a rollout is measured under load, not overload — at the full mix the gateway variants were already failing requests before any rollout on this machine`,
    `each rollout publishes a new version of ${s.targetModel} into the store (<model>/<N+1>/model.onnx) and rolls it out under the steady mixed open-loop load; every topology is started pinned to the versions already in the store, and the versions added are removed at the end`,
    `one topology per variant serves all its rollouts in a row under one load: the first gets ${s.leadMs} ms of lead, each is observed for ${s.tailMs} ms after it ends, and the next starts once every model has answered well (no error, within its SLO) for its whole lead window (${s.leadMs} ms, from the bin boundary before it; at most 8 s of waiting, reported live by the load generator); good deploys run first, bad recreates last (a recreate that leaves the model down is rolled back, unmeasured, before the next rollout)`,
    'change kind `model` (new weights): recreate restarts the process hosting the model (the whole monolith, or one service); rolling starts a new service beside the old in microservices, while the monolith swaps just that session in process (repository load API: load, warm, atomic swap), reported as reloadMode in-process',
    `change kind \`code\` is a real runtime change of the target model: its host restarts on another onnxruntime-node version (${DEFAULT_RUNTIME_NAME} → ${CODE_CHANGE_RUNTIME}, and back on the next code rollout), with the new model version so the probe can tell the instances apart. In microservices only the target's service moves; in the monolith every model it hosts restarts on that runtime, and a model that cannot load there fails the rollout (the old runtime is restored before the next one)`,
    'time to new version: a harness probe POSTs an inference of the target through the client endpoint every 20 ms (100 ms for heavy models), one at a time; it is rollout start → first answer whose model_version is the new version. The outcome is read off the later half of the probes sent after the rollout ended (the tail is extended until at least 4 of them came back, at most 4 s): no success → failed-down, latest success from the new version → rolled-out, from the old one → failed-old-serving',
    `per-model downtime = from requests (the load and every model's availability probe, one small inference every ${PROBE_INTERVAL_MS} ms, merged by intended send time): each outage runs from a failed request to the next success, between the rollout start and the end of the tail; it is shown with its resolution (the largest gap between that model's observations). Failed requests (of the load only) and worst bin p99 over the same window`,
    'processesRestarted = processes (by base name) that got a new instance spawned during the rollout, successful or not; modelsReloaded / bytesReloaded = models, and their file bytes, loaded by instances that became ready during the rollout (or swapped in process) — loads that failed are not counted; extraPeakRssBytes = peak total RSS of every server process during the rollout minus the total just before it (sampled every 100 ms and at both ends; 0 when it never went above)',
    `headline (update-cost): failed requests of the models that were NOT being updated during a good \`${s.changeKinds.includes('model') ? 'model' : s.changeKinds[0]}\` ${headline} — what shipping one model costs everyone else; both sides of the headline pair have the same gateway in front. The other strategy and metrics are compared without a claim`,
    'a result is invalid when the load generator\'s send-lag p99 exceeds half a timeline bin: failures are counted per bin and downtime per request by intended send time, and latencies are timed from the intended send time, so a smaller lag only inflates p99 (conservatively) without moving requests between bins; the stricter latency-experiment rule (5 ms) is not applied here because every outage floods the generator with refused connections',
    s.trialsInOneSession
      ? `redeploy trials: ${s.trials} (the profile's redeploy.trials), all on one topology per variant: each trial is its own publish and rollout, one after another under the same load, so start-ups are not repeated`
      : `redeploy trials: ${s.trials} (the profile's redeploy.trials; each trial starts the topology again and repeats every rollout)`,
  ];
}

/** Comparisons per strategy and change kind; rolling is compared only between the variants that ran it. */
function compareRedeploys(ctx: ExperimentContext, plan: RedeployPlan, results: readonly RedeployResult[]): Comparison[] {
  const s = ctx.config.settings.redeploy;
  const headlineStrategy = s.strategies.includes('recreate') ? 'recreate' : 'rolling';
  const headlineKind = s.changeKinds.includes('model') ? 'model' : s.changeKinds[0];
  return s.strategies.flatMap((strategy) => {
    const variants: TopologyVariant[] = plan.sessions.filter((x) => x.steps.some((step) => step.strategy === strategy)).map((x) => x.who);
    const mine = results.filter((r) => r.strategy === strategy);
    return s.changeKinds.flatMap((kind) => compareAll(mine, redeployMetrics(strategy, kind, strategy === headlineStrategy && kind === headlineKind), variants, ctx.config.seed));
  });
}

/** How many rollouts the redeploy experiment performs. */
export function countRollouts(config: RunConfig): number {
  const plan = planRedeploy(config.variants, config.settings.redeploy);
  const sessionRounds = config.settings.redeploy.trialsInOneSession ? 1 : config.settings.redeploy.trials;
  return sessionRounds * plan.sessions.reduce((sum, x) => sum + x.steps.length, 0);
}

/** Expected wall time of the redeploy experiment: its topology starts, each one's lead, and every rollout. */
export function estimateRedeployMs(config: RunConfig): number {
  const settings = config.settings.redeploy;
  const starts = planRedeploy(config.variants, settings).sessions.length * (settings.trialsInOneSession ? 1 : settings.trials);
  const rounds = settings.trialsInOneSession ? 1 : settings.trials;
  const rolloutsMs = planRedeploy(config.variants, settings).sessions.reduce((sum, x) => sum + x.steps.reduce((s, step) => s + estimateSteps(config).rolloutMs(step), 0), 0);
  return starts * (TOPOLOGY_START_MS + settings.leadMs) + rounds * rolloutsMs;
}

/**
 * The redeploy experiment: what does shipping one model cost? For each variant, strategy and change
 * kind, roll out a new (and, if asked, a corrupt) version under load and measure it from the outside.
 */
export async function runRedeployExperiment(ctx: ExperimentContext): Promise<void> {
  const settings = ctx.config.settings.redeploy;
  const plan = planRedeploy(ctx.config.variants, settings);
  const published = trackPublishedVersions(ctx.storeDir);
  ctx.recorder.updateSection('redeploy', (s) => pushNotesOnce(s.notes, ...describeMethod(ctx, plan)));
  try {
    // With trialsInOneSession the plan's steps already carry every trial: one round of sessions.
    for (let trial = 0; trial < (settings.trialsInOneSession ? 1 : settings.trials); trial++) {
      for (const [index, planned] of plan.sessions.entries()) {
        // A resumed run performs only the rollouts it lacks; a session with none is not started.
        const session = { ...planned, steps: planned.steps.filter((step) => !ctx.resume?.has(redeployKey(planned.who, step.trial ?? trial, step))) };
        if (session.steps.length === 0) continue;
        await runRedeploySession(ctx, session, trial, ctx.config.seed + 1000 * trial + index, published, (result, error) =>
          ctx.recorder.updateSection('redeploy', (s) => {
            s.results.push(result);
            if (error !== null) s.notes.push(`${result.topology}/${result.variant} trial ${trial + 1}, ${result.strategy} ${result.changeKind} v${result.fromVersion} → v${result.toVersion}${result.corrupt ? ' (corrupt)' : ''}: the rollout failed (${error}); outcome ${result.outcome}`);
          }),
        );
      }
    }
  } finally {
    published.removeAll();
  }
  ctx.recorder.updateSection('redeploy', (s) => {
    s.comparisons = compareRedeploys(ctx, plan, s.results);
    s.status = 'complete';
    s.finishedAt = new Date().toISOString();
  });
}
