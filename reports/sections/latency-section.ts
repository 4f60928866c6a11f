import type { LatencyResult, RunResults } from '../../bench/results/schema.js';
import type { Block, Cell } from '../document.js';
import { formatMs, formatNumber, formatPercent, formatRps, labelTopology, medianOf } from '../format.js';
import { buildSectionHeader } from './section-status.js';
import { countTrials, groupBy, summarizeTrials } from './trial-cells.js';

/** Latency details: percentiles per model × topology × variant × scenario, then interference. */
export function buildLatencySection(results: RunResults): Block[] {
  const { blocks, present } = buildSectionHeader(results, 'latency');
  const section = results.experiments.latency;
  if (!present || !section) return blocks;
  blocks.push({ kind: 'chart', id: 'charts-latency' });
  const classOf = new Map(results.models.map((model) => [model.name, model.weightClass]));
  const sloOf = new Map(results.models.map((model) => [model.name, model.sloMs]));
  const groups = groupBy(sortLatency(section.results), (result) => `${result.model}|${result.topology}|${result.variant}|${result.scenario}`);
  const rows: Cell[][] = [];
  for (const trials of groups.values()) {
    const first = trials[0];
    if (!first) continue;
    const read = (field: keyof LatencyResult['latency']) => summarizeTrials(trials, (trial) => trial.latency[field], formatMs, field);
    rows.push([
      first.model,
      `${classOf.get(first.model) ?? '?'} (SLO ${formatMs(sloOf.get(first.model))})`,
      labelTopology(first.topology, first.variant),
      first.scenario,
      countTrials(trials),
      read('p50Ms'),
      read('p90Ms'),
      read('p99Ms'),
      read('p999Ms'),
      read('maxMs'),
      summarizeTrials(trials, (trial) => trial.errorRate, formatPercent, 'errorRate'),
      summarizeTrials(trials, (trial) => trial.offeredRps, formatRps, 'offeredRps'),
      summarizeTrials(trials, (trial) => trial.achievedRps, formatRps, 'achievedRps'),
    ]);
  }
  blocks.push({ kind: 'heading', level: 3, text: 'Latency per model, topology and variant (median over valid trials)' });
  blocks.push({ kind: 'table', table: { id: 'latency-table', columns: ['model', 'class', 'topology', 'scenario', 'trials', 'p50', 'p90', 'p99', 'p99.9', 'max', 'error rate', 'offered', 'achieved'], rows } });
  blocks.push(...buildInterferenceBlocks(section.results));
  return blocks;
}

/** Sorts latency results by model, topology, variant, scenario, trial. */
function sortLatency(results: readonly LatencyResult[]): LatencyResult[] {
  return [...results].sort((a, b) => a.model.localeCompare(b.model) || a.topology.localeCompare(b.topology) || a.variant.localeCompare(b.variant) || a.scenario.localeCompare(b.scenario) || a.trial - b.trial);
}

/** Interference: light-model p99 with heavy models busy (mixed) vs alone (light-only). */
function buildInterferenceBlocks(results: readonly LatencyResult[]): Block[] {
  const alone = results.filter((result) => result.scenario === 'light-only');
  if (alone.length === 0) return [{ kind: 'not-measured', title: 'Interference', reason: 'no light-only baseline scenario in this run' }];
  const rows: Cell[][] = [];
  for (const trials of groupBy(alone, (result) => `${result.model}|${result.topology}|${result.variant}`).values()) {
    const first = trials[0];
    if (!first) continue;
    const mixed = results.filter((result) => result.scenario === 'mixed' && result.model === first.model && result.topology === first.topology && result.variant === first.variant);
    const pairs = trials.flatMap((baseline) => {
      const loaded = mixed.find((result) => result.trial === baseline.trial);
      if (!loaded || !loaded.valid || !baseline.valid || loaded.latency.p99Ms === null || !baseline.latency.p99Ms) return [];
      return [loaded.latency.p99Ms / baseline.latency.p99Ms];
    });
    const ratio = medianOf(pairs);
    const anyValid = trials.some((trial) => trial.valid) && mixed.some((trial) => trial.valid);
    rows.push([
      first.model,
      labelTopology(first.topology, first.variant),
      summarizeTrials(trials, (trial) => trial.latency.p99Ms, formatMs, 'p99Ms'),
      summarizeTrials(mixed, (trial) => trial.latency.p99Ms, formatMs, 'p99Ms'),
      anyValid ? (ratio === null ? '—' : `${formatNumber(ratio)}×`) : { text: 'invalid', tone: 'invalid' },
    ]);
  }
  return [
    { kind: 'heading', level: 3, text: 'Interference: light models while heavy models are busy' },
    { kind: 'table', table: { id: 'interference-table', columns: ['model', 'topology', 'p99 alone', 'p99 with heavy load', 'inflation (per-trial median)'], rows } },
  ];
}
