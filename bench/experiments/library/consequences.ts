import type { CohostingCell, CompatibilityCell, LibraryConsequences, MonolithRuntimeOption } from '../../results/schema.js';

/** Runtimes within this fraction of a model's fastest count as equally fast (bare medians move that much between runs). */
export const SAME_SPEED_MARGIN = 0.05;
/** ...or within this many ms per call: far below one request's serving overhead, so no client could tell. */
export const SAME_SPEED_FLOOR_MS = 0.05;

/** Whether a model can be served on a runtime: it loads and its outputs match the reference. */
export function isUsable(cell: CompatibilityCell | undefined): boolean {
  return cell !== undefined && cell.valid && cell.loads && cell.matchesReference !== false;
}

/** Whether two runtimes can share a process: in at least one load order both ran their model correctly. */
export function canCohost(cohosting: readonly CohostingCell[], a: string, b: string): boolean {
  if (a === b) return true;
  return cohosting.some((c) => ((c.first === a && c.second === b) || (c.first === b && c.second === a)) && c.coexist === true);
}

/** Every non-empty subset of the runtimes, smallest first. */
function subsetsOf(runtimes: readonly string[], maxSize: number): string[][] {
  const out: string[][] = [];
  const walk = (start: number, current: string[]): void => {
    if (current.length > 0) out.push([...current]);
    if (current.length === maxSize) return;
    for (let i = start; i < runtimes.length; i++) walk(i + 1, [...current, runtimes[i]!]);
  };
  walk(0, []);
  return out.sort((x, y) => x.length - y.length);
}

/**
 * The runtime sets a monolith can run: one runtime, or two that co-host (pairs are what the
 * co-hosting matrix tried; larger sets are not claimed). Every model must be usable on one of them.
 */
export function findMonolithOptions(models: readonly string[], runtimes: readonly string[], cells: readonly CompatibilityCell[], cohosting: readonly CohostingCell[]): MonolithRuntimeOption[] {
  const cell = (model: string, runtime: string) => cells.find((c) => c.model === model && c.runtime === runtime);
  const options: MonolithRuntimeOption[] = [];
  for (const set of subsetsOf(runtimes, 2)) {
    if (set.length === 2 && !canCohost(cohosting, set[0]!, set[1]!)) continue;
    const assignment: Record<string, string> = {};
    let lost = 0;
    let complete = true;
    for (const model of models) {
      const usable = set.filter((r) => isUsable(cell(model, r)));
      if (usable.length === 0) {
        complete = false;
        break;
      }
      const fastest = usable.reduce((a, b) => ((cell(model, b)!.medianMs ?? Infinity) < (cell(model, a)!.medianMs ?? Infinity) ? b : a));
      assignment[model] = fastest;
      lost += (cell(model, fastest)!.medianMs ?? 0) - (bestOf(model, runtimes, cells)?.ms ?? 0);
    }
    if (complete) options.push({ runtimes: set, assignment, latencyLostMs: Math.max(0, lost) });
  }
  return options;
}

/** A model's fastest usable runtime over every runtime (what a microservice would pick). */
function bestOf(model: string, runtimes: readonly string[], cells: readonly CompatibilityCell[]): { runtime: string; ms: number } | null {
  let best: { runtime: string; ms: number } | null = null;
  for (const runtime of runtimes) {
    const c = cells.find((x) => x.model === model && x.runtime === runtime);
    if (!isUsable(c) || c!.medianMs === null) continue;
    if (!best || c!.medianMs < best.ms) best = { runtime, ms: c!.medianMs };
  }
  return best;
}

/**
 * What the matrices imply: the monolith runs one runtime set for every model (it takes the option
 * losing the least summed per-call latency), microservices give each model its best runtime.
 */
export function deriveConsequences(models: readonly string[], runtimes: readonly string[], cells: readonly CompatibilityCell[], cohosting: readonly CohostingCell[]): LibraryConsequences {
  const options = findMonolithOptions(models, runtimes, cells, cohosting);
  const choice = options.reduce<MonolithRuntimeOption | null>((a, b) => (a === null || b.latencyLostMs < a.latencyLostMs || (b.latencyLostMs === a.latencyLostMs && b.runtimes.length < a.runtimes.length) ? b : a), null);
  const perModel = models.map((model) => {
    const best = bestOf(model, runtimes, cells);
    const monolithRuntime = choice?.assignment[model] ?? null;
    const monolithMs = monolithRuntime === null ? null : (cells.find((c) => c.model === model && c.runtime === monolithRuntime)?.medianMs ?? null);
    const lostMs = best && monolithMs !== null ? Math.max(0, monolithMs - best.ms) : null;
    return {
      model,
      usableRuntimes: runtimes.filter((r) => isUsable(cells.find((c) => c.model === model && c.runtime === r))),
      bestRuntime: best?.runtime ?? null,
      bestMs: best?.ms ?? null,
      monolithRuntime,
      monolithMs,
      lostMs,
      lostRatio: best && monolithMs !== null && best.ms > 0 ? monolithMs / best.ms : null,
    };
  });
  return {
    monolithOptions: options,
    monolithChoice: choice,
    perModel,
    modelsBestUnusableInMonolith: perModel.filter((m) => m.bestRuntime !== null && (m.lostRatio === null || (m.lostRatio > 1 + SAME_SPEED_MARGIN && (m.lostMs ?? 0) > SAME_SPEED_FLOOR_MS))).map((m) => m.model),
    runtimeChange: {
      monolith: { modelsToRevalidate: models.length, processesToRestart: 1 },
      microservices: { modelsToRevalidate: 1, processesToRestart: 1 },
    },
  };
}
