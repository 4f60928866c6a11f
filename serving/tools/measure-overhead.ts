import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { findModel } from '../../models/catalog.js';
import { compiledEntry, defaultStoreDir } from '../../models/paths.js';
import { loadModel } from '../../models/runtime.js';
import { latestVersion } from '../../models/store.js';

// Measures per-request serving overhead at concurrency 1: HTTP round trip to a `service` minus bare session.run.
const MODEL = process.argv[2] ?? 'vad';
const N = Number(process.argv[3] ?? 3000);
const spec = findModel(MODEL)!;

/** Median of a list. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Times `n` sequential calls, in microseconds each. */
async function timeCalls(n: number, call: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await call();
    times.push((performance.now() - started) * 1000);
  }
  return times;
}

/** Reads a metric's _sum/_count mean (seconds) from Prometheus text. */
function meanOf(text: string, metric: string): number {
  const sum = Number(new RegExp(`${metric}_sum\\{model="${MODEL}"\\} (\\S+)`).exec(text)?.[1]);
  const count = Number(new RegExp(`${metric}_count\\{model="${MODEL}"\\} (\\S+)`).exec(text)?.[1]);
  return sum / count;
}

const store = defaultStoreDir();
const model = await loadModel(spec, store, latestVersion(store, MODEL));
const sample = spec.sampleInputs(1);
await timeCalls(500, () => model.run(sample));
const bare = median(await timeCalls(N, () => model.run(sample)));
await model.release();

const child = spawn('node', [compiledEntry('microservices/service'), '--model', MODEL], { stdio: ['ignore', 'pipe', 'inherit'] });
const ready = await new Promise<{ url: string }>((resolve) => createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line) as { url: string })));
const pool = new Pool(ready.url, { connections: 1 });
const body = JSON.stringify({ inputs: sample.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, data: Array.from(t.data as ArrayLike<number | bigint>, Number) })) });
const request = async () => {
  const answer = await pool.request({ method: 'POST', path: `/v2/models/${MODEL}/infer`, body, headers: { 'content-type': 'application/json' } });
  await answer.body.text();
};
const header = Buffer.from(JSON.stringify({ inputs: sample.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, parameters: { binary_data_size: t.data.byteLength } })) }));
const binary = Buffer.concat([header, ...sample.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))]);
const binaryRequest = async () => {
  const answer = await pool.request({ method: 'POST', path: `/v2/models/${MODEL}/infer`, body: binary, headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.byteLength) } });
  await answer.body.arrayBuffer();
};
await timeCalls(500, request);
const http = median(await timeCalls(N, request));
await timeCalls(200, binaryRequest);
const httpBinary = median(await timeCalls(N, binaryRequest));
const metrics = await (await pool.request({ method: 'GET', path: '/metrics' })).body.text();
const serverSide = (meanOf(metrics, 'splitbench_request_duration_seconds') - meanOf(metrics, 'splitbench_inference_duration_seconds')) * 1e6;
await pool.close();
child.kill('SIGTERM');
console.log(JSON.stringify({ model: MODEL, n: N, bareRunMedianUs: Math.round(bare), httpMedianUs: Math.round(http), jsonOverheadMedianUs: Math.round(http - bare), httpBinaryMedianUs: Math.round(httpBinary), binaryOverheadMedianUs: Math.round(httpBinary - bare), serverSideMeanOverheadUsBothEncodings: Math.round(serverSide) }));
