import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findModel } from '../../models/catalog.js';
import { prepareStore, publishVersion } from '../../models/publish.js';
import { admin, infer, TOKEN } from './support/requests.js';
import { startServer, type RunningServer } from './support/servers.js';

// Metadata, health and metrics endpoints, plus hot reload from a temporary store on both backends.
const store = mkdtempSync(join(tmpdir(), 'splitbench-store-'));
const specs = [findModel('tabular')!, findModel('vad')!];
const servers: Record<string, RunningServer> = {};

beforeAll(async () => {
  prepareStore(store, specs);
  const common = ['--models', 'tabular,vad', '--store', store, '--admin-token', TOKEN];
  const [single, workers] = await Promise.all([
    startServer('monolith/main', [...common, '--variant', 'single']),
    startServer('monolith/main', [...common, '--variant', 'workers']),
  ]);
  servers.single = single;
  servers.workers = workers;
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.stop()));
  rmSync(store, { recursive: true, force: true });
});

describe('metadata, health and metrics', () => {
  it('answers health, server and model metadata', async () => {
    const url = servers.single!.url;
    expect((await fetch(`${url}/v2/health/live`)).status).toBe(200);
    expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200);
    expect((await fetch(`${url}/v2/models/vad/ready`)).status).toBe(200);
    expect((await fetch(`${url}/v2/models/nope/ready`)).status).toBe(404);
    expect(((await (await fetch(`${url}/v2`)).json()) as { extensions: string[] }).extensions).toContain('binary_tensor_data');
    const metadata = (await (await fetch(`${url}/v2/models/vad`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ name: 'vad', versions: ['1'], platform: 'onnxruntime_onnx' });
    expect(metadata.inputs).toEqual(findModel('vad')!.inputs);
    expect(metadata.outputs).toEqual(findModel('vad')!.outputs);
  });

  it('exposes Prometheus metrics with per-model counters and histograms', async () => {
    const url = servers.single!.url;
    await infer(url, 'vad');
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/splitbench_requests_total\{model="vad",code="200"\} \d+/);
    expect(text).toMatch(/splitbench_request_duration_seconds_bucket\{le="[^"]+",model="vad"\}/);
    expect(text).toMatch(/splitbench_inference_duration_seconds_count\{model="vad"\} \d+/);
    expect(text).toMatch(/process_resident_memory_bytes/);
  });

  it('guards admin routes with the token', async () => {
    const response = await fetch(`${servers.single!.url}/v2/repository/models/tabular/load`, { method: 'POST', body: '{"parameters":{"version":1}}' });
    expect(response.status).toBe(401);
    expect((await admin(`${servers.single!.url}/admin/faults`, 'POST', { model: 'vad', kind: 'error' })).status).toBe(403);
  });
});

describe('hot reload', () => {
  it('loads a new version in process on both backends, and a corrupt one fails with the old still serving', async () => {
    const good = publishVersion(store, specs[0]!);
    const bad = publishVersion(store, specs[0]!, { corrupt: true });
    for (const [variant, server] of Object.entries(servers)) {
      const before = await infer(server.url, 'tabular');
      expect(before.version).toBe('1');
      const loaded = await admin(`${server.url}/v2/repository/models/tabular/load`, 'POST', { parameters: { version: good.version } });
      expect(loaded.status, variant).toBe(200);
      expect(loaded.body).toMatchObject({ name: 'tabular', version: good.version, bytes: good.bytes });
      const after = await infer(server.url, 'tabular', 'binary');
      expect(after.version).toBe(String(good.version));
      expect(after.outputs[0]!.data).not.toEqual(before.outputs[0]!.data);
      expect(((await (await fetch(`${server.url}/v2/models/tabular`)).json()) as { versions: string[] }).versions).toEqual([String(good.version)]);
      const failed = await admin(`${server.url}/v2/repository/models/tabular/load`, 'POST', { parameters: { version: bad.version } });
      expect(failed.status, variant).toBe(500);
      expect(String(failed.body.error)).toMatch(new RegExp(`version ${bad.version}.*failed to load.*version ${good.version} keeps serving`));
      expect((await infer(server.url, 'tabular')).version).toBe(String(good.version));
      const missing = await admin(`${server.url}/v2/repository/models/tabular/load`, 'POST', { parameters: { version: 99 } });
      expect(missing.status).toBe(404);
      expect((await admin(`${server.url}/v2/repository/models/tabular/load`, 'POST', { parameters: {} })).status).toBe(400);
      expect((await infer(server.url, 'vad')).version).toBe('1');
    }
  });
});
