import { performance } from 'node:perf_hooks';
import { median } from 'simple-statistics';
import { Client } from 'undici';
import { findModel } from '../../models/catalog.js';
import type { RunConfig } from '../config/run-config.js';
import type { TopologyVariant } from '../config/topologies.js';
import type { Target } from '../targets/types.js';
import { startEndpoint } from '../load/calibrate.js';
import { measureBareInference } from './ceiling.js';
import { buildRequests, inferUrl } from './traffic.js';
import type { EncodedRequest } from '../protocol/encode-request.js';
import { buildTopologySpec } from './topology-spec.js';

/** Served latency of one model over bare session.run, for one topology variant. */
export interface OverheadResult {
  topology: TopologyVariant['topology'];
  variant: TopologyVariant['variant'];
  model: string;
  bareMs: number;
  servedP50Ms: number;
  overheadUs: number;
}

/**
 * Median round trip of back-to-back requests over one keep-alive connection (concurrency 1),
 * timed around each request in this process; the first `warmup` are discarded.
 */
export async function measureSequentialP50Ms(url: string, request: Pick<EncodedRequest, 'body' | 'headers'>, count: number, warmup = 200): Promise<number> {
  const target = new URL(url);
  const client = new Client(target.origin, { keepAliveTimeout: 60_000, pipelining: 1 });
  const durations: number[] = [];
  try {
    for (let i = 0; i < warmup + count; i++) {
      const started = performance.now();
      const response = await client.request({ path: target.pathname, method: 'POST', headers: request.headers, body: request.body });
      await response.body.arrayBuffer();
      if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`);
      if (i >= warmup) durations.push(performance.now() - started);
    }
  } finally {
    await client.close();
  }
  return median(durations);
}

/** Round trip of a trivial node:http endpoint on the server CPUs: the floor any HTTP server pays here. */
export async function measureHttpFloorMs(config: RunConfig): Promise<number> {
  const endpoint = await startEndpoint(config.cpus.servers);
  try {
    return await measureSequentialP50Ms(`${endpoint.url}/floor`, { body: Buffer.from('{}'), headers: { 'content-type': 'application/json' } }, 2000);
  } finally {
    await endpoint.stop();
  }
}

/**
 * Per-request overhead of each topology over bare inference: one model served alone, requests
 * sent back to back over one connection (concurrency 1), p50 served minus median bare session.run.
 */
export async function measureOverhead(config: RunConfig, target: Target, storeDir: string, model: string, onStep: (label: string) => void): Promise<OverheadResult[]> {
  const bare = (await measureBareInference(config, storeDir, [model], 3000))[model]!;
  const spec = findModel(model)!;
  const request = buildRequests([model], config.seed)[model]!;
  const results: OverheadResult[] = [];
  for (const who of config.variants) {
    onStep(`overhead · ${who.topology}/${who.variant} · ${model}`);
    const topology = await target.start(buildTopologySpec(config, storeDir, who, { models: [model] }), { readyTimeoutMs: 60_000 });
    try {
      const p50 = await measureSequentialP50Ms(inferUrl(topology, model), request, 2000);
      results.push({ topology: who.topology, variant: who.variant, model: spec.name, bareMs: bare.medianMs, servedP50Ms: p50, overheadUs: (p50 - bare.medianMs) * 1000 });
    } finally {
      await topology.stop();
    }
  }
  return results;
}
