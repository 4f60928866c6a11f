import type { RunResults } from '../../bench/results/schema.js';
import { labelTopology } from '../format.js';
import { groupBy } from '../sections/trial-cells.js';
import type { ChartSet } from './chart-set.js';
import { slugify, type ChartDef } from './render-chart.js';

/** Blast-radius heatmaps: per topology/variant, rows = fault kind in fault model, columns = impacted model. */
export function buildBlastRadiusCharts(results: RunResults): ChartSet {
  const set: ChartSet = { experiment: 'fault', charts: [], missing: [] };
  const section = results.experiments.fault;
  if (!section || section.isolationMatrix.length === 0) {
    set.missing.push({ title: 'Blast-radius heatmap', reason: section ? 'no isolation matrix recorded' : 'the fault experiment was not run' });
    return set;
  }
  for (const cells of groupBy(section.isolationMatrix, (cell) => `${cell.topology}|${cell.variant}`).values()) {
    const first = cells[0];
    if (!first) continue;
    const rows = cells.map((cell) => ({ fault: `${cell.faultKind} in ${cell.faultModel}`, impactedModel: cell.impactedModel, impact: cell.impacted ? 'impacted' : 'isolated', symbol: cell.impacted ? 'down' : 'ok' }));
    const faultRows = [...new Set(rows.map((row) => row.fault))].length;
    set.charts.push({
      id: `chart-blast-${slugify(`${first.topology}-${first.variant}`)}`,
      title: `Blast radius — ${labelTopology(first.topology, first.variant)}: which models a fault took down`,
      howToRead: 'each row is a fault injected into one model; red cells are other models that breached their SLO because of it; all green = perfect isolation.',
      spec: {
        width: { step: 70 },
        height: { step: Math.max(16, Math.min(26, Math.round(320 / Math.max(1, faultRows)))) },
        data: { values: rows },
        layer: [
          {
            mark: { type: 'rect', stroke: 'white', strokeWidth: 1.5 },
            encoding: {
              x: { field: 'impactedModel', type: 'nominal', title: 'impacted model', axis: { labelAngle: -30 } },
              y: { field: 'fault', type: 'nominal', title: 'fault (kind in model)' },
              color: { field: 'impact', type: 'nominal', title: 'effect', scale: { domain: ['impacted', 'isolated'], range: ['#d62728', '#a1d99b'] } },
            },
          },
          { mark: { type: 'text', fontSize: 11 }, encoding: { x: { field: 'impactedModel', type: 'nominal' }, y: { field: 'fault', type: 'nominal' }, text: { field: 'symbol' } } },
        ],
      } as ChartDef['spec'],
    });
  }
  return set;
}
