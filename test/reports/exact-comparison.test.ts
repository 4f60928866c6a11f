import { describe, expect, it } from 'vitest';
import { formatSignificance, formatWinner } from '../../reports/verdict.js';
import type { Comparison } from '../../bench/results/schema.js';
import type { Cell } from '../../reports/document.js';

/** The text of a table cell. */
function textOf(cell: Cell): string {
  return typeof cell === 'string' ? cell : cell.text;
}

/** A comparison of two values computed from the library matrices. */
function exactRow(exact: boolean): Comparison {
  const side = (variant: 'workers' | 'gateway', value: number) => ({ variant, values: [value], median: value, ciLow: null, ciHigh: null });
  return { claim: 'library-freedom', metric: 'library.modelsToRevalidate', label: 'models to re-validate', unit: 'count', better: 'lower', model: null, monolith: side('workers', 6), microservices: side('gateway', 1), ratio: 1 / 6, ratioCiLow: null, ratioCiHigh: null, pValue: null, significant: null, winner: 'microservices', ...(exact ? { exact: true } : {}) };
}

describe('exact comparisons (values computed from matrices, not sampled)', () => {
  it('say they need no test instead of "too few trials", and name the winner without "indicative"', () => {
    expect(formatSignificance(exactRow(true))).toBe('exact values (computed, not sampled): no test needed');
    expect(textOf(formatWinner(exactRow(true)))).toBe('microservices');
  });

  it('leave sampled comparisons with one value a side marked as untested', () => {
    expect(formatSignificance(exactRow(false))).toBe('not tested: too few trials');
    expect(textOf(formatWinner(exactRow(false)))).toBe('microservices (indicative: too few trials to test)');
  });
});
