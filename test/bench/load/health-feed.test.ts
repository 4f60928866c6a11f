import { describe, expect, it } from 'vitest';
import { createHealthFeed } from '../../../bench/load/health-feed.js';

const ok = (latencyMs: number) => ({ kind: 'success' as const, status: 200, latencyMs });

describe('createHealthFeed (what ends a fault window once every model is settled)', () => {
  it('marks errors and answers over the SLO as bad, the latest by send time', () => {
    const feed = createHealthFeed({ everyMs: 100, sloMs: { vad: 25 } });
    for (const t of [0, 10, 20]) feed.sent('vad', t);
    feed.answered('vad', 0, ok(5));
    feed.answered('vad', 10, ok(40));
    feed.answered('vad', 20, { kind: 'error', error: 'reset', latencyMs: 1 });
    expect(feed.snapshot(30).models.vad).toEqual({ lastBadMs: 20, answeredThroughMs: 20 });
  });

  it('holds answeredThrough back at the oldest request still in flight, so a hung request keeps a model unsettled', () => {
    const feed = createHealthFeed({ everyMs: 100, sloMs: { tabular: 25 } });
    for (const t of [0, 100, 200, 300]) feed.sent('tabular', t);
    feed.answered('tabular', 0, ok(2));
    feed.answered('tabular', 200, ok(2));
    feed.answered('tabular', 300, ok(2));
    expect(feed.snapshot(310).models.tabular?.answeredThroughMs).toBe(100);
    feed.answered('tabular', 100, { kind: 'error', error: 'timeout', latencyMs: 5000 });
    expect(feed.snapshot(5100).models.tabular).toEqual({ lastBadMs: 100, answeredThroughMs: 300 });
  });
});
