import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultStoreDir } from '../../../../models/paths.js';
import { LocalTarget } from '../../../../bench/targets/local/local-target.js';
import type { RunningTopology } from '../../../../bench/targets/types.js';
import { FIXTURE_HARNESS, ROOT, ensureCompiled, isAlive, isListening, makeSpec, portOf, waitFor } from './helpers.js';

const running: RunningTopology[] = [];
const target = new LocalTarget({ stopGraceMs: 3000 });
const LIGHT = ['vad', 'tabular'];

/** A spec for the real servers with the light models. */
function realSpec(overrides: Parameters<typeof makeSpec>[0] = {}): ReturnType<typeof makeSpec> {
  return makeSpec({ storeDir: defaultStoreDir(), models: LIGHT, serverGraceMs: 1000, ...overrides });
}

/** Starts a real topology that the test stops afterwards. */
async function start(overrides: Parameters<typeof makeSpec>[0] = {}): Promise<RunningTopology> {
  const topology = await target.start(realSpec(overrides), { readyTimeoutMs: 45_000 });
  running.push(topology);
  return topology;
}

/** One JSON inference of the tabular model through a base URL; returns the HTTP status. */
async function inferTabular(url: string): Promise<number> {
  const response = await fetch(`${url}/v2/models/tabular/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 32], data: Array.from({ length: 32 }, () => 0.1) }] }),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Every listed process and port is gone. */
async function expectAllGone(pids: number[], ports: number[]): Promise<void> {
  for (const pid of pids) expect(await waitFor(() => !isAlive(pid), 5000), `pid ${pid} still alive`).toBe(true);
  for (const port of ports) expect(await isListening(port), `port ${port} still listening`).toBe(false);
}

beforeAll(() => ensureCompiled(), 120_000);

afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.stop()));
});

describe('LocalTarget with the real servers', () => {
  it('starts and stops monolith single, leaving no process and no listening port', async () => {
    const topology = await start({ kind: 'monolith', variant: 'single' });
    const [monolith] = topology.processes();
    expect(monolith).toMatchObject({ name: 'monolith', models: LIGHT });
    expect(await inferTabular(topology.endpoints().tabular!)).toBe(200);
    await topology.stop();
    await expectAllGone([monolith!.pid!], [portOf(monolith!.url!)]);
  });

  it('starts and stops microservices behind the gateway, leaving no process and no listening port', async () => {
    const topology = await start({ kind: 'microservices', variant: 'gateway', serverCpus: [0] });
    const processes = topology.processes();
    expect(processes.map((p) => p.name)).toEqual(['service:vad', 'service:tabular', 'gateway']);
    expect(await inferTabular(topology.endpoints().tabular!)).toBe(200);
    await topology.stop();
    await expectAllGone(processes.map((p) => p.pid!), processes.map((p) => portOf(p.url!)));
  });

  it('restarts a SIGKILLed service and the gateway keeps routing to it', async () => {
    const topology = await start({ kind: 'microservices', variant: 'gateway' });
    const service = topology.processes().find((p) => p.name === 'service:tabular')!;
    process.kill(service.pid!, 'SIGKILL');
    const readyAgain = (): boolean => topology.events.filter((e) => e.process === 'service:tabular' && e.type === 'ready').length === 2;
    expect(await waitFor(readyAgain, 30_000, 100)).toBe(true);
    const log = topology.events.filter((e) => e.process === 'service:tabular').map((e) => e.type);
    expect(log).toEqual(['spawn', 'ready', 'exit', 'restart', 'spawn', 'ready']);
    expect(topology.events.find((e) => e.type === 'exit')).toMatchObject({ pid: service.pid, signal: 'SIGKILL' });
    expect(topology.processes().find((p) => p.name === 'service:tabular')!.restarts).toBe(1);
    expect(await inferTabular(topology.endpoints().tabular!)).toBe(200);
  });
});

describe('resource limits on the real monolith', () => {
  it('puts the whole monolith into one cgroup v1 group (or falls back to the server watchdog) and cleans up', async () => {
    const limitBytes = 512 * 1024 * 1024;
    const topology = await start({ kind: 'monolith', variant: 'workers', memoryLimitBytes: limitBytes, cpuQuota: 1 });
    const [monolith] = topology.processes();
    const limits = topology.fairness.limits;
    if (!limits.applied) {
      expect(limits).toMatchObject({ serverWatchdog: true });
      expect(readFileSync(`/proc/${monolith!.pid}/cmdline`, 'utf8')).toContain(`--memory-limit-bytes\0${limitBytes}`);
      return;
    }
    const memoryLine = readFileSync(`/proc/${monolith!.pid}/cgroup`, 'utf8').split('\n').find((l) => /:memory:/.test(l))!;
    const dir = `/sys/fs/cgroup/memory${memoryLine.split(':')[2]}`;
    expect(dir).toMatch(/splitbench-\d+\/monolith$/);
    expect(readFileSync(`${dir}/memory.limit_in_bytes`, 'utf8').trim()).toBe(String(limitBytes));
    expect(await inferTabular(topology.endpoints().tabular!)).toBe(200);
    await topology.stop();
    expect(existsSync(dir)).toBe(false);
  });
});

describe('no orphans when the harness dies', () => {
  /** Starts the fixture harness with a real topology and returns it with the server pids and ports. */
  async function startHarness(handlers: boolean) {
    const spec = realSpec({ kind: 'microservices', variant: 'gateway' });
    const harness = execa(process.execPath, [FIXTURE_HARNESS, join(ROOT, 'dist/bench/targets/local/index.js'), JSON.stringify(spec), '-', ...(handlers ? ['--handlers'] : [])], { reject: false, buffer: false, stdout: 'pipe', stderr: 'inherit' });
    const line = await new Promise<string>((resolve, reject) => {
      let text = '';
      harness.stdout!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('\n')) resolve(text.split('\n')[0]!);
      });
      void harness.then(() => reject(new Error('harness exited before printing its pids')));
    });
    const { pids, ports } = JSON.parse(line) as { pids: number[]; ports: number[] };
    expect(pids).toHaveLength(3);
    for (const pid of pids) expect(isAlive(pid)).toBe(true);
    return { harness, pids, ports };
  }

  it('a SIGKILLed harness leaves no server process alive within a few seconds', async () => {
    const { harness, pids, ports } = await startHarness(false);
    harness.kill('SIGKILL');
    await harness;
    await expectAllGone(pids, ports);
  });

  it('SIGINT on a harness with cleanup handlers stops everything and exits 130', async () => {
    const { harness, pids, ports } = await startHarness(true);
    harness.kill('SIGINT');
    const result = await harness;
    expect(result.exitCode).toBe(130);
    await expectAllGone(pids, ports);
  });
});
