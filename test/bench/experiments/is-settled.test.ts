import { describe, expect, it } from 'vitest';
import { isSettled } from '../../../bench/experiments/background-load.js';
import type { HealthSnapshot } from '../../../bench/load/types.js';

/** A health snapshot: per model, when it last answered badly and how far its answers are known good. */
function health(models: Record<string, [lastBadMs: number | null, answeredThroughMs: number | null]>): HealthSnapshot {
  return { elapsedMs: 5000, models: Object.fromEntries(Object.entries(models).map(([m, [lastBadMs, answeredThroughMs]]) => [m, { lastBadMs, answeredThroughMs }])) };
}

// The rule that ends a fault window early: every model answered well for settleMs since the later of
// the fault's end and its own last bad answer (an error, or a request over its SLO).
describe('a topology counts as settled', () => {
  it('once every model has answered well for settleMs after the fault ended', () => {
    expect(isSettled(health({ vad: [null, 4000], tabular: [null, 4000] }), ['vad', 'tabular'], 3000, 1000)).toBe(true);
    expect(isSettled(health({ vad: [null, 3900], tabular: [null, 4000] }), ['vad', 'tabular'], 3000, 1000)).toBe(false);
  });

  it('counting from a model\'s last bad answer when that came after the fault ended', () => {
    expect(isSettled(health({ vad: [3500, 4400], tabular: [null, 4600] }), ['vad', 'tabular'], 3000, 1000)).toBe(false);
    expect(isSettled(health({ vad: [3500, 4500], tabular: [null, 4600] }), ['vad', 'tabular'], 3000, 1000)).toBe(true);
    expect(isSettled(health({ vad: [2000, 4000], tabular: [null, 4000] }), ['vad', 'tabular'], 3000, 1000)).toBe(true);
  });

  it('never without a health report, or while a model has no good answer or is missing', () => {
    expect(isSettled(null, ['vad'], 0, 1000)).toBe(false);
    expect(isSettled(health({ vad: [null, null] }), ['vad'], 0, 1000)).toBe(false);
    expect(isSettled(health({ vad: [null, 9000] }), ['vad', 'tabular'], 0, 1000)).toBe(false);
  });
});
