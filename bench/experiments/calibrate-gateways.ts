import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { findNginx } from '../../serving/gateway/find-nginx.js';
import { describeNginxGateway, describeNodeGateway, readNginxVersion } from '../config/gateway-choice.js';
import type { RunConfig } from '../config/run-config.js';
import type { GatewayImplementation, Target } from '../targets/types.js';
import { findDescendants, readProcessTree } from '../resources/proc-reader.js';
import { measureSequentialP50Ms } from './calibrate-overhead.js';
import { buildTopologySpec } from './topology-spec.js';
import { buildRequests, inferUrl } from './traffic.js';

/** Throughput and cost of one gateway implementation in front of the same services. */
export interface GatewayCalibration {
  implementation: GatewayImplementation;
  label: string;
  models: string[];
  connections: number;
  durationMs: number;
  requests: number;
  errors: number;
  rps: number;
  /** CPU of the gateway process and its descendants (nginx master and worker) per request, in µs. */
  gatewayCpuUsPerRequest: number | null;
  /** p50 of back-to-back requests of the first model over one connection (concurrency 1). */
  sequentialP50Ms: number;
}

/** Gateway implementations installed here: the Node gateway always, nginx when found. */
export function availableGateways(): GatewayImplementation[] {
  return findNginx() === null ? ['node'] : ['node', 'nginx'];
}

/** CPU seconds of a process and its descendants right now (null when it is gone). */
async function readTreeCpuSeconds(pid: number): Promise<number | null> {
  const descendants = (await findDescendants([pid])).get(pid) ?? [];
  return (await readProcessTree(pid, descendants))?.cpuSeconds ?? null;
}

/**
 * Closed loop through the gateway: `connections` clients, each sending the models round-robin back to
 * back for `durationMs`, from this process (the same client for every implementation; the figures
 * compare the gateways with each other, not with the run's generator).
 */
async function driveRoundRobin(urls: string[], requests: ReturnType<typeof buildRequests>, models: string[], connections: number, durationMs: number): Promise<{ requests: number; errors: number; elapsedMs: number }> {
  const origin = new URL(urls[0]!).origin;
  const pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
  let completed = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  try {
    await Promise.all(Array.from({ length: connections }, async (_, client) => {
      for (let i = client; performance.now() < deadline; i++) {
        const model = models[i % models.length]!;
        try {
          const response = await pool.request({ path: new URL(urls[i % models.length]!).pathname, method: 'POST', headers: requests[model]!.headers, body: requests[model]!.body });
          await response.body.arrayBuffer();
          if (response.statusCode === 200) completed++;
          else errors++;
        } catch {
          errors++;
        }
      }
    }));
  } finally {
    await pool.close();
  }
  return { requests: completed, errors, elapsedMs: performance.now() - started };
}

/**
 * Node vs nginx gateway in front of the same services (microservices:gateway with `models`): closed-loop
 * rps at `connections`, gateway CPU per request (process tree), and the p50 at concurrency 1.
 */
export async function measureGateways(config: RunConfig, target: Target, storeDir: string, models: string[], onStep: (label: string) => void, options: { connections?: number; durationMs?: number } = {}): Promise<GatewayCalibration[]> {
  const connections = options.connections ?? 8;
  const durationMs = options.durationMs ?? 3000;
  const requests = buildRequests(models, config.seed);
  const results: GatewayCalibration[] = [];
  for (const implementation of availableGateways()) {
    onStep(`gateway · ${implementation} · ${models.join('+')}`);
    const spec = { ...buildTopologySpec(config, storeDir, { topology: 'microservices', variant: 'gateway' }, { models }), gateway: implementation };
    const topology = await target.start(spec, { readyTimeoutMs: 60_000 });
    try {
      const urls = models.map((model) => inferUrl(topology, model));
      // Warm up first: a cold Node gateway runs its first thousand requests unoptimized, nginx has no JIT to warm.
      await driveRoundRobin(urls, requests, models, connections, Math.min(1000, durationMs));
      const sequentialP50Ms = await measureSequentialP50Ms(urls[0]!, requests[models[0]!]!, 1000);
      const pid = topology.processes().find((p) => p.name === 'gateway')?.pid ?? null;
      const before = pid === null ? null : await readTreeCpuSeconds(pid);
      const run = await driveRoundRobin(urls, requests, models, connections, durationMs);
      const after = pid === null ? null : await readTreeCpuSeconds(pid);
      const cpu = before !== null && after !== null && run.requests > 0 ? ((after - before) / run.requests) * 1e6 : null;
      const nginx = implementation === 'nginx' ? findNginx() : null;
      results.push({
        implementation,
        label: implementation === 'nginx' ? describeNginxGateway(nginx ? readNginxVersion(nginx) : null) : describeNodeGateway(findNginx() === null ? 'auto' : 'node'),
        models: [...models],
        connections,
        durationMs: run.elapsedMs,
        requests: run.requests,
        errors: run.errors,
        rps: run.requests / (run.elapsedMs / 1000),
        gatewayCpuUsPerRequest: cpu,
        sequentialP50Ms,
      });
    } finally {
      await topology.stop();
    }
  }
  return results;
}
