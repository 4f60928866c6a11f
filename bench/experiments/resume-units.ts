import type { TopologyVariant } from '../config/topologies.js';
import type { ExperimentName } from '../results/schema.js';
import { measurementKey } from '../results/unit-keys.js';
import type { ExperimentContext } from './context.js';

/** The experiments one measurement session serves. */
const MEASUREMENTS: readonly ExperimentName[] = ['latency', 'throughput', 'footprint'];

/** Whether a resumed run found a section complete: then nothing of it runs again. */
export function isSectionKept(ctx: ExperimentContext, name: ExperimentName): boolean {
  return ctx.resume !== undefined && ctx.recorder.results.experiments[name]?.status === 'complete';
}

/** The measurement experiments (latency, throughput, footprint) of one session the run still lacks: all it wants, on a fresh run. */
export function listMissingMeasurements(ctx: ExperimentContext, who: TopologyVariant, trial: number): ExperimentName[] {
  return ctx.config.experiments.filter((name) => (name === 'latency' || name === 'throughput' || name === 'footprint') && !ctx.resume?.has(measurementKey(name, who, trial)));
}

/** The context a session runs in when only some of its measurements are missing: the others are not measured again. */
export function narrowToMissing(ctx: ExperimentContext, missing: readonly ExperimentName[]): ExperimentContext {
  const experiments = ctx.config.experiments.filter((name) => !MEASUREMENTS.includes(name) || missing.includes(name));
  return { ...ctx, config: { ...ctx.config, experiments } };
}

/** Whether a throughput trial is still missing: only then a resumed run measures the bare-inference ceiling again. */
export function needsCeiling(ctx: ExperimentContext): boolean {
  const trials = Array.from({ length: ctx.config.trials }, (_, trial) => trial);
  return ctx.config.experiments.includes('throughput') && trials.some((trial) => ctx.config.variants.some((who) => listMissingMeasurements(ctx, who, trial).includes('throughput')));
}
