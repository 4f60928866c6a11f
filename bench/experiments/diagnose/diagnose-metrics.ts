import type { TopologyVariant } from '../../config/topologies.js';
import type { Comparison, DiagnoseResult, VariantName } from '../../results/schema.js';
import { compareAll, type MetricDefinition } from '../compare-topologies.js';

/** One trial of one variant over every fault kind: what the verdict row compares. */
export interface DiagnoseTrialSummary {
  topology: 'monolith' | 'microservices';
  variant: VariantName;
  trial: number;
  valid: boolean;
  invalidReasons: string[];
  notMeasured: Record<string, string>;
  /** Mean over the fault kinds of the models to inspect. */
  meanSuspects: number | null;
}

/** Per trial and variant, the mean suspects over the valid windows of every fault kind (the baseline window left out). */
export function summariseTrials(results: readonly DiagnoseResult[]): DiagnoseTrialSummary[] {
  const groups = new Map<string, DiagnoseResult[]>();
  for (const r of results.filter((w) => w.faultKind !== 'none')) {
    const key = `${r.topology}|${r.variant}|${r.trial}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((windows) => {
    const first = windows[0]!;
    const valid = windows.filter((w) => w.valid);
    return {
      topology: first.topology,
      variant: first.variant,
      trial: first.trial,
      valid: valid.length > 0,
      invalidReasons: valid.length > 0 ? [] : [...new Set(windows.flatMap((w) => w.invalidReasons))],
      notMeasured: {},
      meanSuspects: valid.length > 0 ? valid.reduce((sum, w) => sum + w.suspects, 0) / valid.length : null,
    };
  });
}

/** Headline metric of the troubleshooting claim: suspects to inspect, mean over the fault kinds. */
const MEAN_SUSPECTS: MetricDefinition<DiagnoseTrialSummary> = {
  claim: 'troubleshooting',
  metric: 'meanSuspects',
  label: 'suspects to inspect, mean over fault kinds',
  unit: 'count',
  better: 'lower',
  model: null,
  select: () => true,
  value: (r) => r.meanSuspects,
};

/** Per fault kind: suspects to inspect and time to blame. */
function perKindMetrics(kinds: readonly string[]): MetricDefinition<DiagnoseResult>[] {
  return kinds.flatMap((kind): MetricDefinition<DiagnoseResult>[] => [
    { claim: 'troubleshooting', metric: 'suspects', label: `${kind}: suspects to inspect`, unit: 'count', better: 'lower', model: null, select: (r) => r.faultKind === kind, value: (r) => r.suspects },
    { claim: 'troubleshooting', metric: 'timeToBlameMs', label: `${kind}: time to blame`, unit: 'ms', better: 'lower', model: null, select: (r) => r.faultKind === kind, value: (r) => r.timeToBlameMs },
  ]);
}

/** The monolith-vs-microservices comparisons of the diagnose experiment: the mean first (the verdict row), then per kind. */
export function compareDiagnoses(results: readonly DiagnoseResult[], kinds: readonly string[], variants: readonly TopologyVariant[], seed: number): Comparison[] {
  return [...compareAll(summariseTrials(results), [MEAN_SUSPECTS], variants, seed), ...compareAll(results, perKindMetrics(kinds), variants, seed)];
}

/** Median of a list; null when empty. */
function medianOf(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Plain-language findings per fault kind and variant pair: where both topologies single the culprit
 * out (the monolith does as well, and by which signal), and where only one does.
 */
export function describeDiagnoseFindings(results: readonly DiagnoseResult[], kinds: readonly string[]): string[] {
  const findings: string[] = [];
  const valid = results.filter((r) => r.valid);
  for (const window of valid.filter((r) => r.faultKind === 'none')) {
    const implicated = window.finalRanking.filter((r) => r.score > 0).map((r) => `${r.model} (${r.signals.join(', ')})`);
    findings.push(`baseline (no fault), ${window.topology}/${window.variant} trial ${window.trial + 1}: ${implicated.length === 0 ? 'no signal fired' : `signals fired with no fault: ${implicated.join('; ')}`}`);
  }
  for (const kind of kinds) {
    const of = (topology: DiagnoseResult['topology']) => valid.filter((r) => r.faultKind === kind && r.topology === topology);
    const mono = of('monolith');
    const micro = of('microservices');
    if (mono.length === 0 || micro.length === 0) continue;
    const suspects = (list: DiagnoseResult[]) => medianOf(list.map((r) => r.suspects));
    const signals = (list: DiagnoseResult[]) => [...new Set(list.map((r) => r.singledOutBy).filter((s): s is string => s !== null))].join(', ') || 'nothing';
    const named = (list: DiagnoseResult[]) => list.every((r) => r.timeToBlameMs !== null);
    if (named(mono) && named(micro)) findings.push(`${kind}: both topologies singled the culprit out (monolith by ${signals(mono)}, microservices by ${signals(micro)}): here the monolith does as well, because the signal is per model`);
    else if (named(micro)) findings.push(`${kind}: microservices singled the culprit out by ${signals(micro)}; the monolith left ${suspects(mono)} suspect(s) of ${mono[0]!.models} (${mono[0]!.notMeasured.timeToBlameMs ?? 'undetermined'})`);
    else if (named(mono)) findings.push(`${kind}: the monolith singled the culprit out by ${signals(mono)}; microservices left ${suspects(micro)} suspect(s) (${micro[0]!.notMeasured.timeToBlameMs ?? 'undetermined'})`);
    else findings.push(`${kind}: neither topology singled the culprit out (monolith ${suspects(mono)} suspect(s), microservices ${suspects(micro)})`);
  }
  return findings;
}
