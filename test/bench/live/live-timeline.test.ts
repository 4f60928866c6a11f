import { describe, expect, it } from 'vitest';
import { HEALTH_RULES, LiveTimeline } from '../../../bench/live/live-timeline.js';
import { planLiveCpus } from '../../../bench/live/live-session.js';
import { buildLiveRates } from '../../../bench/cli/commands/live.js';

const T0 = 1_000_000;

/** A timeline of two models at 10 req/s with SLOs of 25 ms. */
function makeTimeline(): LiveTimeline {
  return new LiveTimeline(T0, ['a', 'b'], { a: 10, b: 10 }, { a: 25, b: 25 });
}

/** Records one request sent at `atMs` that completed `latencyMs` later. */
function answer(timeline: LiveTimeline, model: string, atMs: number, latencyMs: number, ok = true): void {
  timeline.recordSend(model, atMs);
  timeline.recordOutcome({ model, intendedAtMs: atMs, completedAtMs: atMs + latencyMs, ok, latencyMs, error: ok ? null : 'connect_refused' });
}

describe('live health tiles', () => {
  it('is green within the SLO, amber when the window p99 is above it, red above 5% errors or after 2 s without a success', () => {
    const timeline = makeTimeline();
    for (let t = 0; t < 3000; t += 100) {
      answer(timeline, 'a', T0 + t, 5);
      answer(timeline, 'b', T0 + t, 5);
    }
    expect(timeline.now('a', T0 + 3000).health).toBe('green');
    for (let t = 3000; t < 5000; t += 100) {
      answer(timeline, 'a', T0 + t, 80);
      answer(timeline, 'b', T0 + t, 5, t % 500 !== 0);
    }
    expect(timeline.now('a', T0 + 5100)).toMatchObject({ health: 'amber', reason: expect.stringContaining('SLO 25 ms') });
    expect(timeline.now('b', T0 + 5100)).toMatchObject({ health: 'red', reason: expect.stringContaining('% errors') });
    expect(timeline.now('a', T0 + 5100 + HEALTH_RULES.noSuccessMs + 500)).toMatchObject({ health: 'red', reason: expect.stringContaining('no success') });
  });

  it('bins requests per second by intended send time, with sent, successes, errors and quantiles', () => {
    const timeline = makeTimeline();
    answer(timeline, 'a', T0 + 100, 4);
    answer(timeline, 'a', T0 + 900, 2000);
    answer(timeline, 'a', T0 + 1100, 1, false);
    timeline.recordSend('a', T0 + 1200);
    const bins = timeline.binsSince(0, T0 + 2500).a!;
    expect(bins.map((b) => [b.t, b.sent, b.ok, b.errors])).toEqual([[0, 2, 2, 0], [1, 2, 0, 1]]);
    expect(bins[0]!.p50Ms).toBeCloseTo(4, 0);
    expect(bins[0]!.maxMs).toBe(2000);
    expect(bins[1]!.p99Ms).toBeNull();
  });
});

describe('live CPU plan and rates', () => {
  it('gives each topology its own CPU on two cores, keeps one for the harness on three or more, pins nothing on one', () => {
    expect(planLiveCpus(2, [0, 1])).toEqual({ servers: [[0], [1]], harness: [0, 1] });
    expect(planLiveCpus(2, [0, 1, 2, 3, 4])).toEqual({ servers: [[1, 2], [3, 4]], harness: [0] });
    expect(planLiveCpus(2, [0])).toEqual({ servers: [null, null], harness: [0] });
  });

  it('scales the latency experiment rates, never below 1 req/s', () => {
    expect(buildLiveRates(['vad', 'ocr-det'], 0.5)).toEqual({ vad: 40, 'ocr-det': 1 });
  });
});
