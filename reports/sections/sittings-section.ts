import type { RunResults } from '../../bench/results/schema.js';
import { parseUnitKey } from '../../bench/results/unit-keys.js';
import type { Block } from '../document.js';

/** Order the experiments are listed in. */
const EXPERIMENT_ORDER = ['latency', 'throughput', 'footprint', 'scaling', 'redeploy', 'fault', 'diagnose', 'library'];

/** 1-based trials as ranges: `trial 2`, `trials 1–3, 5`. */
export function formatTrials(trials: readonly number[]): string {
  const sorted = [...new Set(trials)].sort((a, b) => a - b).map((t) => t + 1);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    ranges.push(j === i ? `${sorted[i]}` : `${sorted[i]}–${sorted[j]}`);
    i = j;
  }
  return `${sorted.length === 1 ? 'trial' : 'trials'} ${ranges.join(', ')}`;
}

/** Who measured what, compactly: `trials 1–2 of every variant`, or per variant when they differ. */
function describeWhos(byWho: ReadonlyMap<string, number[]>, variants: readonly string[]): string {
  const trialTexts = [...byWho.values()].map((trials) => (trials.length > 0 ? formatTrials(trials) : ''));
  const everyVariant = variants.length > 0 && byWho.size === variants.length && variants.every((v) => byWho.has(v));
  if (everyVariant && new Set(trialTexts).size === 1) return trialTexts[0] ? `${trialTexts[0]} of every variant` : 'every variant';
  return [...byWho].map(([who, trials]) => (trials.length > 0 ? `${who} ${formatTrials(trials)}` : who)).join(', ');
}

/**
 * What a sitting measured, one line per experiment, grouped compactly: e.g.
 * `latency: trials 1–2 of every variant`, `fault: crash in tabular, trial 3 of every variant`.
 */
export function describeProduced(keys: readonly string[], variants: readonly string[]): string[] {
  const groups = new Map<string, Map<string, Map<string, number[]>>>();
  const other: string[] = [];
  for (const key of keys) {
    const unit = parseUnitKey(key);
    if (!unit) {
      other.push(key);
      continue;
    }
    const details = groups.get(unit.experiment) ?? new Map<string, Map<string, number[]>>();
    groups.set(unit.experiment, details);
    const byWho = details.get(unit.detail ?? '') ?? new Map<string, number[]>();
    details.set(unit.detail ?? '', byWho);
    if (unit.who === undefined) continue;
    const trials = byWho.get(unit.who) ?? [];
    if (unit.trial !== undefined) trials.push(unit.trial);
    byWho.set(unit.who, trials);
  }
  const rank = (name: string) => (EXPERIMENT_ORDER.includes(name) ? EXPERIMENT_ORDER.indexOf(name) : EXPERIMENT_ORDER.length);
  const lines = [...groups]
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([experiment, details]) => {
      if (experiment === 'library') return 'library: both matrices';
      const parts = [...details].map(([detail, byWho]) => `${detail ? `${detail}, ` : ''}${describeWhos(byWho, variants)}`);
      return `${experiment === 'scaling' ? 'footprint scaling' : experiment}: ${parts.join('; ')}`;
    });
  if (other.length > 0) lines.push(`other: ${other.join(', ')}`);
  return lines;
}

/** The run's topology variants as unit keys write them (`monolith/single`). */
function listVariants(results: RunResults): string[] {
  const variants = results.config.variants;
  if (!Array.isArray(variants)) return [];
  return variants.flatMap((v: unknown) => {
    const { topology, variant } = (v ?? {}) as { topology?: unknown; variant?: unknown };
    return typeof topology === 'string' && typeof variant === 'string' ? [`${topology}/${variant}`] : [];
  });
}

/** The "Sittings" section of a resumed run: when each sitting ran, how it ended, and what it measured; nothing for a run done in one go. */
export function buildSittingsBlocks(results: RunResults): Block[] {
  const sittings = results.sittings ?? [];
  if (sittings.length < 2) return [];
  const variants = listVariants(results);
  return [
    { kind: 'heading', level: 2, text: 'Sittings', id: 'sittings' },
    { kind: 'paragraph', text: `This run was interrupted and resumed: it ran in ${sittings.length} sittings. Each kept what the earlier ones measured and ran only what was missing, with the same config; comparisons are over the results of every sitting.` },
    {
      kind: 'table',
      table: {
        id: 'sittings-table',
        columns: ['sitting', 'started', 'finished', 'ended', 'units', 'command'],
        rows: sittings.map((s) => [
          `${s.index}`,
          s.startedAt,
          s.finishedAt ? `${s.finishedAt} (${Math.round((Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000)} s)` : '—',
          s.status,
          `${s.produced.length}`,
          s.command,
        ]),
      },
    },
    { kind: 'list', items: sittings.map((s) => `sitting ${s.index} measured ${s.produced.length === 0 ? 'nothing' : describeProduced(s.produced, variants).join('; ')}`) },
  ];
}
