import { randomUUID } from 'node:crypto';
import { builtinModels, findModel } from '../../../models/catalog.js';
import { RUNTIMES } from '../../../models/runtimes.js';
import { compiledEntry } from '../../../models/paths.js';
import { findNginx } from '../../../serving/gateway/find-nginx.js';
import { checkCgroupV1, sweepStaleCgroups, type CgroupLimits } from './cgroup-v1.js';
import { findLayoutProblems } from '../layout/check-layout.js';
import { layoutOfSpec } from '../layout/named-layouts.js';
import { buildDeploymentPlan, buildGatewayArgs, buildHostArgs, buildRouteArgs, DEFAULT_SERVER_GRACE_MS, hostOf, type PlannedProcess } from '../plan.js';
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
  if (spec.layout) problems.push(...findLayoutProblems(spec.layout, { models: spec.models }).map((problem) => `layout ${spec.layout!.name}: ${problem}`));
  if ((spec.gateway === 'nginx' || spec.layout?.gateway === 'nginx') && findNginx() === null) problems.push('gateway nginx requested but nginx is not installed (apt-get install nginx, or SPLITBENCH_NGINX=/path/to/nginx); use gateway node instead');
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
  const hostCount = problems.length > 0 ? spec.models.length : layoutOfSpec(spec).groups.reduce((sum, group) => sum + group.replicas, 0);
  if (spec.portBase !== undefined && !(Number.isInteger(spec.portBase) && spec.portBase > 0 && spec.portBase + hostCount + 1 < 65536)) {
    problems.push(`portBase ${spec.portBase} is not a usable port (1..${65535 - hostCount - 1})`);
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

/** Cgroup limits of one planned process, when cgroup v1 is available (else null: the watchdog or nothing). */
function cgroupLimitsOf(planned: PlannedProcess, cgroupsAvailable: boolean): CgroupLimits | null {
  if (!cgroupsAvailable || (planned.cpuQuota === null && planned.memoryLimitBytes === null)) return null;
  return { ...(planned.cpuQuota !== null ? { cpuQuota: planned.cpuQuota } : {}), ...(planned.memoryLimitBytes !== null ? { memoryLimitBytes: planned.memoryLimitBytes } : {}) };
}

/** The actual start of a validated spec: every process of its deployment plan under one supervisor. */
async function startLocalTopology(spec: TopologySpec, entries: ServerEntries, options: LocalTargetOptions, readyTimeoutMs: number): Promise<RunningTopology> {
  const pinning = planPinning(spec.serverCpus);
  const limits = planLimits(spec);
  const fairness: FairnessReport = {
    pinning: { cpus: pinning.cpus, applied: pinning.applied, ...(pinning.reason ? { reason: pinning.reason } : {}) },
    threads: { ...spec.threads },
    limits: limits.report,
  };
  const serverGraceMs = spec.serverGraceMs ?? DEFAULT_SERVER_GRACE_MS;
  const needsCgroups = spec.layout?.groups.some((g) => g.resources.cpuQuota !== undefined || g.resources.memoryMb !== undefined) ?? false;
  const cgroupsAvailable = limits.cgroupLimits !== null || (needsCgroups && checkCgroupV1().available);
  // Without cgroups, the servers' own RSS watchdog enforces a memory limit (the spec's, or a group's).
  const serverWatchdog = limits.report.serverWatchdog || (needsCgroups && !cgroupsAvailable);
  const plan = buildDeploymentPlan(spec, { gatewayToken: spec.adminToken ?? randomUUID(), serverWatchdog });
  const hasGateway = plan.gateway !== null;
  fairness.gateway = plan.gateway;
  const gatewayToken = plan.gatewayAdminToken;
  /** model → URLs of every replica serving it, as the gateway routes it. */
  const routes = new Map<string, string[]>();
  const configs = new Map<ProcessName, ProcessConfig>();
  const plans = new Map<ProcessName, ProcessPlan>();
  const planned = new Map<ProcessName, PlannedProcess>(plan.processes.map((p) => [p.name, p]));
  const tasksets = new Map<string, { path: string; cpus: number[] } | null>();
  let stopped = false;

  /** taskset of a CPU set (planned once per distinct set; null where pinning cannot apply). */
  const tasksetOf = (cpus: number[] | null): { path: string; cpus: number[] } | null => {
    const key = cpus === null ? '' : cpus.join(',');
    if (!tasksets.has(key)) {
      const result = planPinning(cpus ?? undefined);
      tasksets.set(key, result.applied && result.taskset && result.cpus ? { path: result.taskset, cpus: result.cpus } : null);
    }
    return tasksets.get(key)!;
  };

  /** Plan of a model-hosting process (one replica of a group), reading its config at each spawn. */
  const hostPlan = (name: ProcessName, source: PlannedProcess, port: number, entry: string): ProcessPlan => {
    const role = source.role === 'monolith' ? 'monolith' : 'service';
    return {
      name, entry, port, fixedPort: port !== 0, models: [...source.models], env: { ...source.env }, taskset: tasksetOf(source.cpus), limits: cgroupLimitsOf(source, cgroupsAvailable),
      buildArgs: () => {
        const config = configs.get(name) ?? { versions: {}, extraArgs: [] };
        const args = buildHostArgs(spec, role, source.models, config.versions, { serverWatchdog, variant: source.variant, memoryLimitBytes: source.memoryLimitBytes });
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

  /** Keeps the gateway pointing at a restarted upstream (one replica) whose URL changed. */
  async function followRestart(proc: SupervisedProcess, previousUrl: string | null): Promise<void> {
    if (!hasGateway || proc.name === 'gateway' || proc.url === null || proc.url === previousUrl) return;
    for (const [model, urls] of routes) {
      if (previousUrl !== null && urls.includes(previousUrl)) await putRoutes(model, urls.map((url) => (url === previousUrl ? proc.url! : url)));
    }
  }

  /** Points the gateway's route for a model at one upstream URL (every replica replaced). */
  async function setRoute(model: string, url: string): Promise<void> {
    await putRoutes(model, [url]);
  }

  /** PUT /admin/routes/{model} on the gateway with every replica URL, and remembers them for gateway restarts. */
  async function putRoutes(model: string, urls: string[]): Promise<void> {
    if (!hasGateway || gatewayToken === null) throw new Error('this topology has no gateway');
    routes.set(model, urls);
    const gateway = supervisor.get('gateway');
    if (!gateway?.url || gateway.state !== 'ready') return; // a gateway (re)starting picks the route up from its flags
    const response = await fetch(`${gateway.url}/admin/routes/${encodeURIComponent(model)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-splitbench-token': gatewayToken },
      body: JSON.stringify(urls.length === 1 ? { url: urls[0] } : { urls }),
      signal: AbortSignal.timeout(5000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`gateway refused route ${model} → ${urls.join(', ')}: HTTP ${response.status} ${text}`);
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

  /** Model → URL of the primary process hosting it (replica 1 of its group). */
  function adminUrls(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const model of spec.models) {
      const name = hostOf(plan, model);
      const host = name === undefined ? undefined : supervisor.get(name);
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
      const source = planned.get(base)!;
      const extraPlan = hostPlan(name, source, 0, extra.entry ?? basePlan.entry);
      plans.set(name, extraPlan);
      planned.set(name, { ...source, name, port: 0 });
      const proc = await supervisor.start(extraPlan);
      return { name: proc.name, pid: proc.pid, url: proc.url, models: [...extraPlan.models], restarts: proc.restarts };
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
    const hosts = plan.processes.filter((p) => p.role !== 'gateway');
    const hostPlans = hosts.map((source) => {
      configs.set(source.name, { versions: pickVersions(spec.versions, source.models), extraArgs: [] });
      const hostEntry = source.role === 'monolith' ? entries.monolith : entries.service;
      const processPlan = hostPlan(source.name, source, source.port, hostEntry);
      plans.set(source.name, processPlan);
      return processPlan;
    });
    const results = await Promise.allSettled(hostPlans.map((processPlan) => supervisor.start(processPlan)));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failures.length > 0) throw failures[0]!.reason;
    const gatewaySource = plan.processes.find((p) => p.role === 'gateway');
    if (gatewaySource && gatewayToken !== null) {
      for (const [model, replicas] of Object.entries(gatewaySource.upstreamReplicas)) routes.set(model, replicas.map((name) => supervisor.get(name)!.url!));
      const nginx = plan.gateway === 'nginx' ? findNginx() : null;
      const gatewayPlan: ProcessPlan = {
        name: 'gateway', entry: nginx ? entries.nginxGateway : entries.gateway, port: gatewaySource.port, fixedPort: spec.portBase !== undefined, models: [...gatewaySource.models], env: { ...gatewaySource.env }, taskset: tasksetOf(gatewaySource.cpus), limits: null,
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

/** The versions of the given models only. */
function pickVersions(versions: Record<string, number> | undefined, models: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const model of models) if (versions?.[model] !== undefined) out[model] = versions[model];
  return out;
}
