import type { RunResults } from '../../bench/results/schema.js';
import { labelTopology, medianOf } from '../format.js';
import { groupBy } from '../sections/trial-cells.js';
import type { ChartSet } from './chart-set.js';
import { VARIANT_COLORS, type ChartDef } from './render-chart.js';

/** Scaling lines: idle RSS and cold start vs number of models, whose slope is the marginal cost per added model. */
export function buildScalingCharts(results: RunResults): ChartSet {
  const set: ChartSet = { experiment: 'footprint', charts: [], missing: [] };
  const scaling = results.experiments.footprint?.scaling ?? [];
  if (scaling.length === 0) {
    set.missing.push({ title: 'Marginal cost per added model', reason: results.experiments.footprint ? 'no scaling points recorded' : 'the footprint experiment was not run' });
    return set;
  }
  const marginal = new Map((results.experiments.footprint?.marginal ?? []).map((entry) => [labelTopology(entry.topology, entry.variant), entry]));
  const rows: { topology: string; models: number; mib: number | null; startMs: number | null }[] = [];
  for (const points of groupBy(scaling, (point) => `${point.topology}|${point.variant}|${point.modelCount}`).values()) {
    const first = points[0];
    if (!first) continue;
    const rss = medianOf(points.flatMap((point) => (point.idleRssBytes === null ? [] : [point.idleRssBytes])));
    const label = labelTopology(first.topology, first.variant);
    const slope = marginal.get(label)?.rssBytesPerModel;
    rows.push({
      topology: slope === null || slope === undefined ? label : `${label} (+${Math.round(slope / 2 ** 20)} MiB/model)`,
      models: first.modelCount,
      mib: rss === null ? null : rss / 2 ** 20,
      startMs: medianOf(points.flatMap((point) => (point.coldStartMs === null ? [] : [point.coldStartMs]))),
    });
  }
  const colorScale = { domain: [...new Set(rows.map((row) => row.topology))], range: [...new Set(rows.map((row) => row.topology))].map((label) => VARIANT_COLORS.range[VARIANT_COLORS.domain.findIndex((name) => label.startsWith(name))] ?? '#888') };
  const line = (field: 'mib' | 'startMs', title: string): ChartDef['spec'] =>
    ({
      width: 520,
      height: 240,
      data: { values: rows.filter((row) => row[field] !== null) },
      mark: { type: 'line', point: true, strokeWidth: 2.5 },
      encoding: {
        x: { field: 'models', type: 'quantitative', title: 'models deployed (count)' },
        y: { field, type: 'quantitative', title },
        color: { field: 'topology', type: 'nominal', title: 'topology/variant (marginal RSS)', scale: colorScale },
      },
    }) as ChartDef['spec'];
  set.charts.push({
    id: 'chart-scaling-rss',
    title: 'Marginal memory per added model: idle RSS vs number of models',
    howToRead: 'the slope of each line is what one more model costs in memory; a steeper line pays more per model.',
    spec: line('mib', 'idle resident memory (MiB)'),
  });
  set.charts.push({
    id: 'chart-scaling-start',
    title: 'Cold start vs number of models',
    howToRead: 'the slope is the start-up time each added model costs; lower is faster to (re)start.',
    spec: line('startMs', 'cold start to ready (ms)'),
  });
  return set;
}
