import type { HealthSnapshot, OpenLoopPlan, Outcome } from './types.js';

/** Tracks each model's answers while a run goes on, for the periodic health snapshot. */
export interface HealthFeed {
  /** A request of a model was sent (intended ms from the run's start). */
  sent(model: string, intendedMs: number): void;
  /** That request was answered (or failed). */
  answered(model: string, intendedMs: number, outcome: Outcome): void;
  snapshot(elapsedMs: number): HealthSnapshot;
}

/**
 * Bad = an error or an answer slower than the model's SLO. answeredThroughMs is the send time up to
 * which every request of the model has its answer (the oldest still in flight holds it back), so a
 * request hung until its timeout keeps the model from looking settled until it is resolved.
 */
export function createHealthFeed(health: NonNullable<OpenLoopPlan['health']>): HealthFeed {
  const state = new Map<string, { lastBadMs: number | null; latestAnsweredMs: number | null; pending: Map<number, number> }>();
  const of = (model: string) => {
    let s = state.get(model);
    if (s === undefined) state.set(model, (s = { lastBadMs: null, latestAnsweredMs: null, pending: new Map() }));
    return s;
  };
  return {
    sent(model, intendedMs) {
      const pending = of(model).pending;
      pending.set(intendedMs, (pending.get(intendedMs) ?? 0) + 1);
    },
    answered(model, intendedMs, outcome) {
      const s = of(model);
      const left = (s.pending.get(intendedMs) ?? 1) - 1;
      if (left > 0) s.pending.set(intendedMs, left);
      else s.pending.delete(intendedMs);
      const bad = outcome.kind === 'error' || outcome.latencyMs > (health.sloMs[model] ?? Infinity);
      if (bad) s.lastBadMs = Math.max(s.lastBadMs ?? -Infinity, intendedMs);
      s.latestAnsweredMs = Math.max(s.latestAnsweredMs ?? -Infinity, intendedMs);
    },
    snapshot(elapsedMs) {
      const models: HealthSnapshot['models'] = {};
      for (const [model, s] of state) {
        const oldestPending = s.pending.size > 0 ? Math.min(...s.pending.keys()) : Infinity;
        const through = s.latestAnsweredMs === null ? null : Math.min(s.latestAnsweredMs, oldestPending);
        models[model] = { lastBadMs: s.lastBadMs, answeredThroughMs: through };
      }
      return { elapsedMs, models };
    },
  };
}
