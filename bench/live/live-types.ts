import type { TimelineMark, Topology, VariantName } from '../results/schema.js';
import type { LiveBin, ModelNow } from './live-timeline.js';

/** What happened during a live session, as the page and the saved run show it. */
export type LiveEventKind = 'fault' | 'disarm' | 'redeploy-start' | 'redeploy-end' | 'process' | 'reset' | 'save' | 'error';

/** One event; `topology` and `model` are null when it concerns the whole session. */
export interface LiveEvent {
  id: number;
  atMs: number;
  kind: LiveEventKind;
  topology: Topology | null;
  model: string | null;
  label: string;
  /** How the saved report's timeline marks it. */
  mark: TimelineMark['kind'] | null;
}

/** One model of one topology now (GET /api/state). */
export interface LiveModelState extends ModelNow {
  model: string;
  sloMs: number;
  rateRps: number;
  version: number;
  armedFaults: string[];
}

/** One topology now: its models, processes, CPUs and how many models are affected (amber or red). */
export interface LiveTopologyState {
  topology: Topology;
  variant: VariantName;
  cpus: number[] | null;
  pinned: boolean;
  pinReason: string | null;
  cpuCores: number | null;
  /** Models amber (slow) or red (failing). */
  modelsAffected: number;
  /** Models red (failing). */
  modelsDown: number;
  busy: string | null;
  processes: Array<{ name: string; pid: number | null; restarts: number; up: boolean }>;
  models: LiveModelState[];
}

/** What the two topologies share: the harness (load generator and this server), its CPU use, what is left free. */
export interface LiveSharedState {
  harnessPid: number;
  harnessCpus: number[];
  harnessCores: number | null;
  machineCores: number;
  /** Cores the live mode (servers + harness) leaves unused: machine cores minus what it used. */
  freeCores: number | null;
  note: string;
}

/** GET /api/state. */
export interface LiveState {
  startedAtMs: number;
  nowMs: number;
  /** Charts show bins from this second on (moved by reset). */
  viewFromT: number;
  saved: string | null;
  shared: LiveSharedState;
  topologies: LiveTopologyState[];
}

/** Per-topology bins keyed by model, as the page charts them. */
export type LiveBins = Record<string, Record<string, LiveBin[]>>;
