import { parentPort, workerData } from 'node:worker_threads';
import { findModel } from '../../models/catalog.js';
import { InjectedFaultError } from '../faults/apply-fault.js';
import { ServingError } from './backend.js';
import { ModelHost } from './model-host.js';
import type { FromWorker, ToWorker, WorkerStartData } from './worker-protocol.js';

// One model per worker thread, running the same ModelHost (fault hook + session) as the in-process backend.
const data = workerData as WorkerStartData;
const port = parentPort!;
const spec = findModel(data.model)!;
const host = new ModelHost(spec, data.storeDir, data.threads, data.warmupRuns, data.runtime);

/** Sends a message, transferring output buffers the worker owns outright. */
function send(message: FromWorker): void {
  port.postMessage(message);
}

/** Turns a thrown value into a status and a message for the main thread. */
function describeError(error: unknown): { status: number; message: string } {
  if (error instanceof ServingError) return { status: error.status, message: error.message };
  if (error instanceof InjectedFaultError) return { status: 500, message: error.message };
  return { status: 500, message: (error as Error).message };
}

/** Handles one request from the main thread. */
async function handle(message: ToWorker): Promise<void> {
  try {
    switch (message.type) {
      case 'infer':
        send({ type: 'done', id: message.id, outcome: await host.run(message.inputs) });
        return;
      case 'reload':
        send({ type: 'done', id: message.id, served: await host.reload(message.version) });
        return;
      case 'fault':
        host.setFault(message.fault ?? undefined);
        send({ type: 'done', id: message.id });
        return;
      case 'close':
        await host.close();
        send({ type: 'done', id: message.id });
        port.close();
        return;
    }
  } catch (error) {
    send({ type: 'done', id: message.id, error: describeError(error) });
  }
}

try {
  const served = await host.start(data.version);
  port.on('message', (message: ToWorker) => void handle(message));
  send({ type: 'ready', served });
} catch (error) {
  send({ type: 'start-failed', message: (error as Error).message });
  // Exit on our own rather than be terminated: some onnxruntime bindings (1.22) abort the process when a worker that loaded them is terminated.
  port.close();
}
