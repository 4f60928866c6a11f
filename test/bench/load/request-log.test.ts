import { describe, expect, it } from 'vitest';
import { decodeRequestLog, encodeRequestLog, sliceObservations, type Observation } from '../../../bench/load/request-log.js';

describe('request log encoding', () => {
  it('round-trips send times (whole ms) and outcomes, large gaps included', () => {
    const observations: Observation[] = [{ tMs: 0.4, ok: true }, { tMs: 12.6, ok: false }, { tMs: 13, ok: true }, { tMs: 300_000, ok: false }, { tMs: 300_000, ok: true }];
    expect(decodeRequestLog(encodeRequestLog(observations))).toEqual([{ tMs: 0, ok: true }, { tMs: 13, ok: false }, { tMs: 13, ok: true }, { tMs: 300_000, ok: false }, { tMs: 300_000, ok: true }]);
  });

  it('takes a few KB for a fault window of a 100-rps load and a 10-Hz probe', () => {
    const observations: Observation[] = Array.from({ length: 6600 }, (_, i) => ({ tMs: i * 9.1, ok: i % 50 !== 0 }));
    const log = encodeRequestLog(observations);
    expect(log.sendMsB64.length + log.failedB64.length).toBeLessThan(12_000);
    expect(decodeRequestLog(log).filter((o) => !o.ok)).toHaveLength(132);
  });

  it('refuses a truncated log, naming what is missing', () => {
    const log = encodeRequestLog([{ tMs: 1, ok: true }, { tMs: 2, ok: true }]);
    expect(() => decodeRequestLog({ ...log, count: 3 })).toThrow(/send times end after 2 of 3 requests/);
    expect(() => decodeRequestLog({ ...log, count: 9 })).toThrow(/failure bitmap has 1 bytes; expected 2/);
  });

  it('slices a window and re-bases it', () => {
    expect(sliceObservations([{ tMs: 100, ok: true }, { tMs: 250, ok: false }, { tMs: 400, ok: true }], 200, 400)).toEqual([{ tMs: 50, ok: false }]);
  });
});
