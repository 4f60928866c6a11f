import { describe, expect, it } from 'vitest';
import { canCohost, deriveConsequences, findMonolithOptions } from '../../../../bench/experiments/library/consequences.js';
import { compareLibrary } from '../../../../bench/experiments/library/library-comparisons.js';
import type { CohostingCell, CompatibilityCell } from '../../../../bench/results/schema.js';

const RUNTIMES = ['old', 'mid', 'new'];

/** A compatibility cell that loads and matches, or does not load. */
function cell(model: string, runtime: string, medianMs: number | null): CompatibilityCell {
  const loads = medianMs !== null;
  return { model, runtime, valid: true, loads, error: loads ? null : 'Unsupported model IR version: 11', referenceRuntime: 'new', matchesReference: loads ? true : null, maxAbsDiff: loads ? 0 : null, loadMs: loads ? 5 : null, medianMs };
}

/** A co-hosting cell between two runtimes. */
function pair(first: string, second: string, coexist: boolean): CohostingCell {
  return { first, second, firstModel: 'a', secondModel: 'a', coexist, firstOk: coexist, secondOk: coexist, exitCode: coexist ? 0 : null, signal: coexist ? null : 'SIGSEGV', error: coexist ? null : 'crashed' };
}

// Model a is fastest on old, b only loads on new, c is the same everywhere.
const CELLS = [cell('a', 'old', 1), cell('a', 'mid', 2), cell('a', 'new', 3), cell('b', 'old', null), cell('b', 'mid', null), cell('b', 'new', 1), cell('c', 'old', 1), cell('c', 'mid', 1), cell('c', 'new', 1)];

describe('library consequences from the matrices', () => {
  it('a pair co-hosts when either load order ran both models correctly', () => {
    const cohosting = [pair('old', 'new', false), pair('new', 'old', true)];
    expect(canCohost(cohosting, 'old', 'new')).toBe(true);
    expect(canCohost(cohosting, 'old', 'mid')).toBe(false);
  });

  it('the monolith can use only the runtime that loads every model when no pair co-hosts, and the model that needed another runtime loses latency', () => {
    const cohosting = RUNTIMES.flatMap((f) => RUNTIMES.filter((s) => s !== f).map((s) => pair(f, s, false)));
    const consequences = deriveConsequences(['a', 'b', 'c'], RUNTIMES, CELLS, cohosting);
    expect(consequences.monolithOptions.map((o) => o.runtimes)).toEqual([['new']]);
    const a = consequences.perModel.find((m) => m.model === 'a')!;
    expect(a).toMatchObject({ bestRuntime: 'old', monolithRuntime: 'new', lostMs: 2, lostRatio: 3 });
    expect(consequences.modelsBestUnusableInMonolith).toEqual(['a']);
    expect(consequences.runtimeChange).toEqual({ monolith: { modelsToRevalidate: 3, processesToRestart: 1 }, microservices: { modelsToRevalidate: 1, processesToRestart: 1 } });
  });

  it('two runtimes that co-host let the monolith give each model its best runtime', () => {
    const consequences = deriveConsequences(['a', 'b', 'c'], RUNTIMES, CELLS, [pair('old', 'new', true)]);
    expect(consequences.monolithChoice?.runtimes).toEqual(['old', 'new']);
    expect(consequences.modelsBestUnusableInMonolith).toEqual([]);
    expect(consequences.monolithChoice?.latencyLostMs).toBe(0);
  });

  it('a model no runtime set can host leaves the monolith without any option, and the verdict rows say so', () => {
    const cells = [...CELLS, cell('d', 'old', 1), cell('d', 'mid', null), cell('d', 'new', null)];
    expect(findMonolithOptions(['a', 'b', 'c', 'd'], RUNTIMES, cells, [])).toEqual([]);
    const consequences = deriveConsequences(['a', 'b', 'c', 'd'], RUNTIMES, cells, []);
    expect(consequences.monolithChoice).toBeNull();
    const rows = compareLibrary(consequences, []);
    const latency = rows.find((r) => r.metric === 'library.bareLatencyMs')!;
    expect(latency.monolith.median).toBeNull();
    expect(latency.monolith.missing).toMatch(/cannot serve every model/);
    expect(latency.winner).toBe('unknown');
    expect(rows.find((r) => r.metric === 'library.modelsBestRuntimeUnusable')!.monolith.median).toBe(4);
  });

  it('a slower runtime counts as losing the best one only beyond both the relative margin and the absolute floor', () => {
    // b loads only on new, so the monolith (no co-hosting) must run everything there.
    const onlyNew = [cell('b', 'old', null), cell('b', 'mid', null), cell('b', 'new', 1)];
    const tiny = deriveConsequences(['t', 'b'], RUNTIMES, [cell('t', 'old', 0.01), cell('t', 'mid', null), cell('t', 'new', 0.02), ...onlyNew], []);
    expect(tiny.perModel[0]!.lostRatio).toBe(2);
    expect(tiny.modelsBestUnusableInMonolith).toEqual([]);
    const big = deriveConsequences(['h', 'b'], RUNTIMES, [cell('h', 'old', 20), cell('h', 'mid', null), cell('h', 'new', 25), ...onlyNew], []);
    expect(big.modelsBestUnusableInMonolith).toEqual(['h']);
  });

  it('a model whose outputs differ from the reference does not count as usable on that runtime', () => {
    const wrong = { ...cell('c', 'old', 0.5), matchesReference: false };
    const consequences = deriveConsequences(['c'], RUNTIMES, [wrong, cell('c', 'mid', 1), cell('c', 'new', 1)], []);
    expect(consequences.perModel[0]!.usableRuntimes).toEqual(['mid', 'new']);
  });
});
