import type { RunResults, ThroughputResult } from '../../bench/results/schema.js';
import type { Block, Cell } from '../document.js';
import { formatMs, formatNumber, formatPercent, formatRps, labelTopology } from '../format.js';
import { buildSectionHeader } from './section-status.js';
import { countTrials, groupBy, summarizeTrials } from './trial-cells.js';

/** Throughput details: max rps, under SLO, efficiency, and the sweep of the first valid trial. */
export function buildThroughputSection(results: RunResults): Block[] {
  const { blocks, present } = buildSectionHeader(results, 'throughput');
  const section = results.experiments.throughput;
  if (!present || !section) return blocks;
  blocks.push({ kind: 'chart', id: 'charts-throughput' });
  const sorted = [...section.results].sort((a, b) => a.model.localeCompare(b.model) || a.topology.localeCompare(b.topology) || a.variant.localeCompare(b.variant) || a.trial - b.trial);
  const rows: Cell[][] = [];
  const sweepRows: Cell[][] = [];
  const shareRows: Cell[][] = [];
  for (const trials of groupBy(sorted, (result) => `${result.model}|${result.topology}|${result.variant}`).values()) {
    const first = trials[0];
    if (!first) continue;
    const label = labelTopology(first.topology, first.variant);
    rows.push([
      first.model,
      label,
      countTrials(trials),
      summarizeTrials(trials, (trial) => trial.maxRps, formatRps, 'maxRps'),
      summarizeTrials(trials, (trial) => trial.maxRpsUnderSlo, formatRps, 'maxRpsUnderSlo'),
      summarizeTrials(trials, (trial) => trial.ceilingRps, formatRps, 'ceilingRps'),
      summarizeTrials(trials, (trial) => trial.efficiency, formatPercent, 'efficiency'),
    ]);
    const shown = trials.find((trial) => trial.valid);
    for (const point of shown?.sweep ?? []) {
      sweepRows.push([first.model, label, `${shown?.trial ?? ''}`, `${point.connections}`, formatRps(point.rps), formatMs(point.p50Ms), formatMs(point.p99Ms), formatNumber(point.errors + point.non2xx + point.timeouts)]);
    }
    shareRows.push(...buildShareRows(trials, label));
  }
  blocks.push({ kind: 'heading', level: 3, text: 'Capacity per model and topology (median over valid trials)' });
  blocks.push({ kind: 'table', table: { id: 'throughput-table', columns: ['model', 'topology', 'trials', 'max rps', 'max rps under SLO', 'bare ceiling', 'efficiency'], rows } });
  blocks.push({ kind: 'heading', level: 3, text: 'Concurrency sweep (first valid trial)' });
  blocks.push({ kind: 'table', table: { id: 'sweep-table', columns: ['model', 'topology', 'trial', 'connections', 'rps', 'p50', 'p99', 'errors + non-2xx + timeouts'], rows: sweepRows } });
  if (shareRows.length > 0) {
    blocks.push({ kind: 'heading', level: 3, text: 'Mix kept: achieved vs planned share of each model (every trial and level)' });
    blocks.push({ kind: 'paragraph', text: 'Mixed traffic is sent by one closed loop on every topology: each connection sends the models in turn, each to its own URL. A level whose achieved share drifts from the plan beyond the tolerance makes its result invalid.' });
    blocks.push({ kind: 'table', table: { id: 'mix-share-table', columns: ['topology', 'trial', 'connections', 'achieved share (planned)', 'tolerance'], rows: shareRows } });
  }
  return blocks;
}

/** One row per trial and level of a mixed result: each model's achieved share beside its planned one. */
function buildShareRows(trials: readonly ThroughputResult[], label: string): Cell[][] {
  const rows: Cell[][] = [];
  for (const trial of trials) {
    for (const point of trial.sweep) {
      if (!point.shares) continue;
      const text = point.shares.map((s) => `${s.model} ${s.achieved === null ? '—' : formatPercent(s.achieved)} (${formatPercent(s.planned)})`).join(', ');
      const drifted = point.shares.some((s) => point.shareTolerance !== undefined && Math.abs((s.achieved ?? 0) - s.planned) > point.shareTolerance + 1e-9);
      rows.push([label, `${trial.trial}`, `${point.connections}`, drifted ? { text, tone: 'invalid', title: 'share drifted beyond the tolerance' } : text, point.shareTolerance === undefined ? '—' : `± ${(point.shareTolerance * 100).toFixed(1)} pp`]);
    }
  }
  return rows;
}
