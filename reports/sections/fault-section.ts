import type { FaultResult, RunResults } from '../../bench/results/schema.js';
import type { Block, Cell } from '../document.js';
import { DASH, formatMs, formatNumber, formatPercent, labelTopology } from '../format.js';
import { buildSectionHeader } from './section-status.js';
import { countTrials, groupBy, summarizeDowntime, summarizeTrials } from './trial-cells.js';

/** Fault details per topology × variant × fault kind × target, isolation scores and the isolation matrix. */
export function buildFaultSection(results: RunResults): Block[] {
  const { blocks, present } = buildSectionHeader(results, 'fault');
  const section = results.experiments.fault;
  if (!present || !section) return blocks;
  blocks.push({ kind: 'chart', id: 'charts-fault' });
  const sorted = [...section.results].sort((a, b) => a.topology.localeCompare(b.topology) || a.variant.localeCompare(b.variant) || a.faultKind.localeCompare(b.faultKind) || a.targetModel.localeCompare(b.targetModel) || a.trial - b.trial);
  const rows: Cell[][] = [];
  for (const trials of groupBy(sorted, (result) => `${result.topology}|${result.variant}|${result.faultKind}|${result.targetModel}`).values()) {
    const first = trials[0];
    if (!first) continue;
    const validTrials = trials.filter((trial) => trial.valid);
    const impacted = [...new Set(validTrials.flatMap((trial) => trial.impactedModels))];
    const died = [...new Set(validTrials.flatMap((trial) => trial.processesDied))];
    rows.push([
      labelTopology(first.topology, first.variant),
      first.faultKind,
      first.targetModel,
      countTrials(trials),
      summarizeTrials(trials, (trial) => trial.blastRadius, formatPercent, 'blastRadius'),
      validTrials.length === 0 ? { text: 'invalid', tone: 'invalid' } : impacted.length > 0 ? impacted.join(', ') : 'none',
      summarizeTrials(trials, (trial) => trial.collateralFailedRequests, (value) => formatNumber(value)),
      summarizeTrials(trials, (trial) => trial.collateralP99InflationRatio, (value) => `${formatNumber(value)}×`, 'collateralP99InflationRatio'),
      summarizeDowntime(trials, (trial) => ({ downtimeMs: trial.targetDowntimeMs, resolutionMs: trial.targetDowntimeResolutionMs, unrecovered: trial.targetUnrecovered }), 'targetDowntimeMs'),
      summarizeTrials(trials, (trial) => trial.recoveryMs, formatMs, 'recoveryMs'),
      validTrials.length === 0 ? { text: 'invalid', tone: 'invalid' } : died.length > 0 ? died.join(', ') : 'none',
      describeUndetermined(validTrials),
    ]);
  }
  blocks.push({ kind: 'paragraph', text: 'Blast radius = impacted non-target models ÷ judged non-target models (0 = perfect isolation, 100% = everything fell with it); `none` is the baseline window (false-positive rate). A model is judged on its load and on its availability probe (one small inference every 100 ms): impacted when it had an outage (a failed request until the next success) or breached its SLO in more bins than its baseline; with too few observations to judge it is undetermined, listed with the reason and left out of the ratio. Downtime is read from requests and probes, with its resolution (the largest gap between observations) beside it.' });
  blocks.push({ kind: 'heading', level: 3, text: 'Faults per topology and kind (median over valid trials)' });
  blocks.push({
    kind: 'table',
    table: { id: 'fault-table', columns: ['topology', 'fault', 'target', 'trials', 'blast radius', 'impacted models', 'collateral failed req', 'collateral p99 inflation', 'target downtime', 'recovery', 'processes died', 'undetermined'], rows },
  });
  blocks.push(...buildIsolationScoreBlocks(results));
  return blocks;
}

/** Models a trial could not judge, with the reason as the cell's title; "none" when every model was judged. */
function describeUndetermined(validTrials: readonly FaultResult[]): Cell {
  const undetermined = validTrials.flatMap((trial) => trial.undeterminedModels ?? []);
  if (undetermined.length === 0) return validTrials.some((trial) => trial.undeterminedModels !== undefined) ? 'none' : DASH;
  const models = [...new Set(undetermined.map((u) => u.model))];
  return { text: models.map((model) => `${model} (${undetermined.find((u) => u.model === model)!.reason})`).join('; '), tone: 'muted' };
}

/** Isolation scores as a topology × fault kind table. */
function buildIsolationScoreBlocks(results: RunResults): Block[] {
  const scores = results.experiments.fault?.isolationScores ?? [];
  if (scores.length === 0) return [{ kind: 'not-measured', title: 'Isolation scores', reason: 'no isolation scores recorded' }];
  const kinds = [...new Set(scores.map((score) => score.faultKind))];
  const rows: Cell[][] = [];
  for (const group of groupBy(scores, (score) => `${score.topology}|${score.variant}`).values()) {
    const first = group[0];
    if (!first) continue;
    rows.push([labelTopology(first.topology, first.variant), ...kinds.map((kind) => {
      const score = group.find((candidate) => candidate.faultKind === kind)?.score;
      return score === undefined ? DASH : formatNumber(score, 2);
    })]);
  }
  return [
    { kind: 'heading', level: 3, text: 'Isolation score (1 = perfect isolation, 0 = every fault takes everything down)' },
    { kind: 'table', table: { id: 'isolation-table', columns: ['topology', ...kinds], rows } },
  ];
}
