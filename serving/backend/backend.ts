import type { ModelSpec } from '../../models/catalog.js';
import type { ThreadBudget } from '../../models/runtime.js';
import type { Tensor } from '../../models/tensor.js';
import type { FaultSpec } from '../faults/fault-spec.js';

/** A model as it is currently served: what the ready line and the load API report. */
export interface ServedModel {
  name: string;
  version: number;
  bytes: number;
  sha256: string;
  loadMs: number;
}

/** Result of one inference: the outputs, the version that produced them and the pure model time. */
export interface InferOutcome {
  outputs: Tensor[];
  version: number;
  inferenceMs: number;
}

/** What a backend needs to load its models. */
export interface BackendOptions {
  specs: ModelSpec[];
  storeDir: string;
  versions: Record<string, number>;
  threads: ThreadBudget;
  warmupRuns?: number;
  /** Runtime (models/runtimes.ts name) every model of this process loads on; default the main one. */
  runtime?: string;
  /** Per-model runtime overrides (a monolith co-hosting runtimes that can share a process). */
  modelRuntimes?: Record<string, string>;
}

/** Where models run: on the main thread, or one worker thread per model. The HTTP layer only sees this. */
export interface Backend {
  readonly kind: 'in-process' | 'workers';
  /** Specs of the hosted models, by name. */
  spec(name: string): ModelSpec | undefined;
  /** Currently served version of every model. */
  models(): ServedModel[];
  /** True when the model is loaded, warmed and able to take requests. */
  isReady(name: string): boolean;
  infer(name: string, inputs: Tensor[]): Promise<InferOutcome>;
  /** Loads and warms another version, then swaps it in; the old one keeps serving if this fails. */
  reload(name: string, version: number): Promise<ServedModel>;
  armFault(fault: FaultSpec): Promise<void>;
  disarmFaults(): Promise<void>;
  faults(): FaultSpec[];
  close(): Promise<void>;
}

/** An error with the HTTP status it should be answered with. */
export class ServingError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'ServingError';
  }
}
