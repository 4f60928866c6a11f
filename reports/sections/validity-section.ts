import type { ExperimentName, RunResults } from '../../bench/results/schema.js';
import type { Block, Cell } from '../document.js';
import { labelTopology } from '../format.js';

/** Describes what a result measured, for the validity list. */
function describeResult(experiment: ExperimentName, result: Record<string, unknown>): string {
  const parts = [result.model, result.scenario, result.faultKind, result.targetModel && `target ${String(result.targetModel)}`, result.strategy, result.changeKind && `${String(result.changeKind)} change`];
  return `${experiment}: ${parts.filter(Boolean).join(' ')}`.trim();
}

/** Every invalid result with its reasons, and every experiment that did not complete. */
export function buildValidityBlocks(results: RunResults): Block[] {
  const rows: Cell[][] = [];
  const sections: string[] = [];
  for (const [experiment, section] of Object.entries(results.experiments) as [ExperimentName, { status: string; error?: string; results: Record<string, unknown>[] } | undefined][]) {
    if (!section) continue;
    if (section.status !== 'complete') sections.push(`\`${experiment}\` is ${section.status}${section.error ? `: ${section.error}` : ''}`);
    for (const result of section.results) {
      if (result.valid !== false) continue;
      const reasons = Array.isArray(result.invalidReasons) ? (result.invalidReasons as string[]) : [];
      rows.push([describeResult(experiment, result), labelTopology(String(result.topology), String(result.variant)), `${String(result.trial)}`, { text: 'invalid', tone: 'invalid' }, reasons.join('; ') || 'no reason recorded']);
    }
  }
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Validity warnings', id: 'validity' }];
  if (results.status !== 'complete') sections.unshift(`the run is ${results.status}: figures may be missing`);
  if (sections.length > 0) blocks.push({ kind: 'list', items: sections });
  if (rows.length === 0 && sections.length === 0) blocks.push({ kind: 'paragraph', text: 'Every result passed the validity checks (warm-up, duration, sample count, stability).' });
  if (rows.length > 0) {
    blocks.push({ kind: 'paragraph', text: `${rows.length} result(s) failed the validity checks; their numbers are excluded from every median and comparison.` });
    blocks.push({ kind: 'table', table: { id: 'validity-table', columns: ['result', 'topology', 'trial', 'status', 'reasons'], rows } });
  }
  return blocks;
}
