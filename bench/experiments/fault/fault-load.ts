import { nowMs } from '../../clock.js';
import type { RunningTopology } from '../../targets/types.js';
import { describeHealth, type BackgroundLoad } from '../background-load.js';
import type { ExperimentContext } from '../context.js';
import { buildProbeStreams } from '../availability-probe.js';
import { buildOpenLoopPlan, buildRequests } from '../traffic.js';

/**
 * The profile's steady mixed load (as startBackgroundLoad sends it) with a warm-up in front: the
 * first bins of a fresh generator carry its start-up (new connections, cold JIT), so they are
 * kept in the timeline but left out of the baseline and of the generator's lag figures. Adds the
 * availability probes and records every request (see availability-probe.ts).
 */
export async function startFaultLoad(ctx: ExperimentContext, topology: RunningTopology, timing: { warmupMs: number; durationMs: number }, seed: number): Promise<BackgroundLoad> {
  const { config } = ctx;
  const settings = config.settings.latency;
  const requests = buildRequests(config.models, config.seed);
  const rates = Object.fromEntries(config.models.map((m) => [m, settings.rates[m] ?? 0]));
  const plan = buildOpenLoopPlan(topology, requests, rates, { durationMs: timing.warmupMs + timing.durationMs, warmupMs: timing.warmupMs, seed }, { ...settings, binMs: config.settings.fault.binMs });
  // Every model also gets an availability probe, and every request is kept: outages are read from them.
  // Each model's health, live, so a window can end once every model is settled again.
  const handle = ctx.generator.startOpenLoop({ ...plan, streams: [...plan.streams, ...buildProbeStreams(topology, config.models, config.seed)], recordRequests: true, health: describeHealth(config.models) });
  const { startedAtMs } = await handle.started;
  return { handle, startedAtMs, elapsedMs: () => nowMs() - startedAtMs };
}
