import type { RunResults } from '../../bench/results/schema.js';
import { labelTopology } from '../format.js';
import type { ChartSet } from './chart-set.js';
import { slugify } from './render-chart.js';
import { buildTimelineSpec } from './timeline-chart.js';

/** Live session timelines: one chart per topology, per-second bins with every fault, redeploy and process event marked. */
export function buildLiveTimelineCharts(results: RunResults): ChartSet {
  const set: ChartSet = { experiment: 'live', charts: [], missing: [] };
  const live = results.live;
  if (!live) {
    set.missing.push({ title: 'Live session timelines', reason: 'this run is not a saved `splitbench live` session' });
    return set;
  }
  for (const topology of live.topologies) {
    const label = labelTopology(topology.topology, topology.variant);
    const spec = buildTimelineSpec(topology.timeline);
    if (!spec) {
      set.missing.push({ title: `Live timeline: ${label}`, reason: 'no requests were recorded' });
      continue;
    }
    set.charts.push({
      id: `chart-live-${slugify(`${topology.topology}-${topology.variant}`)}`,
      title: `Live session: ${label}`,
      howToRead: 'one-second bins by intended send time; dashed lines mark faults injected, disarms, redeploys and process exits/restarts — compare which models fall with the fault in each topology.',
      spec,
    });
  }
  return set;
}
