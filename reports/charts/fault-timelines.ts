import type { FaultResult, RunResults } from '../../bench/results/schema.js';
import { labelTopology } from '../format.js';
import { groupBy } from '../sections/trial-cells.js';
import type { ChartSet } from './chart-set.js';
import { slugify } from './render-chart.js';
import { buildTimelineSpec } from './timeline-chart.js';

/** Picks the result shown for a group: the first valid trial, else the first. */
function pickShown(trials: readonly FaultResult[]): FaultResult | undefined {
  return trials.find((trial) => trial.valid) ?? trials[0];
}

/** Fault timelines: one chart per topology/variant × fault kind × target (first valid trial), baseline windows skipped. */
export function buildFaultTimelineCharts(results: RunResults): ChartSet {
  const set: ChartSet = { experiment: 'fault', charts: [], missing: [] };
  const section = results.experiments.fault;
  if (!section || section.results.length === 0) {
    set.missing.push({ title: 'Fault timelines', reason: section ? `no fault results (status ${section.status}${section.error ? `: ${section.error}` : ''})` : 'the fault experiment was not run' });
    return set;
  }
  const faults = section.results.filter((result) => result.faultKind !== 'none');
  const groups = groupBy(faults, (result) => `${result.faultKind}|${result.topology}|${result.variant}|${result.targetModel}`);
  for (const trials of groups.values()) {
    const shown = pickShown(trials);
    if (!shown) continue;
    const label = `${shown.faultKind} in ${shown.targetModel} — ${labelTopology(shown.topology, shown.variant)}`;
    const spec = buildTimelineSpec(shown.timeline);
    if (!spec) {
      set.missing.push({ title: `Fault timeline: ${label}`, reason: 'no timeline bins recorded' });
      continue;
    }
    const validity = shown.valid ? '' : ' [INVALID trial — every trial invalid]';
    set.charts.push({
      id: `chart-fault-${slugify(`${shown.faultKind}-${shown.targetModel}-${shown.topology}-${shown.variant}`)}`,
      title: `Fault timeline: ${label} (trial ${shown.trial})${validity}`,
      howToRead: 'dashed lines mark injection, exits, restarts and recovery; only the faulty model should spike or drop — other models moving with it is the blast radius.',
      spec,
    });
  }
  return set;
}
