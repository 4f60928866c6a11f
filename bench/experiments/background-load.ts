import type { OpenLoopHandle } from '../load/generator-client.js';
import type { RunningTopology, SupervisorEvent } from '../targets/types.js';
import type { TimelineMark } from '../results/schema.js';
import { findModel } from '../../models/catalog.js';
import { nowMs, sleep } from '../clock.js';
import type { HealthSnapshot, OpenLoopPlan } from '../load/types.js';
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
 * Starts the profile's mixed load (every model at its rate) plus every model's availability probe,
 * recording every request and reporting each model's health live, for `durationMs` after an
 * optional warm-up (kept in the timeline, left out of the summary), and waits until its clock has started.
 */
export async function startBackgroundLoad(ctx: ExperimentContext, topology: RunningTopology, durationMs: number, seed: number, warmupMs = 0): Promise<BackgroundLoad> {
  const { config } = ctx;
  const settings = config.settings.latency;
  const requests = buildRequests(config.models, config.seed);
  const rates = Object.fromEntries(config.models.map((m) => [m, settings.rates[m] ?? 0]));
  const plan = buildOpenLoopPlan(topology, requests, rates, { durationMs: warmupMs + durationMs, warmupMs, seed }, { ...settings, binMs: config.settings.fault.binMs });
  const handle = ctx.generator.startOpenLoop({ ...plan, streams: [...plan.streams, ...buildProbeStreams(topology, config.models, config.seed)], recordRequests: true, health: describeHealth(config.models) });
  const { startedAtMs } = await handle.started;
  return { handle, startedAtMs, elapsedMs: () => nowMs() - startedAtMs };
}

// How often the generator reports each model's health while a background load runs.
const HEALTH_EVERY_MS = 100;

/** What the generator reports live: each model's answers against its SLO, every 100 ms. */
export function describeHealth(models: readonly string[]): NonNullable<OpenLoopPlan['health']> {
  return { everyMs: HEALTH_EVERY_MS, sloMs: Object.fromEntries(models.map((m) => [m, findModel(m)!.sloMs])) };
}

/** True when every model has answered well (no error, within its SLO) for settleMs since sinceMs (ms from the load's start). */
export function isSettled(health: HealthSnapshot | null, models: readonly string[], sinceMs: number, settleMs: number): boolean {
  if (health === null) return false;
  return models.every((model) => {
    const m = health.models[model];
    return m !== undefined && m.answeredThroughMs !== null && m.answeredThroughMs - Math.max(sinceMs, m.lastBadMs ?? -Infinity) >= settleMs;
  });
}

/** Waits (at most capMs) until every model has answered well for settleMs, from now on or from the last bad answer; true when it did. */
export async function waitUntilSettled(load: BackgroundLoad, models: readonly string[], settleMs: number, capMs: number, signal: AbortSignal): Promise<boolean> {
  const giveUpAtMs = nowMs() + capMs;
  while (!signal.aborted && nowMs() < giveUpAtMs) {
    if (isSettled(load.handle.health(), models, -Infinity, settleMs)) return true;
    await sleep(50);
  }
  return false;
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
