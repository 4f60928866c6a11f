import type { RunResults } from '../../bench/results/schema.js';
import { labelTopology, medianOf } from '../format.js';
import { groupBy } from '../sections/trial-cells.js';
import type { ChartSet } from './chart-set.js';
import { slugify, VARIANT_COLORS, type ChartDef } from './render-chart.js';

/** Throughput vs concurrency: one chart per model (and mixed), one line per topology/variant. */
export function buildThroughputCharts(results: RunResults): ChartSet {
  const set: ChartSet = { experiment: 'throughput', charts: [], missing: [] };
  const section = results.experiments.throughput;
  if (!section || section.results.length === 0) {
    set.missing.push({ title: 'Throughput vs concurrency', reason: section ? `no throughput results (status ${section.status})` : 'the throughput experiment was not run' });
    return set;
  }
  for (const [model, trials] of groupBy(section.results, (result) => result.model)) {
    const rows: { topology: string; connections: number; rps: number; p99Ms: number | null }[] = [];
    for (const group of groupBy(trials.filter((trial) => trial.valid), (trial) => labelTopology(trial.topology, trial.variant)).values()) {
      const first = group[0];
      if (!first) continue;
      for (const [connections, points] of groupBy(group.flatMap((trial) => trial.sweep), (point) => String(point.connections))) {
        const rps = medianOf(points.map((point) => point.rps));
        if (rps === null) continue;
        rows.push({ topology: labelTopology(first.topology, first.variant), connections: Number(connections), rps, p99Ms: medianOf(points.flatMap((point) => (point.p99Ms === null ? [] : [point.p99Ms]))) });
      }
    }
    if (rows.length === 0) {
      set.missing.push({ title: `Throughput — ${model}`, reason: 'every trial is invalid or no sweep was recorded' });
      continue;
    }
    set.charts.push({
      id: `chart-throughput-${slugify(model)}`,
      title: `Throughput vs concurrency — ${model} (median over valid trials)`,
      howToRead: 'higher is better; the line flattens where the topology saturates; its plateau is the max rps.',
      spec: {
        width: 520,
        height: 240,
        data: { values: rows },
        mark: { type: 'line', point: true, strokeWidth: 2.5 },
        encoding: {
          x: { field: 'connections', type: 'quantitative', title: 'concurrent connections (log2 scale)', scale: { type: 'log', base: 2 } },
          y: { field: 'rps', type: 'quantitative', title: 'throughput (requests/s)' },
          color: { field: 'topology', type: 'nominal', title: 'topology/variant', scale: VARIANT_COLORS },
          tooltip: [{ field: 'topology' }, { field: 'connections' }, { field: 'rps', format: '.1f' }, { field: 'p99Ms', title: 'p99 ms', format: '.2f' }],
        },
      } as ChartDef['spec'],
    });
  }
  return set;
}
