/**
 * The deployment plan: one description of a topology's processes that every target reads (local
 * processes, Docker containers, Kubernetes manifests). Targets only decide how to run it.
 * It is built from the spec's layout (layout/): one process per group and replica, plus the gateway.
 */
import { parseCpuList } from './local/cpu-pinning.js';
import { layoutOfSpec } from './layout/named-layouts.js';
import { MONOLITH_GROUP, type GroupVariant, type Layout, type ProcessGroup } from './layout/layout-types.js';
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
  /** The layout group this process belongs to ('gateway' for the gateway). */
  group: string;
  /** Replica number within the group, from 1. */
  replica: number;
  /** How a model-hosting process runs its models (the gateway: single). */
  variant: GroupVariant;
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
  /** Gateway only: model → name of the planned process serving it (replica 1 of its group). */
  upstreams: Record<string, ProcessName>;
  /** Gateway only: model → every replica serving it, replica 1 first (targets turn it into --route flags). */
  upstreamReplicas: Record<string, ProcessName[]>;
}

/** A whole topology as a list of processes plus the settings they share. */
export interface DeploymentPlan {
  kind: TopologyKind;
  variant: Variant;
  /** The layout the processes come from (a named one when the spec has none). */
  layout: Layout;
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
  return layoutOfSpec(spec).gateway !== 'none';
}

/** The gateway implementation the spec's layout asks for, or null without a gateway. */
export function gatewayImplementation(spec: TopologySpec): GatewayImplementation | null {
  const gateway = layoutOfSpec(spec).gateway;
  return gateway === 'none' ? null : gateway;
}

/** The same spec served by another gateway implementation (for a target that lacks the asked one). */
export function withGatewayImplementation(spec: TopologySpec, gateway: GatewayImplementation): TopologySpec {
  const layout = spec.layout && spec.layout.gateway !== 'none' ? { layout: { ...spec.layout, gateway } } : {};
  return { ...spec, gateway, ...layout };
}

/** Per-process knobs of a model host that its group sets (absent: the spec's own). */
export interface HostArgOptions {
  serverWatchdog?: boolean;
  /** Variant of a monolith-server group (default: the spec's variant). */
  variant?: GroupVariant;
  /** Memory limit of the group's processes (default: the spec's). */
  memoryLimitBytes?: number | null;
}

/** Flags of a model-hosting process (the same for every group: fairness); no --port. */
export function buildHostArgs(spec: TopologySpec, role: 'monolith' | 'service', models: string[], versions: Record<string, number>, options: HostArgOptions = {}): string[] {
  const args = ['--host', SERVER_HOST, '--store', spec.storeDir, '--intra-op-threads', String(spec.threads.intraOp), '--inter-op-threads', String(spec.threads.interOp), '--grace-ms', String(spec.serverGraceMs ?? DEFAULT_SERVER_GRACE_MS)];
  if (spec.adminToken) args.push('--admin-token', spec.adminToken);
  if (spec.faults) args.push('--faults');
  if (spec.runtime !== undefined) args.push('--runtime', spec.runtime);
  const memoryLimitBytes = options.memoryLimitBytes === undefined ? spec.memoryLimitBytes : (options.memoryLimitBytes ?? undefined);
  if (options.serverWatchdog && memoryLimitBytes !== undefined) args.push('--memory-limit-bytes', String(memoryLimitBytes));
  if (role === 'monolith') {
    args.push('--variant', options.variant ?? spec.variant, '--models', models.join(','));
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

/** `--route model=url` flags for the gateway; a model with several replicas gets one flag per replica URL. */
export function buildRouteArgs(routes: Iterable<[string, string | readonly string[]]>): string[] {
  const args: string[] = [];
  for (const [model, urls] of routes) for (const url of typeof urls === 'string' ? [urls] : urls) args.push('--route', `${model}=${url}`);
  return args;
}

/** Process name of replica `replica` of a group: `monolith` or `service:<group>`, with `@r` from replica 2. */
export function processNameOf(group: string, replica: number): ProcessName {
  const base = group === MONOLITH_GROUP ? 'monolith' : `service:${group}`;
  return (replica === 1 ? base : `${base}@${replica}`) as ProcessName;
}

/** Which server a group runs: the one-model service for one model in a single loop, else the monolith server. */
export function serverRoleOf(group: ProcessGroup): 'monolith' | 'service' {
  return group.name !== MONOLITH_GROUP && group.models.length === 1 && group.variant === 'single' ? 'service' : 'monolith';
}

/** Bytes of a group's memory limit, or null. */
function memoryBytesOf(group: ProcessGroup): number | null {
  return group.resources.memoryMb === undefined ? null : Math.round(group.resources.memoryMb * 1024 * 1024);
}

/** The process names hosting a model (replica 1 first), or [] when the plan does not serve it. */
export function replicasOf(plan: DeploymentPlan, model: string): ProcessName[] {
  return plan.processes.filter((p) => p.role !== 'gateway' && p.models.includes(model)).map((p) => p.name);
}

/** The process of replica 1 of the group hosting a model (admin and fault API), or undefined. */
export function hostOf(plan: DeploymentPlan, model: string): ProcessName | undefined {
  return replicasOf(plan, model)[0];
}

/** The processes of a spec: one per group and replica of its layout, plus the gateway when there is one. */
export function buildDeploymentPlan(spec: TopologySpec, options: PlanOptions = {}): DeploymentPlan {
  const layout = layoutOfSpec(spec);
  const gateway = layout.gateway === 'none' ? null : layout.gateway;
  const token = gateway === null ? null : (spec.adminToken ?? options.gatewayToken ?? 'splitbench-gateway');
  const rollout = options.rollout ?? (gateway === null ? 'recreate' : 'rolling');
  const env = { UV_THREADPOOL_SIZE: String(spec.threads.uvThreadpool) };
  const portOf = (offset: number): number => (spec.portBase === undefined ? 0 : spec.portBase + offset);
  // Ports from portBase: gateway = base; hosts from base + 1, except a lone monolith without gateway at base.
  const firstHostOffset = gateway === null && layout.groups.length === 1 && layout.groups[0]!.name === MONOLITH_GROUP ? 0 : 1;
  const processes: PlannedProcess[] = [];
  for (const group of layout.groups) {
    const role = serverRoleOf(group);
    const memoryLimitBytes = memoryBytesOf(group);
    for (let replica = 1; replica <= group.replicas; replica++) {
      const models = [...group.models];
      processes.push({
        name: processNameOf(group.name, replica),
        role,
        models,
        group: group.name,
        replica,
        variant: group.variant,
        entry: ROLE_ENTRIES[role],
        args: buildHostArgs(spec, role, models, pickVersions(spec.versions, models), { serverWatchdog: options.serverWatchdog === true, variant: group.variant, memoryLimitBytes }),
        port: portOf(firstHostOffset + processes.length),
        health: { ...HEALTH_PATHS },
        cpus: group.resources.cpus === undefined ? null : parseCpuList(group.resources.cpus),
        cpuQuota: group.resources.cpuQuota ?? null,
        memoryLimitBytes,
        env: { ...env },
        restartPolicy: spec.restartPolicy,
        rollout,
        upstreams: {},
        upstreamReplicas: {},
      });
    }
  }
  if (gateway !== null && token !== null) {
    const plan = { processes } as DeploymentPlan;
    const upstreams: Record<string, ProcessName> = {};
    const upstreamReplicas: Record<string, ProcessName[]> = {};
    for (const model of spec.models) {
      upstreamReplicas[model] = replicasOf(plan, model);
      upstreams[model] = upstreamReplicas[model][0]!;
    }
    processes.push({
      name: 'gateway',
      role: 'gateway',
      models: [...spec.models],
      group: 'gateway',
      replica: 1,
      variant: 'single',
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
      upstreamReplicas,
    });
  }
  return { kind: spec.kind, variant: spec.variant, layout, models: [...spec.models], threads: { ...spec.threads }, gateway, gatewayAdminToken: token, storeDir: spec.storeDir, processes };
}

/** The versions of the given models only. */
function pickVersions(versions: Record<string, number> | undefined, models: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const model of models) if (versions?.[model] !== undefined) out[model] = versions[model];
  return out;
}
