import type { Timing } from '../results/schema.js';

/** Where the run's time-left estimate comes from: the plan per part, corrected by how long the parts so far really took. */
export interface TimeLeftTracker {
  /** The part now running (a key of the plan); the previous one is closed. */
  begin(part: string): void;
  /** Planned units (expected ms) of the current part done. */
  tick(units: number): void;
  /** Closes the current part: what it did not use of its plan is dropped. */
  end(): void;
  /** Estimated wall time left, now. */
  leftMs(): number;
  /** Records the estimate now under a label (kept for the results' timing record). */
  checkpoint(label: string): void;
  /** The timing record; with `finished`, every checkpoint is compared with the time that really was left. */
  record(finished: boolean): Timing;
}

/** Part of the plan as the tracker keeps it. */
interface PartState {
  name: string;
  plannedMs: number;
  doneUnits: number;
  startedAt: number | null;
  actualMs: number | null;
}

// How much of a part must be done before its own pace replaces the run's pace for the rest of it.
const OWN_PACE_AFTER = 0.1;
// The plan's own weight against the parts measured so far (a minute, or a tenth of the run): a
// short part that ran 30% fast says little about the hour after it.
const PRIOR_MIN_MS = 60_000;
const PRIOR_SHARE = 0.1;
// Checkpoints this close to the end (under a tenth of the run, or a minute) are recorded but left
// out of the largest error: a few seconds off there is a large ratio of nothing.
const JUDGED_MIN_LEFT_MS = 60_000;
const JUDGED_MIN_LEFT_SHARE = 0.1;

/**
 * Tracks a run against its plan. Time left = for the running part, what is left of its plan at
 * its own pace so far (once 10% is done); for parts not started, their plan at the pace of the
 * parts already finished (actual ÷ planned, with the plan itself weighing a tenth of the run), so
 * a plan that is off by the same factor everywhere is corrected as the parts finish.
 */
export function trackTimeLeft(plan: Record<string, number>, now: () => number = () => performance.now()): TimeLeftTracker {
  const t0 = now();
  const parts: PartState[] = Object.entries(plan).map(([name, plannedMs]) => ({ name, plannedMs, doneUnits: 0, startedAt: null, actualMs: null }));
  const plannedMs = parts.reduce((sum, p) => sum + p.plannedMs, 0);
  const checkpoints: Timing['checkpoints'] = [];
  let current: PartState | null = null;
  const pace = (): number => {
    const finished = parts.filter((p) => p.actualMs !== null && p.plannedMs > 0);
    const planned = finished.reduce((sum, p) => sum + p.plannedMs, 0);
    const actual = finished.reduce((sum, p) => sum + p.actualMs!, 0);
    const prior = Math.max(PRIOR_MIN_MS, PRIOR_SHARE * plannedMs);
    return (actual + prior) / (planned + prior);
  };
  const tracker: TimeLeftTracker = {
    begin(part) {
      tracker.end();
      current = parts.find((p) => p.name === part) ?? null;
      if (current === null) {
        current = { name: part, plannedMs: 0, doneUnits: 0, startedAt: null, actualMs: null };
        parts.push(current);
      }
      current.startedAt = now();
    },
    tick(units) {
      if (current) current.doneUnits += units;
    },
    end() {
      if (current?.startedAt != null) current.actualMs = now() - current.startedAt;
      current = null;
    },
    leftMs() {
      const runPace = pace();
      let left = 0;
      for (const part of parts) {
        if (part.actualMs !== null) continue;
        if (part === current && part.startedAt !== null) {
          const spent = now() - part.startedAt;
          const remainingUnits = Math.max(0, part.plannedMs - part.doneUnits);
          const ownPace = part.plannedMs > 0 && part.doneUnits >= OWN_PACE_AFTER * part.plannedMs ? spent / part.doneUnits : runPace;
          left += remainingUnits * ownPace;
        } else left += part.plannedMs * runPace;
      }
      return left;
    },
    checkpoint(label) {
      checkpoints.push({ label, elapsedMs: Math.round(now() - t0), estimatedLeftMs: Math.round(tracker.leftMs()) });
    },
    record(finished) {
      const actualMs = finished ? Math.round(now() - t0) : undefined;
      const compared = checkpoints.map((c) => {
        if (actualMs === undefined) return c;
        const actualLeftMs = actualMs - c.elapsedMs;
        return { ...c, actualLeftMs, errorRatio: actualLeftMs > 0 ? (c.estimatedLeftMs - actualLeftMs) / actualLeftMs : null, projectedEndErrorRatio: actualMs > 0 ? (c.elapsedMs + c.estimatedLeftMs - actualMs) / actualMs : 0 };
      });
      const judged = compared.filter((c) => actualMs !== undefined && (c.actualLeftMs ?? 0) >= Math.max(JUDGED_MIN_LEFT_MS, JUDGED_MIN_LEFT_SHARE * actualMs));
      const errors = judged.flatMap((c) => (typeof c.errorRatio === 'number' ? [Math.abs(c.errorRatio)] : []));
      return {
        plannedMs: Math.round(plannedMs),
        parts: parts.map((p) => ({ name: p.name, plannedMs: Math.round(p.plannedMs), ...(p.actualMs !== null ? { actualMs: Math.round(p.actualMs) } : {}) })),
        checkpoints: compared,
        ...(actualMs !== undefined ? { actualMs, maxAbsErrorRatio: errors.length > 0 ? Math.max(...errors) : null } : {}),
      };
    },
  };
  return tracker;
}
