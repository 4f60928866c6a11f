import { describe, expect, it } from 'vitest';
import { buildDeploymentPlan } from '../../../bench/targets/plan.js';
import type { TopologySpec } from '../../../bench/targets/types.js';

const base: TopologySpec = {
  kind: 'monolith',
  variant: 'single',
  models: ['vad', 'tabular'],
  storeDir: '/store',
  threads: { intraOp: 1, interOp: 1, uvThreadpool: 4 },
  serverCpus: [1],
  adminToken: 'tok',
  faults: true,
  memoryLimitBytes: 512 * 1024 * 1024,
  cpuQuota: 1,
  restartPolicy: 'always',
  versions: { vad: 2 },
};

describe('buildDeploymentPlan', () => {
  it('plans one monolith process holding every model with the shared flags, limits and health endpoints', () => {
    const plan = buildDeploymentPlan(base);
    expect(plan.gateway).toBeNull();
    expect(plan.processes).toHaveLength(1);
    const [monolith] = plan.processes;
    expect(monolith).toMatchObject({ name: 'monolith', role: 'monolith', entry: 'dist/monolith/main.js', models: ['vad', 'tabular'], cpus: [1], cpuQuota: 1, memoryLimitBytes: 512 * 1024 * 1024, restartPolicy: 'always', rollout: 'recreate' });
    expect(monolith!.health.ready).toBe('/v2/health/ready');
    expect(monolith!.env).toEqual({ UV_THREADPOOL_SIZE: '4' });
    expect(monolith!.args).toEqual(['--host', '127.0.0.1', '--store', '/store', '--intra-op-threads', '1', '--inter-op-threads', '1', '--grace-ms', '5000', '--admin-token', 'tok', '--faults', '--variant', 'single', '--models', 'vad,tabular', '--version', 'vad=2']);
  });

  it('plans one service per model plus an unlimited gateway routing each model to its service', () => {
    const plan = buildDeploymentPlan({ ...base, kind: 'microservices', variant: 'gateway' });
    expect(plan.gateway).toBe('node');
    expect(plan.processes.map((p) => p.name)).toEqual(['service:vad', 'service:tabular', 'gateway']);
    expect(plan.processes[0]!.args.slice(-4)).toEqual(['--model', 'vad', '--version', '2']);
    expect(plan.processes[1]!.args.slice(-2)).toEqual(['--model', 'tabular']);
    const gateway = plan.processes[2]!;
    expect(gateway).toMatchObject({ role: 'gateway', memoryLimitBytes: null, cpuQuota: null, upstreams: { vad: 'service:vad', tabular: 'service:tabular' } });
    expect(gateway.args).toEqual(['--host', '127.0.0.1', '--admin-token', 'tok', '--grace-ms', '5000']);
  });

  it('records the gateway implementation the spec asks for', () => {
    const spec = { ...base, kind: 'microservices', variant: 'gateway', gateway: 'nginx' } as TopologySpec;
    expect(buildDeploymentPlan(spec).gateway).toBe('nginx');
    expect(buildDeploymentPlan({ ...base, kind: 'microservices', variant: 'direct' }).gateway).toBeNull();
  });

  it('adds the server watchdog flag only when asked to enforce the memory limit in process', () => {
    expect(buildDeploymentPlan(base, { serverWatchdog: true }).processes[0]!.args).toContain('--memory-limit-bytes');
    expect(buildDeploymentPlan(base).processes[0]!.args).not.toContain('--memory-limit-bytes');
  });
});
