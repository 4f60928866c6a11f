import type { Tensor } from '../../models/tensor.js';
import type { FaultSpec } from '../faults/fault-spec.js';
import { ServingError, type Backend, type BackendOptions, type InferOutcome, type ServedModel } from './backend.js';
import { ModelWorker } from './model-worker.js';
import { pinRuntimeBindings } from '../../models/runtimes.js';

/** One worker thread per model, in one process (monolith `workers`). */
export class WorkerBackend implements Backend {
  readonly kind = 'workers' as const;
  private readonly workers = new Map<string, ModelWorker>();

  private constructor() {}

  /** Starts every model's worker in parallel and waits until all are loaded and warmed. */
  static async create(options: BackendOptions): Promise<WorkerBackend> {
    const backend = new WorkerBackend();
    pinRuntimeBindings(options.specs.map((spec) => options.modelRuntimes?.[spec.name] ?? options.runtime));
    for (const spec of options.specs) {
      const version = options.versions[spec.name] ?? spec.initialVersion;
      backend.workers.set(spec.name, new ModelWorker(spec, { model: spec.name, storeDir: options.storeDir, version, threads: options.threads, warmupRuns: options.warmupRuns ?? 5, ...((options.modelRuntimes?.[spec.name] ?? options.runtime) ? { runtime: options.modelRuntimes?.[spec.name] ?? options.runtime } : {}) }));
    }
    // Wait for every worker to settle before closing any: terminating one mid-load can abort the process on some runtimes.
    const started = await Promise.allSettled([...backend.workers.values()].map((worker) => worker.spawn(options.versions[worker.spec.name] ?? worker.spec.initialVersion)));
    const failed = started.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) {
      await backend.close();
      throw failed.reason;
    }
    return backend;
  }

  /** Spec of a hosted model. */
  spec(name: string) {
    return this.workers.get(name)?.spec;
  }

  /** Versions now serving. */
  models(): ServedModel[] {
    return [...this.workers.values()].map((worker) => worker.current());
  }

  /** Ready unless the model's worker is restarting. */
  isReady(name: string): boolean {
    return this.workers.get(name)?.isReady() ?? false;
  }

  /** Runs one inference on the model's worker. */
  infer(name: string, inputs: Tensor[]): Promise<InferOutcome> {
    return this.worker(name).infer(inputs);
  }

  /** Hot-reloads a version inside the model's worker. */
  reload(name: string, version: number): Promise<ServedModel> {
    return this.worker(name).reload(version);
  }

  /** Arms a fault inside the model's worker. */
  armFault(fault: FaultSpec): Promise<void> {
    return this.worker(fault.model).setFault(fault);
  }

  /** Disarms every fault. */
  async disarmFaults(): Promise<void> {
    await Promise.all([...this.workers.values()].filter((worker) => worker.isReady()).map((worker) => worker.setFault(undefined)));
  }

  /** Faults now armed. */
  faults(): FaultSpec[] {
    return [...this.workers.values()].flatMap((worker) => worker.currentFault() ?? []);
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await Promise.all([...this.workers.values()].map((worker) => worker.close()));
  }

  /** The worker of a model, or a 404. */
  private worker(name: string): ModelWorker {
    const worker = this.workers.get(name);
    if (!worker) throw new ServingError(404, `unknown model "${name}"; expected one of: ${[...this.workers.keys()].join(', ')}`);
    return worker;
  }
}
