import { DIAGNOSE_SIGNALS, judgeSignalsAt, LEVEL_SIGNALS, type DiagnoseSignal, type SignalTimeline } from './diagnose-signals.js';

/**
 * The diagnoser: ranks the models of a window by evidence, the way an operator would triage from
 * dashboards, with one fixed rule set for every topology. It never knows which model was faulted;
 * `assessBlame` compares its rankings with the culprit afterwards.
 *
 * Rules: a count signal (errors, exits, stderr, failed scrapes, RSS peak), once fired, stays; a level
 * signal (latency, CPU) holds while its recent window is over the threshold. A model's evidence is
 * the set of signals holding; models are ordered lexicographically by that set in DIAGNOSE_SIGNALS priority
 * order (equivalently, score = Σ 2^(9 − priority)), so one more specific signal outweighs any number of
 * less specific ones. Equal scores are ties, listed by model name and reported as ties.
 */

/** One model's place in a ranking; tied models share a rank (1 = most suspect). */
export interface RankedModel {
  model: string;
  score: number;
  rank: number;
  signals: DiagnoseSignal[];
}

/** The ranking at one diagnosis instant. */
export interface TickRanking {
  atMs: number;
  ranking: RankedModel[];
}

/** When a signal first fired for a model, ms after the injection. */
export interface FirstSignal {
  model: string;
  signal: DiagnoseSignal;
  afterMs: number;
}

/** How the diagnoser did against the real culprit. */
export interface BlameAssessment {
  /** Models ranked at or above the culprit at the end of the window, ties included (all models when nothing implicates it). */
  suspects: number;
  /** From the injection to the start of the culprit's final, uninterrupted sole lead; null when undetermined. */
  timeToBlameMs: number | null;
  /** The highest-priority signal the culprit had and the runner-up lacked when its sole lead began. */
  singledOutBy: DiagnoseSignal | null;
  /** Why the culprit was not singled out, when it was not. */
  undeterminedReason: string | null;
  finalRanking: RankedModel[];
  firstSignals: FirstSignal[];
}

/** Score of a set of signals: higher-priority signals weigh more than all lower ones together. */
export function scoreSignals(signals: Iterable<DiagnoseSignal>): number {
  let score = 0;
  for (const signal of new Set(signals)) score += 2 ** (DIAGNOSE_SIGNALS.length - 1 - DIAGNOSE_SIGNALS.indexOf(signal));
  return score;
}

/** Ranks models by their evidence: score descending, ties sharing a rank and listed by name. */
export function rankModels(evidence: Record<string, Iterable<DiagnoseSignal>>): RankedModel[] {
  const scored = Object.entries(evidence).map(([model, signals]) => {
    const set = new Set(signals);
    return { model, score: scoreSignals(set), signals: DIAGNOSE_SIGNALS.filter((s) => set.has(s)) };
  });
  scored.sort((a, b) => b.score - a.score || a.model.localeCompare(b.model));
  return scored.map((entry) => ({ ...entry, rank: 1 + scored.filter((other) => other.score > entry.score).length }));
}

/** Rankings at every tick of a window: count signals stay from the tick they fired, level signals hold while they hold. */
export function diagnoseTimeline(timeline: SignalTimeline): TickRanking[] {
  const sticky: Record<string, Set<DiagnoseSignal>> = Object.fromEntries(timeline.models.map((m) => [m, new Set<DiagnoseSignal>()]));
  return timeline.ticks
    .filter((atMs) => atMs > timeline.injectedAtMs)
    .map((atMs) => {
      const now = judgeSignalsAt(timeline, atMs);
      const evidence: Record<string, Set<DiagnoseSignal>> = {};
      for (const model of timeline.models) {
        for (const signal of now[model] ?? []) if (!LEVEL_SIGNALS.includes(signal)) sticky[model]!.add(signal);
        evidence[model] = new Set([...sticky[model]!, ...[...(now[model] ?? [])].filter((s) => LEVEL_SIGNALS.includes(s))]);
      }
      return { atMs, ranking: rankModels(evidence) };
    });
}

/** Whether the culprit alone leads a ranking (it has evidence and nobody has as much). */
function leadsAlone(ranking: readonly RankedModel[], culprit: string): boolean {
  const mine = ranking.find((r) => r.model === culprit);
  return mine !== undefined && mine.score > 0 && ranking.every((r) => r.model === culprit || r.score < mine.score);
}

/** The first signal that separates the culprit from the strongest other model. */
function findSeparatingSignal(ranking: readonly RankedModel[], culprit: string): DiagnoseSignal | null {
  const mine = ranking.find((r) => r.model === culprit);
  const runnerUp = ranking.find((r) => r.model !== culprit);
  if (!mine) return null;
  return DIAGNOSE_SIGNALS.find((s) => mine.signals.includes(s) && !(runnerUp?.signals.includes(s) ?? false)) ?? null;
}

/** Why the final ranking does not single out the culprit. */
function explainUndetermined(rankings: readonly TickRanking[], culprit: string, injectedAtMs: number): string {
  const final = rankings.at(-1)?.ranking ?? [];
  if (final.length === 0) return 'no diagnosis instant after the injection';
  const mine = final.find((r) => r.model === culprit);
  const everLed = rankings.find((t) => leadsAlone(t.ranking, culprit));
  const later = everLed ? `; it led alone ${Math.round(everLed.atMs - injectedAtMs)} ms after the injection but lost that lead` : '';
  if (final.every((r) => r.score === 0)) return 'no signal fired for any model';
  if (!mine || mine.score === 0) return `no signal implicated the culprit; others led (${final.filter((r) => r.rank === 1).map((r) => r.model).join(', ')})${later}`;
  const tied = final.filter((r) => r.model !== culprit && r.score === mine.score).map((r) => r.model);
  if (tied.length > 0) return `tied with ${tied.join(', ')} on ${mine.signals.join(', ')}${later}`;
  const above = final.filter((r) => r.score > mine.score).map((r) => `${r.model} (${r.signals.join(', ')})`);
  return `ranked below ${above.join(', ')}${later}`;
}

/** When each signal first fired for each model, ms after the injection. */
function collectFirstSignals(rankings: readonly TickRanking[], injectedAtMs: number): FirstSignal[] {
  const first = new Map<string, FirstSignal>();
  for (const tick of rankings) {
    for (const entry of tick.ranking) {
      for (const signal of entry.signals) {
        const key = `${entry.model}|${signal}`;
        if (!first.has(key)) first.set(key, { model: entry.model, signal, afterMs: Math.round(tick.atMs - injectedAtMs) });
      }
    }
  }
  return [...first.values()];
}

/** Judges the diagnoser's rankings against the culprit: suspects to inspect, time to blame, the signal that named it. */
export function assessBlame(rankings: readonly TickRanking[], culprit: string, injectedAtMs: number): BlameAssessment {
  const final = rankings.at(-1)?.ranking ?? [];
  const mine = final.find((r) => r.model === culprit);
  const suspects = mine && mine.score > 0 ? final.filter((r) => r.score >= mine.score).length : final.length;
  let leadFrom: TickRanking | null = null;
  for (let i = rankings.length - 1; i >= 0 && leadsAlone(rankings[i]!.ranking, culprit); i--) leadFrom = rankings[i]!;
  const firstSignals = collectFirstSignals(rankings, injectedAtMs);
  if (leadFrom === null) return { suspects, timeToBlameMs: null, singledOutBy: null, undeterminedReason: explainUndetermined(rankings, culprit, injectedAtMs), finalRanking: final, firstSignals };
  return { suspects, timeToBlameMs: Math.round(leadFrom.atMs - injectedAtMs), singledOutBy: findSeparatingSignal(leadFrom.ranking, culprit), undeterminedReason: null, finalRanking: final, firstSignals };
}
