import type { RedeployResult, RunResults } from '../../bench/results/schema.js';
import type { Block, Cell } from '../document.js';
import { formatBytes, formatMs, formatNumber, labelTopology } from '../format.js';
import { buildSectionHeader } from './section-status.js';
import { countTrials, groupBy, summarizeDowntime, summarizeTrials } from './trial-cells.js';

/** Sum of a per-model figure over the models that were not redeployed (collateral). */
function sumCollateral(result: RedeployResult, read: (impact: RedeployResult['perModel'][number]) => number | null): number | null {
  const others = result.perModel.filter((impact) => impact.model !== result.targetModel);
  if (others.some((impact) => read(impact) === null)) return null;
  return others.reduce((sum, impact) => sum + (read(impact) ?? 0), 0);
}

/** The rolled-out model's downtime, resolution and whether it was still down at the window's end. */
function readTargetDowntime(result: RedeployResult): { downtimeMs: number | null; resolutionMs?: number | null; unrecovered?: boolean } {
  const impact = result.perModel.find((candidate) => candidate.model === result.targetModel);
  return { downtimeMs: impact?.downtimeMs ?? null, resolutionMs: impact?.resolutionMs, unrecovered: impact?.unrecovered };
}

/** The largest resolution among the other models (undefined for older results without one). */
function worstCollateralResolution(result: RedeployResult): number | null | undefined {
  const resolutions = result.perModel.filter((impact) => impact.model !== result.targetModel).map((impact) => impact.resolutionMs);
  if (resolutions.every((r) => r === undefined)) return undefined;
  const known = resolutions.filter((r): r is number => r !== undefined && r !== null);
  return known.length > 0 ? Math.max(...known) : null;
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
      summarizeDowntime(trials, (trial) => readTargetDowntime(trial), 'downtimeMs'),
      summarizeDowntime(trials, (trial) => ({ downtimeMs: sumCollateral(trial, (impact) => impact.downtimeMs), resolutionMs: worstCollateralResolution(trial), unrecovered: trial.perModel.some((impact) => impact.model !== trial.targetModel && impact.unrecovered === true) }), 'downtimeMs'),
      summarizeTrials(trials, (trial) => trial.perModel.reduce((sum, impact) => sum + impact.failedRequests, 0), (value) => formatNumber(value)),
      summarizeTrials(trials, (trial) => trial.processesRestarted, (value) => formatNumber(value)),
      summarizeTrials(trials, (trial) => trial.modelsReloaded, (value) => formatNumber(value)),
      summarizeTrials(trials, (trial) => trial.bytesReloaded, formatBytes),
      summarizeTrials(trials, (trial) => trial.extraPeakRssBytes, formatBytes, 'extraPeakRssBytes'),
    ]);
  }
  blocks.push({ kind: 'paragraph', text: 'Downtime per model is read from its requests and its availability probe (one small inference every 100 ms): each outage runs from a failed request to the next success; the resolution beside it is the largest gap between the model\'s observations in the window.' });
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
