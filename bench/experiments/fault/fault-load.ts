import type { RunningTopology } from '../../targets/types.js';
import { startBackgroundLoad, type BackgroundLoad } from '../background-load.js';
import type { ExperimentContext } from '../context.js';

/**
 * The profile's steady mixed load (startBackgroundLoad: probes, every request recorded, live
 * health) with a warm-up in front: the first bins of a fresh generator carry its start-up (new
 * connections, cold JIT), so they are kept in the timeline but left out of the baseline and of the
 * generator's lag figures.
 */
export function startFaultLoad(ctx: ExperimentContext, topology: RunningTopology, timing: { warmupMs: number; durationMs: number }, seed: number): Promise<BackgroundLoad> {
  return startBackgroundLoad(ctx, topology, timing.durationMs, seed, timing.warmupMs);
}
