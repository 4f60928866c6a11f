import type { ThreadBudget } from '../../models/runtime.js';
import type { Tensor } from '../../models/tensor.js';
import type { FaultSpec } from '../faults/fault-spec.js';
import type { InferOutcome, ServedModel } from './backend.js';

/** What a model worker is started with. */
export interface WorkerStartData {
  model: string;
  storeDir: string;
  version: number;
  threads: ThreadBudget;
  warmupRuns: number;
  /** Runtime name (models/runtimes.ts); undefined = the default runtime. */
  runtime?: string;
}

/** Messages from the main thread to a model worker. */
export type ToWorker =
  | { type: 'infer'; id: number; inputs: Tensor[] }
  | { type: 'reload'; id: number; version: number }
  | { type: 'fault'; id: number; fault: FaultSpec | null }
  | { type: 'close'; id: number };

/** Messages from a model worker to the main thread. */
export type FromWorker =
  | { type: 'ready'; served: ServedModel }
  | { type: 'start-failed'; message: string }
  | { type: 'done'; id: number; outcome?: InferOutcome; served?: ServedModel; error?: { status: number; message: string } };
