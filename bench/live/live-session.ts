import { availableParallelism } from 'node:os';
import { findModel } from '../../models/catalog.js';
import { latestVersion } from '../../models/store.js';
import { nowMs, sleep } from '../clock.js';
import type { TopologyVariant } from '../config/topologies.js';
import { armFault, buildFaultRequest, disarmUntilAcknowledged, hostPid } from '../experiments/fault/fault-admin.js';
import { performRollout, type HostState } from '../experiments/redeploy/perform-rollout.js';
import { trackPublishedVersions, type PublishedVersions } from '../experiments/redeploy/store-versions.js';
import { HARNESS_ADMIN_TOKEN } from '../experiments/topology-spec.js';
import { buildRequests } from '../experiments/traffic.js';
import { allowedCpus } from '../targets/local/cpu-pinning.js';
import type { RunningTopology, SupervisorEvent, Target, TopologySpec } from '../targets/types.js';
import type { FaultKind, Topology, TimelineMark } from '../results/schema.js';
import { ProcessGroupCpu, SelfCpu, smooth } from './cpu-usage.js';
import { startLiveLoad, type LiveLoad } from './live-load.js';
import { LiveTimeline } from './live-timeline.js';
import type { LiveBins, LiveEvent, LiveEventKind, LiveState, LiveTopologyState } from './live-types.js';

/** Everything a live session is started from. */
export interface LiveSessionOptions {
  target: Target;
  topologies: TopologyVariant[];
  models: string[];
  storeDir: string;
  /** Requests per second per model, the same on every topology. */
  rates: Record<string, number>;
  seed: number;
  timeoutMs: number;
  /** Memory limit per model-hosting process (so the leak fault ends in a kill). */
  memoryLimitBytes: number;
}

/** A message to the page: the full history once, then a tick per second and every event as it happens. */
export type LiveMessage =
  | { type: 'history'; state: LiveState; bins: LiveBins; events: LiveEvent[] }
  | { type: 'tick'; state: LiveState; bins: LiveBins }
  | { type: 'event'; event: LiveEvent };

/** A control the session refused: the HTTP layer answers it with `status` and `{error}`. */
export class LiveControlError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = 'LiveControlError';
  }
}

/** One running topology with its load, timeline and bookkeeping. */
interface LiveTopology {
  who: TopologyVariant;
  running: RunningTopology;
  load: LiveLoad;
  timeline: LiveTimeline;
  cpu: ProcessGroupCpu;
  cpuCores: number | null;
  hosts: Map<string, HostState>;
  armed: Map<string, { kind: string; pid: number | null }>;
  busy: string | null;
  seenEvents: number;
}

/** How long a disarm keeps retrying a process that does not answer (busy with a cpu backlog). */
const DISARM_DEADLINE_MS = 15_000;

/** Bins re-sent on every tick, so answers arriving after their second was first shown still reach the page. */
const RESEND_SECONDS = 6;

/**
 * Chooses the CPUs: with 2+ CPUs each topology gets its own half (the harness shares whatever is
 * left, or all when nothing is); with 3+ the first CPU is kept for the harness.
 */
export function planLiveCpus(count: number, cpus: readonly number[] = allowedCpus()): { servers: Array<number[] | null>; harness: number[] } {
  if (cpus.length < 2 || count < 1) return { servers: Array.from({ length: count }, () => null), harness: [...cpus] };
  const pool = cpus.length >= count + 1 ? cpus.slice(1) : [...cpus];
  const per = Math.max(1, Math.floor(pool.length / count));
  const servers = Array.from({ length: count }, (_, i) => pool.slice(i * per, i === count - 1 ? pool.length : (i + 1) * per));
  return { servers, harness: cpus.length >= count + 1 ? [cpus[0]!] : [...cpus] };
}

/** Both topologies under steady load, with fault, redeploy and reset controls and a per-second record. */
export class LiveSession {
  /** When the load started (second 0 of every chart and timeline). */
  startedAtMs = nowMs();
  readonly events: LiveEvent[] = [];
  private readonly listeners = new Set<(message: LiveMessage) => void>();
  private readonly live: LiveTopology[] = [];
  private readonly versions: PublishedVersions;
  private readonly selfCpu = new SelfCpu();
  private harnessCores: number | null = null;
  private harnessCpus: number[] = [];
  private ticker: NodeJS.Timeout | undefined;
  private viewFromT = 0;
  private stopped = false;
  savedDir: string | null = null;

  private constructor(readonly options: LiveSessionOptions) {
    this.versions = trackPublishedVersions(options.storeDir);
  }

  /** Starts every topology (each on its own CPUs where there are enough), then the load on each. */
  static async start(options: LiveSessionOptions): Promise<LiveSession> {
    const session = new LiveSession(options);
    const plan = planLiveCpus(options.topologies.length);
    session.harnessCpus = plan.harness;
    const specs = options.topologies.map((who, i) => session.buildSpec(who, plan.servers[i] ?? null));
    const started = await Promise.allSettled(specs.map((spec) => options.target.start(spec)));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
      throw failed.reason;
    }
    const requests = buildRequests(options.models, options.seed);
    session.startedAtMs = nowMs();
    started.forEach((s, i) => {
      const running = (s as PromiseFulfilledResult<RunningTopology>).value;
      session.live.push(session.startLoad(options.topologies[i]!, running, requests, i));
    });
    session.ticker = setInterval(() => void session.tick(), 1000);
    return session;
  }

  /** The spec of one topology: same models, threads, limits and fault hooks for both; only CPUs differ. */
  private buildSpec(who: TopologyVariant, cpus: number[] | null): TopologySpec {
    return {
      kind: who.topology,
      variant: who.variant,
      models: [...this.options.models],
      storeDir: this.options.storeDir,
      threads: { intraOp: 1, interOp: 1, uvThreadpool: 4 },
      ...(cpus ? { serverCpus: cpus } : {}),
      adminToken: HARNESS_ADMIN_TOKEN,
      faults: true,
      memoryLimitBytes: this.options.memoryLimitBytes,
      restartPolicy: 'always',
    };
  }

  /** Starts the steady open-loop load on one topology and its per-second record. */
  private startLoad(who: TopologyVariant, running: RunningTopology, requests: ReturnType<typeof buildRequests>, index: number): LiveTopology {
    const { models, rates } = this.options;
    const slo = Object.fromEntries(models.map((m) => [m, findModel(m)!.sloMs]));
    const timeline = new LiveTimeline(this.startedAtMs, models, rates, slo);
    const load = startLiveLoad({
      streams: models.map((model) => ({
        model,
        rateRps: rates[model]!,
        url: () => {
          const base = running.endpoints()[model];
          return base ? `${base}/v2/models/${model}/infer` : null;
        },
        headers: requests[model]!.headers,
        body: requests[model]!.body,
      })),
      arrival: 'constant',
      seed: this.options.seed + index,
      timeoutMs: this.options.timeoutMs,
      onSend: (model, atMs) => timeline.recordSend(model, atMs),
      onOutcome: (outcome) => timeline.recordOutcome(outcome),
    });
    const hosts = new Map(models.map((m) => [m, { host: who.topology === 'monolith' ? 'monolith' : `service:${m}`, version: latestVersion(this.options.storeDir, m) } as HostState]));
    return { who, running, load, timeline, cpu: new ProcessGroupCpu(), cpuCores: null, hosts, armed: new Map(), busy: null, seenEvents: running.events.length };
  }

  /** Adds a listener for page messages; returns its removal. */
  subscribe(listener: (message: LiveMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends a message to every listener. */
  private broadcast(message: LiveMessage): void {
    for (const listener of this.listeners) listener(message);
  }

  /** Records an event and pushes it to the page. */
  private record(kind: LiveEventKind, topology: Topology | null, model: string | null, label: string, mark: TimelineMark['kind'] | null): LiveEvent {
    const event: LiveEvent = { id: this.events.length + 1, atMs: nowMs(), kind, topology, model, label, mark };
    this.events.push(event);
    this.broadcast({ type: 'event', event });
    return event;
  }

  /** Once a second: supervisor events, CPU, then the state and the recent bins to the page. */
  private async tick(): Promise<void> {
    if (this.stopped) return;
    const at = nowMs();
    this.harnessCores = smooth(this.harnessCores, this.selfCpu.sample(at));
    for (const t of this.live) {
      this.followProcessEvents(t);
      const pids = t.running.processes().map((p) => p.pid).filter((pid): pid is number => pid !== null);
      t.cpuCores = smooth(t.cpuCores, await t.cpu.sample(pids, at));
    }
    if (this.stopped) return;
    this.broadcast({ type: 'tick', state: this.state(), bins: this.bins(Math.max(this.viewFromT, this.secondNow() - RESEND_SECONDS)) });
  }

  /** Turns new supervisor events (exits, restarts, readiness) into live events. */
  private followProcessEvents(t: LiveTopology): void {
    const fresh = t.running.events.slice(t.seenEvents);
    t.seenEvents = t.running.events.length;
    const marks: Partial<Record<SupervisorEvent['type'], TimelineMark['kind']>> = { exit: 'exit', restart: 'restart', ready: 'ready', stop: 'other', 'ready-timeout': 'other' };
    for (const e of fresh) {
      const mark = marks[e.type];
      if (!mark) continue;
      const how = e.type === 'exit' ? ` (${e.signal ?? `code ${e.code}`})` : '';
      const model = e.process.startsWith('service:') ? e.process.slice('service:'.length).split('#')[0]! : null;
      this.record('process', t.who.topology, model, `${e.process} ${e.type}${how}`, mark);
    }
  }

  /** Current second index since the session started. */
  private secondNow(): number {
    return Math.floor((nowMs() - this.startedAtMs) / 1000);
  }

  /** Bins of every topology from second `fromT` on. */
  bins(fromT: number): LiveBins {
    const at = nowMs();
    return Object.fromEntries(this.live.map((t) => [t.who.topology, t.timeline.binsSince(fromT, at)]));
  }

  /** The full history since the last reset, for a page that just (re)loaded. */
  history(): LiveMessage {
    return { type: 'history', state: this.state(), bins: this.bins(this.viewFromT), events: [...this.events] };
  }

  /** Faults still armed: those whose process is still the one they were armed in. */
  private armedFaults(t: LiveTopology, model: string): string[] {
    const armed = t.armed.get(model);
    if (!armed) return [];
    if (hostPid(t.running, model) !== armed.pid) {
      t.armed.delete(model);
      return [];
    }
    return [armed.kind];
  }

  /** GET /api/state: per topology and model, rps, p50, p99, error rate, health and armed faults. */
  state(): LiveState {
    const at = nowMs();
    const topologies: LiveTopologyState[] = this.live.map((t) => {
      const models = this.options.models.map((model) => ({
        model,
        sloMs: findModel(model)!.sloMs,
        rateRps: this.options.rates[model]!,
        version: t.hosts.get(model)!.version,
        ...t.timeline.now(model, at),
        armedFaults: this.armedFaults(t, model),
      }));
      const { pinning } = t.running.fairness;
      return {
        topology: t.who.topology,
        variant: t.who.variant,
        cpus: pinning.cpus,
        pinned: pinning.applied,
        pinReason: pinning.reason ?? null,
        cpuCores: t.cpuCores,
        modelsAffected: models.filter((m) => m.health === 'red' || m.health === 'amber').length,
        modelsDown: models.filter((m) => m.health === 'red').length,
        busy: t.busy,
        processes: t.running.processes().map((p) => ({ name: p.name, pid: p.pid, restarts: p.restarts, up: p.url !== null && p.pid !== null })),
        models,
      };
    });
    const machineCores = allowedCpus().length || availableParallelism();
    const used = [this.harnessCores, ...this.live.map((t) => t.cpuCores)];
    const freeCores = used.every((u) => u !== null) ? Math.max(0, machineCores - used.reduce<number>((s, u) => s + (u ?? 0), 0)) : null;
    return {
      startedAtMs: this.startedAtMs,
      nowMs: at,
      viewFromT: this.viewFromT,
      saved: this.savedDir,
      shared: {
        harnessPid: process.pid,
        harnessCpus: this.harnessCpus,
        harnessCores: this.harnessCores,
        machineCores,
        freeCores,
        note: 'both topologies share the harness: one load generator process (this server) sending to both, unpinned, plus the machine\'s memory bus and caches',
      },
      topologies,
    };
  }

  /** The live topologies a control names (`both` = all). */
  private pick(topology: Topology | 'both'): LiveTopology[] {
    const picked = this.live.filter((t) => topology === 'both' || t.who.topology === topology);
    if (picked.length === 0) throw new LiveControlError(`topology "${topology}" is not running; running: ${this.live.map((t) => t.who.topology).join(', ')}`, 404);
    return picked;
  }

  /** Checks a model name against the session's models. */
  private checkModel(model: string): void {
    if (!this.options.models.includes(model)) throw new LiveControlError(`model "${model}" is not in this session; expected one of: ${this.options.models.join(', ')}`, 404);
  }

  /** URL of the process hosting a model now (follows rolling redeploys). */
  private hostUrl(t: LiveTopology, model: string): string | undefined {
    const host = t.hosts.get(model)!.host;
    return t.running.processes().find((p) => p.name === host)?.url ?? t.running.adminUrls()[model];
  }

  /** POST /api/faults: arms a fault on a model in one or both topologies. */
  async armFault(topology: Topology | 'both', model: string, kind: Exclude<FaultKind, 'none'>): Promise<LiveEvent[]> {
    this.checkModel(model);
    const out: LiveEvent[] = [];
    for (const t of this.pick(topology)) {
      const url = this.hostUrl(t, model);
      if (!url) throw new LiveControlError(`no process of ${t.who.topology} hosts ${model} right now (restarting?); try again in a moment`, 409);
      const pid = hostPid(t.running, model);
      let label = `${kind} in ${model}`;
      try {
        await armFault(url, buildFaultRequest(model, kind));
      } catch (error) {
        // A crash can fire on the next request before the admin answer leaves the process: then the process is gone, and the fault did act.
        if (!(await this.diedSince(t, model, pid))) throw new LiveControlError(`arming ${kind} on ${model} in ${t.who.topology} failed: ${(error as Error).message}`, 502);
        label += ' (the process died before it answered)';
      }
      t.armed.set(model, { kind, pid });
      out.push(this.record('fault', t.who.topology, model, label, 'inject'));
    }
    return out;
  }

  /** True when the process that hosted the model (pid) is gone within a short wait. */
  private async diedSince(t: LiveTopology, model: string, pid: number | null): Promise<boolean> {
    for (let i = 0; i < 10; i++) {
      if (hostPid(t.running, model) !== pid || t.running.events.some((e) => e.type === 'exit' && e.pid === pid)) return true;
      await sleep(100);
    }
    return false;
  }

  /** DELETE /api/faults: disarms every fault (of one topology, or all); a dead process cannot be disarmed and needs not be. */
  async disarm(topology: Topology | 'both' = 'both'): Promise<LiveEvent[]> {
    const out: LiveEvent[] = [];
    for (const t of this.pick(topology)) {
      // One model per hosting process; a process busy with a cpu backlog may answer late, so each is retried until it acknowledges or dies.
      const byHost = new Map<string, string>();
      for (const model of this.options.models) {
        const url = this.hostUrl(t, model);
        if (url !== undefined && !byHost.has(url)) byHost.set(url, model);
      }
      const deadline = nowMs() + DISARM_DEADLINE_MS;
      const outcomes = await Promise.all([...byHost.values()].map((model) => disarmUntilAcknowledged(t.running, model, hostPid(t.running, model), deadline)));
      const unanswered = outcomes.filter((o) => !o.acknowledged && !/is gone/.test(o.detail ?? '')).length;
      t.armed.clear();
      out.push(this.record('disarm', t.who.topology, null, unanswered === 0 ? 'faults disarmed' : `faults disarmed (${unanswered} process(es) did not answer in ${DISARM_DEADLINE_MS / 1000} s)`, 'disarm'));
    }
    return out;
  }

  /** POST /api/redeploy: publishes a new version of the model and rolls it out (in the background). */
  redeploy(topology: Topology | 'both', model: string, strategy: 'recreate' | 'rolling'): LiveEvent[] {
    this.checkModel(model);
    const picked = this.pick(topology);
    const busy = picked.find((t) => t.busy !== null);
    if (busy) throw new LiveControlError(`${busy.who.topology} is busy (${busy.busy}); wait until it finishes`, 409);
    const info = this.versions.publish(model, false);
    const started: LiveEvent[] = [];
    for (const t of picked) {
      const state = t.hosts.get(model)!;
      t.busy = `${strategy} ${model} → v${info.version}`;
      started.push(this.record('redeploy-start', t.who.topology, model, `${strategy} ${model} v${state.version} → v${info.version}`, 'rollout-start'));
      void performRollout(t.running, state, model, info.version, { strategy, changeKind: 'model', corrupt: false }).then((done) => {
        t.busy = null;
        if (this.stopped) return;
        const took = `${((done.endedAtMs - done.startedAtMs) / 1000).toFixed(1)} s`;
        this.record('redeploy-end', t.who.topology, model, done.error === null ? `${model} v${info.version} live (${done.reloadMode}, ${took})` : `redeploy failed: ${done.error}`, 'rollout-end');
      });
    }
    return started;
  }

  /** POST /api/reset: disarms every fault and starts the charts afresh (the saved run keeps everything). */
  async reset(): Promise<LiveEvent> {
    await this.disarm('both');
    this.viewFromT = this.secondNow();
    const event = this.record('reset', null, null, 'reset: faults disarmed, charts restarted', 'other');
    this.broadcast(this.history());
    return event;
  }

  /** Remembers where the session was saved and logs it as an event. */
  markSaved(dir: string): void {
    this.savedDir = dir;
    this.record('save', null, null, `saved to ${dir}`, null);
  }

  /** Rates, health rules and CPU plan for the saved run. */
  describeLive(): { topologies: Array<{ who: TopologyVariant; cpus: number[] | null; pinned: boolean; cpuCores: number | null; timeline: LiveTimeline }> } {
    return { topologies: this.live.map((t) => ({ who: t.who, cpus: t.running.fairness.pinning.cpus, pinned: t.running.fairness.pinning.applied, cpuCores: t.cpuCores, timeline: t.timeline })) };
  }

  /** Stops sending and ticking at once (what is in flight still lands); `stop` does the rest. */
  pauseLoad(): void {
    clearInterval(this.ticker);
    for (const t of this.live) void t.load.stop();
  }

  /** Stops the load, then every topology, then removes the versions this session published. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.ticker);
    await Promise.all(this.live.map((t) => t.load.stop()));
    await Promise.all(this.live.map((t) => t.running.stop()));
    this.versions.removeAll();
    this.listeners.clear();
  }
}
