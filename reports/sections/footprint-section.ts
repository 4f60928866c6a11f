import type { RunResults } from '../../bench/results/schema.js';
import type { Block, Cell } from '../document.js';
import { DASH, formatBytes, formatMs, formatNumber, formatUsd, labelTopology, medianOf } from '../format.js';
import { buildSectionHeader } from './section-status.js';
import { countTrials, groupBy, summarizeTrials } from './trial-cells.js';

/** Footprint details: start-up, memory, CPU and $ per topology; scaling and marginal cost; the price table. */
export function buildFootprintSection(results: RunResults): Block[] {
  const { blocks, present } = buildSectionHeader(results, 'footprint');
  const section = results.experiments.footprint;
  if (!present || !section) return blocks;
  blocks.push({ kind: 'chart', id: 'charts-footprint' });
  const rows: Cell[][] = [];
  for (const trials of groupBy(section.results, (result) => `${result.topology}|${result.variant}`).values()) {
    const first = trials[0];
    if (!first) continue;
    rows.push([
      labelTopology(first.topology, first.variant),
      countTrials(trials),
      summarizeTrials(trials, (trial) => trial.processCount, (value) => formatNumber(value), 'processCount'),
      summarizeTrials(trials, (trial) => trial.coldStartMs, formatMs, 'coldStartMs'),
      summarizeTrials(trials, (trial) => trial.idleRssBytes, formatBytes, 'idleRssBytes'),
      summarizeTrials(trials, (trial) => trial.loadedRssBytes, formatBytes, 'loadedRssBytes'),
      summarizeTrials(trials, (trial) => trial.cpuSecondsPer1kRequests, (value) => `${formatNumber(value)} CPU-s`, 'cpuSecondsPer1kRequests'),
      summarizeTrials(trials, (trial) => trial.costPer1MRequestsUsd, formatUsd, 'costPer1MRequestsUsd'),
    ]);
  }
  blocks.push({ kind: 'heading', level: 3, text: 'Footprint per topology (median over valid trials)' });
  blocks.push({ kind: 'table', table: { id: 'footprint-table', columns: ['topology', 'trials', 'processes', 'cold start', 'idle RSS', 'loaded RSS', 'CPU per 1k req', '$ per 1M inferences'], rows } });

  blocks.push({ kind: 'heading', level: 3, text: 'Scaling: idle RSS and cold start as models are added' });
  if (section.scaling.length === 0) blocks.push({ kind: 'not-measured', title: 'Scaling', reason: 'no scaling points in this run' });
  else {
    const scalingRows: Cell[][] = [];
    for (const points of groupBy([...section.scaling].sort((a, b) => a.topology.localeCompare(b.topology) || a.variant.localeCompare(b.variant) || a.modelCount - b.modelCount), (point) => `${point.topology}|${point.variant}|${point.modelCount}`).values()) {
      const first = points[0];
      if (!first) continue;
      const rss = medianOf(points.map((point) => point.idleRssBytes).filter((value): value is number => value !== null));
      const start = medianOf(points.map((point) => point.coldStartMs).filter((value): value is number => value !== null));
      scalingRows.push([labelTopology(first.topology, first.variant), `${first.modelCount}`, `${first.processCount}`, formatMs(start), formatBytes(rss), `${points.length}`]);
    }
    blocks.push({ kind: 'table', table: { id: 'scaling-table', columns: ['topology', 'models', 'processes', 'cold start', 'idle RSS', 'trials'], rows: scalingRows } });
  }
  if (section.marginal.length > 0) {
    blocks.push({ kind: 'heading', level: 3, text: 'Marginal cost per added model' });
    blocks.push({
      kind: 'table',
      table: {
        id: 'marginal-table',
        columns: ['topology', 'RSS per added model', 'cold start per added model'],
        rows: section.marginal.map((marginal) => [labelTopology(marginal.topology, marginal.variant), formatBytes(marginal.rssBytesPerModel), formatMs(marginal.startMsPerModel)]),
      },
    });
  }
  blocks.push({ kind: 'heading', level: 3, text: 'Price table used' });
  const price = section.priceTable;
  blocks.push(
    price
      ? { kind: 'table', table: { id: 'price-table', columns: ['$ per vCPU-hour', '$ per GiB-hour', 'source'], rows: [[formatUsd(price.usdPerVcpuHour), formatUsd(price.usdPerGibHour), price.source]] } }
      : { kind: 'not-measured', title: 'Price table', reason: `no price table recorded, so $ figures are ${DASH}` },
  );
  return blocks;
}
