import type { ExperimentName, FaultKind, RunResults, Topology, VariantName } from '../bench/results/schema.js';
import type { Unit } from './format.js';

/** Where a metric lives: which experiment, its unit and which direction is better. */
export interface MetricInfo {
  experiment: ExperimentName;
  unit: Unit;
  better: 'lower' | 'higher';
  /** What the model segment of a threshold selects for this metric. */
  subject: 'model' | 'target model' | 'impacted model' | 'none';
  meaning: string;
}

/** Every metric a threshold or a comparison between runs can name, per experiment. */
export const METRICS: Readonly<Record<string, readonly MetricInfo[]>> = {
  p50Ms: [{ experiment: 'latency', unit: 'ms', better: 'lower', subject: 'model', meaning: 'median latency from intended send time' }],
  p90Ms: [{ experiment: 'latency', unit: 'ms', better: 'lower', subject: 'model', meaning: '90th percentile latency' }],
  p99Ms: [{ experiment: 'latency', unit: 'ms', better: 'lower', subject: 'model', meaning: '99th percentile latency' }],
  p999Ms: [{ experiment: 'latency', unit: 'ms', better: 'lower', subject: 'model', meaning: '99.9th percentile latency' }],
  maxMs: [{ experiment: 'latency', unit: 'ms', better: 'lower', subject: 'model', meaning: 'slowest request' }],
  meanMs: [{ experiment: 'latency', unit: 'ms', better: 'lower', subject: 'model', meaning: 'mean latency' }],
  errorRate: [{ experiment: 'latency', unit: 'fraction', better: 'lower', subject: 'model', meaning: 'failed ÷ sent requests' }],
  achievedRps: [{ experiment: 'latency', unit: 'rps', better: 'higher', subject: 'model', meaning: 'completed requests per second' }],
  offeredRps: [{ experiment: 'latency', unit: 'rps', better: 'higher', subject: 'model', meaning: 'scheduled requests per second' }],
  sendLagP99Ms: [{ experiment: 'latency', unit: 'ms', better: 'lower', subject: 'model', meaning: 'p99 of how late the generator sent' }],
  maxRps: [{ experiment: 'throughput', unit: 'rps', better: 'higher', subject: 'model', meaning: 'highest rps over the concurrency sweep' }],
  maxRpsUnderSlo: [{ experiment: 'throughput', unit: 'rps', better: 'higher', subject: 'model', meaning: 'highest rps whose p99 met the SLO' }],
  ceilingRps: [{ experiment: 'throughput', unit: 'rps', better: 'higher', subject: 'model', meaning: 'bare in-process inference rate' }],
  efficiency: [{ experiment: 'throughput', unit: 'fraction', better: 'higher', subject: 'model', meaning: 'max rps ÷ ceiling rps' }],
  coldStartMs: [{ experiment: 'footprint', unit: 'ms', better: 'lower', subject: 'none', meaning: 'spawn to every model ready' }],
  idleRssBytes: [{ experiment: 'footprint', unit: 'bytes', better: 'lower', subject: 'none', meaning: 'resident memory of all processes, idle' }],
  loadedRssBytes: [{ experiment: 'footprint', unit: 'bytes', better: 'lower', subject: 'none', meaning: 'resident memory of all processes under load' }],
  cpuSecondsPer1kRequests: [{ experiment: 'footprint', unit: 'count', better: 'lower', subject: 'none', meaning: 'CPU seconds spent per 1000 requests' }],
  costPer1MRequestsUsd: [{ experiment: 'footprint', unit: 'usd', better: 'lower', subject: 'none', meaning: 'US$ per million inferences at the price table' }],
  processCount: [{ experiment: 'footprint', unit: 'count', better: 'lower', subject: 'none', meaning: 'server processes' }],
  rssBytesPerModel: [{ experiment: 'footprint', unit: 'bytes', better: 'lower', subject: 'none', meaning: 'marginal RSS per added model' }],
  startMsPerModel: [{ experiment: 'footprint', unit: 'ms', better: 'lower', subject: 'none', meaning: 'marginal cold start per added model' }],
  timeToNewVersionMs: [{ experiment: 'redeploy', unit: 'ms', better: 'lower', subject: 'target model', meaning: 'rollout start to the new version answering' }],
  processesRestarted: [
    { experiment: 'redeploy', unit: 'count', better: 'lower', subject: 'target model', meaning: 'processes restarted by the rollout' },
    { experiment: 'fault', unit: 'count', better: 'lower', subject: 'target model', meaning: 'processes the supervisor restarted' },
  ],
  modelsReloaded: [{ experiment: 'redeploy', unit: 'count', better: 'lower', subject: 'target model', meaning: 'models loaded again' }],
  bytesReloaded: [{ experiment: 'redeploy', unit: 'bytes', better: 'lower', subject: 'target model', meaning: 'model bytes loaded again' }],
  extraPeakRssBytes: [{ experiment: 'redeploy', unit: 'bytes', better: 'lower', subject: 'target model', meaning: 'extra memory at the rollout peak' }],
  downtimeMs: [{ experiment: 'redeploy', unit: 'ms', better: 'lower', subject: 'impacted model', meaning: 'time the model could not answer' }],
  failedRequests: [
    { experiment: 'redeploy', unit: 'count', better: 'lower', subject: 'impacted model', meaning: 'requests that failed during the rollout' },
    { experiment: 'fault', unit: 'count', better: 'lower', subject: 'impacted model', meaning: 'requests that failed during the fault window' },
  ],
  blastRadius: [{ experiment: 'fault', unit: 'fraction', better: 'lower', subject: 'target model', meaning: 'impacted non-target models ÷ non-target models' }],
  collateralFailedRequests: [{ experiment: 'fault', unit: 'count', better: 'lower', subject: 'target model', meaning: 'failed requests of non-target models' }],
  collateralP99InflationRatio: [{ experiment: 'fault', unit: 'ratio', better: 'lower', subject: 'target model', meaning: 'non-target p99 during the fault ÷ baseline' }],
  targetDowntimeMs: [{ experiment: 'fault', unit: 'ms', better: 'lower', subject: 'target model', meaning: 'time the faulty model could not answer' }],
  recoveryMs: [{ experiment: 'fault', unit: 'ms', better: 'lower', subject: 'target model', meaning: 'injection to every model back within SLO' }],
  processesDied: [{ experiment: 'fault', unit: 'count', better: 'lower', subject: 'target model', meaning: 'processes that exited' }],
  isolationScore: [{ experiment: 'fault', unit: 'fraction', better: 'higher', subject: 'none', meaning: '1 − mean blast radius over fault models tried' }],
  suspects: [{ experiment: 'diagnose', unit: 'count', better: 'lower', subject: 'target model', meaning: 'models ranked at or above the faulted one by the fixed diagnoser' }],
  timeToBlameMs: [{ experiment: 'diagnose', unit: 'ms', better: 'lower', subject: 'target model', meaning: 'injection until the faulted model alone leads the diagnoser' }],
};

/** Names of every known metric, sorted. */
export function listMetricNames(): string[] {
  return Object.keys(METRICS).sort();
}

/** One metric of one configuration, with its per-trial values. */
export interface MetricSeries {
  experiment: ExperimentName;
  metric: string;
  unit: Unit;
  better: 'lower' | 'higher';
  topology: Topology;
  variant: VariantName;
  model: string | null;
  faultKind?: FaultKind;
  scenario?: 'mixed' | 'light-only';
  strategy?: 'recreate' | 'rolling';
  changeKind?: 'model' | 'code';
  /** Values of valid trials where the figure was measured. */
  values: number[];
  /** Reasons of invalid trials (their values are excluded). */
  invalidReasons: string[];
  /** Reasons from `notMeasured` for trials with a null value. */
  notMeasuredReasons: string[];
}

/** Stable identity of a series, used to match series across runs. */
export function keyOfSeries(series: Omit<MetricSeries, 'values' | 'invalidReasons' | 'notMeasuredReasons' | 'unit' | 'better'>): string {
  return [series.experiment, series.metric, series.topology, series.variant, series.model ?? '', series.faultKind ?? '', series.scenario ?? '', series.strategy ?? '', series.changeKind ?? ''].join('|');
}

/** Human label of a series, e.g. `latency p99Ms monolith/single vad (mixed)`. */
export function labelSeries(series: MetricSeries): string {
  const qualifiers = [series.faultKind, series.scenario, series.strategy, series.changeKind && `${series.changeKind} change`].filter(Boolean);
  return `${series.topology}/${series.variant}${series.model ? ` ${series.model}` : ''}${qualifiers.length > 0 ? ` (${qualifiers.join(', ')})` : ''}`;
}

type SeriesIdentity = Omit<MetricSeries, 'values' | 'invalidReasons' | 'notMeasuredReasons' | 'unit' | 'better'>;

/** Accumulates trial values into series keyed by identity. */
class SeriesCollector {
  readonly byKey = new Map<string, MetricSeries>();

  /** Adds one trial's value (or its absence) to the series it belongs to. */
  add(identity: SeriesIdentity, value: number | null, trial: { valid: boolean; invalidReasons: string[]; notMeasured?: Record<string, string> }, field = identity.metric): void {
    const info = METRICS[identity.metric]?.find((candidate) => candidate.experiment === identity.experiment);
    if (!info) return;
    const key = keyOfSeries(identity);
    let series = this.byKey.get(key);
    if (!series) {
      series = { ...identity, unit: info.unit, better: info.better, values: [], invalidReasons: [], notMeasuredReasons: [] };
      this.byKey.set(key, series);
    }
    if (!trial.valid) {
      series.invalidReasons.push(...(trial.invalidReasons.length > 0 ? trial.invalidReasons : ['marked invalid']));
    } else if (value === null || !Number.isFinite(value)) {
      series.notMeasuredReasons.push(trial.notMeasured?.[field] ?? 'not measured');
    } else {
      series.values.push(value);
    }
  }
}

/** Flattens every per-trial figure of a run into series, one per metric and configuration. */
export function collectMetricSeries(results: RunResults): MetricSeries[] {
  const collector = new SeriesCollector();
  const { latency, throughput, footprint, redeploy, fault, diagnose } = results.experiments;
  for (const result of latency?.results ?? []) {
    const identity = { experiment: 'latency' as const, topology: result.topology, variant: result.variant, model: result.model, scenario: result.scenario };
    for (const metric of ['p50Ms', 'p90Ms', 'p99Ms', 'p999Ms', 'maxMs', 'meanMs'] as const) collector.add({ ...identity, metric }, result.latency[metric], result);
    collector.add({ ...identity, metric: 'errorRate' }, result.errorRate, result);
    collector.add({ ...identity, metric: 'achievedRps' }, result.achievedRps, result);
    collector.add({ ...identity, metric: 'offeredRps' }, result.offeredRps, result);
    collector.add({ ...identity, metric: 'sendLagP99Ms' }, result.sendLagP99Ms, result);
  }
  for (const result of throughput?.results ?? []) {
    const identity = { experiment: 'throughput' as const, topology: result.topology, variant: result.variant, model: result.model };
    for (const metric of ['maxRps', 'maxRpsUnderSlo', 'ceilingRps', 'efficiency'] as const) collector.add({ ...identity, metric }, result[metric], result);
  }
  for (const result of footprint?.results ?? []) {
    const identity = { experiment: 'footprint' as const, topology: result.topology, variant: result.variant, model: null };
    for (const metric of ['coldStartMs', 'idleRssBytes', 'loadedRssBytes', 'cpuSecondsPer1kRequests', 'costPer1MRequestsUsd', 'processCount'] as const) {
      collector.add({ ...identity, metric }, result[metric], result);
    }
  }
  for (const marginal of footprint?.marginal ?? []) {
    const identity = { experiment: 'footprint' as const, topology: marginal.topology, variant: marginal.variant, model: null };
    const trial = { valid: true, invalidReasons: [], notMeasured: { rssBytesPerModel: 'scaling did not yield a slope', startMsPerModel: 'scaling did not yield a slope' } };
    collector.add({ ...identity, metric: 'rssBytesPerModel' }, marginal.rssBytesPerModel, trial);
    collector.add({ ...identity, metric: 'startMsPerModel' }, marginal.startMsPerModel, trial);
  }
  for (const result of redeploy?.results ?? []) {
    const identity = { experiment: 'redeploy' as const, topology: result.topology, variant: result.variant, strategy: result.strategy, changeKind: result.changeKind };
    for (const metric of ['timeToNewVersionMs', 'processesRestarted', 'modelsReloaded', 'bytesReloaded', 'extraPeakRssBytes'] as const) {
      collector.add({ ...identity, model: result.targetModel, metric }, result[metric], result);
    }
    for (const impact of result.perModel) {
      collector.add({ ...identity, model: impact.model, metric: 'downtimeMs' }, impact.downtimeMs, result);
      collector.add({ ...identity, model: impact.model, metric: 'failedRequests' }, impact.failedRequests, result);
    }
  }
  for (const result of fault?.results ?? []) {
    const identity = { experiment: 'fault' as const, topology: result.topology, variant: result.variant, faultKind: result.faultKind };
    for (const metric of ['blastRadius', 'collateralFailedRequests', 'collateralP99InflationRatio', 'targetDowntimeMs', 'recoveryMs'] as const) {
      collector.add({ ...identity, model: result.targetModel, metric }, result[metric], result);
    }
    collector.add({ ...identity, model: result.targetModel, metric: 'processesDied' }, result.processesDied.length, result);
    collector.add({ ...identity, model: result.targetModel, metric: 'processesRestarted' }, result.processesRestarted.length, result);
    for (const impact of result.perModel) collector.add({ ...identity, model: impact.model, metric: 'failedRequests' }, impact.failedRequests, result);
  }
  for (const score of fault?.isolationScores ?? []) {
    collector.add({ experiment: 'fault', topology: score.topology, variant: score.variant, faultKind: score.faultKind, model: null, metric: 'isolationScore' }, score.score, { valid: true, invalidReasons: [] });
  }
  for (const result of diagnose?.results ?? []) {
    const identity = { experiment: 'diagnose' as const, topology: result.topology, variant: result.variant, faultKind: result.faultKind, model: result.targetModel };
    collector.add({ ...identity, metric: 'suspects' }, result.suspects, result);
    collector.add({ ...identity, metric: 'timeToBlameMs' }, result.timeToBlameMs, result);
  }
  return [...collector.byKey.values()];
}
