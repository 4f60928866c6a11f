import { describe, expect, it } from 'vitest';
import { trackTimeLeft } from '../../../bench/experiments/time-left.js';

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('trackTimeLeft', () => {
  it('starts from the plan and corrects the parts not started by the pace of the parts finished', () => {
    const clock = manualClock();
    const tracker = trackTimeLeft({ a: 1000, b: 2000 }, clock.now);
    expect(tracker.leftMs()).toBe(3000);
    tracker.begin('a');
    clock.advance(1500);
    tracker.tick(1000);
    tracker.end();
    // a took 1.5× its plan; b is expected to as well, the plan weighing in as a minute.
    expect(tracker.leftMs()).toBeCloseTo(2000 * (1500 + 60_000) / (1000 + 60_000), 6);
  });

  it('uses the running part’s own pace once a tenth of it is done', () => {
    const clock = manualClock();
    const tracker = trackTimeLeft({ a: 10_000 }, clock.now);
    tracker.begin('a');
    clock.advance(1000);
    tracker.tick(2000);
    expect(tracker.leftMs()).toBe(4000);
  });

  it('compares every checkpoint with the time that really was left once the run ends', () => {
    const clock = manualClock();
    const tracker = trackTimeLeft({ a: 100_000 }, clock.now);
    tracker.checkpoint('start');
    tracker.begin('a');
    clock.advance(125_000);
    tracker.tick(100_000);
    tracker.end();
    tracker.checkpoint('a done');
    const timing = tracker.record(true);
    expect(timing.plannedMs).toBe(100_000);
    expect(timing.actualMs).toBe(125_000);
    expect(timing.checkpoints[0]).toMatchObject({ estimatedLeftMs: 100_000, actualLeftMs: 125_000, errorRatio: -0.2, projectedEndErrorRatio: -0.2 });
    // The checkpoint at the very end is kept but not judged (nothing was left to estimate).
    expect(timing.checkpoints[1]).toMatchObject({ estimatedLeftMs: 0, actualLeftMs: 0, errorRatio: null });
    expect(timing.maxAbsErrorRatio).toBeCloseTo(0.2);
    expect(timing.parts).toEqual([{ name: 'a', plannedMs: 100_000, actualMs: 125_000 }]);
  });
});
