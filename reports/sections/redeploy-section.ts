import type { RedeployResult, RunResults } from '../../bench/results/schema.js';
import type { Block, Cell } from '../document.js';
import { formatBytes, formatMs, formatNumber, labelTopology } from '../format.js';
import { buildSectionHeader } from './section-status.js';
import { countTrials, groupBy, summarizeTrials } from './trial-cells.js';

/** Sum of a per-model figure over the models that were not redeployed (collateral). */
function sumCollateral(result: RedeployResult, read: (impact: RedeployResult['perModel'][number]) => number | null): number | null {
  const others = result.perModel.filter((impact) => impact.model !== result.targetModel);
  if (others.some((impact) => read(impact) === null)) return null;
  return others.reduce((sum, impact) => sum + (read(impact) ?? 0), 0);
}

/** Redeploy details per topology × variant × strategy × change kind. */
export function buildRedeploySection(results: RunResults): Block[] {
  const { blocks, present } = buildSectionHeader(results, 'redeploy');
  const section = results.experiments.redeploy;
  if (!present || !section) return blocks;
  blocks.push({ kind: 'chart', id: 'charts-redeploy' });
  const sorted = [...section.results].sort((a, b) => a.topology.localeCompare(b.topology) || a.variant.localeCompare(b.variant) || a.strategy.localeCompare(b.strategy) || a.changeKind.localeCompare(b.changeKind) || a.trial - b.trial);
  const rows: Cell[][] = [];
  for (const trials of groupBy(sorted, (result) => `${result.topology}|${result.variant}|${result.strategy}|${result.changeKind}|${result.targetModel}|${result.corrupt}`).values()) {
    const first = trials[0];
    if (!first) continue;
    const outcomes = [...new Set(trials.map((trial) => trial.outcome))].join(', ');
    rows.push([
      labelTopology(first.topology, first.variant),
      first.strategy,
      `${first.changeKind}${first.corrupt ? ' (corrupt)' : ''}`,
      first.targetModel,
      first.reloadMode,
      outcomes,
      countTrials(trials),
      summarizeTrials(trials, (trial) => trial.timeToNewVersionMs, formatMs, 'timeToNewVersionMs'),
      summarizeTrials(trials, (trial) => trial.perModel.find((impact) => impact.model === trial.targetModel)?.downtimeMs ?? null, formatMs, 'downtimeMs'),
      summarizeTrials(trials, (trial) => sumCollateral(trial, (impact) => impact.downtimeMs), formatMs, 'downtimeMs'),
      summarizeTrials(trials, (trial) => trial.perModel.reduce((sum, impact) => sum + impact.failedRequests, 0), (value) => formatNumber(value)),
      summarizeTrials(trials, (trial) => trial.processesRestarted, (value) => formatNumber(value)),
      summarizeTrials(trials, (trial) => trial.modelsReloaded, (value) => formatNumber(value)),
      summarizeTrials(trials, (trial) => trial.bytesReloaded, formatBytes),
      summarizeTrials(trials, (trial) => trial.extraPeakRssBytes, formatBytes, 'extraPeakRssBytes'),
    ]);
  }
  blocks.push({ kind: 'heading', level: 3, text: 'Redeploy of one model (median over valid trials)' });
  blocks.push({
    kind: 'table',
    table: {
      id: 'redeploy-table',
      columns: ['topology', 'strategy', 'change', 'target', 'reload', 'outcome', 'trials', 'time to new version', 'target downtime', 'downtime of other models (sum)', 'failed requests', 'processes restarted', 'models reloaded', 'bytes reloaded', 'extra peak RSS'],
      rows,
    },
  });
  return blocks;
}
