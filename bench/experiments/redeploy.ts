import type { ExperimentContext } from './context.js';

/** Placeholder until the redeploy experiment lands: records that it was not measured. */
export async function runRedeployExperiment(ctx: ExperimentContext): Promise<void> {
  ctx.recorder.updateSection('redeploy', (s) => {
    s.status = 'skipped';
    s.notes.push('redeploy experiment not implemented yet');
  });
}
