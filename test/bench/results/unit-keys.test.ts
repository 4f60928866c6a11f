import { describe, expect, it } from 'vitest';
import { collectUnitKeys, faultKey, formatUnitKey, LIBRARY_UNIT_KEY, parseUnitKey, redeployKey, scalingKey } from '../../../bench/results/unit-keys.js';
import { countSittingUnits, finishSitting, startSitting } from '../../../bench/results/sittings.js';
import { loadFullFixture } from '../../reports/load-fixture.js';

const mono = { topology: 'monolith', variant: 'single' } as const;

describe('unit keys', () => {
  it('are human-readable with 1-based trials and read back to the same unit', () => {
    expect(faultKey(mono, 0, 'crash', 'tabular')).toBe('fault monolith/single trial 1 crash in tabular');
    expect(faultKey(mono, 1, 'none', 'vad')).toBe('fault monolith/single trial 2 baseline in vad');
    expect(redeployKey(mono, 3, { strategy: 'recreate', changeKind: 'model', corrupt: true })).toBe('redeploy monolith/single trial 4 recreate model corrupt');
    expect(scalingKey(mono, 4)).toBe('scaling monolith/single 4 models');
    for (const unit of [{ experiment: 'latency', who: 'microservices/gateway', trial: 2 }, { experiment: 'scaling', who: 'monolith/workers', detail: '16 models' }, { experiment: 'library' }, { experiment: 'fault', who: 'monolith/single', trial: 0, detail: 'crash in ocr-det' }]) {
      expect(parseUnitKey(formatUnitKey(unit))).toEqual(unit);
    }
    expect(parseUnitKey('Latency x')).toBeNull();
  });

  it('collect one key per trial, window, rollout and scaling point of the results; a repeated window is one unit', () => {
    const results = loadFullFixture();
    const keys = collectUnitKeys(results);
    const sections = results.experiments;
    const count = (prefix: string) => [...keys].filter((k) => k.startsWith(`${prefix} `)).length;
    const distinct = (list: readonly { topology: string; variant: string; trial: number }[]) => new Set(list.map((r) => `${r.topology}/${r.variant}/${r.trial}`)).size;
    expect(count('latency')).toBe(distinct(sections.latency!.results));
    expect(count('throughput')).toBe(distinct(sections.throughput!.results));
    expect(count('footprint')).toBe(distinct(sections.footprint!.results));
    expect(count('scaling')).toBe(new Set(sections.footprint!.scaling.map((p) => `${p.topology}/${p.variant}/${p.modelCount}`)).size);
    expect(count('redeploy')).toBe(sections.redeploy!.results.length);
    const windows = sections.fault!.results;
    expect(count('fault')).toBe(new Set(windows.map((r) => `${r.topology}/${r.variant}/${r.trial}/${r.faultKind}/${r.targetModel}`)).size);
    expect(keys.has(LIBRARY_UNIT_KEY)).toBe(false);
  });
});

describe('sittings', () => {
  it('record the original run as sitting 1 on the first resume, and the units each sitting added', () => {
    const results = loadFullFixture();
    results.status = 'interrupted';
    const original = collectUnitKeys(results).size;
    const start = startSitting(results, 'splitbench run latency --resume x', 'abc', '2026-01-01T00:00:00.000Z');
    expect(results.status).toBe('running');
    expect(results.sittings!.map((s) => [s.index, s.status, s.produced.length])).toEqual([
      [1, 'interrupted', original],
      [2, 'running', 0],
    ]);
    results.experiments.footprint!.scaling.push({ topology: 'monolith', variant: 'single', trial: 0, modelCount: 99, processCount: 1, coldStartMs: 1, idleRssBytes: 1 });
    results.status = 'complete';
    results.finishedAt = '2026-01-01T00:01:00.000Z';
    finishSitting(results, start);
    expect(results.sittings![1]).toMatchObject({ status: 'complete', finishedAt: '2026-01-01T00:01:00.000Z', produced: ['scaling monolith/single 99 models'] });
    expect(countSittingUnits(results)).toEqual({ sitting: 2, kept: original, ran: 1 });
  });

  it('give the units of a sitting that was killed outright to that sitting on the next resume', () => {
    const results = loadFullFixture();
    startSitting(results, 'first resume', null);
    // Killed: the sitting never closed, and it added a unit.
    results.experiments.footprint!.scaling.push({ topology: 'monolith', variant: 'single', trial: 0, modelCount: 99, processCount: 1, coldStartMs: 1, idleRssBytes: 1 });
    startSitting(results, 'second resume', null);
    expect(results.sittings!.map((s) => [s.index, s.status, s.command])).toEqual([
      [1, 'complete', results.command],
      [2, 'interrupted', 'first resume'],
      [3, 'running', 'second resume'],
    ]);
    expect(results.sittings![1]!.produced).toEqual(['scaling monolith/single 99 models']);
  });
});
