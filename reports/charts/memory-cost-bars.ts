import type { RunResults } from '../../bench/results/schema.js';
import { labelTopology, medianOf } from '../format.js';
import { groupBy } from '../sections/trial-cells.js';
import type { ChartSet } from './chart-set.js';
import { VARIANT_COLORS, type ChartDef } from './render-chart.js';

/** Memory and cost bars per topology/variant (median over valid trials). */
export function buildMemoryCostCharts(results: RunResults): ChartSet {
  const set: ChartSet = { experiment: 'footprint', charts: [], missing: [] };
  const section = results.experiments.footprint;
  if (!section || section.results.length === 0) {
    set.missing.push({ title: 'Memory and cost', reason: section ? `no footprint results (status ${section.status})` : 'the footprint experiment was not run' });
    return set;
  }
  const memory: { topology: string; state: string; mib: number }[] = [];
  const cost: { topology: string; usd: number }[] = [];
  for (const trials of groupBy(section.results.filter((result) => result.valid), (result) => labelTopology(result.topology, result.variant)).values()) {
    const first = trials[0];
    if (!first) continue;
    const topology = labelTopology(first.topology, first.variant);
    const idle = medianOf(trials.flatMap((trial) => (trial.idleRssBytes === null ? [] : [trial.idleRssBytes])));
    const loaded = medianOf(trials.flatMap((trial) => (trial.loadedRssBytes === null ? [] : [trial.loadedRssBytes])));
    const usd = medianOf(trials.flatMap((trial) => (trial.costPer1MRequestsUsd === null ? [] : [trial.costPer1MRequestsUsd])));
    if (idle !== null) memory.push({ topology, state: 'idle', mib: idle / 2 ** 20 });
    if (loaded !== null) memory.push({ topology, state: 'loaded', mib: loaded / 2 ** 20 });
    if (usd !== null) cost.push({ topology, usd });
  }
  if (memory.length === 0) set.missing.push({ title: 'Memory (RSS)', reason: 'no valid RSS measurement' });
  else {
    set.charts.push({
      id: 'chart-memory',
      title: 'Resident memory of all server processes (median over valid trials)',
      howToRead: 'shorter bars use less memory; compare idle (models loaded, no traffic) with loaded (under load) per topology.',
      spec: {
        width: 520,
        data: { values: memory },
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'topology', type: 'nominal', title: null },
          yOffset: { field: 'state', type: 'nominal' },
          x: { field: 'mib', type: 'quantitative', title: 'resident memory (MiB)' },
          color: { field: 'state', type: 'nominal', title: 'state', scale: { domain: ['idle', 'loaded'], range: ['#9ecae1', '#3182bd'] } },
          tooltip: [{ field: 'topology' }, { field: 'state' }, { field: 'mib', format: '.0f', title: 'MiB' }],
        },
      } as ChartDef['spec'],
    });
  }
  if (cost.length === 0) set.missing.push({ title: 'Cost per 1M inferences', reason: 'no valid cost figure (needs CPU time and a price table)' });
  else {
    set.charts.push({
      id: 'chart-cost',
      title: `Cost per 1M inferences (US$, price table: ${section.priceTable?.source ?? 'not recorded'})`,
      howToRead: 'shorter bars are cheaper; cost = CPU-seconds and memory-hours per request at the price table.',
      spec: {
        width: 520,
        data: { values: cost },
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'topology', type: 'nominal', title: null },
          x: { field: 'usd', type: 'quantitative', title: 'US$ per 1M inferences' },
          color: { field: 'topology', type: 'nominal', scale: VARIANT_COLORS, legend: null },
          tooltip: [{ field: 'topology' }, { field: 'usd', format: '.4f', title: 'US$' }],
        },
      } as ChartDef['spec'],
    });
  }
  return set;
}
