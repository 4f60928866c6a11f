import type { RunResults } from '../../bench/results/schema.js';
import { labelTopology } from '../format.js';
import { groupBy } from '../sections/trial-cells.js';
import type { ChartSet } from './chart-set.js';
import { slugify } from './render-chart.js';
import { buildTimelineSpec } from './timeline-chart.js';

/** Redeploy timelines: one chart per topology/variant × strategy × change kind (first valid trial). */
export function buildRedeployTimelineCharts(results: RunResults): ChartSet {
  const set: ChartSet = { experiment: 'redeploy', charts: [], missing: [] };
  const section = results.experiments.redeploy;
  if (!section || section.results.length === 0) {
    set.missing.push({ title: 'Redeploy timelines', reason: section ? `no redeploy results (status ${section.status})` : 'the redeploy experiment was not run' });
    return set;
  }
  const groups = groupBy(section.results, (result) => `${result.topology}|${result.variant}|${result.strategy}|${result.changeKind}|${result.targetModel}|${result.corrupt}`);
  for (const trials of groups.values()) {
    const shown = trials.find((trial) => trial.valid) ?? trials[0];
    if (!shown) continue;
    const label = `${shown.changeKind} change to ${shown.targetModel}${shown.corrupt ? ' (corrupt)' : ''}, ${shown.strategy} — ${labelTopology(shown.topology, shown.variant)}`;
    const spec = buildTimelineSpec(shown.timeline);
    if (!spec) {
      set.missing.push({ title: `Redeploy timeline: ${label}`, reason: 'no timeline bins recorded' });
      continue;
    }
    set.charts.push({
      id: `chart-redeploy-${slugify(`${shown.topology}-${shown.variant}-${shown.strategy}-${shown.changeKind}-${shown.targetModel}${shown.corrupt ? '-corrupt' : ''}`)}`,
      title: `Redeploy timeline: ${label} (trial ${shown.trial}, outcome ${shown.outcome})${shown.valid ? '' : ' [INVALID]'}`,
      howToRead: 'dashed lines mark publish, rollout start/end, process exits and readiness; errors or gaps in models that were not updated are the collateral cost of the update.',
      spec,
    });
  }
  return set;
}
