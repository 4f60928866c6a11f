import type { Timeline } from '../../bench/results/schema.js';
import type { ChartDef } from './render-chart.js';

/** Colours of the marks by kind: faults red, process events grey, recovery green. */
const MARK_COLORS = { domain: ['inject', 'exit', 'restart', 'spawn', 'ready', 'disarm', 'recovered', 'publish', 'rollout-start', 'rollout-end', 'switch', 'other'], range: ['#d62728', '#7f7f7f', '#9467bd', '#8c564b', '#17becf', '#ff7f0e', '#2ca02c', '#bcbd22', '#1f77b4', '#2ca02c', '#e377c2', '#aaaaaa'] };

/** Builds a three-row timeline chart: p99 per bin, successes per bin, errors per bin, with marks as rules. */
export function buildTimelineSpec(timeline: Timeline): ChartDef['spec'] | null {
  const rows: { model: string; tS: number; ok: number; errors: number; p99Ms: number | null }[] = [];
  for (const [model, bins] of Object.entries(timeline.bins)) {
    for (const bin of bins) rows.push({ model, tS: bin.tMs / 1000, ok: bin.ok, errors: bin.errors, p99Ms: bin.p99Ms !== null && bin.p99Ms > 0 ? bin.p99Ms : null });
  }
  if (rows.length === 0) return null;
  const marks = timeline.marks.map((mark, index) => ({ tS: mark.tMs / 1000, kind: mark.kind, label: mark.label, row: index % 3 }));
  const xDomain = [0, Math.max(...rows.map((row) => row.tS)) + timeline.binMs / 1000];
  const x = { field: 'tS', type: 'quantitative', title: 'time since start (s)', scale: { domain: xDomain, nice: false } };
  const color = (legend: boolean) => ({ field: 'model', type: 'nominal', title: 'model', ...(legend ? {} : { legend: null }) });
  const markRule = { data: { values: marks }, mark: { type: 'rule', strokeWidth: 1.5, strokeDash: [4, 3] }, encoding: { x: { field: 'tS', type: 'quantitative' }, color: { field: 'kind', type: 'nominal', title: 'event', scale: MARK_COLORS, legend: null } } };
  const panel = (y: unknown, mark: unknown, height: number, withLabels: boolean): unknown => ({
    width: 620,
    height,
    layer: [
      { data: { values: rows }, mark, encoding: { x, y, color: color(withLabels) } },
      ...(marks.length > 0 ? [markRule] : []),
      ...(withLabels && marks.length > 0
        ? [{ data: { values: marks }, mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, angle: 0, fontSize: 11 }, encoding: { x: { field: 'tS', type: 'quantitative' }, y: { field: 'row', type: 'quantitative', scale: { domain: [0, 3], reverse: true }, axis: null }, text: { field: 'label' }, color: { field: 'kind', type: 'nominal', scale: MARK_COLORS, legend: null } } }]
        : []),
    ],
    resolve: { scale: { y: 'independent', color: 'independent' } },
  });
  return {
    vconcat: [
      panel({ field: 'p99Ms', type: 'quantitative', title: 'p99 per bin (ms, log)', scale: { type: 'log' } }, { type: 'line', strokeWidth: 2, interpolate: 'step-after' }, 130, true),
      panel({ field: 'ok', type: 'quantitative', title: 'successes per bin' }, { type: 'line', strokeWidth: 2, interpolate: 'step-after' }, 90, false),
      panel({ field: 'errors', type: 'quantitative', title: 'errors per bin' }, { type: 'bar', opacity: 0.85, clip: true }, 80, false),
    ],
    resolve: { scale: { color: 'independent' } },
  } as unknown as ChartDef['spec'];
}
