/**
 * The deployment plan: one description of a topology's processes that every target reads (local
 * processes, Docker containers, Kubernetes manifests). Targets only decide how to run it.
 */
import type { ProcessName, ThreadBudget, TopologyKind, TopologySpec, Variant } from './types.js';

/** Which gateway implementation fronts the topology (nginx where installed; node is the fallback). */
export type GatewayImplementation = NonNullable<TopologySpec['gateway']>;

/** Role of a planned process: which compiled server it runs. */
export type ProcessRole = 'monolith' | 'service' | 'gateway';

/** How a process is replaced during a redeploy. */
export type RolloutStrategy = 'recreate' | 'rolling';

/** Entry points relative to the project root, so every target can place the checkout where it likes. */
export const ROLE_ENTRIES: Readonly<Record<ProcessRole, string>> = {
  monolith: 'dist/monolith/main.js',
  service: 'dist/microservices/service.js',
  gateway: 'dist/microservices/gateway.js',
};

/** Entry point of each gateway implementation (the nginx one is a launcher that runs nginx). */
export const GATEWAY_ENTRIES: Readonly<Record<GatewayImplementation, string>> = {
  node: 'dist/microservices/gateway.js',
  nginx: 'dist/microservices/nginx-gateway.js',
};

/** OIP health endpoints every server answers (readiness = every model loaded and warmed). */
export const HEALTH_PATHS = { live: '/v2/health/live', ready: '/v2/health/ready' } as const;

/** Host every server binds (the host network here; 127.0.0.1 only). */
export const SERVER_HOST = '127.0.0.1';

/** Default --grace-ms of the servers. */
export const DEFAULT_SERVER_GRACE_MS = 5000;

/** One process of a topology, as every target starts it. */
export interface PlannedProcess {
  name: ProcessName;
  role: ProcessRole;
  models: string[];
  /** Compiled entry point relative to the project root (run with node). */
  entry: string;
  /** Server flags without --port (model-hosting processes) or without --route (gateway: see `upstreams`). */
  args: string[];
  /** Port to bind; 0 = any (the local default); containers get a fixed one from their target. */
  port: number;
  health: { live: string; ready: string };
  /** CPUs the process is pinned to, or null for no pinning. */
  cpus: number[] | null;
  /** CPU quota in CPUs, or null. */
  cpuQuota: number | null;
  /** Memory limit in bytes, or null (gateways are never limited: they hold no model). */
  memoryLimitBytes: number | null;
  env: Record<string, string>;
  restartPolicy: 'always' | 'never';
  rollout: RolloutStrategy;
  /** Gateway only: model → name of the planned process serving it (targets turn it into --route flags). */
  upstreams: Record<string, ProcessName>;
}

/** A whole topology as a list of processes plus the settings they share. */
export interface DeploymentPlan {
  kind: TopologyKind;
  variant: Variant;
  models: string[];
  threads: ThreadBudget;
  /** The gateway implementation, or null when the topology has no gateway. */
  gateway: GatewayImplementation | null;
  /** Token of the gateway's admin API (null without a gateway). */
  gatewayAdminToken: string | null;
  storeDir: string;
  processes: PlannedProcess[];
}

/** Options that are a target's business rather than the spec's. */
export interface PlanOptions {
  /** Token the gateway's admin API accepts when the spec has none (default: "splitbench-gateway"). */
  gatewayToken?: string;
  /** True when the servers' own RSS watchdog must enforce the memory limit (no cgroup limit available). */
  serverWatchdog?: boolean;
  /** Rollout strategy of the model-hosting processes (default: rolling when a gateway fronts them). */
  rollout?: RolloutStrategy;
}

/** True when a gateway fronts the topology. */
export function hasGateway(spec: TopologySpec): boolean {
  return spec.kind === 'microservices' ? spec.variant === 'gateway' : spec.monolithGateway === true;
}

/** The gateway implementation the spec asks for (node when absent). */
export function gatewayImplementation(spec: TopologySpec): GatewayImplementation | null {
  if (!hasGateway(spec)) return null;
  return spec.gateway ?? 'node';
}

/** Flags of a model-hosting process (the same for both topologies: fairness); no --port. */
export function buildHostArgs(spec: TopologySpec, role: 'monolith' | 'service', models: string[], versions: Record<string, number>, options: { serverWatchdog?: boolean } = {}): string[] {
  const args = ['--host', SERVER_HOST, '--store', spec.storeDir, '--intra-op-threads', String(spec.threads.intraOp), '--inter-op-threads', String(spec.threads.interOp), '--grace-ms', String(spec.serverGraceMs ?? DEFAULT_SERVER_GRACE_MS)];
  if (spec.adminToken) args.push('--admin-token', spec.adminToken);
  if (spec.faults) args.push('--faults');
  if (spec.runtime !== undefined) args.push('--runtime', spec.runtime);
  if (options.serverWatchdog && spec.memoryLimitBytes !== undefined) args.push('--memory-limit-bytes', String(spec.memoryLimitBytes));
  if (role === 'monolith') {
    args.push('--variant', spec.variant, '--models', models.join(','));
    for (const model of models) {
      const version = versions[model];
      if (version !== undefined) args.push('--version', `${model}=${version}`);
      const runtime = spec.modelRuntimes?.[model];
      if (runtime !== undefined) args.push('--model-runtime', `${model}=${runtime}`);
    }
  } else {
    args.push('--model', models[0]!);
    const version = versions[models[0]!];
    if (version !== undefined) args.push('--version', String(version));
    const runtime = spec.modelRuntimes?.[models[0]!];
    if (runtime !== undefined) args.push('--runtime', runtime);
  }
  return args;
}

/** Flags of the gateway without its --route flags; no --port. `nginxPath`: the nginx binary the nginx launcher runs. */
export function buildGatewayArgs(spec: TopologySpec, token: string, nginxPath: string | null = null): string[] {
  const args = ['--host', SERVER_HOST, '--admin-token', token, '--grace-ms', String(spec.serverGraceMs ?? DEFAULT_SERVER_GRACE_MS)];
  if (nginxPath !== null) args.push('--nginx', nginxPath);
  return args;
}

/** `--route model=url` flags for the gateway. */
export function buildRouteArgs(routes: Iterable<[string, string]>): string[] {
  const args: string[] = [];
  for (const [model, url] of routes) args.push('--route', `${model}=${url}`);
  return args;
}

/** The processes of a spec: one monolith or one service per model, plus the gateway when there is one. */
export function buildDeploymentPlan(spec: TopologySpec, options: PlanOptions = {}): DeploymentPlan {
  const gateway = gatewayImplementation(spec);
  const token = gateway === null ? null : (spec.adminToken ?? options.gatewayToken ?? 'splitbench-gateway');
  const rollout = options.rollout ?? (gateway === null ? 'recreate' : 'rolling');
  const env = { UV_THREADPOOL_SIZE: String(spec.threads.uvThreadpool) };
  const portOf = (offset: number): number => (spec.portBase === undefined ? 0 : spec.portBase + offset);
  const gatewayOffset = gateway === null ? 0 : 1;
  const host = (name: ProcessName, role: 'monolith' | 'service', models: string[], port: number): PlannedProcess => ({
    name,
    role,
    models,
    entry: ROLE_ENTRIES[role],
    args: buildHostArgs(spec, role, models, pickVersions(spec.versions, models), options),
    port,
    health: { ...HEALTH_PATHS },
    cpus: spec.serverCpus ? [...spec.serverCpus] : null,
    cpuQuota: spec.cpuQuota ?? null,
    memoryLimitBytes: spec.memoryLimitBytes ?? null,
    env: { ...env },
    restartPolicy: spec.restartPolicy,
    rollout,
    upstreams: {},
  });
  const processes: PlannedProcess[] =
    spec.kind === 'monolith'
      ? [host('monolith', 'monolith', [...spec.models], portOf(gatewayOffset))]
      : spec.models.map((model, i) => host(`service:${model}`, 'service', [model], portOf(1 + i)));
  if (gateway !== null && token !== null) {
    const upstreams: Record<string, ProcessName> = {};
    for (const model of spec.models) upstreams[model] = spec.kind === 'monolith' ? 'monolith' : `service:${model}`;
    processes.push({
      name: 'gateway',
      role: 'gateway',
      models: [...spec.models],
      entry: GATEWAY_ENTRIES[gateway],
      args: buildGatewayArgs(spec, token),
      port: portOf(0),
      health: { ...HEALTH_PATHS },
      cpus: spec.serverCpus ? [...spec.serverCpus] : null,
      cpuQuota: null,
      memoryLimitBytes: null,
      env: { ...env },
      restartPolicy: spec.restartPolicy,
      rollout: 'rolling',
      upstreams,
    });
  }
  return { kind: spec.kind, variant: spec.variant, models: [...spec.models], threads: { ...spec.threads }, gateway, gatewayAdminToken: token, storeDir: spec.storeDir, processes };
}

/** The versions of the given models only. */
function pickVersions(versions: Record<string, number> | undefined, models: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const model of models) if (versions?.[model] !== undefined) out[model] = versions[model];
  return out;
}
