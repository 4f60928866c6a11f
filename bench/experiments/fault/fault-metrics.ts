import type { Comparison, FaultKind, FaultResult } from '../../results/schema.js';
import type { MetricDefinition } from '../compare-topologies.js';

/**
 * What is compared per fault kind (pooled over target models and trials): blast radius (the crash
 * fault's is the headline `fault-isolation` claim), collateral failed requests and recovery time.
 */
export function buildFaultMetrics(kinds: readonly FaultKind[]): MetricDefinition<FaultResult>[] {
  return kinds.filter((kind) => kind !== 'none').flatMap((kind): MetricDefinition<FaultResult>[] => {
    const select = (r: FaultResult) => r.faultKind === kind;
    const a = /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
    return [
      { claim: kind === 'crash' ? 'fault-isolation' : null, metric: 'blastRadius', label: `blast radius of ${a} fault`, unit: 'fraction', better: 'lower', model: null, select, value: (r) => r.blastRadius },
      { claim: null, metric: 'collateralFailedRequests', label: `failed requests of other models during ${a} fault`, unit: 'count', better: 'lower', model: null, select, value: (r) => r.collateralFailedRequests },
      { claim: null, metric: 'recoveryMs', label: `recovery after ${a} fault (injection → every model within SLO)`, unit: 'ms', better: 'lower', model: null, select, value: (r) => r.recoveryMs },
    ];
  });
}

/**
 * A blast-radius comparison is only as good as the impact test: when a variant's no-fault baseline
 * windows flagged models too, say so next to the figure (the windows themselves stay as measured).
 */
export function addNoiseCaveat(comparison: Comparison, results: readonly FaultResult[]): Comparison {
  if (comparison.metric !== 'blastRadius') return comparison;
  const noisy = [comparison.monolith.variant, comparison.microservices.variant].flatMap((variant) => {
    const baselines = results.filter((r) => r.faultKind === 'none' && r.variant === variant && r.valid);
    const flagged = baselines.filter((r) => r.impactedModels.length > 0);
    return flagged.length > 0 ? [`${variant}: ${flagged.length} of ${baselines.length} (${[...new Set(flagged.flatMap((r) => r.impactedModels))].join(', ')})`] : [];
  });
  if (noisy.length === 0) return comparison;
  return { ...comparison, caveat: `no-fault baseline windows flagged models as impacted — ${noisy.join('; ')}: at this load SLO breaches happen without any fault, so part of that blast radius is noise` };
}
