import type { RunResults } from '../../bench/results/schema.js';
import type { Block, Cell } from '../document.js';
import { formatMs, formatNumber, formatPercent, labelTopology } from '../format.js';

/** Seconds since the session start, for event rows. */
function formatSeconds(tMs: number): string {
  return `${(tMs / 1000).toFixed(1)} s`;
}

/** Whole-session figures of one topology's model: requests, errors, worst one-second p99. */
function summarizeModel(bins: ReadonlyArray<{ count: number; ok: number; errors: number; p99Ms: number | null }>): { sent: number; ok: number; errorRate: number | null; worstP99: number | null } {
  const sent = bins.reduce((s, b) => s + b.count, 0);
  const ok = bins.reduce((s, b) => s + b.ok, 0);
  const errors = bins.reduce((s, b) => s + b.errors, 0);
  const p99s = bins.map((b) => b.p99Ms).filter((v): v is number => v !== null);
  return { sent, ok, errorRate: ok + errors > 0 ? errors / (ok + errors) : null, worstP99: p99s.length > 0 ? Math.max(...p99s) : null };
}

/** The saved `splitbench live` session: timelines with their marks, per-model totals, every event. Empty when the run has none. */
export function buildLiveSection(results: RunResults): Block[] {
  const live = results.live;
  if (!live) return [];
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Live session', id: 'live' }];
  const seconds = Math.round((live.endedAtMs - live.startedAtMs) / 1000);
  blocks.push({
    kind: 'paragraph',
    text: `A ${seconds} s \`splitbench live\` session: ${live.topologies.map((t) => `${labelTopology(t.topology, t.variant)} on ${t.pinned && t.cpus ? `CPU ${t.cpus.join(',')}` : 'unpinned CPUs'}`).join(' and ')}, each sent ${Object.entries(live.rates).map(([m, r]) => `${m} ${r} req/s`).join(', ')} (open loop, latency from the intended send time).`,
  });
  blocks.push({ kind: 'paragraph', text: `Health rules: red when more than ${formatPercent(live.healthRules.maxErrorRate)} of the last ${live.healthRules.windowMs / 1000} s failed or no success for ${live.healthRules.noSuccessMs / 1000} s; amber when that window's p99 is above the model's SLO.` });
  blocks.push({ kind: 'note', text: `CPU: ${live.cpu.machineCores} cores; the harness used ${live.cpu.harnessCores === null ? 'an unmeasured share' : `${formatNumber(live.cpu.harnessCores)} cores`}, ${live.topologies.map((t) => `${t.topology} ${t.cpuCores === null ? 'unmeasured' : `${formatNumber(t.cpuCores)} cores`}`).join(', ')}; ${live.cpu.freeCores === null ? 'free CPU not measured' : `${formatNumber(live.cpu.freeCores)} cores left free`} (last figures). ${live.cpu.note}.` });
  blocks.push({ kind: 'chart', id: 'charts-live' });
  const rows: Cell[][] = [];
  for (const t of live.topologies) {
    for (const [model, bins] of Object.entries(t.timeline.bins)) {
      const s = summarizeModel(bins);
      rows.push([labelTopology(t.topology, t.variant), model, String(s.sent), String(s.ok), s.errorRate === null ? 'n/a' : { text: formatPercent(s.errorRate), tone: s.errorRate > 0.05 ? 'bad' : 'good' }, formatMs(s.worstP99)]);
    }
  }
  blocks.push({ kind: 'heading', level: 3, text: 'Per model over the whole session' });
  blocks.push({ kind: 'table', table: { id: 'live-models', columns: ['topology', 'model', 'sent', 'succeeded', 'error rate', 'worst 1 s p99'], rows } });
  blocks.push({ kind: 'heading', level: 3, text: 'Events' });
  if (live.events.length === 0) blocks.push({ kind: 'paragraph', text: 'No fault, redeploy or process event happened.' });
  else blocks.push({ kind: 'table', table: { id: 'live-events', columns: ['at', 'topology', 'model', 'event'], rows: live.events.map((e) => [formatSeconds(e.tMs), e.topology ?? 'both', e.model ?? '', e.label]) } });
  return blocks;
}
