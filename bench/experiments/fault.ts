import type { ExperimentContext } from './context.js';

/** Placeholder until the fault experiment lands: records that it was not measured. */
export async function runFaultExperiment(ctx: ExperimentContext): Promise<void> {
  ctx.recorder.updateSection('fault', (s) => {
    s.status = 'skipped';
    s.notes.push('fault experiment not implemented yet');
  });
}
