import type { Observation } from '../load/request-log.js';
import type { Timeline, TimelineBin } from '../results/schema.js';
import { binsBetween, countErrors, downtimeMs, isErrorViolating, isLatencyViolating, isViolating, worstBinP99 } from './bin-health.js';
import { describeModelOutages, findOutages, type OutageReport } from './outages.js';

/**
 * The rule for "too few observations to judge": fewer than MIN_OBSERVATIONS requests and probes in
 * the fault window, or a gap between two of them (its resolution) above MAX_RESOLUTION_MS. Such a
 * model with no sign of impact is undetermined (listed, left out of the ratio), never unaffected.
 */
export const MIN_OBSERVATIONS = 5;
export const MAX_RESOLUTION_MS = 500;

/** What the fault analysis needs to know beyond the timeline. */
export interface FaultWindowInput {
  timeline: Timeline;
  targetModel: string;
  sloMs: Record<string, number>;
  /** Baseline window (no fault), relative to the timeline start. */
  baseline: { fromMs: number; toMs: number };
  /** Fault injected, relative to the timeline start. */
  injectedAtMs: number;
  /** End of observation: recovery must happen before this. */
  observeUntilMs: number;
  /** Consecutive healthy bins that count as "back within SLO" (default 2). */
  stableBins?: number;
  /**
   * Every request and probe per model (time-ordered, ms relative to the timeline start). With them,
   * outages come from requests (DESIGN.md §5); without (older results), from whole bins.
   */
  observations?: Record<string, Observation[]>;
  /** Probe requests per model, counted apart (they are in `observations` too). */
  probes?: Record<string, Observation[]>;
}

/** Per-model outcome of a fault window. */
export interface ModelImpact {
  model: string;
  isTarget: boolean;
  violatingBins: number;
  baselineViolatingBins: number;
  impacted: boolean;
  failedRequests: number;
  p99Ms: number | null;
  baselineP99Ms: number | null;
  /** From requests and probes (only when observations were given). */
  downtimeMs?: number | null;
  resolutionMs?: number | null;
  outages?: number;
  unrecovered?: boolean;
  observations?: number;
  probeObservations?: number;
  probeFailures?: number;
  undetermined?: string;
}

/** The headline numbers DESIGN.md section 6 defines for one fault. */
export interface FaultAnalysis {
  /** Impacted non-target models ÷ judged non-target models; null when none could be judged. */
  blastRadius: number | null;
  impactedModels: string[];
  collateralFailedRequests: number;
  /** Worst neighbour's worst-bin p99 in the fault window ÷ its worst-bin p99 in the baseline. */
  collateralP99InflationRatio: number | null;
  targetDowntimeMs: number;
  /** Resolution of targetDowntimeMs (null without observations of the target; undefined when bin-based). */
  targetDowntimeResolutionMs?: number | null;
  targetUnrecovered?: boolean;
  /** Non-target models that could not be judged, with the reason. */
  undeterminedModels: Array<{ model: string; reason: string }>;
  /** Injection → every model back within SLO; null when not within the observation limit. */
  recoveryMs: number | null;
  windowEndMs: number;
  perModel: ModelImpact[];
}

/**
 * When every model is back within SLO for good: the end of the last bin in [fromMs, untilMs) in
 * which any model violated, provided at least `stableBins` healthy bins follow it before untilMs.
 * Returns fromMs when nothing violated (the fault did no visible harm), null when the last bins
 * still violate (not recovered within the observation limit). Searching for the *last* violation,
 * not the first healthy stretch, keeps slow-acting faults (a leak before its OOM kill) honest.
 */
export function findRecovery(timeline: Timeline, violates: (model: string, bin: TimelineBin) => boolean, fromMs: number, untilMs: number, stableBins = 2): number | null {
  const models = Object.keys(timeline.bins);
  const binMs = timeline.binMs;
  let lastViolationEnd = fromMs;
  let lastBinStart = fromMs - binMs;
  for (const model of models) {
    for (const bin of binsBetween(timeline.bins[model]!, fromMs, untilMs)) {
      lastBinStart = Math.max(lastBinStart, bin.tMs);
      if (violates(model, bin)) lastViolationEnd = Math.max(lastViolationEnd, bin.tMs + binMs);
    }
  }
  const healthyBinsAfter = Math.floor((lastBinStart + binMs - lastViolationEnd) / binMs);
  if (lastViolationEnd === fromMs) return fromMs;
  return healthyBinsAfter >= stableBins ? lastViolationEnd : null;
}

/**
 * The per-bin test recovery waits for: "back within SLO", where a model that already breaches its
 * SLO without a fault (a light model behind a heavy one on one event loop, or a busy machine) counts
 * as back once it is back to its baseline: errors within the limit and p99 no worse than the larger
 * of its SLO and 1.25 × its worst baseline bin.
 */
export function recoveryRule(input: FaultWindowInput): (model: string, bin: TimelineBin) => boolean {
  const { timeline, sloMs, baseline } = input;
  const limits = new Map<string, number>();
  for (const [model, bins] of Object.entries(timeline.bins)) {
    const worst = worstBinP99(bins, baseline.fromMs, baseline.toMs);
    limits.set(model, Math.max(sloMs[model] ?? Infinity, worst === null ? 0 : worst * 1.25));
  }
  return (model, bin) => isErrorViolating(bin) || isLatencyViolating(bin, limits.get(model) ?? Infinity);
}

/** Allowed violating bins in a window of `windowBins` bins, given the baseline's violation rate. */
function baselineAllowance(baselineViolating: number, baselineBins: number, windowBins: number): number {
  if (baselineBins === 0) return 0;
  return Math.ceil((baselineViolating / baselineBins) * windowBins);
}

/** A lone slow bin is within the noise of a 250 ms bin's p99: latency impact needs this many bins beyond the allowance. */
const LATENCY_NOISE_BINS = 1;

/**
 * Whether a model was impacted: more error bins than its baseline's error rate allows, or more
 * latency bins than its baseline's latency violations allow plus one bin of noise. Kept apart so a
 * noisy latency baseline cannot excuse seconds of failed requests.
 */
function judgeImpact(bins: readonly TimelineBin[], sloMs: number, baseline: { fromMs: number; toMs: number }, fromMs: number, toMs: number): { violatingBins: number; baselineViolatingBins: number; impacted: boolean } {
  const baselineBins = binsBetween(bins, baseline.fromMs, baseline.toMs);
  const windowBins = binsBetween(bins, fromMs, toMs);
  const exceeds = (test: (bin: TimelineBin) => boolean, noise: number) =>
    windowBins.filter(test).length > baselineAllowance(baselineBins.filter(test).length, baselineBins.length, windowBins.length) + noise;
  return {
    violatingBins: windowBins.filter((bin) => isViolating(bin, sloMs)).length,
    baselineViolatingBins: baselineBins.filter((bin) => isViolating(bin, sloMs)).length,
    impacted: exceeds((bin) => isErrorViolating(bin), 0) || exceeds((bin) => isLatencyViolating(bin, sloMs), LATENCY_NOISE_BINS),
  };
}

/** Why a model's observations in the window are too sparse to judge it, or null when they suffice. */
function findSparseness(report: OutageReport): string | null {
  if (report.observations < MIN_OBSERVATIONS) return `only ${report.observations} request(s) and probe(s) in the fault window; at least ${MIN_OBSERVATIONS} are needed to judge`;
  if (report.resolutionMs !== null && report.resolutionMs > MAX_RESOLUTION_MS) return `resolution ${Math.round(report.resolutionMs)} ms in the fault window (largest gap between observations); at most ${MAX_RESOLUTION_MS} ms is needed to judge`;
  return null;
}

/**
 * Recovery from requests: after the bin rule's recovery and after the last outage of any model
 * ended; null when a model was still out at the end of the observation.
 */
function combineRecovery(binRecovery: number | null, reports: ReadonlyMap<string, OutageReport>): number | null {
  if (binRecovery === null) return null;
  let recoveredAt = binRecovery;
  for (const report of reports.values()) {
    if (report.unrecovered) return null;
    for (const outage of report.outages) recoveredAt = Math.max(recoveredAt, outage.toMs);
  }
  return recoveredAt;
}

/** Computes blast radius, collateral damage, downtime and recovery of one fault from its timeline and, when given, its requests and probes. */
export function analyseFault(input: FaultWindowInput): FaultAnalysis {
  const { timeline, targetModel, sloMs, baseline, injectedAtMs, observeUntilMs, observations } = input;
  const reports = new Map<string, OutageReport>();
  if (observations) for (const model of Object.keys(timeline.bins)) reports.set(model, findOutages(observations[model] ?? [], injectedAtMs, observeUntilMs));
  const binRecovery = findRecovery(timeline, recoveryRule(input), injectedAtMs, observeUntilMs, input.stableBins ?? 2);
  const recoveredAt = observations ? combineRecovery(binRecovery, reports) : binRecovery;
  const windowEndMs = recoveredAt ?? observeUntilMs;
  const binMs = timeline.binMs;
  const perModel: ModelImpact[] = Object.entries(timeline.bins).map(([model, bins]) => {
    const judged = judgeImpact(bins, sloMs[model] ?? Infinity, baseline, injectedAtMs, windowEndMs);
    const impact: ModelImpact = {
      model,
      isTarget: model === targetModel,
      ...judged,
      failedRequests: countErrors(bins, injectedAtMs, windowEndMs),
      p99Ms: worstBinP99(bins, injectedAtMs, windowEndMs),
      baselineP99Ms: worstBinP99(bins, baseline.fromMs, baseline.toMs),
    };
    const report = reports.get(model);
    if (report === undefined) return impact;
    const probes = findOutages(input.probes?.[model] ?? [], injectedAtMs, observeUntilMs);
    const hadOutage = report.outages.length > 0;
    const sparse = findSparseness(report);
    return {
      ...impact,
      impacted: impact.impacted || hadOutage,
      ...describeModelOutages(report, probes),
      // Evidence of impact settles it; only its absence needs enough observations.
      ...(sparse !== null && !impact.impacted && !hadOutage ? { undetermined: sparse } : {}),
    };
  });
  const others = perModel.filter((m) => !m.isTarget);
  const judgedOthers = others.filter((m) => m.undetermined === undefined);
  const impactedModels = others.filter((m) => m.impacted).map((m) => m.model);
  const inflation = others
    .filter((m) => m.p99Ms !== null && m.baselineP99Ms !== null && m.baselineP99Ms > 0)
    .map((m) => m.p99Ms! / m.baselineP99Ms!);
  const targetBins = timeline.bins[targetModel] ?? [];
  const target = reports.get(targetModel);
  return {
    blastRadius: judgedOthers.length > 0 ? impactedModels.length / judgedOthers.length : null,
    impactedModels,
    collateralFailedRequests: others.reduce((sum, m) => sum + m.failedRequests, 0),
    collateralP99InflationRatio: inflation.length > 0 ? Math.max(...inflation) : null,
    targetDowntimeMs: target ? target.downtimeMs : downtimeMs(targetBins, binMs, injectedAtMs, windowEndMs),
    ...(target ? { targetDowntimeResolutionMs: target.resolutionMs, targetUnrecovered: target.unrecovered } : {}),
    undeterminedModels: others.flatMap((m) => (m.undetermined === undefined ? [] : [{ model: m.model, reason: m.undetermined }])),
    recoveryMs: recoveredAt === null ? null : recoveredAt - injectedAtMs,
    windowEndMs,
    perModel,
  };
}
