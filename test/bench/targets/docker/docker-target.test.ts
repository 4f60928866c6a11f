import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findModel } from '../../../../models/catalog.js';
import { defaultStoreDir } from '../../../../models/paths.js';
import { encodeInferRequest } from '../../../../bench/protocol/encode-request.js';
import { LocalTarget } from '../../../../bench/targets/local/local-target.js';
import type { RunningTopology, TopologySpec } from '../../../../bench/targets/types.js';
import { DockerTarget, type DockerTopology } from '../../../../bench/targets/docker/docker-target.js';
import { connectEngine, RUN_LABEL } from '../../../../bench/targets/docker/engine.js';
import { demuxLogs } from '../../../../bench/targets/docker/engine-helpers.js';
import { buildRuntimeImage, IMAGE_NGINX_LABEL } from '../../../../bench/targets/docker/image.js';
import { fitGatewayToTarget } from '../../../../bench/config/gateway-choice.js';
import { findNginx } from '../../../../serving/gateway/find-nginx.js';
import { ensureCompiled, ROOT, waitFor } from '../local/helpers.js';

const engine = await connectEngine(2000).catch(() => null);
if (!engine) console.log(`docker target tests skipped: no Docker Engine at ${process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'} (set DOCKER_HOST; .ci/run starts a private dockerd)`);

const LIGHT = ['tabular', 'vad'];
const TOKEN = 'docker-test-token';
const running: RunningTopology[] = [];
let image = '';
/** nginx inside the runtime image (the host's, when installed). */
let imageNginx: string | null = null;
/** The gateway the gateway variant asks for: nginx where the host (so the image) has it, as locally. */
const GATEWAY = findNginx() === null ? 'node' : 'nginx';

/** A spec for the real servers with the light models. */
function spec(overrides: Partial<TopologySpec> = {}): TopologySpec {
  return { kind: 'monolith', variant: 'single', models: LIGHT, storeDir: defaultStoreDir(), threads: { intraOp: 1, interOp: 1, uvThreadpool: 2 }, restartPolicy: 'always', serverGraceMs: 1000, adminToken: TOKEN, faults: true, ...overrides };
}

/** Starts a topology that the test stops afterwards. */
async function start<T extends RunningTopology>(target: { start(s: TopologySpec, o?: { readyTimeoutMs?: number }): Promise<T> }, overrides: Partial<TopologySpec> = {}): Promise<T> {
  const topology = await target.start(spec(overrides), { readyTimeoutMs: 90_000 });
  running.push(topology);
  if ('runId' in topology && typeof topology.runId === 'string') startedRuns.push(topology.runId);
  return topology;
}

/** Infers a model's seeded sample through a base URL; returns status and the outputs. */
async function infer(url: string, model: string): Promise<{ status: number; outputs: unknown }> {
  const request = encodeInferRequest(findModel(model)!.sampleInputs(7), 'json');
  const response = await fetch(`${url}/v2/models/${model}/infer`, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(10_000) });
  const body = (await response.json()) as { outputs?: unknown };
  return { status: response.status, outputs: body.outputs };
}

/** The Server header of an infer answer through a base URL (nginx names itself; the Node gateway sends none). */
async function serverHeader(url: string, model: string): Promise<string | null> {
  const request = encodeInferRequest(findModel(model)!.sampleInputs(7), 'json');
  const response = await fetch(`${url}/v2/models/${model}/infer`, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(10_000) });
  await response.arrayBuffer();
  return response.headers.get('server');
}

/** The ready line a container printed (its first JSON line on stdout). */
async function readyLine(containerId: string): Promise<Record<string, unknown>> {
  const raw = (await engine!.getContainer(containerId).logs({ stdout: true, stderr: false, follow: false })) as unknown as Buffer;
  const line = demuxLogs(raw).split('\n').find((l) => l.startsWith('{"event":"ready"'));
  return line ? (JSON.parse(line) as Record<string, unknown>) : {};
}

/** Arms a fault on the process hosting a model. */
async function armFault(topology: RunningTopology, model: string, fault: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${topology.adminUrls()[model]}/admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-splitbench-token': TOKEN }, body: JSON.stringify({ model, ...fault }) });
  expect(response.status).toBe(200);
}

/** Ids of the containers the engine holds with a splitbench run label (only those of the given runs or ports when given). */
async function labelledContainers(only: { runIds?: string[]; ports?: number[] } = {}): Promise<string[]> {
  const all = await engine!.listContainers({ all: true, filters: { label: [RUN_LABEL] } });
  return all
    .filter((c) => !only.runIds || only.runIds.includes(c.Labels[RUN_LABEL] ?? ''))
    .filter((c) => !only.ports || only.ports.some((port) => c.Command.includes(`--port ${port}`)))
    .map((c) => c.Id);
}

const startedRuns: string[] = [];

describe.skipIf(!engine)('DockerTarget on a real engine', () => {
  beforeAll(async () => {
    ensureCompiled();
    const built = await buildRuntimeImage(engine!);
    image = built.tag;
    imageNginx = built.nginx;
    expect(imageNginx, 'the image holds nginx exactly when the host has it').toBe(findNginx());
  }, 300_000);

  afterEach(async () => {
    await Promise.all(running.splice(0).map((t) => t.stop()));
  }, 60_000);

  afterAll(async () => {
    expect(await labelledContainers({ runIds: startedRuns })).toEqual([]);
  });

  it('runs the monolith and the gateway topology as one container per process, serving the same outputs as local processes', async () => {
    const docker = new DockerTarget({ image, healthIntervalMs: 1000 });
    const monolith = await start(docker, { kind: 'monolith', variant: 'single' });
    const micro = await start(docker, { kind: 'microservices', variant: 'gateway', gateway: GATEWAY });
    const local = await start(new LocalTarget({ stopGraceMs: 3000 }), { kind: 'monolith', variant: 'single' });
    expect(micro.fairness.gateway, 'the gateway that serves in the container is the one local runs use').toBe(GATEWAY);
    expect((await readyLine(micro.containers().gateway!)).gateway).toBe(GATEWAY === 'nginx' ? 'nginx' : undefined);
    if (GATEWAY === 'nginx') expect(await serverHeader(micro.endpoints().tabular!, 'tabular')).toBe('nginx');
    expect(Object.keys(monolith.containers())).toEqual(['monolith']);
    expect(Object.keys(micro.containers()).sort()).toEqual(['gateway', 'service:tabular', 'service:vad']);
    for (const model of LIGHT) {
      const expected = await infer(local.endpoints()[model]!, model);
      expect(expected.status).toBe(200);
      expect(await infer(monolith.endpoints()[model]!, model)).toEqual(expected);
      expect(await infer(micro.endpoints()[model]!, model)).toEqual(expected);
    }
    for (const p of micro.processes()) expect(readFileSync(`/proc/${p.pid}/cmdline`, 'utf8'), `pid of ${p.name} is its node server`).toContain('/app/dist/');
    const healthy = (): string[] => micro.engineEvents.filter((e) => e.action === 'health_status' && e.status === 'healthy').map((e) => e.process ?? '');
    expect(await waitFor(() => new Set(healthy()).size === 3, 30_000), 'the engine HEALTHCHECK (GET /v2/health/ready) reports every container healthy').toBe(true);
    const ids = Object.values(micro.containers());
    await micro.stop();
    const left = await labelledContainers({ runIds: [micro.runId] });
    expect(ids.filter((id) => left.includes(id))).toEqual([]);
  }, 240_000);

  it('leaves the other services up when one crashes, and the engine restarts it (events from the engine)', async () => {
    const topology = await start(new DockerTarget({ image }), { kind: 'microservices', variant: 'direct' });
    await armFault(topology, 'vad', { kind: 'crash' });
    await infer(topology.endpoints().vad!, 'vad').catch(() => undefined);
    expect(await waitFor(() => topology.events.some((e) => e.process === 'service:vad' && e.type === 'ready' && topology.events.some((x) => x.type === 'exit' && x.atMs < e.atMs)), 60_000)).toBe(true);
    const exit = topology.events.find((e) => e.type === 'exit')!;
    expect(exit).toMatchObject({ process: 'service:vad', code: 134, signal: 'SIGABRT' });
    expect(topology.events.filter((e) => e.type === 'exit').map((e) => e.process)).toEqual(['service:vad']);
    expect(topology.events.find((e) => e.type === 'restart')?.detail).toMatch(/engine restart policy/);
    expect(topology.engineEvents.filter((e) => e.action === 'die').map((e) => e.process)).toEqual(['service:vad']);
    expect(topology.processes().find((p) => p.name === 'service:vad')?.restarts).toBe(1);
    expect((await infer(topology.endpoints().vad!, 'vad')).status).toBe(200);
  }, 180_000);

  it('ends a leak fault in the engine OOM kill of the container hosting the model', async () => {
    const topology: DockerTopology = await start(new DockerTarget({ image }), { kind: 'microservices', variant: 'direct', memoryLimitBytes: 256 * 1024 * 1024 });
    await armFault(topology, 'tabular', { kind: 'leak', bytesPerRequest: 32 * 1024 * 1024 });
    const url = topology.endpoints().tabular!;
    const died = await waitFor(async () => {
      await infer(url, 'tabular').catch(() => undefined);
      return topology.events.some((e) => e.type === 'exit');
    }, 60_000, 10);
    expect(died).toBe(true);
    expect(await waitFor(() => topology.engineEvents.some((e) => e.action === 'oom'), 5000)).toBe(true);
    expect(topology.engineEvents.find((e) => e.action === 'oom')?.process).toBe('service:tabular');
    const exit = topology.events.find((e) => e.type === 'exit')!;
    expect(exit).toMatchObject({ process: 'service:tabular', code: 137, signal: 'SIGKILL' });
    expect(exit.detail).toMatch(/OOM/);
  }, 180_000);

  it('redeploys by recreate (stop, start the new container) and rolling (start new, switch the gateway, stop old)', async () => {
    const topology = await start(new DockerTarget({ image }), { kind: 'microservices', variant: 'gateway', gateway: GATEWAY });
    expect(topology.fairness.gateway).toBe(GATEWAY);
    const before = topology.containers()['service:tabular'];
    const recreated = await topology.restartProcess('service:tabular', { versions: { tabular: 1 } });
    expect(recreated.restarts).toBe(1);
    expect(topology.containers()['service:tabular']).not.toBe(before);
    expect(topology.events.filter((e) => e.process === 'service:tabular').map((e) => e.type)).toEqual(['spawn', 'ready', 'stop', 'restart', 'spawn', 'ready']);
    expect((await infer(topology.endpoints().tabular!, 'tabular')).status).toBe(200);

    const fresh = await topology.startExtra('service:tabular', { suffix: 'v2', versions: { tabular: 1 } });
    expect(fresh.url).not.toBe(recreated.url);
    await topology.setRoute('tabular', fresh.url!);
    await topology.stopProcess('service:tabular');
    expect(Object.keys(topology.containers()).sort()).toEqual(['gateway', 'service:tabular#v2', 'service:vad']);
    expect((await infer(topology.endpoints().tabular!, 'tabular')).status).toBe(200);
    if (GATEWAY === 'nginx') expect(await serverHeader(topology.endpoints().tabular!, 'tabular'), 'the switched route is served by nginx').toBe('nginx');

    // The engine restarts a crashed gateway with its creation flags; the target puts the switched route back.
    // (A kill through the engine API counts as a manual stop, so the gateway's node process is killed from the host.)
    process.kill(topology.processes().find((p) => p.name === 'gateway')!.pid!, 'SIGKILL');
    expect(await waitFor(() => topology.events.some((e) => e.process === 'gateway' && e.type === 'ready' && topology.events.some((x) => x.process === 'gateway' && x.type === 'exit' && x.atMs < e.atMs)), 60_000)).toBe(true);
    expect(await waitFor(async () => (await infer(topology.endpoints().tabular!, 'tabular').catch(() => ({ status: 0 }))).status === 200, 10_000, 200)).toBe(true);
  }, 180_000);

  it.skipIf(findNginx() === null)('falls back to the Node gateway on an image without nginx, and the record says so', async () => {
    // Same rootfs, label cleared: the target must trust the label, not guess.
    const created = await engine!.createContainer({ Image: image, Cmd: ['-e', '0'] });
    const bare = 'splitbench-test-no-nginx:latest';
    try {
      await created.commit({ repo: 'splitbench-test-no-nginx', tag: 'latest', changes: `LABEL ${IMAGE_NGINX_LABEL}=""` });
      const target = new DockerTarget({ image: bare });
      expect(await target.servingGateway('nginx')).toBe('node');
      expect(await new DockerTarget({ image }).servingGateway('nginx')).toBe('nginx');
      const selection = { requested: 'auto', implementation: 'nginx', nginxVersion: 'nginx/1', label: 'nginx/1' } as const;
      expect(await fitGatewayToTarget(selection, target)).toMatchObject({ implementation: 'node', nginxVersion: null, label: expect.stringMatching(/Node gateway.*no(ne| nginx)/) });
      expect(await fitGatewayToTarget(selection, new DockerTarget({ image }))).toEqual(selection);
      const topology = await start(target, { kind: 'microservices', variant: 'gateway', gateway: 'nginx' });
      expect(topology.fairness.gateway).toBe('node');
      expect((await readyLine(topology.containers().gateway!)).gateway).toBeUndefined();
      expect(await serverHeader(topology.endpoints().vad!, 'vad')).toBeNull();
      expect((await infer(topology.endpoints().vad!, 'vad')).status).toBe(200);
      await topology.stop();
    } finally {
      await created.remove({ force: true }).catch(() => undefined);
      await engine!.getImage(bare).remove().catch(() => undefined);
    }
  }, 180_000);

  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    it(`leaves no container behind after the harness gets ${signal}`, async () => {
      const child = execa('node', ['dist/bench/cli/main.js', 'serve', 'microservices', '--target', 'docker', '--models', LIGHT.join(','), '--json'], { cwd: ROOT, reject: false, env: { DOCKER_HOST: process.env.DOCKER_HOST } });
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      expect(await waitFor(() => out.includes('\n'), 120_000, 100)).toBe(true);
      const served = JSON.parse(out.split('\n')[0]!) as { processes: { url: string }[] };
      const ports = served.processes.map((p) => Number(new URL(p.url).port));
      const mine = await labelledContainers({ ports });
      expect(mine).toHaveLength(3);
      child.kill(signal);
      await child;
      expect(await waitFor(async () => (await labelledContainers({ ports })).length === 0, 30_000, 200)).toBe(true);
    }, 200_000);
  }
});
