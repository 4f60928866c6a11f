import type { OpenLoopHandle } from '../load/generator-client.js';
import type { RunningTopology, SupervisorEvent } from '../targets/types.js';
import type { TimelineMark } from '../results/schema.js';
import { nowMs } from '../clock.js';
import type { ExperimentContext } from './context.js';
import { buildProbeStreams } from './availability-probe.js';
import { buildOpenLoopPlan, buildRequests } from './traffic.js';

/** A mark at an absolute time (nowMs clock), converted to timeline-relative by toTimeline. */
export type AbsoluteMark = Omit<TimelineMark, 'tMs'> & { atMs: number };

/** Steady mixed open-loop load running while an experiment acts on the topology. */
export interface BackgroundLoad {
  handle: OpenLoopHandle;
  /** Epoch ms (nowMs clock) of the schedule's time zero. */
  startedAtMs: number;
  /** Milliseconds since the load's time zero. */
  elapsedMs(): number;
}

/**
 * Starts the profile's mixed load (every model at its rate, no warm-up exclusion: the timeline is
 * what matters) plus every model's availability probe, recording every request, for `durationMs`,
 * and waits until its clock has started.
 */
export async function startBackgroundLoad(ctx: ExperimentContext, topology: RunningTopology, durationMs: number, seed: number): Promise<BackgroundLoad> {
  const { config } = ctx;
  const settings = config.settings.latency;
  const requests = buildRequests(config.models, config.seed);
  const rates = Object.fromEntries(config.models.map((m) => [m, settings.rates[m] ?? 0]));
  const plan = buildOpenLoopPlan(topology, requests, rates, { durationMs, warmupMs: 0, seed }, { ...settings, binMs: config.settings.fault.binMs });
  const handle = ctx.generator.startOpenLoop({ ...plan, streams: [...plan.streams, ...buildProbeStreams(topology, config.models, config.seed)], recordRequests: true });
  const { startedAtMs } = await handle.started;
  return { handle, startedAtMs, elapsedMs: () => nowMs() - startedAtMs };
}

/** Supervisor events between two instants as timeline marks (exits, restarts, readiness). */
export function marksFromEvents(events: readonly SupervisorEvent[], fromMs: number, toMs: number): AbsoluteMark[] {
  const kinds: Partial<Record<SupervisorEvent['type'], TimelineMark['kind']>> = { exit: 'exit', restart: 'restart', ready: 'ready', spawn: 'spawn' };
  return events
    .filter((e) => e.atMs >= fromMs && e.atMs <= toMs && kinds[e.type] !== undefined)
    .map((e) => ({
      atMs: e.atMs,
      kind: kinds[e.type]!,
      label: `${e.process} ${e.type}${e.type === 'exit' ? ` (${e.signal ?? `code ${e.code}`})` : ''}`,
      process: e.process,
    }));
}
