import type { TopologyVariant } from '../../config/topologies.js';
import type { Comparison, GroupSummary, LibraryConsequences, VariantName } from '../../results/schema.js';
import { choosePairs } from '../compare-topologies.js';

/** One side of a deterministic comparison: one value computed from the matrices, no interval. */
function side(variant: VariantName, value: number | null, missing: string): GroupSummary {
  return value === null ? { variant, values: [], median: null, ciLow: null, ciHigh: null, missing } : { variant, values: [value], median: value, ciLow: null, ciHigh: null };
}

/** Winner of two exact values: equal values tie; otherwise the better direction wins. */
function pickWinner(mono: number | null, micro: number | null, better: Comparison['better']): Comparison['winner'] {
  if (mono === null || micro === null) return 'unknown';
  if (mono === micro) return 'tie';
  return (better === 'lower') === mono < micro ? 'monolith' : 'microservices';
}

/** A library-freedom comparison: exact values computed from the matrices (not samples, so no test). */
function exactComparison(pair: { monolith: VariantName; microservices: VariantName }, metric: string, label: string, unit: Comparison['unit'], better: Comparison['better'], mono: number | null, micro: number | null, note: string): Comparison {
  const missing = 'the monolith cannot serve every model on any runtime set';
  return {
    claim: 'library-freedom',
    metric,
    label,
    unit,
    better,
    model: null,
    monolith: side(pair.monolith, mono, missing),
    microservices: side(pair.microservices, micro, missing),
    ratio: mono !== null && micro !== null && mono !== 0 ? micro / mono : null,
    ratioCiLow: null,
    ratioCiHigh: null,
    pValue: null,
    significant: null,
    exact: true,
    winner: pickWinner(mono, micro, better),
    note,
  };
}

/**
 * The measured library-freedom rows: models whose best runtime the monolith cannot use, latency
 * lost against each model's best runtime, and what "one model needs runtime X" costs each side.
 */
export function compareLibrary(consequences: LibraryConsequences, variants: readonly TopologyVariant[]): Comparison[] {
  const headline = choosePairs(variants)[0];
  const pair = headline ? { monolith: headline.monolith, microservices: headline.microservices } : { monolith: 'single' as const, microservices: 'direct' as const };
  const choice = consequences.monolithChoice;
  const models = consequences.perModel.length;
  const lostMs = choice === null ? null : consequences.perModel.reduce((sum, m) => sum + (m.lostMs ?? 0), 0);
  const worstRatio = choice === null ? null : Math.max(1, ...consequences.perModel.map((m) => m.lostRatio ?? 1));
  const note = 'computed from the compatibility and co-hosting matrices of this run: microservices run each model on its fastest runtime, the monolith on the runtime set it can use that loses least';
  return [
    exactComparison(pair, 'library.modelsBestRuntimeUnusable', 'models whose best runtime they cannot run on', 'count', 'lower', consequences.modelsBestUnusableInMonolith.length, 0, note),
    exactComparison(pair, 'library.latencyLostMs', 'bare latency lost per call against each model\'s best runtime (summed over models)', 'ms', 'lower', lostMs, 0, note),
    exactComparison(pair, 'library.worstSlowdown', 'worst per-model slowdown against its best runtime', 'ratio', 'lower', worstRatio, 1, note),
    exactComparison(pair, 'library.modelsToRevalidate', 'models to re-validate when one model needs another runtime', 'count', 'lower', consequences.runtimeChange.monolith.modelsToRevalidate, consequences.runtimeChange.microservices.modelsToRevalidate, `the monolith has one runtime for all ${models} models, so all are re-validated on the new one; a service re-validates only its own`),
    exactComparison(pair, 'library.processesToRestart', 'processes to restart when one model needs another runtime', 'count', 'lower', consequences.runtimeChange.monolith.processesToRestart, consequences.runtimeChange.microservices.processesToRestart, 'one process either way: the monolith (every model goes down with it) or the one service'),
  ];
}
