import type { Cell } from '../document.js';
import { DASH, formatNumber, medianOf } from '../format.js';

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

/**
 * Median downtime over valid trials with its resolution beside it, e.g. "820 ms (resolution 50 ms)":
 * the worst (largest) resolution of the trials, and a note when a trial's outage lasted to the
 * window's end. Older results without a resolution render as a plain median.
 */
export function summarizeDowntime<T extends TrialLike>(trials: readonly T[], read: (trial: T) => { downtimeMs: number | null; resolutionMs?: number | null; unrecovered?: boolean }, field?: string): Cell {
  const cell = summarizeTrials(trials, (trial) => read(trial).downtimeMs, (value) => `${formatNumber(value)} ms`, field);
  if (typeof cell !== 'string') return cell;
  const figures = trials.filter((trial) => trial.valid).map(read);
  const resolutions = figures.map((f) => f.resolutionMs).filter((r): r is number => r !== undefined && r !== null);
  const notes = [...(resolutions.length > 0 ? [`resolution ${formatNumber(Math.max(...resolutions))} ms`] : []), ...(figures.some((f) => f.unrecovered === true) ? ['not recovered by the window end'] : [])];
  return notes.length > 0 ? `${cell} (${notes.join('; ')})` : cell;
}
