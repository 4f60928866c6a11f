import type { Observation } from '../load/request-log.js';

/** One outage: from the intended send time of a failed request to that of the next success. */
export interface Outage {
  fromMs: number;
  /** Intended send time of the next success; the window's end when none came (`recovered: false`). */
  toMs: number;
  recovered: boolean;
}

/** A model's availability in one window, read off its requests (load and probes merged). */
export interface OutageReport {
  outages: Outage[];
  /** Total length of the outages (ms). */
  downtimeMs: number;
  /** Largest gap between consecutive observations in the window, its edges included: no outage shorter than this can be ruled out. Null with no observation. */
  resolutionMs: number | null;
  observations: number;
  failed: number;
  /** True when the last outage lasted to the window's end. */
  unrecovered: boolean;
}

/** Merges several observation lists into one, ordered by intended send time. */
export function mergeObservations(...lists: ReadonlyArray<readonly Observation[]>): Observation[] {
  return lists.flat().sort((a, b) => a.tMs - b.tMs);
}

/**
 * Outages of one model in [fromMs, toMs) from its time-ordered observations: an outage starts at a
 * failed request (when not already in one) and ends at the next success's intended send time; one
 * still open at the end runs to toMs and is marked unrecovered. Pure.
 */
export function findOutages(observations: readonly Observation[], fromMs: number, toMs: number): OutageReport {
  const inWindow = observations.filter((o) => o.tMs >= fromMs && o.tMs < toMs);
  const outages: Outage[] = [];
  let openedAt: number | null = null;
  let failed = 0;
  let resolutionMs = inWindow.length > 0 ? 0 : null;
  let previous = fromMs;
  for (const observation of inWindow) {
    resolutionMs = Math.max(resolutionMs ?? 0, observation.tMs - previous);
    previous = observation.tMs;
    if (!observation.ok) {
      failed++;
      openedAt ??= observation.tMs;
    } else if (openedAt !== null) {
      outages.push({ fromMs: openedAt, toMs: observation.tMs, recovered: true });
      openedAt = null;
    }
  }
  if (resolutionMs !== null) resolutionMs = Math.max(resolutionMs, toMs - previous);
  if (openedAt !== null) outages.push({ fromMs: openedAt, toMs, recovered: false });
  return {
    outages,
    downtimeMs: outages.reduce((sum, o) => sum + (o.toMs - o.fromMs), 0),
    resolutionMs,
    observations: inWindow.length,
    failed,
    unrecovered: openedAt !== null,
  };
}

/** A downtime with its resolution beside it, e.g. "820 ms (resolution 50 ms)"; "n/a" without observations. */
export function formatDowntime(downtimeMs: number | null, resolutionMs: number | null | undefined, unrecovered = false): string {
  if (downtimeMs === null) return 'n/a';
  const notes = [
    ...(resolutionMs === undefined ? [] : [`resolution ${resolutionMs === null ? 'n/a' : `${Math.round(resolutionMs)} ms`}`]),
    ...(unrecovered ? ['not recovered by the window end'] : []),
  ];
  return `${Math.round(downtimeMs)} ms${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}

/** The per-model outage fields results carry (fault and redeploy alike): downtime with its resolution, from load and probes merged. */
export function describeModelOutages(report: OutageReport, probes: OutageReport): { downtimeMs: number | null; resolutionMs: number | null; outages: number; unrecovered: boolean; observations: number; probeObservations: number; probeFailures: number } {
  return {
    downtimeMs: report.observations > 0 ? report.downtimeMs : null,
    resolutionMs: report.resolutionMs,
    outages: report.outages.length,
    unrecovered: report.unrecovered,
    observations: report.observations,
    probeObservations: probes.observations,
    probeFailures: probes.failed,
  };
}
