import { describe, expect, it } from 'vitest';
import { parseAndCheckLayout, type Layout } from '../../../../bench/targets/layout/index.js';
import { buildDeploymentPlan, hostOf, replicasOf } from '../../../../bench/targets/plan.js';
import type { TopologySpec } from '../../../../bench/targets/types.js';

// The deployment plan of a layout: a process per group and replica with the group's variant and
// resources, ports from portBase in plan order, the gateway routing each model to every replica.
const MODELS = ['vad', 'tabular', 'ocr-rec'];

/** A checked layout over MODELS. */
function layout(text: string): Layout {
  const check = parseAndCheckLayout(text, { models: MODELS });
  if (!check.ok) throw new Error(check.problems.join('; '));
  return check.layout;
}

const spec: TopologySpec = { kind: 'microservices', variant: 'gateway', models: MODELS, storeDir: '/store', threads: { intraOp: 1, interOp: 1, uvThreadpool: 2 }, restartPolicy: 'always', portBase: 9000, serverCpus: [1] };

describe('the plan of a layout', () => {
  it('plans each replica with its group resources and the ports in order after the gateway', () => {
    const plan = buildDeploymentPlan({ ...spec, layout: layout('light=vad,tabular mem=256 cpus=0-1; rec=ocr-rec x2 quota=0.5 +gateway=nginx') });
    expect(plan.gateway).toBe('nginx');
    expect(plan.processes.map((p) => [p.name, p.group, p.replica, p.port, p.cpus, p.cpuQuota, p.memoryLimitBytes])).toEqual([
      ['service:light', 'light', 1, 9001, [0, 1], null, 256 * 1024 * 1024],
      ['service:rec', 'rec', 1, 9002, null, 0.5, null],
      ['service:rec@2', 'rec', 2, 9003, null, 0.5, null],
      ['gateway', 'gateway', 1, 9000, [1], null, null],
    ]);
    expect(plan.processes[0]!.args).toContain('vad,tabular');
    expect(plan.processes[1]!.args.slice(-2)).toEqual(['--model', 'ocr-rec']);
    expect(plan.processes[3]!.entry).toBe('dist/microservices/nginx-gateway.js');
    expect(replicasOf(plan, 'ocr-rec')).toEqual(['service:rec', 'service:rec@2']);
    expect(hostOf(plan, 'tabular')).toBe('service:light');
  });

  it('gives the server watchdog the group memory limit, not the spec one', () => {
    const plan = buildDeploymentPlan({ ...spec, memoryLimitBytes: 1024 * 1024 * 1024, layout: layout('light=vad,tabular mem=256; rec=ocr-rec') }, { serverWatchdog: true });
    const flag = (args: string[]) => args[args.indexOf('--memory-limit-bytes') + 1];
    expect(flag(plan.processes[0]!.args)).toBe(String(256 * 1024 * 1024));
    expect(plan.processes[1]!.args).not.toContain('--memory-limit-bytes');
    expect(plan.gateway).toBeNull();
  });

  it('runs a one-model group with worker threads on the monolith server, and names monolith replicas monolith@r', () => {
    const workers = buildDeploymentPlan({ ...spec, layout: layout('rec=ocr-rec:workers; rest=vad,tabular') });
    expect(workers.processes[0]).toMatchObject({ name: 'service:rec', role: 'monolith', variant: 'workers' });
    const monolith = buildDeploymentPlan({ ...spec, layout: layout('monolith=vad,tabular,ocr-rec x2 +gateway') });
    expect(monolith.processes.map((p) => [p.name, p.port])).toEqual([['monolith', 9001], ['monolith@2', 9002], ['gateway', 9000]]);
  });
});
