import type { RunResults, Sitting } from './schema.js';
import { collectUnitKeys } from './unit-keys.js';

/** What a resumed sitting started from: the units already in the results. */
export interface SittingStart {
  before: ReadonlySet<string>;
}

/**
 * Opens a new sitting on results loaded for `--resume`: the first resume records the original run as
 * sitting 1; units no sitting claims yet (the original run's, or those of a sitting killed before it
 * could record them) go to the last sitting; then the results are running again.
 */
export function startSitting(results: RunResults, command: string, gitSha: string | null, now = new Date().toISOString()): SittingStart {
  const before = collectUnitKeys(results);
  const sittings: Sitting[] = results.sittings ?? [];
  if (sittings.length === 0) {
    sittings.push({ index: 1, startedAt: results.startedAt, ...(results.finishedAt ? { finishedAt: results.finishedAt } : {}), status: results.status, command: results.command, gitSha: results.environment.gitSha, produced: [] });
  }
  const claimed = new Set(sittings.flatMap((s) => s.produced));
  const last = sittings.at(-1)!;
  last.produced.push(...[...before].filter((key) => !claimed.has(key)));
  // A sitting still "running" on disk was killed outright: it ended interrupted.
  if (last.status === 'running') last.status = 'interrupted';
  sittings.push({ index: last.index + 1, startedAt: now, status: 'running', command, gitSha, produced: [] });
  results.sittings = sittings;
  results.status = 'running';
  delete results.finishedAt;
  return { before };
}

/** Closes the current sitting: how it ended, and the units it added. */
export function finishSitting(results: RunResults, start: SittingStart): void {
  const current = results.sittings?.at(-1);
  if (!current) return;
  current.status = results.status;
  current.finishedAt = results.finishedAt ?? new Date().toISOString();
  current.produced = [...collectUnitKeys(results)].filter((key) => !start.before.has(key));
}

/** For a resumed run: its sitting number, units kept from earlier sittings and units this one ran; null for a run never resumed. */
export function countSittingUnits(results: RunResults): { sitting: number; kept: number; ran: number } | null {
  const sittings = results.sittings ?? [];
  if (sittings.length < 2) return null;
  const current = sittings.at(-1)!;
  return { sitting: current.index, kept: sittings.slice(0, -1).reduce((sum, s) => sum + s.produced.length, 0), ran: current.produced.length };
}
