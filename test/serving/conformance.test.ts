import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findModel } from '../../models/catalog.js';
import { startServer, type RunningServer } from './support/servers.js';

// KServe v2 / Triton client conformance: server metadata, versioned routes, nested `data`, and the
// binary_data output parameter, on a monolith, a single-model service and the Node gateway in front of both.
const servers: Record<string, RunningServer> = {};
const TABULAR = findModel('tabular')!;
const VAD = findModel('vad')!;

beforeAll(async () => {
  const [monolith, service] = await Promise.all([
    startServer('monolith/main', ['--models', 'tabular,vad', '--variant', 'single']),
    startServer('microservices/service', ['--model', 'tabular']),
  ]);
  servers.monolith = monolith;
  servers.service = service;
  servers.gateway = await startServer('microservices/gateway', ['--route', `tabular=${service.url}`, '--route', `vad=${monolith.url}`]);
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.stop()));
});

/** The sample input of a model as plain JSON request inputs (flat data). */
function flatInputs(model: typeof TABULAR, seed = 3): Array<{ name: string; datatype: string; shape: number[]; data: number[] }> {
  return model.sampleInputs(seed).map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, data: Array.from(t.data as ArrayLike<number | bigint>, Number) }));
}

/** Nests flat row-major data by a shape, as a client holding a multi-dimensional array sends it. */
function nest(data: number[], shape: number[]): unknown {
  if (shape.length <= 1) return data;
  const [, ...rest] = shape;
  const size = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0]! }, (_, i) => nest(data.slice(i * size, (i + 1) * size), rest));
}

/** POSTs a JSON body and returns status, headers and raw bytes. */
async function post(url: string, body: unknown): Promise<{ status: number; headers: Headers; bytes: Buffer; json: () => Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, bytes, json: () => JSON.parse(bytes.toString()) as Record<string, unknown> };
}

/** GETs a URL and returns status and JSON body. */
async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The server still serves: ready, and a plain inference answers 200. */
async function expectStillServing(base: string, model: string): Promise<void> {
  expect((await get(`${base}/v2/health/ready`)).status).toBe(200);
  expect((await post(`${base}/v2/models/${model}/infer`, { inputs: flatInputs(findModel(model)!) })).status).toBe(200);
}

describe.each(['monolith', 'service', 'gateway'])('KServe v2 conformance on the %s', (role) => {
  const base = () => servers[role]!.url;
  // The service hosts tabular only; the gateway routes vad to the monolith.
  const vadBase = () => (role === 'service' ? servers.monolith!.url : base());

  it('answers GET /v2 with server metadata {name, version, extensions}', async () => {
    const { status, body } = await get(`${base()}/v2`);
    expect(status).toBe(200);
    expect(typeof body.name).toBe('string');
    expect(typeof body.version).toBe('string');
    expect(body.extensions).toContain('binary_tensor_data');
  });

  it('serves metadata, readiness and inference under /versions/{loaded version}', async () => {
    const meta = await get(`${base()}/v2/models/tabular/versions/1`);
    expect(meta.status).toBe(200);
    expect(meta.body).toMatchObject({ name: 'tabular', versions: ['1'], platform: 'onnxruntime_onnx', inputs: TABULAR.inputs, outputs: TABULAR.outputs });
    expect(await get(`${base()}/v2/models/tabular/versions/1/ready`)).toEqual({ status: 200, body: { name: 'tabular', ready: true } });
    const versioned = await post(`${base()}/v2/models/tabular/versions/1/infer`, { inputs: flatInputs(TABULAR) });
    const plain = await post(`${base()}/v2/models/tabular/infer`, { inputs: flatInputs(TABULAR) });
    expect(versioned.status).toBe(200);
    expect(versioned.json()).toEqual(plain.json());
    expect(versioned.json().model_version).toBe('1');
  });

  it('answers a version that is not loaded with 404 JSON naming the loaded version, on every versioned route', async () => {
    for (const [method, path] of [['GET', ''], ['GET', '/ready'], ['POST', '/infer']] as const) {
      const response = await fetch(`${base()}/v2/models/tabular/versions/7${path}`, { method, ...(method === 'POST' ? { body: JSON.stringify({ inputs: flatInputs(TABULAR) }) } : {}) });
      expect(response.status, `${method} versions/7${path}`).toBe(404);
      expect(((await response.json()) as { error: string }).error).toMatch(/no version "7" loaded; loaded version\(s\): 1/);
    }
    await expectStillServing(base(), 'tabular');
  });

  it('accepts row-major nested data and answers exactly as for flat data', async () => {
    const flat = flatInputs(VAD);
    const nested = flat.map((input) => ({ ...input, data: nest(input.data, input.shape) }));
    expect(nested.find((i) => i.name === 'h')!.data).toHaveLength(2);
    const a = await post(`${vadBase()}/v2/models/vad/infer`, { inputs: nested });
    const b = await post(`${vadBase()}/v2/models/vad/infer`, { inputs: flat });
    expect(a.status).toBe(200);
    expect(a.json().outputs).toEqual(b.json().outputs);
    const tabular = flatInputs(TABULAR).map((input) => ({ ...input, data: nest(input.data, input.shape) }));
    expect((await post(`${base()}/v2/models/tabular/infer`, { inputs: tabular })).status).toBe(200);
  });

  it('rejects nested data that does not match the shape with 400 naming the expected shape, and keeps serving', async () => {
    const [features] = flatInputs(TABULAR);
    const cases = [
      [[1, 2], [3, 4]],
      [features!.data.slice(0, 16), features!.data.slice(16)],
      [[...features!.data.slice(0, 31), [1]]],
      [features!.data.slice(0, 31)],
    ];
    for (const data of cases) {
      const answer = await post(`${base()}/v2/models/tabular/infer`, { inputs: [{ ...features, data }] });
      expect(answer.status, JSON.stringify(data).slice(0, 60)).toBe(400);
      expect(answer.json().error).toMatch(/nested "data" does not match shape \[1,32\]/);
    }
    await expectStillServing(base(), 'tabular');
  });

  it('returns outputs marked binary_data in the binary extension format for a JSON request', async () => {
    const inputs = flatInputs(VAD);
    const json = (await post(`${vadBase()}/v2/models/vad/infer`, { inputs })).json() as { outputs: Array<{ name: string; data: number[] }> };
    const answer = await post(`${vadBase()}/v2/models/vad/infer`, { inputs, outputs: [{ name: 'output', parameters: { binary_data: true } }, { name: 'hn' }] });
    expect(answer.status).toBe(200);
    const headerLength = Number(answer.headers.get('inference-header-content-length'));
    expect(headerLength).toBeGreaterThan(0);
    const header = JSON.parse(answer.bytes.subarray(0, headerLength).toString()) as { model_version: string; outputs: Array<{ name: string; datatype: string; shape: number[]; data?: number[]; parameters?: { binary_data_size: number } }> };
    expect(header.outputs.map((o) => o.name)).toEqual(['output', 'hn']);
    expect(header.outputs[0]).toMatchObject({ datatype: 'FP32', shape: [1, 1], parameters: { binary_data_size: 4 } });
    expect(header.outputs[0]!.data).toBeUndefined();
    expect(header.outputs[1]!.data).toEqual(json.outputs.find((o) => o.name === 'hn')!.data);
    expect(answer.bytes.byteLength).toBe(headerLength + 4);
    const value = new Float32Array(new Uint8Array(answer.bytes.subarray(headerLength)).buffer)[0];
    expect(value).toBe(json.outputs.find((o) => o.name === 'output')!.data[0]);
  });

  it('returns every output as binary with the request-level binary_data_output, unless an output says otherwise', async () => {
    const answer = await post(`${base()}/v2/models/tabular/versions/1/infer`, { inputs: flatInputs(TABULAR), parameters: { binary_data_output: true } });
    const headerLength = Number(answer.headers.get('inference-header-content-length'));
    const header = JSON.parse(answer.bytes.subarray(0, headerLength).toString()) as { outputs: Array<{ name: string; parameters?: { binary_data_size: number } }> };
    expect(header.outputs).toEqual([{ name: 'score', datatype: 'FP32', shape: [1, 1], parameters: { binary_data_size: 4 } }]);
    expect(answer.bytes.byteLength).toBe(headerLength + 4);
    const overridden = await post(`${base()}/v2/models/tabular/infer`, { inputs: flatInputs(TABULAR), parameters: { binary_data_output: true }, outputs: [{ name: 'score', parameters: { binary_data: false } }] });
    expect(overridden.headers.get('inference-header-content-length')).toBeNull();
    expect((overridden.json().outputs as Array<{ data: number[] }>)[0]!.data).toHaveLength(1);
  });

  it('rejects binary_data on an unknown output or with a non-boolean value with 400 JSON, and keeps serving', async () => {
    const unknown = await post(`${base()}/v2/models/tabular/infer`, { inputs: flatInputs(TABULAR), outputs: [{ name: 'nope', parameters: { binary_data: true } }] });
    expect(unknown.status).toBe(400);
    expect(unknown.json().error).toMatch(/unknown output "nope"; model "tabular" has outputs: score/);
    const notBoolean = await post(`${base()}/v2/models/tabular/infer`, { inputs: flatInputs(TABULAR), outputs: [{ name: 'score', parameters: { binary_data: 'yes' } }] });
    expect(notBoolean.status).toBe(400);
    expect(notBoolean.json().error).toMatch(/parameters.binary_data must be true or false; got "yes"/);
    const badLevel = await post(`${base()}/v2/models/tabular/infer`, { inputs: flatInputs(TABULAR), parameters: { binary_data_output: 1 } });
    expect(badLevel.status).toBe(400);
    expect(badLevel.json().error).toMatch(/binary_data_output must be true or false/);
    await expectStillServing(base(), 'tabular');
  });
});
