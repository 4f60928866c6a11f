import type { GatewayCalibrationRecord, Phase, RunResults } from '../../bench/results/schema.js';
import type { Block } from '../document.js';
import { formatBytes, formatMs, formatNumber } from '../format.js';
import { describeRunGateway } from '../gateway-note.js';

/** Phases grouped by what they did (the label up to its first " · "; topology starts together), in run order. */
export function groupPhases(phases: readonly Phase[]): Array<{ activity: string; steps: number; durationMs: number }> {
  const groups = new Map<string, { steps: number; durationMs: number }>();
  for (const phase of phases) {
    const head = phase.label.split(' · ')[0]!;
    const activity = /^(starting|restarting) /.test(head) || / · (starting|restarting) /.test(phase.label) ? 'starting topologies' : head;
    const group = groups.get(activity) ?? { steps: 0, durationMs: 0 };
    group.steps += 1;
    group.durationMs += phase.durationMs;
    groups.set(activity, group);
  }
  return [...groups].map(([activity, group]) => ({ activity, ...group }));
}

/** The gateway figures `splitbench calibrate` saved on this machine, as the run recorded them. */
function describeGatewayCalibration(record: GatewayCalibrationRecord): string {
  const gateways = record.gateways.map((g) => `${g.label}: ${g.gatewayCpuUsPerRequest === null ? 'gateway CPU not measured' : `${Math.round(g.gatewayCpuUsPerRequest)} µs gateway CPU per request`}, ${formatNumber(g.rps)} rps`);
  return `Gateways (${record.source}, ${record.measuredAt}, same services, closed loop): ${gateways.join('; ')}.`;
}

/** Environment fingerprint, models, calibration and the exact config, so the run can be reproduced. */
export function buildEnvironmentBlocks(results: RunResults): Block[] {
  const env = results.environment;
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: 'Environment and configuration', id: 'environment' },
    {
      kind: 'table',
      table: {
        id: 'environment-table',
        columns: ['field', 'value'],
        rows: [
          ['run id', results.runId],
          ['command', results.command],
          ['status', results.status],
          ['started / finished', `${results.startedAt} / ${results.finishedAt ?? '—'}${results.finishedAt ? ` (${formatMs(Date.parse(results.finishedAt) - Date.parse(results.startedAt))} wall)` : ''}`],
          ['tool', `${results.tool.name} ${results.tool.version} (schemaVersion ${results.schemaVersion})`],
          ['git sha', env.gitSha ?? '— (not a git checkout)'],
          ['host', env.hostname],
          ['CPU', `${env.cpuModel}, ${env.cores} cores`],
          ['memory', formatBytes(env.memoryBytes)],
          ['OS', env.os],
          ['Node / onnxruntime', `${env.node} / ${env.onnxruntime}`],
          ['CPU sets', `servers ${env.cpuSets.servers?.join(',') ?? 'any'}; generator ${env.cpuSets.generator?.join(',') ?? 'any'}; taskset ${env.cpuSets.tasksetApplied ? 'applied' : 'not applied'}`],
          ['resource limits', `${env.resourceLimits.mechanism}: ${env.resourceLimits.detail}`],
          ...(describeRunGateway(results) ? [['gateway', describeRunGateway(results)!]] : []),
          ...(env.target ? [['target', `${env.target.name}: ${env.target.detail}`] as [string, string]] : []),
        ],
      },
    },
  ];
  if (results.models.length > 0) {
    blocks.push({ kind: 'heading', level: 3, text: 'Models' });
    blocks.push({
      kind: 'table',
      table: { id: 'models-table', columns: ['model', 'version', 'class', 'SLO', 'size', 'sha256'], rows: results.models.map((model) => [model.name, `${model.version}`, model.weightClass, formatMs(model.sloMs), formatBytes(model.bytes), model.sha256]) },
    });
  }
  const calibration = results.calibration;
  if (calibration?.generator || (calibration?.overhead.length ?? 0) > 0 || calibration?.gateways) {
    blocks.push({ kind: 'heading', level: 3, text: 'Calibration' });
    const generator = calibration?.generator;
    if (generator) blocks.push({ kind: 'paragraph', text: `Load generator: target ${generator.targetRps} rps, offered ${generator.offeredRps}, achieved ${generator.achievedRps}; send lag p50 ${formatMs(generator.sendLagP50Ms)}, p99 ${formatMs(generator.sendLagP99Ms)}; ceiling ${generator.ceilingRps ?? '—'} rps.` });
    const overhead = calibration?.overhead ?? [];
    if (overhead.length > 0) {
      blocks.push({ kind: 'table', table: { id: 'overhead-table', columns: ['topology', 'model', 'bare inference', 'served p50', 'serving overhead'], rows: overhead.map((row) => [`${row.topology}/${row.variant}`, row.model, formatMs(row.bareMs), formatMs(row.servedP50Ms), `${row.overheadUs} µs`]) } });
    }
    if (calibration?.gateways) blocks.push({ kind: 'paragraph', text: describeGatewayCalibration(calibration.gateways) });
  }
  if (results.phases.length > 0) {
    blocks.push({ kind: 'heading', level: 3, text: 'Where the time went' });
    blocks.push({ kind: 'table', table: { id: 'phases-table', columns: ['activity', 'steps', 'wall time'], rows: groupPhases(results.phases).map((group) => [group.activity, `${group.steps}`, formatMs(group.durationMs)]) } });
  }
  blocks.push({ kind: 'heading', level: 3, text: 'Exact configuration (resolved)' });
  blocks.push({ kind: 'code', language: 'json', text: JSON.stringify(results.config, null, 2) });
  return blocks;
}
