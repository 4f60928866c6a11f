import type { RunResults } from '../../bench/results/schema.js';
import { buildVerdict } from '../verdict.js';
import { buildBlastRadiusCharts } from './blast-radius-heatmap.js';
import type { ChartSet } from './chart-set.js';
import { buildFaultTimelineCharts } from './fault-timelines.js';
import { buildLatencyCurveCharts } from './latency-curves.js';
import { buildMemoryCostCharts } from './memory-cost-bars.js';
import { buildRedeployTimelineCharts } from './redeploy-timelines.js';
import { slugify, type ChartDef } from './render-chart.js';
import { buildThroughputCharts } from './throughput-sweep.js';

/**
 * The charts that carry the verdict, right under it: cost and memory, the light model's latency
 * curve, the mixed throughput sweep, the headline pair's blast-radius matrices and their update
 * timelines. They are copies of charts in the experiment sections (ids suffixed), so the first
 * screen of the report is the verdict and its evidence.
 */
export function buildVerdictCharts(results: RunResults): ChartSet {
  const rows = buildVerdict(results);
  const headlineOf = (claim: string) => rows.find((row) => row.claim === claim)?.headline ?? null;
  const pair = (claim: string): string[] => {
    const c = headlineOf(claim);
    return c ? [slugify(`monolith-${c.monolith.variant}`), slugify(`microservices-${c.microservices.variant}`)] : [];
  };
  const light = headlineOf('latency-light')?.model ?? null;
  const update = headlineOf('update-cost');
  const wanted: Array<(chart: ChartDef) => boolean> = [
    (chart) => chart.id === 'chart-cost' || chart.id === 'chart-memory',
    (chart) => light !== null && chart.id === `chart-latency-${slugify(light)}`,
    (chart) => chart.id === 'chart-throughput-mixed',
    (chart) => pair('fault-isolation').some((who) => chart.id === `chart-blast-${who}`),
    (chart) => update !== null && !chart.id.endsWith('-corrupt') && pair('update-cost').some((who) => chart.id.startsWith(`chart-redeploy-${who}-recreate-model-`)),
  ];
  // The isolation matrix when several models were faulted, else the crash timelines themselves.
  const blast = buildBlastRadiusCharts(results);
  if (blast.charts.length === 0) wanted.push((chart) => pair('fault-isolation').some((who) => chart.id.startsWith('chart-fault-crash-') && chart.id.endsWith(`-${who}`)));
  const sources = [buildMemoryCostCharts(results), buildLatencyCurveCharts(results), buildThroughputCharts(results), blast, buildFaultTimelineCharts(results), buildRedeployTimelineCharts(results)];
  const charts = sources.flatMap((set) => set.charts).filter((chart) => wanted.some((want) => want(chart)));
  return { experiment: 'verdict', charts: charts.map((chart) => ({ ...chart, id: `${chart.id}-verdict` })), missing: [] };
}
