import { findModel } from '../../models/catalog.js';
import type { OpenLoopResult, StreamResult } from '../load/types.js';
import type { RunningTopology } from '../targets/types.js';
import type { LatencyResult } from '../results/schema.js';
import { checkGeneratorSaturation, checkMinimumDuration, checkStability, checkWarmupExcluded, combineValidity } from '../stats/index.js';
import type { TopologyVariant } from '../config/topologies.js';
import type { ExperimentContext } from './context.js';
import { buildOpenLoopPlan, buildRequests } from './traffic.js';

/** Fewest requests per measurement window for the stability rule to mean anything. */
const MIN_SAMPLES_PER_WINDOW = 50;
/** Shortest measured window a latency claim may rest on. */
const MIN_MEASURED_MS = 1500;

/** Turns one stream of an open-loop run into a latency result, with validity and missing figures explained. */
export function toLatencyResult(stream: StreamResult, run: OpenLoopResult, who: TopologyVariant, trial: number, scenario: LatencyResult['scenario'], stabilityTolerance = 0.25): LatencyResult {
  // The same rule as the fault experiment: lag may not exceed half the tightest SLO in the run, so it
  // cannot move a result across an SLO; it inflates both topologies alike, as one generator drives both.
  const maxSendLagP99Ms = Math.min(...run.streams.map((s) => findModel(s.model)?.sloMs ?? Infinity)) / 2;
  const perWindow = stream.measured.sent / Math.max(1, stream.windows.length);
  const notMeasured: Record<string, string> = {};
  const reasons = stream.latency.nullReasons.join('; ');
  for (const field of ['p50Ms', 'p90Ms', 'p99Ms', 'p999Ms'] as const) {
    if (stream.latency[field] === null) notMeasured[`latency.${field}`] = reasons || 'no successful requests';
  }
  const stability = perWindow >= MIN_SAMPLES_PER_WINDOW ? checkStability(stream.windows, { p50RelativeTolerance: stabilityTolerance, p50AbsoluteToleranceMs: 1 }) : { valid: true, invalidReasons: [] };
  if (perWindow < MIN_SAMPLES_PER_WINDOW) notMeasured.stability = `not assessed: ${perWindow.toFixed(0)} requests per window, fewer than ${MIN_SAMPLES_PER_WINDOW}`;
  const validity = combineValidity(
    checkWarmupExcluded({ warmupMs: run.warmupMs, warmupExcluded: true }),
    checkMinimumDuration(run.measuredMs, MIN_MEASURED_MS),
    checkGeneratorSaturation({ cpuUtilisation: run.generator.cpuUtilisation, sendLagP99Ms: run.generator.sendLagP99Ms }, { maxSendLagP99Ms }),
    stability,
    run.aborted ? { valid: false, invalidReasons: ['run was interrupted before the end of the measurement'] } : { valid: true, invalidReasons: [] },
  );
  return {
    topology: who.topology,
    variant: who.variant,
    trial,
    valid: validity.valid,
    invalidReasons: validity.invalidReasons,
    notMeasured,
    model: stream.model,
    scenario,
    offeredRps: stream.offeredRps,
    achievedRps: stream.achievedRps,
    sent: stream.measured.sent,
    succeeded: stream.measured.succeeded,
    errorRate: stream.errorRate,
    errors: Object.fromEntries(Object.entries(stream.measured.errors).filter(([, n]) => (n ?? 0) > 0)) as Record<string, number>,
    latency: { p50Ms: stream.latency.p50Ms, p90Ms: stream.latency.p90Ms, p99Ms: stream.latency.p99Ms, p999Ms: stream.latency.p999Ms, maxMs: stream.latency.maxMs, meanMs: stream.latency.meanMs },
    sendLagP99Ms: stream.sendLagP99Ms,
    generator: { sendLagP99Ms: run.generator.sendLagP99Ms, cpuUtilisation: run.generator.cpuUtilisation },
    percentileCurve: stream.latency.curve.map((point) => ({ percentile: point.percentile, ms: point.valueMs })),
    histogram: stream.latency.histogramBase64,
  };
}

/** The mixed run of a latency trial, kept for the footprint's CPU and memory figures. */
export interface LatencyTrial {
  results: LatencyResult[];
  mixed: OpenLoopResult;
}

/**
 * Runs the latency scenarios against a started topology: `mixed` (every model at its rate) and
 * `light-only` (the heavy models idle), whose difference is the interference heavy models cause.
 */
export async function measureLatency(ctx: ExperimentContext, topology: RunningTopology, who: TopologyVariant, trial: number): Promise<LatencyTrial> {
  const { config } = ctx;
  const settings = config.settings.latency;
  const requests = buildRequests(config.models, config.seed);
  const rates = Object.fromEntries(config.models.map((m) => [m, settings.rates[m] ?? 0]));
  const seed = config.seed * 1000 + trial;
  const mixed = await ctx.generator.runOpenLoop({ ...buildOpenLoopPlan(topology, requests, rates, { durationMs: settings.warmupMs + settings.durationMs, warmupMs: settings.warmupMs, seed }, settings), fixedCounts: true });
  const results = mixed.streams.map((stream) => toLatencyResult(stream, mixed, who, trial, 'mixed', settings.stabilityTolerance));
  const lightRates = Object.fromEntries(Object.entries(rates).filter(([m]) => findModel(m)?.weightClass === 'light'));
  const hasHeavy = Object.keys(lightRates).length < Object.keys(rates).length;
  if (hasHeavy && settings.lightOnlyDurationMs > 0 && !ctx.signal.aborted) {
    const lightOnly = await ctx.generator.runOpenLoop({ ...buildOpenLoopPlan(topology, requests, lightRates, { durationMs: settings.warmupMs + settings.lightOnlyDurationMs, warmupMs: settings.warmupMs, seed: seed + 500 }, settings), fixedCounts: true });
    results.push(...lightOnly.streams.map((stream) => toLatencyResult(stream, lightOnly, who, trial, 'light-only', settings.stabilityTolerance)));
  }
  return { results, mixed };
}
