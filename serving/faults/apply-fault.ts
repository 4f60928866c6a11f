import { isMainThread } from 'node:worker_threads';
import type { FaultSpec } from './fault-spec.js';

/** Raised by the `error` fault; the HTTP layer turns it into a 500. */
export class InjectedFaultError extends Error {
  constructor(model: string) {
    super(`injected fault "error" on model "${model}"`);
    this.name = 'InjectedFaultError';
  }
}

export const DEFAULT_CPU_MS = 50;
export const DEFAULT_SLOW_MS = 200;
export const DEFAULT_LEAK_BYTES = 8 * 1024 * 1024;

// Memory the `leak` fault keeps forever (per thread), so it stays resident.
const leaked: Buffer[] = [];

/** Aborts the whole process the way a native crash would, from the main thread or a worker. */
function crashProcess(): never {
  if (isMainThread) process.abort();
  // process.abort() is not available in worker threads; a raw SIGABRT has the same effect.
  process.kill(process.pid, 'SIGABRT');
  for (;;) {
    // Spin until the signal lands: nothing after a crash may run.
  }
}

/** Blocks the current thread for `ms` milliseconds. */
function busyLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy on purpose: this is the `cpu` fault.
  }
}

/** Runs an armed fault inside the model's request path; resolves when inference may proceed. */
export async function applyFault(fault: FaultSpec | undefined): Promise<void> {
  if (!fault) return;
  switch (fault.kind) {
    case 'crash':
      crashProcess();
      break;
    case 'exception':
      // Thrown outside any request handler: nothing catches it, so it takes its thread down.
      setImmediate(() => {
        throw new Error(`injected fault "exception" on model "${fault.model}"`);
      });
      return new Promise<void>(() => {});
    case 'cpu':
      busyLoop(fault.ms ?? DEFAULT_CPU_MS);
      return;
    case 'leak':
      leaked.push(Buffer.allocUnsafe(fault.bytesPerRequest ?? DEFAULT_LEAK_BYTES).fill(1));
      return;
    case 'hang':
      return new Promise<void>(() => {});
    case 'error':
      throw new InjectedFaultError(fault.model);
    case 'slow':
      await new Promise((resolve) => setTimeout(resolve, fault.ms ?? DEFAULT_SLOW_MS));
      return;
  }
}
