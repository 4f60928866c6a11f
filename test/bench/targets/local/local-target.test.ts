import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkCgroupV1 } from '../../../../bench/targets/local/cgroup-v1.js';
import { LocalTarget, TopologySpecError, findSpecProblems } from '../../../../bench/targets/local/local-target.js';
import { findTaskset } from '../../../../bench/targets/local/cpu-pinning.js';
import type { RunningTopology } from '../../../../bench/targets/types.js';
import { FIXTURE_ENTRIES, isAlive, isListening, makeSpec, portOf, waitFor } from './helpers.js';

const running: RunningTopology[] = [];
const target = new LocalTarget({ entries: FIXTURE_ENTRIES, stopGraceMs: 1000, backoff: { initialMs: 100 } });

/** Starts a fixture topology that the test stops afterwards. */
async function start(overrides: Parameters<typeof makeSpec>[0] = {}): Promise<RunningTopology> {
  const topology = await target.start(makeSpec(overrides), { readyTimeoutMs: 5000 });
  running.push(topology);
  return topology;
}

/** The argv and env a fixture process was started with. */
async function readArgv(url: string): Promise<{ argv: string[]; env: Record<string, string> }> {
  return (await (await fetch(`${url}/argv`)).json()) as { argv: string[]; env: Record<string, string> };
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.stop()));
});

describe('findSpecProblems', () => {
  it('reports every problem at once', () => {
    const problems = findSpecProblems(makeSpec({ kind: 'monolith', variant: 'gateway', models: ['vad', 'vda', 'ocr'], faults: true }));
    expect(problems.join('\n')).toMatch(/variant "gateway" does not exist for monolith; expected one of: single, workers/);
    expect(problems.join('\n')).toMatch(/unknown models "vda", "ocr"/);
    expect(problems.join('\n')).toMatch(/faults need an admin token/);
  });

  it('rejects a bad spec before starting anything', async () => {
    await expect(target.start(makeSpec({ variant: 'single' }))).rejects.toBeInstanceOf(TopologySpecError);
  });
});

describe('LocalTarget with the fixture server', () => {
  it('starts microservices behind a gateway with equal fairness flags and routes to each service', async () => {
    const topology = await start({ serverCpus: [0] });
    const names = topology.processes().map((p) => p.name);
    expect(names).toEqual(['service:vad', 'service:tabular', 'gateway']);
    const gateway = topology.processes().find((p) => p.name === 'gateway')!;
    expect(topology.endpoints()).toEqual({ vad: gateway.url, tabular: gateway.url });
    const admin = topology.adminUrls();
    expect(admin.vad).not.toBe(admin.tabular);
    const routes = (await (await fetch(`${gateway.url}/admin/routes`)).json()) as Record<string, string>;
    expect(routes).toEqual(admin);
    for (const url of Object.values(admin)) {
      const { argv, env } = await readArgv(url);
      expect(argv).toEqual(expect.arrayContaining(['--intra-op-threads', '1', '--inter-op-threads', '1']));
      expect(env.UV_THREADPOOL_SIZE).toBe('2');
    }
    if (findTaskset()) {
      expect(topology.fairness.pinning).toEqual({ cpus: [0], applied: true });
      for (const p of topology.processes()) {
        expect(readFileSync(`/proc/${p.pid}/status`, 'utf8')).toMatch(/Cpus_allowed_list:\s+0\n/);
      }
    }
  });

  it('records an invalid CPU set as not applied, with the reason', async () => {
    const topology = await start({ kind: 'monolith', variant: 'single', serverCpus: [999] });
    expect(topology.fairness.pinning.applied).toBe(false);
    expect(topology.fairness.pinning.reason).toMatch(/999/);
  });

  it('serves every model of the monolith from one process, optionally behind a gateway', async () => {
    const topology = await start({ kind: 'monolith', variant: 'workers', monolithGateway: true, versions: { vad: 1 } });
    const monolith = topology.processes().find((p) => p.name === 'monolith')!;
    const gateway = topology.processes().find((p) => p.name === 'gateway')!;
    expect(topology.adminUrls()).toEqual({ vad: monolith.url, tabular: monolith.url });
    expect(topology.endpoints()).toEqual({ vad: gateway.url, tabular: gateway.url });
    const { argv } = await readArgv(monolith.url!);
    expect(argv).toEqual(expect.arrayContaining(['--variant', 'workers', '--models', 'vad,tabular', '--version', 'vad=1']));
  });

  it('stops everything: no pid alive and no port listening', async () => {
    const topology = await start();
    const processes = topology.processes();
    await topology.stop();
    for (const p of processes) {
      expect(await waitFor(() => !isAlive(p.pid!), 3000)).toBe(true);
      expect(await isListening(portOf(p.url!))).toBe(false);
    }
  });

  it('keeps the gateway routing to a killed service, even when the service comes back on another port', async () => {
    const topology = await start();
    const service = topology.processes().find((p) => p.name === 'service:vad')!;
    const oldPort = portOf(service.url!);
    process.kill(service.pid!, 'SIGKILL');
    await waitFor(() => !isAlive(service.pid!), 2000, 5);
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(oldPort, '127.0.0.1', resolve));
    try {
      expect(await waitFor(() => topology.events.filter((e) => e.type === 'ready' && e.process === 'service:vad').length === 2, 8000)).toBe(true);
      const gateway = topology.processes().find((p) => p.name === 'gateway')!;
      const newUrl = topology.adminUrls().vad!;
      expect(portOf(newUrl)).not.toBe(oldPort);
      expect(await waitFor(async () => ((await (await fetch(`${gateway.url}/admin/routes`)).json()) as Record<string, string>).vad === newUrl, 3000)).toBe(true);
      expect(topology.processes().find((p) => p.name === 'service:vad')!.restarts).toBeGreaterThanOrEqual(1);
    } finally {
      squatter.close();
    }
  });

  it('starts an extra version, restarts with new versions, and stops one process', async () => {
    const topology = await start({ variant: 'direct' });
    const extra = await topology.startExtra('service:vad', { suffix: 'v2', versions: { vad: 2 } });
    expect(extra.name).toBe('service:vad#v2');
    expect((await readArgv(extra.url!)).argv).toEqual(expect.arrayContaining(['--model', 'vad', '--version', '2']));
    const before = topology.processes().find((p) => p.name === 'service:tabular')!;
    const after = await topology.restartProcess('service:tabular', { versions: { tabular: 3 } });
    expect(after.url).toBe(before.url);
    expect(after.pid).not.toBe(before.pid);
    expect((await readArgv(after.url!)).argv).toEqual(expect.arrayContaining(['--version', '3']));
    await topology.stopProcess('service:vad#v2');
    expect(await waitFor(() => !isAlive(extra.pid!), 3000)).toBe(true);
    expect(topology.endpoints()).toEqual(topology.adminUrls());
  });

  it('puts each model host into its own cgroup v1 group with the limits, and removes it on stop', async (context) => {
    if (!checkCgroupV1().available) context.skip();
    const topology = await start({ variant: 'direct', memoryLimitBytes: 256 * 1024 * 1024, cpuQuota: 0.5 });
    expect(topology.fairness.limits).toMatchObject({ applied: true, serverWatchdog: false });
    const dirs: string[] = [];
    for (const p of topology.processes()) {
      const line = readFileSync(`/proc/${p.pid}/cgroup`, 'utf8').split('\n').find((l) => /:memory:/.test(l))!;
      const path = `/sys/fs/cgroup/memory${line.split(':')[2]}`;
      expect(path).toMatch(new RegExp(`splitbench-${process.pid}/service_`));
      expect(readFileSync(`${path}/memory.limit_in_bytes`, 'utf8').trim()).toBe(String(256 * 1024 * 1024));
      const cpuLine = readFileSync(`/proc/${p.pid}/cgroup`, 'utf8').split('\n').find((l) => /:cpu:/.test(l))!;
      expect(readFileSync(`/sys/fs/cgroup/cpu${cpuLine.split(':')[2]}/cpu.cfs_quota_us`, 'utf8').trim()).toBe('50000');
      expect((await readArgv(p.url!)).argv).not.toContain('--memory-limit-bytes');
      dirs.push(path);
    }
    await topology.stop();
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
  });
});

describe('cgroup probe', () => {
  it('leaves no splitbench folder behind after checking availability', async (context) => {
    if (!checkCgroupV1().available) context.skip();
    const topology = await start({ variant: 'direct', memoryLimitBytes: 64 * 1024 * 1024 });
    await topology.stop();
    const own = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => /:memory:/.test(l))!.split(':')[2]!;
    expect(existsSync(`/sys/fs/cgroup/memory${own}/splitbench-${process.pid}`)).toBe(false);
    const cpuOwn = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => /:cpu:/.test(l))!.split(':')[2]!;
    expect(existsSync(`/sys/fs/cgroup/cpu${cpuOwn === '/' ? '' : cpuOwn}/splitbench-${process.pid}`)).toBe(false);
  });
});
