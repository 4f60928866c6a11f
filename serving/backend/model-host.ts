import { performance } from 'node:perf_hooks';
import type { ModelSpec } from '../../models/catalog.js';
import { loadModel, type LoadedModel, type ThreadBudget } from '../../models/runtime.js';
import { resolveRuntime, type RuntimeInfo } from '../../models/runtimes.js';
import type { Tensor } from '../../models/tensor.js';
import { applyFault } from '../faults/apply-fault.js';
import type { FaultSpec } from '../faults/fault-spec.js';
import { ServingError, type InferOutcome, type ServedModel } from './backend.js';

/** One loaded session plus the requests still running on it, so a swap can release it safely. */
interface Slot {
  model: LoadedModel;
  inFlight: number;
  retired: boolean;
}

/** The one model-run code path both backends use: fault hook, session, hot swap. */
export class ModelHost {
  private slot: Slot | undefined;
  private fault: FaultSpec | undefined;
  private reloading = false;
  private readonly runtime: RuntimeInfo;

  constructor(readonly spec: ModelSpec, private readonly storeDir: string, private readonly threads: ThreadBudget, private readonly warmupRuns = 5, runtimeName?: string) {
    this.runtime = resolveRuntime(runtimeName);
  }

  /** Loads and warms the initial version. */
  async start(version: number): Promise<ServedModel> {
    const model = await loadModel(this.spec, this.storeDir, version, this.threads, this.warmupRuns, this.runtime);
    this.slot = { model, inFlight: 0, retired: false };
    return this.served();
  }

  /** Describes the version now serving. */
  served(): ServedModel {
    const model = this.requireSlot().model;
    return { name: this.spec.name, version: model.file.version, bytes: model.file.bytes, sha256: model.file.sha256, loadMs: Math.round(model.loadMs * 10) / 10 };
  }

  /** Runs the armed fault (if any), then the model, on the slot current at call time. */
  async run(inputs: readonly Tensor[]): Promise<InferOutcome> {
    await applyFault(this.fault);
    const slot = this.requireSlot();
    slot.inFlight++;
    try {
      const started = performance.now();
      const outputs = await slot.model.run(inputs);
      return { outputs, version: slot.model.file.version, inferenceMs: performance.now() - started };
    } catch (error) {
      throw new ServingError(500, `model "${this.spec.name}" failed: ${(error as Error).message}`);
    } finally {
      slot.inFlight--;
      if (slot.retired && slot.inFlight === 0) void slot.model.release();
    }
  }

  /** Loads another version next to the current one, swaps atomically, releases the old one when idle. */
  async reload(version: number): Promise<ServedModel> {
    if (this.reloading) throw new ServingError(409, `model "${this.spec.name}" is already reloading; retry when that load finishes`);
    this.reloading = true;
    try {
      let model: LoadedModel;
      try {
        model = await loadModel(this.spec, this.storeDir, version, this.threads, this.warmupRuns, this.runtime);
      } catch (error) {
        const message = (error as Error).message.split('\n')[0] ?? 'load failed';
        const status = /is not in the store/.test(message) ? 404 : 500;
        throw new ServingError(status, `${message}; version ${this.requireSlot().model.file.version} keeps serving`);
      }
      const old = this.slot;
      this.slot = { model, inFlight: 0, retired: false };
      if (old) {
        old.retired = true;
        if (old.inFlight === 0) await old.model.release();
      }
      return this.served();
    } finally {
      this.reloading = false;
    }
  }

  /** Arms (or, with undefined, disarms) this model's fault. */
  setFault(fault: FaultSpec | undefined): void {
    this.fault = fault;
  }

  /** The armed fault, if any. */
  currentFault(): FaultSpec | undefined {
    return this.fault;
  }

  /** Releases the session. */
  async close(): Promise<void> {
    const slot = this.slot;
    this.slot = undefined;
    if (slot) await slot.model.release();
  }

  /** The current slot; a host is only used after start(). */
  private requireSlot(): Slot {
    if (!this.slot) throw new ServingError(503, `model "${this.spec.name}" is not loaded yet`);
    return this.slot;
  }
}
