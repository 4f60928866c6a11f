import { findModel } from '../../models/catalog.js';
import type { ClosedLoopResult } from '../load/closed-loop.js';
import { plannedShares } from '../load/mix-loop.js';
import { checkGeneratorSaturation, checkMixShares, mixShareTolerance } from '../stats/validity.js';
import type { RunningTopology } from '../targets/types.js';
import type { ThroughputResult } from '../results/schema.js';
import type { TopologyVariant } from '../config/topologies.js';
import { ceilingRps, type BareInferenceMs } from './ceiling.js';
import type { ExperimentContext } from './context.js';
import { buildRequests, inferUrl } from './traffic.js';

// Every model weighs the same in the mixed traffic (plain round-robin); the ceiling reads the same shares.
const MIX_WEIGHT = 1;

/** Converts a sweep into a throughput result with efficiency against the bare-inference ceiling. */
function toThroughputResult(sweep: ClosedLoopResult, who: TopologyVariant, trial: number, model: string, ceiling: number | null, shares?: Record<string, number>): ThroughputResult {
  const notMeasured: Record<string, string> = {};
  if (sweep.maxRpsUnderSlo === null) notMeasured.maxRpsUnderSlo = sweep.underSloReason ?? 'no concurrency level met the SLO';
  if (ceiling === null) notMeasured.ceilingRps = 'bare inference was not measured for this model';
  const reasons: string[] = [];
  if (sweep.aborted) reasons.push('sweep was interrupted');
  if (sweep.maxRps === null) reasons.push('no concurrency level served requests');
  const mixed = sweep.levels.some((level) => level.shares !== undefined);
  if (mixed) reasons.push(...checkMixShares(sweep.levels.map((level) => ({ connections: level.connections, shares: level.shares ?? [] }))).invalidReasons);
  // The mix loop reports its own CPU: a saturated generator measured itself, not the server.
  for (const level of sweep.levels) {
    if (level.generatorCpuUtilisation === undefined) continue;
    reasons.push(...checkGeneratorSaturation({ cpuUtilisation: level.generatorCpuUtilisation, sendLagP99Ms: null }).invalidReasons.map((r) => `at ${level.connections} connections: ${r}`));
  }
  return {
    topology: who.topology,
    variant: who.variant,
    trial,
    valid: reasons.length === 0,
    invalidReasons: reasons,
    notMeasured,
    model,
    sweep: sweep.levels.map((level) => ({
      connections: level.connections,
      rps: level.rpsMean,
      p50Ms: level.latencyP50Ms,
      p99Ms: level.latencyP99Ms,
      errors: level.errors,
      non2xx: level.non2xx,
      timeouts: level.timeouts,
      ...(level.shares ? { shares: level.shares, shareTolerance: mixShareTolerance({ connections: level.connections, shares: level.shares }) } : {}),
    })),
    maxRps: sweep.maxRps,
    maxRpsUnderSlo: sweep.maxRpsUnderSlo,
    ceilingRps: ceiling,
    efficiency: ceiling !== null && sweep.maxRps !== null ? sweep.maxRps / ceiling : null,
    ...(shares ? { plannedShares: shares } : {}),
    loadGenerator: sweep.loadGenerator,
  };
}

/**
 * Closed-loop capacity sweep of a started topology: the mixed traffic (every connection sends every
 * model in turn, each to its own URL, so the planned shares hold on every variant; see mix-loop.ts),
 * and each model alone when the profile asks for it. The mixed SLO is the loosest model's SLO; the
 * mixed ceiling is bare inference of the same mix.
 */
export async function measureThroughput(ctx: ExperimentContext, topology: RunningTopology, who: TopologyVariant, trial: number, bare: BareInferenceMs): Promise<ThroughputResult[]> {
  const { config } = ctx;
  const settings = config.settings.throughput;
  const requests = buildRequests(config.models, config.seed);
  const sweepOf = (models: readonly string[]) =>
    ctx.generator.runClosedLoop({
      targets: models.map((m) => ({ model: m, weight: MIX_WEIGHT, url: inferUrl(topology, m), method: 'POST' as const, headers: requests[m]!.headers, body: requests[m]!.body })),
      concurrencyLevels: settings.connections,
      levelDurationMs: settings.durationSec * 1000,
      warmupMs: settings.warmupSec * 1000,
      timeoutMs: config.settings.latency.timeoutMs,
      sloMs: Math.max(...models.map((m) => findModel(m)!.sloMs)),
      ...(settings.plateauGain !== null ? { plateauGain: settings.plateauGain } : {}),
    });
  const shares = plannedShares(config.models.map((model) => ({ model, weight: MIX_WEIGHT })));
  const results = [toThroughputResult(await sweepOf(config.models), who, trial, 'mixed', ceilingRps(bare, shares), config.models.length > 1 ? shares : undefined)];
  if (settings.perModel && (settings.perModelTrials === null || trial < settings.perModelTrials)) {
    for (const model of config.models) {
      if (ctx.signal.aborted) break;
      results.push(toThroughputResult(await sweepOf([model]), who, trial, model, ceilingRps(bare, { [model]: 1 })));
    }
  }
  return results;
}
