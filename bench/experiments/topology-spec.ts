import type { RunConfig } from '../config/run-config.js';
import type { TopologyVariant } from '../config/topologies.js';
import type { TopologySpec } from '../targets/types.js';

/** Extras some experiments need: fault hooks, a memory limit, a front gateway, pinned versions. */
export interface SpecExtras {
  models?: string[];
  faults?: boolean;
  memoryLimitBytes?: number;
  monolithGateway?: boolean;
  versions?: Record<string, number>;
  restartPolicy?: 'always' | 'never';
}

/** Admin token the harness uses for the servers it starts (they bind to 127.0.0.1 only). */
export const HARNESS_ADMIN_TOKEN = 'splitbench-harness';

/**
 * The one place a topology's spec is built, so both topologies always get the same CPU set,
 * thread budget and limits: the only difference is how models are grouped into processes.
 */
export function buildTopologySpec(config: RunConfig, storeDir: string, { topology, variant }: TopologyVariant, extras: SpecExtras = {}): TopologySpec {
  return {
    kind: topology,
    variant,
    models: extras.models ?? config.models,
    storeDir,
    threads: { intraOp: config.threads.intraOpThreads, interOp: config.threads.interOpThreads, uvThreadpool: config.uvThreadpoolSize },
    ...(config.cpus.servers ? { serverCpus: config.cpus.servers } : {}),
    adminToken: HARNESS_ADMIN_TOKEN,
    faults: extras.faults ?? false,
    ...(extras.memoryLimitBytes ? { memoryLimitBytes: extras.memoryLimitBytes } : {}),
    ...(extras.monolithGateway ? { monolithGateway: true } : {}),
    ...(extras.versions ? { versions: extras.versions } : {}),
    restartPolicy: extras.restartPolicy ?? 'always',
    ...(config.gateway ? { gateway: config.gateway.implementation } : {}),
  };
}
