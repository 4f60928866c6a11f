import { describe, expect, it } from 'vitest';
import { deriveConsequences } from '../../../../bench/experiments/library/consequences.js';
import { compareLibrary, PLAN_BASIS } from '../../../../bench/experiments/library/library-comparisons.js';
import { cellKey } from '../../../../bench/experiments/library/summed-latency.js';
import { createRandom } from '../../../../models/random.js';
import { RunResultsSchema, type CompatibilityCell, type RunResults } from '../../../../bench/results/schema.js';
import { renderMarkdown } from '../../../../reports/render-markdown.js';
import { loadRecordedFixture } from '../../../reports/load-fixture.js';

const RUNTIMES = ['old', 'new'];
const HEADLINE = [{ topology: 'monolith' as const, variant: 'workers' as const }, { topology: 'microservices' as const, variant: 'gateway' as const }];

/** Per-call durations around `ms` (±`spread`, seeded), as a cell's bare calls give them. */
function calls(ms: number, spread: number, seed: number, n = 200): number[] {
  const random = createRandom(seed);
  return Array.from({ length: n }, () => ms * (1 + spread * (random.next() * 2 - 1)));
}

/** A cell that loads and matches with the median of its calls, or one that does not load. */
function cell(model: string, runtime: string, samples: number[] | null): CompatibilityCell {
  const sorted = samples ? [...samples].sort((x, y) => x - y) : null;
  const medianMs = sorted ? (sorted[(sorted.length >> 1) - 1]! + sorted[sorted.length >> 1]!) / 2 : null;
  return { model, runtime, valid: true, loads: sorted !== null, error: sorted ? null : 'Unsupported model IR version: 11', referenceRuntime: 'new', matchesReference: sorted ? true : null, maxAbsDiff: sorted ? 0 : null, loadMs: 5, medianMs };
}

/**
 * Two models; `only-new` loads only on new and no pair co-hosts, so the monolith runs both on new,
 * while `a`'s service takes whichever of old/new measured faster.
 */
function compareWith(aOld: number[], aNew: number[]) {
  const samples = new Map([[cellKey('a', 'old'), aOld], [cellKey('a', 'new'), aNew], [cellKey('only-new', 'new'), calls(2, 0.05, 9)]]);
  const cells = [cell('a', 'old', aOld), cell('a', 'new', aNew), cell('only-new', 'old', null), cell('only-new', 'new', samples.get(cellKey('only-new', 'new'))!)];
  const consequences = deriveConsequences(['a', 'only-new'], RUNTIMES, cells, []);
  return { consequences, cells, rows: compareLibrary(consequences, HEADLINE, samples, 42) };
}

// Library rows: latency measured on both sides with the tie rule of every other row; counts labelled as counts.
describe('library-freedom verdict rows', () => {
  it('measures both sides: summed per-call medians on each side\'s runtimes, with intervals', () => {
    const { rows, cells } = compareWith(calls(1, 0.05, 1), calls(3, 0.05, 2));
    const latency = rows.find((r) => r.metric === 'library.bareLatencyMs')!;
    const median = (model: string, runtime: string) => cells.find((c) => c.model === model && c.runtime === runtime)!.medianMs!;
    expect(latency.monolith.median).toBeCloseTo(median('a', 'new') + median('only-new', 'new'), 9);
    expect(latency.microservices.median).toBeCloseTo(median('a', 'old') + median('only-new', 'new'), 9);
    expect(latency.microservices.median).toBeGreaterThan(2);
    for (const side of [latency.monolith, latency.microservices]) {
      expect(side.ciLow).toBeLessThan(side.median!);
      expect(side.ciHigh).toBeGreaterThan(side.median!);
    }
    expect(latency.exact).toBeUndefined();
    expect(latency).toMatchObject({ winner: 'microservices', significant: true, test: 'bootstrap-ratio-interval' });
    expect(latency.ratioCiHigh).toBeLessThan(1);
    const moved = rows.find((r) => r.metric === 'library.modelBareMs')!;
    expect(moved).toMatchObject({ model: 'a', winner: 'microservices', significant: true });
    expect(moved.label).toMatch(/monolith on new vs its service on old/);
    expect(rows.some((r) => r.metric === 'library.latencyLostMs' || r.metric === 'library.worstSlowdown')).toBe(false);
  });

  it('calls a difference within noise a tie (the 3% tolerance of every other row), not a win', () => {
    // a is 1% faster on old (the same calls, 1% longer on new): its service picks old, the monolith must run it on new.
    const aOld = calls(10, 0.2, 3);
    const { rows } = compareWith(aOld, aOld.map((ms) => ms * 1.01));
    const latency = rows.find((r) => r.metric === 'library.bareLatencyMs')!;
    expect(latency.microservices.median).not.toBe(latency.monolith.median);
    expect(latency.winner).toBe('tie');
    expect(latency.significant).toBe(false);
    expect(latency.ratioCiLow).toBeLessThan(1);
    expect(latency.ratioCiHigh).toBeGreaterThan(1);
    expect(rows.find((r) => r.metric === 'library.modelBareMs')!.winner).toBe('tie');
  });

  it('a model both sides run on the same runtime is one measurement for both: ratio exactly 1, a tie, and no per-model row', () => {
    const { rows } = compareWith(calls(4, 0.1, 5), calls(3, 0.1, 6));
    const latency = rows.find((r) => r.metric === 'library.bareLatencyMs')!;
    expect(latency.monolith.median).toBe(latency.microservices.median);
    expect(latency).toMatchObject({ ratio: 1, ratioCiLow: 1, ratioCiHigh: 1, winner: 'tie', significant: false });
    expect(rows.some((r) => r.metric === 'library.modelBareMs')).toBe(false);
  });

  it('labels the structural counts as counted from the deployment plan, exact and untested', () => {
    const { rows } = compareWith(calls(1, 0.05, 1), calls(3, 0.05, 2));
    const counts = rows.filter((r) => r.exact);
    expect(counts.map((r) => r.metric)).toEqual(['library.modelsBestRuntimeUnusable', 'library.modelsToRevalidate', 'library.processesToRestart']);
    for (const row of counts) {
      expect(row.label).toContain(`— ${PLAN_BASIS}`);
      expect(row.note).toMatch(/^counted from the deployment plan: /);
      expect(row.significant).toBeNull();
    }
    expect(counts[0]).toMatchObject({ monolith: { median: 1 }, microservices: { median: 0 }, winner: 'microservices' });
    expect(counts[1]).toMatchObject({ monolith: { median: 2 }, microservices: { median: 1 } });
  });

  it('shows a side that could not be measured as missing with why, never a literal', () => {
    // a runs on no runtime: no runtime set serves every model, and a's service cannot start.
    const { consequences } = compareWith(calls(1, 0.05, 1), calls(3, 0.05, 2));
    const broken = { ...consequences, monolithChoice: null, perModel: consequences.perModel.map((m) => (m.model === 'a' ? { ...m, bestRuntime: null, bestMs: null, monolithRuntime: null, monolithMs: null } : m)) };
    const latency = compareLibrary(broken, HEADLINE).find((r) => r.metric === 'library.bareLatencyMs')!;
    expect(latency.monolith).toMatchObject({ median: null, values: [], missing: expect.stringMatching(/cannot serve every model/) });
    expect(latency.microservices).toMatchObject({ median: null, values: [], missing: expect.stringMatching(/no runtime runs a correctly/) });
    expect(latency).toMatchObject({ ratio: null, winner: 'unknown' });
  });

  it('the report renders both measured sides with their intervals and the counts as counted from the deployment plan', () => {
    const { rows } = compareWith(calls(1, 0.05, 1), calls(3, 0.05, 2));
    const results: RunResults = loadRecordedFixture();
    results.experiments.library = { status: 'complete', startedAt: results.startedAt, comparisons: rows, notes: [], results: [], runtimes: [], cohosting: [] };
    const markdown = renderMarkdown(RunResultsSchema.parse(JSON.parse(JSON.stringify(results))));
    expect(markdown).toMatch(/^\| Library freedom \| models whose best runtime they cannot run on — counted from the deployment plan \(lower is better\) \| 1 \(workers, n=1\) \| 0 \(gateway, n=1\) \|/m);
    expect(markdown).toMatch(/\| library-freedom \| bare latency per call summed over models, each on the runtime its side runs it on \(lower is better\) \| [\d.]+ ms \[[\d.]+ ms – [\d.]+ ms\] \(workers, n=1\) \| [\d.]+ ms \[[\d.]+ ms – [\d.]+ ms\] \(gateway, n=1\) \| .* \| microservices \| yes \(the ratio's 95% bootstrap interval over per-call samples excludes 1\) \|/);
    expect(markdown).toMatch(/\| library-freedom \| processes to restart when one model needs another runtime — counted from the deployment plan/);
  });
});
