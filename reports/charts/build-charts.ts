import type { RunResults } from '../../bench/results/schema.js';
import { buildBlastRadiusCharts } from './blast-radius-heatmap.js';
import type { ChartSet } from './chart-set.js';
import { buildFaultTimelineCharts } from './fault-timelines.js';
import { buildLatencyCurveCharts } from './latency-curves.js';
import { buildLiveTimelineCharts } from './live-timelines.js';
import { buildMemoryCostCharts } from './memory-cost-bars.js';
import { buildRedeployTimelineCharts } from './redeploy-timelines.js';
import { buildScalingCharts } from './scaling-lines.js';
import { buildThroughputCharts } from './throughput-sweep.js';
import { buildVerdictCharts } from './verdict-charts.js';

/** Every chart of a report, keyed by the placeholder id of the section it belongs to. */
export function buildChartSets(results: RunResults): Map<string, ChartSet[]> {
  return new Map([
    ['charts-verdict', [buildVerdictCharts(results)]],
    ['charts-latency', [buildLatencyCurveCharts(results)]],
    ['charts-throughput', [buildThroughputCharts(results)]],
    ['charts-footprint', [buildMemoryCostCharts(results), buildScalingCharts(results)]],
    ['charts-redeploy', [buildRedeployTimelineCharts(results)]],
    ['charts-fault', [buildBlastRadiusCharts(results), buildFaultTimelineCharts(results)]],
    ['charts-live', [buildLiveTimelineCharts(results)]],
  ]);
}
