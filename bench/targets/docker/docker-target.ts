/**
 * The docker target: the deployment plan as one container per process on Docker Engine. Restarts,
 * memory/CPU limits (the OOM kill) and health checks are the engine's; its event stream is mapped
 * onto the same process-event timeline as the local supervisor's (spawn, ready, exit, restart, stop).
 * Containers use the host network and bind 127.0.0.1 on a port fixed at creation, so an engine restart
 * comes back on the same URL. A detached reaper removes the run's containers when the harness dies.
 * The gateway is nginx when the spec asks for it and the image holds nginx (its label), else the Node gateway.
 */
import { randomUUID } from 'node:crypto';
import { relative, resolve } from 'node:path';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { nowMs, sleep } from '../../clock.js';
import { compiledEntry, projectRoot } from '../../../models/paths.js';
import { registerCleanup } from '../cleanup.js';
import { findSpecProblems, TopologySpecError } from '../local/local-target.js';
import type { ExtraProcessOptions, FairnessReport, GatewayImplementation, ManagedProcess, ProcessName, RunningTopology, SupervisorEvent, Target, TopologySpec } from '../types.js';
import { buildDeploymentPlan, buildHostArgs, buildRouteArgs, gatewayImplementation, hostOf, withGatewayImplementation, type DeploymentPlan, type PlannedProcess } from '../plan.js';
import { connectEngine, PROCESS_LABEL, removeRunContainers, RUN_LABEL } from './engine.js';
import { findFreePort, findServerPid, readLogTail, toSignalName } from './engine-helpers.js';
import { startEngineEvents, type EngineEvent } from './engine-events.js';
import { buildRuntimeImage, IMAGE_APP_DIR, IMAGE_NODE, readImageNginx } from './image.js';
import { containerEnv } from './container-env.js';

/** Options of the docker target. */
export interface DockerTargetOptions {
  /** Image tag to run (default: build or reuse the content-tagged runtime image). */
  image?: string;
  /** Path of nginx inside `image` (null: none); read from the image's label when absent. */
  imageNginx?: string | null;
  /** Interval of the engine's HEALTHCHECK (default 10 s; each check runs one short node process on the container CPU set). */
  healthIntervalMs?: number;
  /** Harness-side grace before the engine SIGKILLs a stopped container (default: the servers' grace + 1 s). */
  stopGraceMs?: number;
  /** SPLITBENCH_MANIFEST of every container (container-env.ts), when `image` carries a user's manifest. */
  manifestEnv?: string | null;
}

/** A running docker topology: the RunningTopology contract plus engine details. */
export interface DockerTopology extends RunningTopology {
  runId: string;
  image: string;
  /** Every engine event of the run's containers as received (start, die, oom, health_status, ...). */
  engineEvents: EngineEvent[];
  /** Container id per process name. */
  containers(): Record<string, string>;
}

/** One container and what the harness knows about it. */
interface ContainerState {
  name: ProcessName;
  planned: PlannedProcess;
  /** Full command after the entry point (flags with --port). */
  command: string[];
  entry: string;
  port: number;
  url: string;
  containerId: string | null;
  /** Host PID of the container's init (docker-init); the server is its child. */
  initPid: number | null;
  pid: number | null;
  restarts: number;
  state: 'starting' | 'ready' | 'down' | 'stopping' | 'stopped';
  /** Engine starts seen for the current container id (the first is ours; later ones are the engine's restarts). */
  startsSeen: number;
  /** Bumped on every (re)start so a readiness probe of an older incarnation stops. */
  generation: number;
  oomAt: number | null;
  /** Launch in progress: resolved with 'ready', or 'died' when the container exits before its first ready. */
  readyWaiters: ((outcome: 'ready' | 'died') => void)[];
}

// Each check starts one short node process inside the container (on its CPU set): kept rare so it barely competes with serving.
const DEFAULT_HEALTH_INTERVAL_MS = 10_000;

/** Starts topologies as containers on Docker Engine (DOCKER_HOST or the default socket). */
export class DockerTarget implements Target {
  private image: Promise<{ tag: string; nginx: string | null }> | null = null;

  constructor(private readonly options: DockerTargetOptions = {}) {}

  /** Validates the spec, connects to the engine, ensures the image, and starts every container. */
  async start(spec: TopologySpec, startOptions: { readyTimeoutMs?: number } = {}): Promise<DockerTopology> {
    const problems = findSpecProblems(spec);
    if (problems.length > 0) throw new TopologySpecError(problems);
    const docker = await connectEngine();
    const image = await this.resolveImage(docker);
    return startDockerTopology(docker, image, spec, this.options, startOptions.readyTimeoutMs ?? 120_000);
  }

  /** The gateway implementation that serves when `requested` is asked for: nginx only when the image holds it. */
  async servingGateway(requested: GatewayImplementation): Promise<GatewayImplementation> {
    if (requested === 'node') return 'node';
    return (await this.resolveImage(await connectEngine())).nginx === null ? 'node' : 'nginx';
  }

  /** The image tag and its nginx, resolved once (built or reused when no tag was given). */
  private resolveImage(docker: Docker): Promise<{ tag: string; nginx: string | null }> {
    this.image ??= (async () => {
      if (this.options.image === undefined) return buildRuntimeImage(docker);
      return { tag: this.options.image, nginx: this.options.imageNginx !== undefined ? this.options.imageNginx : await readImageNginx(docker, this.options.image) };
    })();
    this.image.catch(() => (this.image = null));
    return this.image;
  }
}

/**
 * The plan on this image: the nginx gateway runs the image's nginx (`--nginx`); when the image has none,
 * the Node gateway serves instead and the plan (so fairness.gateway) says so.
 */
export function planOnImage(spec: TopologySpec, imageNginx: string | null, gatewayToken: string): DeploymentPlan {
  const wantsNginx = gatewayImplementation(spec) === 'nginx';
  const nginx = wantsNginx ? imageNginx : null;
  const plan = buildDeploymentPlan(wantsNginx && nginx === null ? withGatewayImplementation(spec, 'node') : spec, { gatewayToken });
  if (nginx === null) return plan;
  return { ...plan, processes: plan.processes.map((p) => (p.role === 'gateway' ? { ...p, args: [...p.args, '--nginx', nginx] } : p)) };
}

/** Host flags a planned process's group sets (variant and memory limit), for rebuilt command lines. */
function groupArgOptions(planned: PlannedProcess): { variant: PlannedProcess['variant']; memoryLimitBytes: number | null } {
  return { variant: planned.variant, memoryLimitBytes: planned.memoryLimitBytes };
}

/** Maps a host entry point (absolute, under the checkout's dist/) onto the image. */
function entryInImage(entry: string): string {
  const inside = relative(projectRoot(), resolve(projectRoot(), entry));
  if (!inside.startsWith('dist/')) throw new Error(`entry point ${entry} is not under the checkout's dist/, so the runtime image does not contain it`);
  return `${IMAGE_APP_DIR}/${inside}`;
}

/** Container name: run id plus a slug of the process name. */
function containerName(runId: string, name: ProcessName): string {
  return `splitbench-${runId}-${name.replace(/[^a-zA-Z0-9_.-]/g, '-')}`;
}

/** The actual start of a validated spec. */
async function startDockerTopology(docker: Docker, runtime: { tag: string; nginx: string | null }, spec: TopologySpec, options: DockerTargetOptions, readyTimeoutMs: number): Promise<DockerTopology> {
  const runId = randomUUID().slice(0, 12);
  const image = runtime.tag;
  const plan = planOnImage(spec, runtime.nginx, randomUUID());
  const gatewayToken = plan.gatewayAdminToken;
  const storeDir = resolve(spec.storeDir);
  const healthIntervalMs = options.healthIntervalMs ?? DEFAULT_HEALTH_INTERVAL_MS;
  const stopGraceMs = options.stopGraceMs ?? (spec.serverGraceMs ?? 5000) + 1000;
  const events: SupervisorEvent[] = [];
  const engineEvents: EngineEvent[] = [];
  const states = new Map<ProcessName, ContainerState>();
  const routes = new Map<string, string | readonly string[]>();
  let stopped = false;

  const reaper = execa(process.execPath, [compiledEntry('bench/targets/docker/reaper'), String(process.pid), runId], { detached: true, stdio: 'ignore', cleanup: false, reject: false });
  reaper.unref();

  /** Appends a process event stamped with the harness clock. */
  const record = (type: SupervisorEvent['type'], state: ContainerState, extra: Omit<SupervisorEvent, 'atMs' | 'type' | 'process'> = {}): void => {
    const event: SupervisorEvent = { atMs: nowMs(), type, process: state.name };
    for (const [key, value] of Object.entries(extra)) if (value !== undefined) (event as unknown as Record<string, unknown>)[key] = value;
    events.push(event);
  };

  /** Polls the readiness endpoint of the current incarnation; records 'ready' once it answers 200. */
  const watchReadiness = async (state: ContainerState, generation: number): Promise<void> => {
    // A gateway the engine restarted holds the routes of its creation flags, and its readiness checks
    // those upstreams: put the current routes back as soon as it answers, before waiting for ready.
    let routesRestored = !(state.name === 'gateway' && state.startsSeen > 1);
    while (state.generation === generation && (state.state === 'starting' || state.state === 'down')) {
      if (!routesRestored) routesRestored = await reapplyRoutes(state.url);
      try {
        const response = await fetch(`${state.url}${state.planned.health.ready}`, { signal: AbortSignal.timeout(1000) });
        await response.arrayBuffer();
        if (response.status === 200 && state.generation === generation && state.state === 'starting') {
          state.state = 'ready';
          // At 'start' docker-init may not have forked the server yet: the server is surely there once it answers.
          if (state.initPid !== null) state.pid = findServerPid(state.initPid);
          record('ready', state, { pid: state.pid ?? undefined, detail: state.url });
          for (const wake of state.readyWaiters.splice(0)) wake('ready');
          return;
        }
      } catch {
        // not answering yet
      }
      await sleep(50);
    }
  };

  /** Maps one engine event onto the process timeline. */
  const handleEngineEvent = async (event: EngineEvent): Promise<void> => {
    engineEvents.push(event);
    const state = [...states.values()].find((s) => s.containerId === event.containerId);
    if (!state || state.state === 'stopping' || state.state === 'stopped') return;
    if (event.action === 'oom') {
      state.oomAt = event.atMs;
    } else if (event.action === 'die') {
      const code = event.exitCode;
      const oom = state.oomAt !== null;
      record('exit', state, { pid: state.pid ?? undefined, code, signal: toSignalName(code), detail: oom ? `killed by the engine's OOM killer (memory limit ${spec.memoryLimitBytes ?? '?'} bytes)` : 'reported by the engine' });
      state.oomAt = null;
      state.pid = null;
      state.initPid = null;
      state.state = 'down';
      state.generation++;
      for (const wake of state.readyWaiters.splice(0)) wake('died');
    } else if (event.action === 'start') {
      state.startsSeen++;
      state.generation++;
      if (state.startsSeen > 1) {
        state.restarts++;
        record('restart', state, { detail: `engine restart policy "${spec.restartPolicy === 'always' ? 'always' : 'no'}" (restart ${state.restarts})` });
      }
      try {
        state.initPid = (await docker.getContainer(event.containerId).inspect()).State.Pid || null;
      } catch {
        state.initPid = null;
      }
      state.pid = state.initPid === null ? null : findServerPid(state.initPid);
      state.state = 'starting';
      record('spawn', state, { pid: state.pid ?? undefined, detail: `container ${event.containerId.slice(0, 12)} ${image} ${state.entry} ${state.command.join(' ')}` });
      void watchReadiness(state, state.generation);
    }
  };

  const eventStream = await startEngineEvents(docker, runId, (event) => handleEngineEvent(event));

  /** Creates and starts the container of a state; resolves once it is ready (or throws with its log tail). */
  const launch = async (state: ContainerState): Promise<void> => {
    const planned = state.planned;
    const health = `fetch('http://127.0.0.1:${state.port}${planned.health.ready}').then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))`;
    const container = await docker.createContainer({
      name: containerName(runId, state.name),
      Image: image,
      Entrypoint: [IMAGE_NODE],
      Cmd: [state.entry, ...state.command],
      WorkingDir: IMAGE_APP_DIR,
      Env: containerEnv(planned.env, options.manifestEnv),
      Labels: { [RUN_LABEL]: runId, [PROCESS_LABEL]: state.name },
      Healthcheck: { Test: ['CMD', IMAGE_NODE, '-e', health], Interval: healthIntervalMs * 1e6, Timeout: 5e9, Retries: 3, StartPeriod: 0 },
      StopTimeout: Math.ceil(stopGraceMs / 1000),
      HostConfig: {
        NetworkMode: 'host',
        // docker-init (tini) as PID 1: signals (process.abort, SIGTERM) act on node as they do locally.
        Init: true,
        RestartPolicy: { Name: planned.restartPolicy === 'always' ? 'always' : 'no' },
        Binds: [`${storeDir}:${storeDir}:ro`],
        ...(planned.memoryLimitBytes !== null ? { Memory: planned.memoryLimitBytes, MemorySwap: planned.memoryLimitBytes } : {}),
        ...(planned.cpuQuota !== null ? { NanoCpus: Math.round(planned.cpuQuota * 1e9) } : {}),
        ...(planned.cpus !== null ? { CpusetCpus: planned.cpus.join(',') } : {}),
      },
    });
    state.containerId = container.id;
    state.startsSeen = 0;
    state.state = 'starting';
    const ready = new Promise<'ready' | 'died'>((resolveReady) => state.readyWaiters.push(resolveReady));
    await container.start();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolveTimeout) => {
      timer = setTimeout(() => resolveTimeout('timeout'), readyTimeoutMs);
    });
    const outcome = await Promise.race([ready, deadline]);
    clearTimeout(timer);
    if (outcome !== 'ready') {
      state.readyWaiters.length = 0;
      if (outcome === 'timeout') record('ready-timeout', state, { detail: `${state.url}${planned.health.ready} did not answer 200 within ${readyTimeoutMs} ms` });
      const tail = await readLogTail(docker, container.id, 12);
      await stopContainer(state, 0);
      const why = outcome === 'timeout' ? `was not ready within ${readyTimeoutMs} ms` : 'exited before it was ready';
      throw new Error(`${state.name}: container ${container.id.slice(0, 12)} ${why}${tail ? `\n  last log lines:\n    ${tail.split('\n').join('\n    ')}` : ''}`);
    }
  };

  /** A new container state for a planned process on a fresh host port. */
  const prepare = async (planned: PlannedProcess, entry: string, command: string[]): Promise<ContainerState> => {
    const port = planned.port !== 0 ? planned.port : await findFreePort();
    const state: ContainerState = {
      name: planned.name, planned, command: [...command, '--port', String(port)], entry: entryInImage(entry), port, url: `http://127.0.0.1:${port}`,
      containerId: null, initPid: null, pid: null, restarts: 0, state: 'starting', startsSeen: 0, generation: 0, oomAt: null, readyWaiters: [],
    };
    states.set(planned.name, state);
    return state;
  };

  /** Stops and removes one container; records 'stop' with its exit code. */
  const stopContainer = async (state: ContainerState, graceMs = stopGraceMs): Promise<void> => {
    if (state.containerId === null || state.state === 'stopped') return;
    state.state = 'stopping';
    state.generation++;
    const container = docker.getContainer(state.containerId);
    let code: number | null = null;
    try {
      await container.stop({ t: Math.max(0, Math.ceil(graceMs / 1000)) });
    } catch {
      // already stopped
    }
    try {
      code = (await container.inspect()).State.ExitCode;
    } catch {
      code = null;
    }
    record('stop', state, { pid: state.pid ?? undefined, code, signal: toSignalName(code) });
    await container.remove({ force: true }).catch(() => undefined);
    state.state = 'stopped';
    state.pid = null;
  };

  /** PUT /admin/routes/{model} on a gateway URL. */
  const putRouteAt = async (gatewayUrl: string, model: string, url: string | readonly string[]): Promise<void> => {
    const response = await fetch(`${gatewayUrl}/admin/routes/${encodeURIComponent(model)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-splitbench-token': gatewayToken ?? '' },
      body: JSON.stringify(typeof url === 'string' ? { url } : { urls: url }),
      signal: AbortSignal.timeout(5000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`gateway refused route ${model} → ${String(url)}: HTTP ${response.status} ${text}`);
  };

  /** PUT /admin/routes/{model} on the gateway when it is ready (a starting one gets the routes from reapplyRoutes). */
  const putRoute = async (model: string, url: string): Promise<void> => {
    const gateway = states.get('gateway');
    if (!gateway || gateway.state !== 'ready' || gatewayToken === null) return;
    await putRouteAt(gateway.url, model, url);
  };

  /** Puts every current route on a restarted gateway; false while it does not answer yet. */
  async function reapplyRoutes(gatewayUrl: string): Promise<boolean> {
    try {
      for (const [model, url] of routes) await putRouteAt(gatewayUrl, model, url);
      return true;
    } catch {
      return false;
    }
  }

  /** Points the gateway's route for a model at another upstream URL. */
  async function setRoute(model: string, url: string): Promise<void> {
    if (gatewayToken === null || !states.has('gateway')) throw new Error('this topology has no gateway');
    routes.set(model, url);
    await putRoute(model, url);
  }

  /** Model → URL of the primary process hosting it. */
  function adminUrls(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const model of spec.models) {
      const name = hostOf(plan, model);
      const host = name === undefined ? undefined : states.get(name);
      if (host) out[model] = host.url;
    }
    return out;
  }

  /** Current model → base URL map seen by clients. */
  function endpoints(): Record<string, string> {
    const gateway = states.get('gateway');
    const hosts = adminUrls();
    const out: Record<string, string> = {};
    for (const model of spec.models) {
      const url = gateway?.url ?? hosts[model];
      if (url) out[model] = url;
    }
    return out;
  }

  /** Stops everything (gateway first, then the model hosts in parallel), removes every labelled container, ends the reaper. */
  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    const gateway = states.get('gateway');
    if (gateway) await stopContainer(gateway);
    await Promise.allSettled([...states.values()].map((s) => stopContainer(s)));
    await removeRunContainers(docker, runId).catch(() => 0);
    eventStream.close();
    if (reaper.pid !== undefined) {
      try {
        process.kill(reaper.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    unregister();
  }

  // The reaper removes the containers when the harness process is gone, so the sync path has nothing to do.
  const unregister = registerCleanup({ stop, stopSync: () => undefined });

  const fairness: FairnessReport = {
    pinning: spec.serverCpus ? { cpus: [...spec.serverCpus], applied: true, reason: 'engine cpuset (CpusetCpus)' } : { cpus: null, applied: false, reason: 'no CPU set given' },
    threads: { ...spec.threads },
    limits:
      spec.cpuQuota === undefined && spec.memoryLimitBytes === undefined
        ? { applied: false, reason: 'no limits requested', serverWatchdog: false }
        : { applied: true, reason: 'engine limits (Memory = MemorySwap, NanoCpus)', cpuQuota: spec.cpuQuota, memoryLimitBytes: spec.memoryLimitBytes, serverWatchdog: false },
    gateway: plan.gateway,
  };

  const describe = (state: ContainerState): ManagedProcess => ({ name: state.name, pid: state.pid, url: state.url, models: [...state.planned.models], restarts: state.restarts });

  const topology: DockerTopology = {
    spec,
    runId,
    image,
    events,
    engineEvents,
    fairness,
    gatewayAdminToken: gatewayToken,
    endpoints,
    adminUrls,
    processes: () => [...states.values()].map(describe),
    containers: () => Object.fromEntries([...states.values()].flatMap((s) => (s.containerId && s.state !== 'stopped' ? [[s.name, s.containerId]] : []))),
    setRoute,
    stop,
    async startExtra(base, extra: ExtraProcessOptions) {
      const baseState = states.get(base);
      if (!baseState) throw new Error(`no process named ${base}; expected one of: ${[...states.keys()].join(', ')}`);
      const name = `${base}#${extra.suffix}` as ProcessName;
      const role = baseState.planned.role === 'monolith' ? 'monolith' : 'service';
      const versions = { ...versionsOf(baseState), ...extra.versions };
      const args = [...buildHostArgs(spec, role, baseState.planned.models, versions, groupArgOptions(baseState.planned)), ...(extra.extraArgs ?? [])];
      const planned: PlannedProcess = { ...baseState.planned, name, args, port: 0 };
      const state = await prepare(planned, extra.entry ?? baseState.planned.entry, args);
      await launch(state);
      return describe(state);
    },
    async stopProcess(name, graceMs) {
      const state = states.get(name);
      if (state) await stopContainer(state, graceMs);
    },
    async restartProcess(name, change = {}) {
      const state = states.get(name);
      if (!state) throw new Error(`no process named ${name}`);
      const role = state.planned.role;
      if (role !== 'gateway') {
        const versions = { ...versionsOf(state), ...change.versions };
        state.planned = { ...state.planned, args: [...buildHostArgs(spec, role, state.planned.models, versions, groupArgOptions(state.planned)), ...(change.extraArgs ?? [])] };
      }
      const command = role === 'gateway' ? [...state.planned.args, ...buildRouteArgs(routes)] : state.planned.args;
      await stopContainer(state);
      record('restart', state, { detail: 'requested' });
      state.command = [...command, '--port', String(state.port)];
      state.restarts++;
      await launch(state);
      return describe(state);
    },
  };

  /** Versions a container was started with (parsed back from its flags). */
  function versionsOf(state: ContainerState): Record<string, number> {
    const out: Record<string, number> = {};
    const args = state.planned.args;
    for (let i = 0; i < args.length - 1; i++) {
      if (args[i] !== '--version') continue;
      const value = args[i + 1]!;
      const match = /^(.+)=(\d+)$/.exec(value);
      if (match) out[match[1]!] = Number(match[2]);
      else if (state.planned.models.length === 1) out[state.planned.models[0]!] = Number(value);
    }
    return out;
  }

  try {
    const hosts = plan.processes.filter((p) => p.role !== 'gateway');
    const prepared = await Promise.all(hosts.map((p) => prepare(p, p.entry, p.args)));
    const results = await Promise.allSettled(prepared.map((s) => launch(s)));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    const gatewayPlan = plan.processes.find((p) => p.role === 'gateway');
    if (gatewayPlan) {
      for (const [model, replicas] of Object.entries(gatewayPlan.upstreamReplicas)) routes.set(model, replicas.map((upstream) => states.get(upstream)!.url));
      const gateway = await prepare(gatewayPlan, gatewayPlan.entry, [...gatewayPlan.args, ...buildRouteArgs(routes)]);
      await launch(gateway);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return topology;
}
