import type { DiagnoseResult, RunResults } from '../../bench/results/schema.js';
import type { Block, Cell } from '../document.js';
import { formatMs, formatNumber, labelTopology } from '../format.js';
import { buildSectionHeader } from './section-status.js';
import { countTrials, groupBy, summarizeTrials } from './trial-cells.js';

/** The diagnoser's rule set in one paragraph (the full text is bench/experiments/diagnose/README.md). */
export const DIAGNOSE_RULES_TEXT =
  'The diagnoser sees only what a platform shows without custom tooling — per process CPU, RSS, exits and stderr lines, each server\'s /metrics, and client-side per-model latency and errors — never the faulted model\'s name. Each signal is judged against its own pre-injection baseline; counts (errors, exits, stderr lines, failed scrapes, RSS growth) stay once fired, levels (latency, CPU over the last second) hold while they hold. In priority order: a model\'s own 5xx count on any server\'s /metrics (server-errors), its own mean server-side request or inference duration (server-latency), its client-side errors and p99 (client-errors, client-latency); then process signals — exit, stderr lines, failed scrapes, RSS growth, CPU — which implicate every model the process hosts (in a monolith: all of them). Models rank by their signals in that order (one higher signal outweighs all lower ones); equal evidence is a tie. Suspects = models ranked at or above the culprit at the end of the window; time to blame = from the injection until the culprit alone leads for the rest of the window. The same rules for both topologies.';

/** Text of the "singled out by" cell: the signal, or why the culprit was not singled out. */
function describeSingling(trials: readonly DiagnoseResult[]): Cell {
  const valid = trials.filter((t) => t.valid);
  if (valid.length === 0) return { text: 'invalid', tone: 'invalid' };
  const signals = [...new Set(valid.map((t) => t.singledOutBy).filter((s): s is string => s !== null))];
  const reasons = [...new Set(valid.flatMap((t) => (t.timeToBlameMs === null ? [t.notMeasured.timeToBlameMs ?? 'undetermined'] : [])))];
  const parts = [...signals, ...reasons];
  return { text: parts.join('; '), ...(signals.length === 0 ? { tone: 'bad' as const } : {}) };
}

/** Leaders of the final ranking with their signals, e.g. "tabular (server-errors, client-errors)". */
function describeLeaders(trials: readonly DiagnoseResult[]): string {
  const last = trials.filter((t) => t.valid).at(-1);
  if (!last) return '—';
  const leaders = last.finalRanking.filter((r) => r.rank === 1 && r.score > 0);
  if (leaders.length === 0) return 'no signal';
  return leaders.map((r) => `${r.model} (${r.signals.join(', ')})`).join('; ');
}

/** Suspects / time-to-blame table per fault kind × culprit × topology, with the rule set. */
export function buildDiagnoseSection(results: RunResults): Block[] {
  const { blocks, present } = buildSectionHeader(results, 'diagnose');
  const section = results.experiments.diagnose;
  if (!present || !section) return blocks;
  const baselineFirst = (r: DiagnoseResult) => (r.faultKind === 'none' ? 0 : 1);
  const sorted = [...section.results].sort((a, b) => baselineFirst(a) - baselineFirst(b) || a.faultKind.localeCompare(b.faultKind) || a.targetModel.localeCompare(b.targetModel) || a.topology.localeCompare(b.topology) || a.variant.localeCompare(b.variant) || a.trial - b.trial);
  const rows: Cell[][] = [];
  for (const trials of groupBy(sorted, (r) => `${r.faultKind}|${r.targetModel}|${r.topology}|${r.variant}`).values()) {
    const first = trials[0];
    if (!first) continue;
    const baseline = first.faultKind === 'none';
    rows.push([
      baseline ? 'none (baseline)' : first.faultKind,
      labelTopology(first.topology, first.variant),
      first.targetModel,
      countTrials(trials),
      summarizeTrials(trials, (t) => t.suspects, (v) => (baseline ? `${formatNumber(v)} implicated with no fault` : `${formatNumber(v)} of ${first.models}`)),
      summarizeTrials(trials, (t) => t.timeToBlameMs, formatMs, 'timeToBlameMs'),
      describeSingling(trials),
      describeLeaders(trials),
    ]);
  }
  blocks.push({ kind: 'paragraph', text: DIAGNOSE_RULES_TEXT });
  blocks.push({ kind: 'paragraph', text: 'The baseline window (`none`) runs the same with nothing armed: the models it implicates are what the rules flag on this machine with no fault at all.' });
  blocks.push({ kind: 'heading', level: 3, text: 'Suspects to inspect and time to blame per fault kind (median over valid trials)' });
  blocks.push({ kind: 'table', table: { id: 'diagnose-table', columns: ['fault', 'topology', 'culprit', 'trials', 'suspects to inspect', 'time to blame', 'singled out by / why not', 'final leaders (signals)'], rows } });
  return blocks;
}
