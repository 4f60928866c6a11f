import type { TopologyVariant } from '../../config/topologies.js';
import type { Comparison, GroupSummary, LibraryConsequences, VariantName } from '../../results/schema.js';
import { choosePairs, pickWinnerByRatio, TIE_TOLERANCE } from '../compare-topologies.js';
import { bootstrapSummedLatency, type CellSamples, type Placement } from './summed-latency.js';

/** What the structural rows say about where their values come from. */
export const PLAN_BASIS = 'counted from the deployment plan';

type Pair = { monolith: VariantName; microservices: VariantName };
/** One side's placements of every model, or why that side cannot be measured. */
type SidePlacements = Placement[] | string;

/** One side of a structural count: one exact value, no interval. */
function countSide(variant: VariantName, value: number | null, missing: string): GroupSummary {
  return value === null ? { variant, values: [], median: null, ciLow: null, ciHigh: null, missing } : { variant, values: [value], median: value, ciLow: null, ciHigh: null };
}

/** Winner of two exact counts: equal counts tie; otherwise the lower (or higher) count wins. */
function pickCountWinner(mono: number | null, micro: number | null, better: Comparison['better']): Comparison['winner'] {
  if (mono === null || micro === null) return 'unknown';
  if (mono === micro) return 'tie';
  return (better === 'lower') === mono < micro ? 'monolith' : 'microservices';
}

/** A structural row: exact counts from the deployment plan (not samples, so no test), labelled as such. */
function countComparison(pair: Pair, metric: string, label: string, mono: number | null, micro: number | null, note: string): Comparison {
  const missing = 'the monolith cannot serve every model on any runtime set';
  return {
    claim: 'library-freedom',
    metric,
    label: `${label} — ${PLAN_BASIS}`,
    unit: 'count',
    better: 'lower',
    model: null,
    monolith: countSide(pair.monolith, mono, missing),
    microservices: countSide(pair.microservices, micro, missing),
    ratio: mono !== null && micro !== null && mono !== 0 ? micro / mono : null,
    ratioCiLow: null,
    ratioCiHigh: null,
    pValue: null,
    significant: null,
    exact: true,
    winner: pickCountWinner(mono, micro, 'lower'),
    note: `${PLAN_BASIS}: ${note}`,
  };
}

/** Where the monolith runs each model (its chosen runtime set) with the median measured there, or why it cannot. */
function placeMonolith(consequences: LibraryConsequences): SidePlacements {
  if (consequences.monolithChoice === null) return 'the monolith cannot serve every model on any runtime set (no runtime, or co-hosting pair, loads them all)';
  const placements: Placement[] = [];
  for (const m of consequences.perModel) {
    if (m.monolithRuntime === null || m.monolithMs === null) return `no bare latency measured for ${m.model} on the monolith's runtime ${m.monolithRuntime ?? '(none)'}`;
    placements.push({ model: m.model, runtime: m.monolithRuntime, medianMs: m.monolithMs });
  }
  return placements;
}

/** Where microservices run each model (its fastest usable runtime) with the median measured there, or why they cannot. */
function placeMicroservices(consequences: LibraryConsequences): SidePlacements {
  const placements: Placement[] = [];
  for (const m of consequences.perModel) {
    if (m.bestRuntime === null || m.bestMs === null) return `no runtime runs ${m.model} correctly, so its service cannot start`;
    placements.push({ model: m.model, runtime: m.bestRuntime, medianMs: m.bestMs });
  }
  return placements;
}

/** A side with a measured value and its interval, or missing with the reason. */
function measuredSide(variant: VariantName, value: { estimate: number; low: number | null; high: number | null } | null, missing: string): GroupSummary {
  if (value === null) return { variant, values: [], median: null, ciLow: null, ciHigh: null, missing };
  return { variant, values: [value.estimate], median: value.estimate, ciLow: value.low, ciHigh: value.high };
}

const MEASURED_NOTE = `measured in this run's compatibility matrix (one process per model × runtime): each side is the sum of the bare per-call medians of its models on the runtime it runs them on — the monolith on the runtime set it can use that loses least, microservices each model on its fastest usable runtime; intervals are percentile bootstraps over the per-call samples (a cell both sides run is one draw for both); significant when the ratio's 95% interval excludes 1; within ${TIE_TOLERANCE * 100}% a tie, as in every other row`;

/** A measured row: summed per-call latency of the given models on each side's runtimes, with intervals and the shared tie rule. */
function latencyComparison(pair: Pair, metric: string, label: string, model: string | null, mono: SidePlacements, micro: SidePlacements, samples: CellSamples, seed: number): Comparison {
  const measured = typeof mono === 'string' || typeof micro === 'string' ? null : bootstrapSummedLatency(mono, micro, samples, { seed });
  const ratio = measured?.ratio ?? null;
  const significant = ratio === null || ratio.low === null || ratio.high === null ? null : ratio.low > 1 || ratio.high < 1;
  const notes = [MEASURED_NOTE, ...(measured?.reason ? [measured.reason] : []), ...(typeof mono === 'string' ? [`monolith: ${mono}`] : []), ...(typeof micro === 'string' ? [`microservices: ${micro}`] : [])];
  return {
    claim: 'library-freedom',
    metric,
    label,
    unit: 'ms',
    better: 'lower',
    model,
    monolith: measuredSide(pair.monolith, measured?.monolith ?? null, typeof mono === 'string' ? mono : 'not measured: the other side could not be placed'),
    microservices: measuredSide(pair.microservices, measured?.microservices ?? null, typeof micro === 'string' ? micro : 'not measured: the other side could not be placed'),
    ratio: ratio?.estimate ?? null,
    ratioCiLow: ratio?.low ?? null,
    ratioCiHigh: ratio?.high ?? null,
    pValue: null,
    significant,
    ...(significant === null ? {} : { test: 'bootstrap-ratio-interval' as const }),
    winner: pickWinnerByRatio(ratio?.estimate ?? null, 'lower'),
    note: notes.join('; '),
  };
}

/** Per-model rows for the models the two sides run on different runtimes (where a model runs on the same cell on both, the rows would be identical). */
function compareMovedModels(pair: Pair, mono: SidePlacements, micro: SidePlacements, samples: CellSamples, seed: number): Comparison[] {
  if (typeof mono === 'string' || typeof micro === 'string') return [];
  return mono.flatMap((m) => {
    const service = micro.find((p) => p.model === m.model);
    if (!service || service.runtime === m.runtime) return [];
    const label = `bare latency per call, monolith on ${m.runtime} vs its service on ${service.runtime}`;
    return [latencyComparison(pair, 'library.modelBareMs', label, m.model, [m], [service], samples, seed)];
  });
}

/**
 * The library-freedom rows. Measured on both sides: bare per-call latency summed over models (and per
 * model where the sides' runtimes differ), from this run's matrices. Counted from the deployment plan:
 * models whose best runtime the monolith cannot use, and what "one model needs runtime X" costs.
 */
export function compareLibrary(consequences: LibraryConsequences, variants: readonly TopologyVariant[], samples: CellSamples = new Map(), seed = 1): Comparison[] {
  const headline = choosePairs(variants)[0];
  const pair = headline ? { monolith: headline.monolith, microservices: headline.microservices } : { monolith: 'single' as const, microservices: 'direct' as const };
  const models = consequences.perModel.length;
  const mono = placeMonolith(consequences);
  const micro = placeMicroservices(consequences);
  return [
    countComparison(pair, 'library.modelsBestRuntimeUnusable', 'models whose best runtime they cannot run on', consequences.modelsBestUnusableInMonolith.length, 0, 'the monolith runs every model on its one runtime set, so a model whose fastest runtime is not in it (slower there beyond the same-speed margin) loses it; each service runs its own model\'s fastest runtime'),
    latencyComparison(pair, 'library.bareLatencyMs', 'bare latency per call summed over models, each on the runtime its side runs it on', null, mono, micro, samples, seed),
    ...compareMovedModels(pair, mono, micro, samples, seed),
    countComparison(pair, 'library.modelsToRevalidate', 'models to re-validate when one model needs another runtime', consequences.runtimeChange.monolith.modelsToRevalidate, consequences.runtimeChange.microservices.modelsToRevalidate, `the monolith has one runtime for all ${models} models, so all are re-validated on the new one; a service re-validates only its own`),
    countComparison(pair, 'library.processesToRestart', 'processes to restart when one model needs another runtime', consequences.runtimeChange.monolith.processesToRestart, consequences.runtimeChange.microservices.processesToRestart, 'one process either way: the monolith (every model goes down with it) or the one service'),
  ];
}
