import type { FaultKind, FaultResult } from '../../results/schema.js';
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
