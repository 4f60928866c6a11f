import type { Layout } from './layout/layout-types.js';

/** The two ways of grouping models into processes. */
export type TopologyKind = 'monolith' | 'microservices';

/** monolith: single|workers; microservices: direct|gateway. */
export type Variant = 'single' | 'workers' | 'direct' | 'gateway';

/** Variants each topology accepts, in the order help texts list them. */
export const VARIANTS_BY_KIND: Readonly<Record<TopologyKind, readonly Variant[]>> = {
  monolith: ['single', 'workers'],
  microservices: ['direct', 'gateway'],
};

/** Which proxy serves as the gateway: nginx (production proxy) or our Node gateway (zero-dependency fallback). */
export type GatewayImplementation = 'node' | 'nginx';

/** Thread settings applied identically to every server process of both topologies. */
export interface ThreadBudget {
  /** onnxruntime intraOpNumThreads (--intra-op-threads). */
  intraOp: number;
  /** onnxruntime interOpNumThreads (--inter-op-threads). */
  interOp: number;
  /** UV_THREADPOOL_SIZE of every server process. */
  uvThreadpool: number;
}

/** What to start: the contract of docs/architecture.md plus a few optional local knobs. */
export interface TopologySpec {
  kind: TopologyKind;
  variant: Variant;
  models: string[];
  storeDir: string;
  threads: ThreadBudget;
  /** CPU set every server process is pinned to (taskset -c) where possible. */
  serverCpus?: number[];
  adminToken?: string;
  faults?: boolean;
  /** Memory limit per model-hosting process (each service, or the whole monolith). */
  memoryLimitBytes?: number;
  /** CPU quota in CPUs (1.5 = 150 ms per 100 ms) per model-hosting process. */
  cpuQuota?: number;
  restartPolicy: 'always' | 'never';
  versions?: Record<string, number>;
  /** Local only: first port to use (monolith or gateway = base, services = base+1+i); default port 0. */
  portBase?: number;
  /** Local only: put a gateway in front of the monolith (every model route → the monolith), for rolling deploys. */
  monolithGateway?: boolean;
  /** Local only: --grace-ms passed to servers. */
  serverGraceMs?: number;
  /** Gateway implementation (microservices:gateway and monolithGateway); default 'node'. */
  gateway?: GatewayImplementation;
  /** onnxruntime every model-hosting process loads its models on (models/runtimes.ts name); default the main one. */
  runtime?: string;
  /** Per-model runtime: a service runs its model's; the monolith loads each model on its own (only runtimes that co-host work). */
  modelRuntimes?: Record<string, string>;
  /**
   * Which models share which process, replicas and per-group resources (layout/). Absent: the named
   * layout of kind and variant (monolith:single, ..., microservices:gateway) over `models` with the
   * spec's serverCpus / cpuQuota / memoryLimitBytes, which plans exactly what the spec always did.
   */
  layout?: Layout;
}

/** Name of a supervised process; replica r ≥ 2 of a group gets `@r`, extra versions started during redeploys a `#suffix`. */
export type ProcessName = 'monolith' | `monolith@${number}` | `monolith#${string}` | `service:${string}` | 'gateway';

/** Public view of one server process. */
export interface ManagedProcess {
  name: ProcessName;
  pid: number | null;
  url: string | null;
  models: string[];
  restarts: number;
}

/** One entry of the supervisor's log; atMs comes from nowMs(). */
export interface SupervisorEvent {
  atMs: number;
  type: 'spawn' | 'ready' | 'exit' | 'restart' | 'stop' | 'ready-timeout';
  process: string;
  pid?: number;
  code?: number | null;
  signal?: string | null;
  detail?: string;
}

/** One stderr line of a server process, stamped when the supervisor read it (kept in a bounded ring). */
export interface ProcessLogLine {
  atMs: number;
  process: string;
  pid: number | null;
  line: string;
}

/** How CPU pinning went; recorded in results. */
export interface PinningReport {
  cpus: number[] | null;
  applied: boolean;
  reason?: string;
}

/** How resource limits went; recorded in results. */
export interface LimitsReport {
  applied: boolean;
  reason?: string;
  cpuQuota?: number;
  memoryLimitBytes?: number;
  /** True when the servers' own RSS watchdog (--memory-limit-bytes) enforces the memory limit instead. */
  serverWatchdog: boolean;
}

/** Fairness controls applied to every server process of the topology. */
export interface FairnessReport {
  pinning: PinningReport;
  threads: ThreadBudget;
  limits: LimitsReport;
  /** The gateway implementation that serves, or null when the topology has no gateway. */
  gateway?: GatewayImplementation | null;
}

/** The ready line every server prints once listening and warmed. */
export interface ReadyLine {
  event: 'ready';
  role: 'monolith' | 'service' | 'gateway';
  variant: 'single' | 'workers' | null;
  pid: number;
  host: string;
  port: number;
  url: string;
  models: { name: string; version: number; bytes: number; loadMs: number }[];
  readyAtMs: number;
}

/** Options of an additional process started during a redeploy. */
export interface ExtraProcessOptions {
  /** Suffix of the new process name, e.g. "v2" → `service:vad#v2` or `monolith#v2`. */
  suffix: string;
  /** Model versions to serve (`--version`). */
  versions?: Record<string, number>;
  /** Extra raw flags appended to the command line. */
  extraArgs?: string[];
  /** Another compiled entry point (a "new code" version of the server). */
  entry?: string;
}

/** A started topology. */
export interface RunningTopology {
  spec: TopologySpec;
  /** Base URL per model (POST `${url}/v2/models/${model}/infer`). */
  endpoints(): Record<string, string>;
  processes(): ManagedProcess[];
  events: SupervisorEvent[];
  /** The last stderr lines of every process, oldest first (what `kubectl logs` would show); absent on targets that keep none. */
  stderrLines?(): ProcessLogLine[];
  /** Per model, the URL of the process hosting it (admin and fault API). */
  adminUrls(): Record<string, string>;
  fairness: FairnessReport;
  /** The gateway's admin token (generated when the spec has none), or null without a gateway. */
  gatewayAdminToken: string | null;
  /** Starts one more server process (e.g. a new version of a service or the whole monolith). */
  startExtra(base: 'monolith' | `service:${string}`, options: ExtraProcessOptions): Promise<ManagedProcess>;
  /** Stops one process gracefully (SIGTERM lets it drain, SIGKILL after the grace). */
  stopProcess(name: ProcessName, graceMs?: number): Promise<void>;
  /** Restarts one process, optionally with new raw arguments appended/replacing its version flags. */
  restartProcess(name: ProcessName, options?: { versions?: Record<string, number>; extraArgs?: string[] }): Promise<ManagedProcess>;
  /** Points the gateway's route for a model at another upstream URL (admin API). */
  setRoute(model: string, url: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts topologies somewhere (locally for now). */
export interface Target {
  start(spec: TopologySpec, options?: { readyTimeoutMs?: number }): Promise<RunningTopology>;
  /** The gateway implementation that really serves when `requested` is asked for (absent: the requested one). */
  servingGateway?(requested: GatewayImplementation): Promise<GatewayImplementation>;
}
