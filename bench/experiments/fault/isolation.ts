import type { z } from 'zod';
import type { FaultKind, FaultResult, IsolationCell, IsolationScoreSchema } from '../../results/schema.js';

/** One isolation score as results.json stores it. */
export type IsolationScore = z.infer<typeof IsolationScoreSchema>;

/** Groups items by a string key, keeping first-seen order. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** Valid fault results (the baseline window `none` is not a fault). */
function faultResults(results: readonly FaultResult[]): FaultResult[] {
  return results.filter((r) => r.valid && r.faultKind !== 'none');
}

/**
 * Fault in model i → impact on every other model j, per topology variant and fault kind. With
 * several trials a cell is impacted when most trials saw it impacted.
 */
export function buildIsolationMatrix(results: readonly FaultResult[]): IsolationCell[] {
  const cells: IsolationCell[] = [];
  for (const trials of groupBy(faultResults(results), (r) => `${r.topology}|${r.variant}|${r.faultKind}|${r.targetModel}`).values()) {
    const first = trials[0]!;
    for (const impact of first.perModel.filter((m) => !m.isTarget)) {
      const hits = trials.filter((t) => t.impactedModels.includes(impact.model)).length;
      cells.push({ topology: first.topology, variant: first.variant, faultKind: first.faultKind, faultModel: first.targetModel, impactedModel: impact.model, impacted: hits * 2 > trials.length });
    }
  }
  return cells;
}

/** Isolation score per topology variant and fault kind: 1 − mean blast radius over targets and trials. */
export function buildIsolationScores(results: readonly FaultResult[]): IsolationScore[] {
  const scores: IsolationScore[] = [];
  for (const group of groupBy(faultResults(results), (r) => `${r.topology}|${r.variant}|${r.faultKind}`).values()) {
    const radii = group.map((r) => r.blastRadius).filter((v): v is number => v !== null);
    if (radii.length === 0) continue;
    const first = group[0]!;
    scores.push({ topology: first.topology, variant: first.variant, faultKind: first.faultKind as FaultKind, score: 1 - radii.reduce((a, b) => a + b, 0) / radii.length });
  }
  return scores;
}
