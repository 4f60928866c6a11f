import type { ThresholdOutcome } from '../../bench/results/schema.js';
import type { Block } from '../document.js';
import { formatNumber } from '../format.js';

/** Which thresholds passed and failed, or nothing when the run had none. */
export function buildThresholdBlocks(outcomes: readonly ThresholdOutcome[]): Block[] {
  if (outcomes.length === 0) return [];
  const failed = outcomes.filter((outcome) => !outcome.passed).length;
  return [
    { kind: 'heading', level: 2, text: 'Thresholds', id: 'thresholds' },
    { kind: 'paragraph', text: failed === 0 ? `All ${outcomes.length} threshold(s) passed.` : `${failed} of ${outcomes.length} threshold(s) FAILED.` },
    {
      kind: 'table',
      table: {
        id: 'thresholds-table',
        columns: ['threshold', 'actual', 'result', 'detail'],
        rows: outcomes.map((outcome) => [outcome.expression, formatNumber(outcome.actual), outcome.passed ? { text: 'passed', tone: 'good' } : { text: 'FAILED', tone: 'bad' }, outcome.reason ?? '']),
      },
    },
  ];
}
