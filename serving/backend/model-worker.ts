import { Worker } from 'node:worker_threads';
import type { ModelSpec } from '../../models/catalog.js';
import type { Tensor } from '../../models/tensor.js';
import type { FaultSpec } from '../faults/fault-spec.js';
import { logEvent } from '../server/log-event.js';
import { ServingError, type InferOutcome, type ServedModel } from './backend.js';
import type { FromWorker, ToWorker, WorkerStartData } from './worker-protocol.js';

interface Pending {
  resolve(message: Extract<FromWorker, { type: 'done' }>): void;
  reject(error: Error): void;
}

const WORKER_ENTRY = new URL('./worker-entry.js', import.meta.url);
const RESPAWN_RETRY_MS = 500;

/** Copies a tensor's data into its own buffer unless it already owns one, so it can be transferred. */
function toTransferable(tensor: Tensor): { tensor: Tensor; buffer: ArrayBuffer } {
  const data = tensor.data;
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
  const owned = whole ? data : data.slice();
  return { tensor: { ...tensor, data: owned }, buffer: owned.buffer as ArrayBuffer };
}

/** One model on its own worker thread: request/response over messages, respawned when it dies. */
export class ModelWorker {
  private worker: Worker | undefined;
  private ready = false;
  private closing = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private served: ServedModel | undefined;
  private fault: FaultSpec | undefined;
  restarts = 0;

  constructor(readonly spec: ModelSpec, private readonly start: WorkerStartData) {}

  /** Starts the worker and waits until its model is loaded and warmed. */
  async spawn(version: number): Promise<ServedModel> {
    const worker = new Worker(WORKER_ENTRY, { workerData: { ...this.start, version } satisfies WorkerStartData });
    this.worker = worker;
    const served = await new Promise<ServedModel>((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.type === 'ready') resolve(message.served);
        else if (message.type === 'start-failed') reject(new Error(message.message));
        else this.settle(message);
      };
      worker.on('message', onMessage);
      worker.on('error', (error) => reject(error));
      worker.once('exit', (code) => {
        reject(new Error(`worker for model "${this.spec.name}" exited with code ${code} while starting`));
        this.onExit(worker, code);
      });
    });
    this.served = served;
    this.ready = true;
    return served;
  }

  /** True when the worker is up with its model warmed. */
  isReady(): boolean {
    return this.ready;
  }

  /** Version now serving. */
  current(): ServedModel {
    if (!this.served) throw new ServingError(503, `model "${this.spec.name}" is not loaded yet`);
    return this.served;
  }

  /** Runs one inference on the worker. */
  async infer(inputs: Tensor[]): Promise<InferOutcome> {
    const parts = inputs.map(toTransferable);
    const reply = await this.request({ type: 'infer', id: 0, inputs: parts.map((part) => part.tensor) }, parts.map((part) => part.buffer));
    return reply.outcome!;
  }

  /** Hot-reloads a version inside the worker. */
  async reload(version: number): Promise<ServedModel> {
    const reply = await this.request({ type: 'reload', id: 0, version });
    this.served = reply.served!;
    return this.served;
  }

  /** Arms or disarms this model's fault inside its worker. */
  async setFault(fault: FaultSpec | undefined): Promise<void> {
    await this.request({ type: 'fault', id: 0, fault: fault ?? null });
    this.fault = fault;
  }

  /** The armed fault, if any. */
  currentFault(): FaultSpec | undefined {
    return this.fault;
  }

  /** Stops the worker for good. */
  async close(): Promise<void> {
    this.closing = true;
    this.ready = false;
    await this.worker?.terminate();
  }

  /** Sends a message and waits for its reply; fails fast when the worker is down. */
  private request(message: ToWorker, transfer: ArrayBuffer[] = []): Promise<Extract<FromWorker, { type: 'done' }>> {
    const worker = this.worker;
    if (!worker || !this.ready) return Promise.reject(new ServingError(503, `model "${this.spec.name}" is restarting (its worker thread died); retry shortly`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (reply) => (reply.error ? reject(new ServingError(reply.error.status, reply.error.message)) : resolve(reply)),
        reject,
      });
      worker.postMessage({ ...message, id }, transfer);
    });
  }

  /** Resolves the request a reply belongs to. */
  private settle(message: FromWorker): void {
    if (message.type !== 'done') return;
    const pending = this.pending.get(message.id);
    this.pending.delete(message.id);
    pending?.resolve(message);
  }

  /** A dead worker loses its requests and its state (faults included, as a restarted process would) and is respawned. */
  private onExit(worker: Worker, code: number): void {
    if (worker !== this.worker || this.closing || !this.ready) return;
    this.ready = false;
    this.fault = undefined;
    const lost = this.pending.size;
    for (const pending of this.pending.values()) pending.reject(new ServingError(503, `model "${this.spec.name}": its worker thread died (exit code ${code}) during the request`));
    this.pending.clear();
    this.restarts++;
    logEvent('worker-restart', { model: this.spec.name, exitCode: code, lostRequests: lost, restarts: this.restarts });
    void this.respawn();
  }

  /** Respawns with the version that was serving, retrying until it loads. */
  private async respawn(): Promise<void> {
    const version = this.served?.version ?? this.start.version;
    while (!this.closing) {
      try {
        await this.spawn(version);
        logEvent('worker-ready', { model: this.spec.name, version, restarts: this.restarts });
        return;
      } catch (error) {
        logEvent('worker-start-failed', { model: this.spec.name, version, message: (error as Error).message });
        await new Promise((resolve) => setTimeout(resolve, RESPAWN_RETRY_MS));
      }
    }
  }
}
