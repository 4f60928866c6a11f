import type { Cell } from '../document.js';
import { DASH, medianOf } from '../format.js';

/** What every per-trial result carries: validity and reasons for missing figures. */
export interface TrialLike {
  trial: number;
  valid: boolean;
  invalidReasons: string[];
  notMeasured?: Record<string, string>;
}

/** Groups items by a key, keeping first-seen order. */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** Median over valid trials of one figure, as a cell: "invalid" when no trial is valid, "—" with the reason when unmeasured. */
export function summarizeTrials<T extends TrialLike>(trials: readonly T[], read: (trial: T) => number | null, format: (value: number) => string, field?: string): Cell {
  const valid = trials.filter((trial) => trial.valid);
  if (trials.length > 0 && valid.length === 0) return { text: 'invalid', tone: 'invalid', title: [...new Set(trials.flatMap((trial) => trial.invalidReasons))].join('; ') };
  const values = valid.map(read).filter((value): value is number => value !== null && Number.isFinite(value));
  const median = medianOf(values);
  if (median === null) {
    const reasons = field ? [...new Set(valid.map((trial) => trial.notMeasured?.[field]).filter((reason): reason is string => Boolean(reason)))] : [];
    return { text: reasons.length > 0 ? `${DASH} (${reasons.join('; ')})` : DASH, tone: 'muted' };
  }
  return format(median);
}

/** "valid/total" trial count, flagging invalid trials. */
export function countTrials(trials: readonly TrialLike[]): Cell {
  const valid = trials.filter((trial) => trial.valid).length;
  return valid === trials.length ? `${valid}` : { text: `${valid}/${trials.length} valid`, tone: 'invalid' };
}
