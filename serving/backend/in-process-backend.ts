import type { Tensor } from '../../models/tensor.js';
import type { FaultSpec } from '../faults/fault-spec.js';
import { ServingError, type Backend, type BackendOptions, type InferOutcome, type ServedModel } from './backend.js';
import { ModelHost } from './model-host.js';

/** Runs every model's session on the main thread (monolith `single` and every microservice). */
export class InProcessBackend implements Backend {
  readonly kind = 'in-process' as const;
  private readonly hosts = new Map<string, ModelHost>();

  private constructor() {}

  /** Loads and warms every model, one after another. */
  static async create(options: BackendOptions): Promise<InProcessBackend> {
    const backend = new InProcessBackend();
    for (const spec of options.specs) {
      const host = new ModelHost(spec, options.storeDir, options.threads, options.warmupRuns, options.modelRuntimes?.[spec.name] ?? options.runtime);
      await host.start(options.versions[spec.name] ?? spec.initialVersion);
      backend.hosts.set(spec.name, host);
    }
    return backend;
  }

  /** Spec of a hosted model. */
  spec(name: string) {
    return this.hosts.get(name)?.spec;
  }

  /** Versions now serving. */
  models(): ServedModel[] {
    return [...this.hosts.values()].map((host) => host.served());
  }

  /** In-process models are ready as soon as they are hosted. */
  isReady(name: string): boolean {
    return this.hosts.has(name);
  }

  /** Runs one inference on the main thread. */
  infer(name: string, inputs: Tensor[]): Promise<InferOutcome> {
    return this.host(name).run(inputs);
  }

  /** Hot-reloads a model version. */
  reload(name: string, version: number): Promise<ServedModel> {
    return this.host(name).reload(version);
  }

  /** Arms a fault on one model. */
  async armFault(fault: FaultSpec): Promise<void> {
    this.host(fault.model).setFault(fault);
  }

  /** Disarms every fault. */
  async disarmFaults(): Promise<void> {
    for (const host of this.hosts.values()) host.setFault(undefined);
  }

  /** Faults now armed. */
  faults(): FaultSpec[] {
    return [...this.hosts.values()].flatMap((host) => host.currentFault() ?? []);
  }

  /** Releases every session. */
  async close(): Promise<void> {
    for (const host of this.hosts.values()) await host.close();
  }

  /** The host of a model, or a 404. */
  private host(name: string): ModelHost {
    const host = this.hosts.get(name);
    if (!host) throw new ServingError(404, `unknown model "${name}"; expected one of: ${[...this.hosts.keys()].join(', ')}`);
    return host;
  }
}
