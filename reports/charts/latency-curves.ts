import type { RunResults } from '../../bench/results/schema.js';
import { labelTopology, medianOf } from '../format.js';
import { groupBy } from '../sections/trial-cells.js';
import type { ChartSet } from './chart-set.js';
import { slugify, VARIANT_COLORS, type ChartDef } from './render-chart.js';

/** Latency percentile curves: one chart per model, one line per topology/variant (mixed scenario, median over valid trials). */
export function buildLatencyCurveCharts(results: RunResults): ChartSet {
  const set: ChartSet = { experiment: 'latency', charts: [], missing: [] };
  const section = results.experiments.latency;
  if (!section || section.results.length === 0) {
    set.missing.push({ title: 'Latency percentile curves', reason: section ? `no latency results (status ${section.status})` : 'the latency experiment was not run' });
    return set;
  }
  const sloOf = new Map(results.models.map((model) => [model.name, model.sloMs]));
  const mixed = section.results.filter((result) => result.scenario === 'mixed');
  for (const [model, trials] of groupBy(mixed, (result) => result.model)) {
    const rows: { topology: string; percentile: number; nines: number; ms: number }[] = [];
    for (const group of groupBy(trials.filter((trial) => trial.valid), (trial) => labelTopology(trial.topology, trial.variant)).values()) {
      const byPercentile = groupBy(group.flatMap((trial) => trial.percentileCurve).filter((point) => point.percentile < 100 && point.ms > 0), (point) => String(point.percentile));
      for (const [percentile, points] of byPercentile) {
        const ms = medianOf(points.map((point) => point.ms));
        const first = group[0];
        if (ms === null || !first) continue;
        const p = Number(percentile);
        rows.push({ topology: labelTopology(first.topology, first.variant), percentile: p, nines: -Math.log10(1 - p / 100), ms });
      }
    }
    if (rows.length === 0) {
      set.missing.push({ title: `Latency percentiles — ${model}`, reason: trials.every((trial) => !trial.valid) ? 'every trial is invalid' : 'no percentile curve recorded' });
      continue;
    }
    const slo = sloOf.get(model);
    const layers: unknown[] = [
      {
        mark: { type: 'line', point: true, strokeWidth: 2.5 },
        encoding: {
          x: { field: 'nines', type: 'quantitative', title: 'percentile (log scale of 1 − p)', scale: { domain: [0, Math.max(3, ...rows.map((row) => row.nines))] }, axis: { values: [0, 0.30103, 1, 2, 3, 4, 5], labelExpr: "datum.value == 0 ? 'p0' : 'p' + format(100 - 100 * pow(10, -datum.value), '.5~')" } },
          y: { field: 'ms', type: 'quantitative', title: 'latency (ms, log scale)', scale: { type: 'log' } },
          color: { field: 'topology', type: 'nominal', title: 'topology/variant', scale: VARIANT_COLORS },
          tooltip: [{ field: 'topology' }, { field: 'percentile' }, { field: 'ms', format: '.3~f' }],
        },
      },
    ];
    if (slo !== undefined) {
      layers.push({ data: { values: [{ slo }] }, mark: { type: 'rule', strokeDash: [6, 4], color: '#c00' }, encoding: { y: { field: 'slo', type: 'quantitative' } } });
      layers.push({ data: { values: [{ slo, label: `SLO ${slo} ms` }] }, mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#c00', fontSize: 12 }, encoding: { y: { field: 'slo', type: 'quantitative' }, x: { datum: 0 }, text: { field: 'label' } } });
    }
    const chart: ChartDef = {
      id: `chart-latency-${slugify(model)}`,
      title: `Latency percentiles — ${model} (mixed load, median over valid trials)`,
      howToRead: 'lower is better; the right end is the tail (p99, p99.9) users notice; the red dashed line is the SLO.',
      spec: { width: 520, height: 260, data: { values: rows }, layer: layers } as ChartDef['spec'],
    };
    set.charts.push(chart);
  }
  return set;
}
