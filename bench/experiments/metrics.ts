import { findModel } from '../../models/catalog.js';
import type { FootprintResult, LatencyResult, ThroughputResult, Topology, VariantName } from '../results/schema.js';
import type { MetricDefinition } from './compare-topologies.js';
import type { LatencySettings } from '../config/profiles.js';

/** A value derived from several results of one trial (e.g. an interference ratio). */
export interface DerivedValue {
  topology: Topology;
  variant: VariantName;
  trial: number;
  valid: boolean;
  model: string;
  value: number | null;
}

const FIELD_NAMES = { p90Ms: 'p90', p99Ms: 'p99', p50Ms: 'p50', meanMs: 'mean' } as const;

/** Latency metrics compared per model, with the figure the profile's sample counts can support per class. */
export function latencyMetrics(models: readonly string[], claims: Pick<LatencySettings, 'lightClaim' | 'heavyClaim'>): MetricDefinition<LatencyResult>[] {
  return models.map((model) => {
    const light = findModel(model)?.weightClass !== 'heavy';
    const field = light ? claims.lightClaim : claims.heavyClaim;
    return {
      claim: light ? 'latency-light' : 'latency-heavy',
      metric: `latency.${field}`,
      label: `${model} ${FIELD_NAMES[field]} latency, mixed load`,
      unit: 'ms',
      better: 'lower',
      model,
      select: (r) => r.model === model && r.scenario === 'mixed',
      value: (r) => r.latency[field],
    } satisfies MetricDefinition<LatencyResult>;
  });
}

/** Per trial and light model: p90 under the full mix ÷ p90 with the heavy models idle (p90 is claimable in short runs). */
export function deriveInterference(results: readonly LatencyResult[]): DerivedValue[] {
  const mixed = results.filter((r) => r.scenario === 'mixed' && findModel(r.model)?.weightClass === 'light');
  return mixed.map((r) => {
    const alone = results.find((o) => o.scenario === 'light-only' && o.model === r.model && o.trial === r.trial && o.topology === r.topology && o.variant === r.variant);
    const value = alone?.latency.p90Ms && r.latency.p90Ms ? r.latency.p90Ms / alone.latency.p90Ms : null;
    return { topology: r.topology, variant: r.variant, trial: r.trial, valid: r.valid && (alone?.valid ?? false), model: r.model, value };
  });
}

/** The interference ratio compared per light model. */
export function interferenceMetrics(models: readonly string[]): MetricDefinition<DerivedValue>[] {
  return models
    .filter((m) => findModel(m)?.weightClass === 'light')
    .map((model) => ({
      claim: 'interference',
      metric: 'interferenceP90Ratio',
      label: `${model} p90 with heavy models busy ÷ idle`,
      unit: 'ratio',
      better: 'lower',
      model,
      select: (r) => r.model === model,
      value: (r) => r.value,
    }));
}

/** Throughput metrics of the mixed traffic. */
export const THROUGHPUT_METRICS: MetricDefinition<ThroughputResult>[] = [
  { claim: 'throughput', metric: 'maxRps', label: 'max throughput, mixed traffic', unit: 'rps', better: 'higher', model: null, select: (r) => r.model === 'mixed', value: (r) => r.maxRps },
  { claim: null, metric: 'maxRpsUnderSlo', label: 'max throughput within SLO, mixed traffic', unit: 'rps', better: 'higher', model: null, select: (r) => r.model === 'mixed', value: (r) => r.maxRpsUnderSlo },
  { claim: null, metric: 'efficiency', label: 'efficiency vs bare inference, mixed traffic', unit: 'fraction', better: 'higher', model: null, select: (r) => r.model === 'mixed', value: (r) => r.efficiency },
];

/** Footprint metrics. */
export const FOOTPRINT_METRICS: MetricDefinition<FootprintResult>[] = [
  { claim: 'memory', metric: 'idleRssBytes', label: 'idle memory (RSS, all processes)', unit: 'bytes', better: 'lower', model: null, select: () => true, value: (r) => r.idleRssBytes },
  { claim: null, metric: 'loadedRssBytes', label: 'peak memory under the mixed load', unit: 'bytes', better: 'lower', model: null, select: () => true, value: (r) => r.loadedRssBytes },
  { claim: 'cost', metric: 'costPer1MRequestsUsd', label: '$ per 1M inferences', unit: 'usd', better: 'lower', model: null, select: () => true, value: (r) => r.costPer1MRequestsUsd },
  { claim: null, metric: 'cpuSecondsPer1kRequests', label: 'CPU-seconds per 1k requests', unit: 'count', better: 'lower', model: null, select: () => true, value: (r) => r.cpuSecondsPer1kRequests },
  { claim: 'startup', metric: 'coldStartMs', label: 'cold start to ready', unit: 'ms', better: 'lower', model: null, select: () => true, value: (r) => r.coldStartMs },
];
