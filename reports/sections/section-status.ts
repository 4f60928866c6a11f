import type { ExperimentName, RunResults } from '../../bench/results/schema.js';
import type { Block } from '../document.js';

/** Title shown for each experiment. */
export const EXPERIMENT_TITLES: Record<ExperimentName, string> = {
  latency: 'Latency',
  throughput: 'Throughput',
  footprint: 'Footprint and cost',
  redeploy: 'Redeploy (update cost)',
  fault: 'Fault isolation',
  diagnose: 'Diagnose (time to blame)',
  library: 'Library (one shared runtime)',
};

/** Opening blocks of an experiment section: heading, status, notes; or a not-measured panel when absent. */
export function buildSectionHeader(results: RunResults, experiment: ExperimentName): { blocks: Block[]; present: boolean } {
  const section = results.experiments[experiment];
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: EXPERIMENT_TITLES[experiment], id: `experiment-${experiment}` }];
  if (!section) {
    blocks.push({ kind: 'not-measured', title: EXPERIMENT_TITLES[experiment], reason: `the \`${experiment}\` experiment was not run in this run (schemaVersion ${results.schemaVersion})` });
    return { blocks, present: false };
  }
  const status = `Status: ${section.status}${section.error ? ` — ${section.error}` : ''}. Started ${section.startedAt}${section.finishedAt ? `, finished ${section.finishedAt}` : ''}.`;
  blocks.push({ kind: 'paragraph', text: status });
  if (section.notes.length > 0) blocks.push({ kind: 'list', items: section.notes });
  if (section.results.length === 0) {
    blocks.push({ kind: 'not-measured', title: EXPERIMENT_TITLES[experiment], reason: section.status === 'failed' ? `the experiment failed${section.error ? `: ${section.error}` : ''}` : 'no results were recorded' });
    return { blocks, present: false };
  }
  return { blocks, present: true };
}
