import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';

/** The onnxruntime-node API splitbench uses; every shipped version exposes it. */
export type OrtModule = typeof Ort;

/** One onnxruntime-node install the project ships (the main package or an npm alias of another version). */
export interface RuntimeInfo {
  /** Name used on command lines and in results (`ort-1.17`). */
  name: string;
  /** The npm package (or alias) to require. */
  packageName: string;
  /** The onnxruntime version the package.json pins, checked against the installed one by `describeRuntime`. */
  expectedVersion: string;
}

/** Every runtime splitbench ships, oldest first; package.json installs each with `npm ci`. */
export const RUNTIMES: readonly RuntimeInfo[] = [
  { name: 'ort-1.17', packageName: 'onnxruntime-node-1-17', expectedVersion: '1.17.3' },
  { name: 'ort-1.22', packageName: 'onnxruntime-node-1-22', expectedVersion: '1.22.0' },
  { name: 'ort-1.30', packageName: 'onnxruntime-node', expectedVersion: '1.30' },
];

/** The runtime every server uses unless told otherwise: the main onnxruntime-node dependency. */
export const DEFAULT_RUNTIME_NAME = 'ort-1.30';

const require = createRequire(import.meta.url);
const loaded = new Map<string, OrtModule>();

/** Raised for runtime names the registry does not have; the message lists what exists. */
export class UnknownRuntimeError extends Error {
  constructor(readonly runtimeName: string) {
    super(`unknown runtime "${runtimeName}"; expected one of: ${RUNTIMES.map((r) => r.name).join(', ')}`);
    this.name = 'UnknownRuntimeError';
  }
}

/** Looks a runtime up by name, or throws UnknownRuntimeError. */
export function resolveRuntime(name: string = DEFAULT_RUNTIME_NAME): RuntimeInfo {
  const runtime = RUNTIMES.find((r) => r.name === name);
  if (!runtime) throw new UnknownRuntimeError(name);
  return runtime;
}

/** The onnxruntime version actually installed for a runtime (read from its package.json). */
export function installedVersion(runtime: RuntimeInfo): string {
  return (require(`${runtime.packageName}/package.json`) as { version: string }).version;
}

/** A runtime as results record it: name, package and installed onnxruntime version. */
export function describeRuntime(runtime: RuntimeInfo): { name: string; packageName: string; version: string } {
  return { name: runtime.name, packageName: runtime.packageName, version: installedVersion(runtime) };
}

/**
 * Loads a runtime's native binding into this process (once). Loading a second runtime may fail when
 * both ship the same shared-library soname: that is what the co-hosting matrix measures.
 */
export function importRuntime(runtime: RuntimeInfo): OrtModule {
  const cached = loaded.get(runtime.name);
  if (cached) return cached;
  const module = require(runtime.packageName) as OrtModule;
  loaded.set(runtime.name, module);
  return module;
}

/**
 * Loads each runtime's binding on this (main) thread so worker threads can load it too.
 * onnxruntime-node 1.17 and 1.22 register with Node through a static constructor that runs only on
 * the first dlopen of the process, and Node forgets the registration once every thread that loaded
 * the binding has exited: a worker loading it after another worker exited fails with
 * "Module did not self-register". A main thread that holds the binding keeps it registered.
 * Best effort: a runtime that cannot load here is left for its worker to report with the real error.
 */
export function pinRuntimeBindings(runtimeNames: ReadonlyArray<string | undefined>): void {
  for (const name of new Set(runtimeNames)) {
    try {
      importRuntime(resolveRuntime(name));
    } catch {
      // The worker that needs it will load it and report why it fails.
    }
  }
}
