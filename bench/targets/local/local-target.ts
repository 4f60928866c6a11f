import { randomUUID } from 'node:crypto';
import { builtinModels, findModel } from '../../../models/catalog.js';
import { RUNTIMES } from '../../../models/runtimes.js';
import { compiledEntry } from '../../../models/paths.js';
import { findNginx } from '../../../serving/gateway/find-nginx.js';
import { checkCgroupV1, sweepStaleCgroups, type CgroupLimits } from './cgroup-v1.js';
import { buildGatewayArgs, buildHostArgs, buildRouteArgs, DEFAULT_SERVER_GRACE_MS, hasGateway as topologyHasGateway } from '../plan.js';
import { registerCleanup } from '../cleanup.js';
import { planPinning } from './cpu-pinning.js';
import { Supervisor, type BackoffPolicy, type ProcessPlan, type SupervisedProcess } from './supervisor.js';
import {
  VARIANTS_BY_KIND,
  type ExtraProcessOptions,
  type FairnessReport,
  type LimitsReport,
  type ManagedProcess,
  type ProcessName,
  type RunningTopology,
  type Target,
  type TopologySpec,
} from '../types.js';

/** Compiled entry points of the server roles (two gateway implementations). */
export interface ServerEntries {
  monolith: string;
  service: string;
  gateway: string;
  /** The nginx gateway launcher (used when spec.gateway is 'nginx'). */
  nginxGateway: string;
}

/** Options of the local-process target. */
export interface LocalTargetOptions {
  /** Override the compiled entry points (tests use a fixture server). */
  entries?: Partial<ServerEntries>;
  /** Harness-side grace before SIGKILL when stopping (default: the servers' grace + 1 s). */
  stopGraceMs?: number;
  backoff?: Partial<BackoffPolicy>;
  /** Receives server output lines other than the ready line. */
  onOutput?: (process: string, stream: 'stdout' | 'stderr', line: string) => void;
}

/** A TopologySpec that cannot be started; lists every problem at once. */
export class TopologySpecError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'TopologySpecError';
  }
}

/** Default compiled entry points under dist/. */
export function defaultServerEntries(): ServerEntries {
  return {
    monolith: compiledEntry('monolith/main'),
    service: compiledEntry('microservices/service'),
    gateway: compiledEntry('microservices/gateway'),
    nginxGateway: compiledEntry('microservices/nginx-gateway'),
  };
}

/** Every problem of a spec (empty when it can be started). */
export function findSpecProblems(spec: TopologySpec): string[] {
  const problems: string[] = [];
  const variants = VARIANTS_BY_KIND[spec.kind];
  if (!variants) {
    problems.push(`unknown topology "${String(spec.kind)}"; expected one of: ${Object.keys(VARIANTS_BY_KIND).join(', ')}`);
  } else if (!variants.includes(spec.variant)) {
    problems.push(`variant "${spec.variant}" does not exist for ${spec.kind}; expected one of: ${variants.join(', ')}`);
  }
  if (spec.models.length === 0) problems.push('no models given; name at least one model');
  const unknown = spec.models.filter((name) => !findModel(name));
  if (unknown.length > 0) {
    problems.push(`unknown model${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}; expected one of: ${builtinModels().map((m) => m.name).join(', ')}`);
  }
  const duplicates = spec.models.filter((name, i) => spec.models.indexOf(name) !== i);
  if (duplicates.length > 0) problems.push(`model(s) listed twice: ${[...new Set(duplicates)].join(', ')}`);
  if (spec.faults && !spec.adminToken) problems.push('faults need an admin token (set adminToken / --admin-token)');
  if (spec.monolithGateway && spec.kind !== 'monolith') problems.push('monolithGateway only applies to the monolith');
  if (spec.gateway !== undefined && spec.gateway !== 'node' && spec.gateway !== 'nginx') problems.push(`gateway "${String(spec.gateway)}" is not a gateway implementation; expected node or nginx`);
  if (spec.gateway === 'nginx' && findNginx() === null) problems.push('gateway nginx requested but nginx is not installed (apt-get install nginx, or SPLITBENCH_NGINX=/path/to/nginx); use gateway node instead');
  for (const runtime of [spec.runtime, ...Object.values(spec.modelRuntimes ?? {})]) {
    if (runtime !== undefined && !RUNTIMES.some((r) => r.name === runtime)) problems.push(`unknown runtime "${runtime}"; expected one of: ${RUNTIMES.map((r) => r.name).join(', ')}`);
  }
  const strangers = Object.keys(spec.modelRuntimes ?? {}).filter((model) => !spec.models.includes(model));
  if (strangers.length > 0) problems.push(`modelRuntimes names ${strangers.join(', ')}, which the topology does not serve`);
  for (const [key, value] of Object.entries(spec.threads)) {
    if (!Number.isInteger(value) || value < 1) problems.push(`threads.${key} must be an integer ≥ 1 (got ${value})`);
  }
  if (spec.cpuQuota !== undefined && !(spec.cpuQuota > 0)) problems.push(`cpuQuota must be > 0 CPUs (got ${spec.cpuQuota})`);
  if (spec.memoryLimitBytes !== undefined && !(spec.memoryLimitBytes >= 16 * 1024 * 1024)) problems.push(`memoryLimitBytes must be at least 16 MiB (got ${spec.memoryLimitBytes})`);
  if (spec.portBase !== undefined && !(Number.isInteger(spec.portBase) && spec.portBase > 0 && spec.portBase + spec.models.length + 1 < 65536)) {
    problems.push(`portBase ${spec.portBase} is not a usable port (1..${65535 - spec.models.length - 1})`);
  }
  for (const [name, version] of Object.entries(spec.versions ?? {})) {
    if (!spec.models.includes(name)) problems.push(`version given for "${name}", which is not among the models`);
    if (!Number.isInteger(version) || version < 1) problems.push(`version of "${name}" must be an integer ≥ 1 (got ${version})`);
  }
  return problems;
}

/** Decides how resource limits are enforced for a spec. */
function planLimits(spec: TopologySpec): { report: LimitsReport; cgroupLimits: CgroupLimits | null } {
  const wanted: CgroupLimits = {};
  if (spec.cpuQuota !== undefined) wanted.cpuQuota = spec.cpuQuota;
  if (spec.memoryLimitBytes !== undefined) wanted.memoryLimitBytes = spec.memoryLimitBytes;
  const base = { cpuQuota: spec.cpuQuota, memoryLimitBytes: spec.memoryLimitBytes };
  if (wanted.cpuQuota === undefined && wanted.memoryLimitBytes === undefined) {
    return { report: { applied: false, reason: 'no limits requested', serverWatchdog: false }, cgroupLimits: null };
  }
  const availability = checkCgroupV1();
  if (availability.available) return { report: { ...base, applied: true, serverWatchdog: false }, cgroupLimits: wanted };
  return { report: { ...base, applied: false, reason: availability.reason, serverWatchdog: spec.memoryLimitBytes !== undefined }, cgroupLimits: null };
}

/** Per-process knobs that restarts and redeploys can change. */
interface ProcessConfig {
  versions: Record<string, number>;
  extraArgs: string[];
}

/** Starts topologies as local child processes (compiled JS under node). */
export class LocalTarget implements Target {
  private readonly entries: ServerEntries;

  constructor(private readonly options: LocalTargetOptions = {}) {
    this.entries = { ...defaultServerEntries(), ...options.entries };
  }

  /** Starts every process of the topology and resolves once all are ready and healthy. */
  async start(spec: TopologySpec, startOptions: { readyTimeoutMs?: number } = {}): Promise<RunningTopology> {
    const problems = findSpecProblems(spec);
    if (problems.length > 0) throw new TopologySpecError(problems);
    sweepStaleCgroups();
    return startLocalTopology(spec, this.entries, this.options, startOptions.readyTimeoutMs ?? 120_000);
  }
}

/** The actual start of a validated spec. */
async function startLocalTopology(spec: TopologySpec, entries: ServerEntries, options: LocalTargetOptions, readyTimeoutMs: number): Promise<RunningTopology> {
  const pinning = planPinning(spec.serverCpus);
  const limits = planLimits(spec);
  const fairness: FairnessReport = {
    pinning: { cpus: pinning.cpus, applied: pinning.applied, ...(pinning.reason ? { reason: pinning.reason } : {}) },
    threads: { ...spec.threads },
    limits: limits.report,
  };
  const taskset = pinning.applied && pinning.taskset && pinning.cpus ? { path: pinning.taskset, cpus: pinning.cpus } : null;
  const env = { UV_THREADPOOL_SIZE: String(spec.threads.uvThreadpool) };
  const serverGraceMs = spec.serverGraceMs ?? DEFAULT_SERVER_GRACE_MS;
  const hasGateway = topologyHasGateway(spec);
  fairness.gateway = hasGateway ? (spec.gateway ?? 'node') : null;
  const gatewayToken = hasGateway ? (spec.adminToken ?? randomUUID()) : null;
  const routes = new Map<string, string>();
  const configs = new Map<ProcessName, ProcessConfig>();
  const plans = new Map<ProcessName, ProcessPlan>();
  let stopped = false;

  /** Plan of a model-hosting process (monolith or one service), reading its config at each spawn. */
  const hostPlan = (name: ProcessName, role: 'monolith' | 'service', models: string[], port: number, entry: string): ProcessPlan => {
    return {
      name, entry, port, fixedPort: port !== 0, models, env, taskset, limits: limits.cgroupLimits,
      buildArgs: () => {
        const config = configs.get(name) ?? { versions: {}, extraArgs: [] };
        const args = buildHostArgs(spec, role, models, config.versions, { serverWatchdog: limits.report.serverWatchdog });
        return [...args, ...config.extraArgs];
      },
    };
  };

  const supervisor = new Supervisor({
    restartPolicy: spec.restartPolicy,
    readyTimeoutMs,
    stopGraceMs: options.stopGraceMs ?? serverGraceMs + 1000,
    ...(options.backoff ? { backoff: options.backoff } : {}),
    ...(options.onOutput ? { onOutput: options.onOutput } : {}),
    onRestarted: (proc, previousUrl) => followRestart(proc, previousUrl),
  });

  /** Keeps the gateway pointing at a restarted upstream whose URL changed. */
  async function followRestart(proc: SupervisedProcess, previousUrl: string | null): Promise<void> {
    if (!hasGateway || proc.name === 'gateway' || proc.url === null || proc.url === previousUrl) return;
    for (const [model, url] of routes) {
      if (url === previousUrl) await setRoute(model, proc.url);
    }
  }

  /** PUT /admin/routes/{model} on the gateway, and remembers the route for gateway restarts. */
  async function setRoute(model: string, url: string): Promise<void> {
    if (!hasGateway || gatewayToken === null) throw new Error('this topology has no gateway');
    routes.set(model, url);
    const gateway = supervisor.get('gateway');
    if (!gateway?.url || gateway.state !== 'ready') return; // a gateway (re)starting picks the route up from its flags
    const response = await fetch(`${gateway.url}/admin/routes/${encodeURIComponent(model)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-splitbench-token': gatewayToken },
      body: JSON.stringify({ url }),
      signal: AbortSignal.timeout(5000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`gateway refused route ${model} → ${url}: HTTP ${response.status} ${text}`);
  }

  /** Current model → base URL map seen by clients. */
  function endpoints(): Record<string, string> {
    const out: Record<string, string> = {};
    const gatewayUrl = hasGateway ? supervisor.get('gateway')?.url : undefined;
    const hosts = adminUrls();
    for (const model of spec.models) {
      const url = gatewayUrl ?? hosts[model];
      if (url) out[model] = url;
    }
    return out;
  }

  /** Model → URL of the primary process hosting it. */
  function adminUrls(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const model of spec.models) {
      const host = spec.kind === 'monolith' ? supervisor.get('monolith') : supervisor.get(`service:${model}`);
      if (host?.url) out[model] = host.url;
    }
    return out;
  }

  /** Stops everything: gateway first (no new requests), then the model hosts in parallel. */
  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    if (supervisor.get('gateway')) await supervisor.stop('gateway');
    await supervisor.stopAll();
    unregister();
  }

  const unregister = registerCleanup({ stop, stopSync: () => supervisor.killAllSync() });

  const topology: RunningTopology = {
    spec,
    events: supervisor.events,
    stderrLines: () => [...supervisor.stderrLog],
    fairness,
    gatewayAdminToken: gatewayToken,
    endpoints,
    adminUrls,
    processes: (): ManagedProcess[] => supervisor.describe(),
    setRoute,
    stop,
    async startExtra(base, extra: ExtraProcessOptions) {
      const basePlan = plans.get(base);
      if (!basePlan) throw new Error(`no process named ${base}; expected one of: ${[...plans.keys()].join(', ')}`);
      const name = `${base}#${extra.suffix}` as ProcessName;
      const baseConfig = configs.get(base) ?? { versions: {}, extraArgs: [] };
      configs.set(name, { versions: { ...baseConfig.versions, ...extra.versions }, extraArgs: [...baseConfig.extraArgs, ...(extra.extraArgs ?? [])] });
      const role = base === 'monolith' ? 'monolith' : 'service';
      const plan = hostPlan(name, role, basePlan.models, 0, extra.entry ?? basePlan.entry);
      plans.set(name, plan);
      const proc = await supervisor.start(plan);
      return { name: proc.name, pid: proc.pid, url: proc.url, models: [...plan.models], restarts: proc.restarts };
    },
    async stopProcess(name, graceMs) {
      await supervisor.stop(name, graceMs);
    },
    async restartProcess(name, change = {}) {
      const config = configs.get(name) ?? { versions: {}, extraArgs: [] };
      configs.set(name, { versions: { ...config.versions, ...change.versions }, extraArgs: change.extraArgs ?? config.extraArgs });
      const proc = await supervisor.restart(name);
      return { name: proc.name, pid: proc.pid, url: proc.url, models: [...proc.plan.models], restarts: proc.restarts };
    },
  };

  try {
    const portOf = (offset: number): number => (spec.portBase === undefined ? 0 : spec.portBase + offset);
    const gatewayOffset = hasGateway ? 1 : 0;
    if (spec.kind === 'monolith') {
      configs.set('monolith', { versions: { ...spec.versions }, extraArgs: [] });
      const plan = hostPlan('monolith', 'monolith', [...spec.models], portOf(gatewayOffset), entries.monolith);
      plans.set('monolith', plan);
      await supervisor.start(plan);
    } else {
      const servicePlans = spec.models.map((model, i) => {
        const name = `service:${model}` as const;
        const version = spec.versions?.[model];
        configs.set(name, { versions: version === undefined ? {} : { [model]: version }, extraArgs: [] });
        const plan = hostPlan(name, 'service', [model], portOf(1 + i), entries.service);
        plans.set(name, plan);
        return plan;
      });
      const results = await Promise.allSettled(servicePlans.map((plan) => supervisor.start(plan)));
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failures.length > 0) throw failures[0]!.reason;
    }
    if (hasGateway && gatewayToken !== null) {
      const hosts = adminUrls();
      for (const model of spec.models) routes.set(model, hosts[model]!);
      const nginx = spec.gateway === 'nginx' ? findNginx() : null;
      const gatewayPlan: ProcessPlan = {
        name: 'gateway', entry: nginx ? entries.nginxGateway : entries.gateway, port: portOf(0), fixedPort: spec.portBase !== undefined, models: [...spec.models], env, taskset, limits: null,
        buildArgs: () => {
          return [...buildGatewayArgs(spec, gatewayToken, nginx), ...buildRouteArgs(routes)];
        },
      };
      plans.set('gateway', gatewayPlan);
      await supervisor.start(gatewayPlan);
    }
    const cgroupErrors = supervisor.list().map((p) => p.cgroupError).filter((e): e is string => e !== null);
    if (cgroupErrors.length > 0) fairness.limits = { ...fairness.limits, applied: false, reason: cgroupErrors[0]! };
  } catch (error) {
    await stop();
    throw error;
  }
  return topology;
}
