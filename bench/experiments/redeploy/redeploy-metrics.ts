import type { RedeployResult } from '../../results/schema.js';
import type { MetricDefinition } from '../compare-topologies.js';

type Strategy = RedeployResult['strategy'];
type ChangeKind = RedeployResult['changeKind'];

/** Failed requests of every model but the rolled-out one: what shipping one model cost the others. */
export function collateralFailedRequests(result: RedeployResult): number {
  return result.perModel.filter((m) => m.model !== result.targetModel).reduce((sum, m) => sum + m.failedRequests, 0);
}

/** Downtime summed over every model (ms); null when a model had no traffic to judge by. */
export function totalDowntimeMs(result: RedeployResult): number | null {
  const values = result.perModel.map((m) => m.downtimeMs);
  return values.some((v) => v === null) ? null : values.reduce<number>((sum, v) => sum + (v ?? 0), 0);
}

/**
 * Metrics of good (non-corrupt) rollouts of one strategy and change kind. The headline one carries
 * the 'update-cost' claim: the other models' failed requests while one model ships.
 */
export function redeployMetrics(strategy: Strategy, changeKind: ChangeKind, headline: boolean): MetricDefinition<RedeployResult>[] {
  const select = (r: RedeployResult) => r.strategy === strategy && r.changeKind === changeKind && !r.corrupt;
  const what = `${strategy} of a ${changeKind} change`;
  return [
    { claim: headline ? 'update-cost' : null, metric: 'collateralFailedRequests', label: `failed requests of the other models during a ${what}`, unit: 'count', better: 'lower', model: null, select, value: collateralFailedRequests },
    { claim: null, metric: 'totalDowntimeMs', label: `downtime summed over models during a ${what}`, unit: 'ms', better: 'lower', model: null, select, value: totalDowntimeMs },
    { claim: null, metric: 'timeToNewVersionMs', label: `time to new version, ${what}`, unit: 'ms', better: 'lower', model: null, select, value: (r) => r.timeToNewVersionMs },
    { claim: null, metric: 'processesRestarted', label: `processes restarted, ${what}`, unit: 'count', better: 'lower', model: null, select, value: (r) => r.processesRestarted },
    { claim: null, metric: 'bytesReloaded', label: `model bytes reloaded, ${what}`, unit: 'bytes', better: 'lower', model: null, select, value: (r) => r.bytesReloaded },
    { claim: null, metric: 'extraPeakRssBytes', label: `extra peak memory during a ${what}`, unit: 'bytes', better: 'lower', model: null, select, value: (r) => r.extraPeakRssBytes },
  ];
}
