import type { ModelSpec } from '../../models/catalog.js';
import { defaultStoreDir } from '../../models/paths.js';
import { latestVersion } from '../../models/store.js';
import type { Backend, BackendOptions } from '../backend/backend.js';
import { createModelListener } from '../http/app.js';
import { createServerState } from '../http/server-state.js';
import { ServingMetrics } from '../metrics/registry.js';
import { handleTermination, watchMemory, watchParent } from './lifecycle.js';
import { FlagError, type ModelServerFlags } from './parse-flags.js';
import { isRuntimeMismatch, RuntimeLoadError } from '../../models/runtime.js';
import { DEFAULT_RUNTIME_NAME } from '../../models/runtimes.js';
import { startServer } from './start-server.js';

/** How a topology composes the kit: which models, which versions, which backend. */
export interface ModelServerPlan {
  role: 'monolith' | 'service';
  variant: 'single' | 'workers' | null;
  flags: ModelServerFlags;
  specs: ModelSpec[];
  /** Version per model; missing ones resolve to the newest in the store. */
  versions: Record<string, number>;
  /** Per-model runtime overrides (monolith --model-runtime); the rest use flags.runtime. */
  modelRuntimes?: Record<string, string>;
  createBackend(options: BackendOptions): Promise<Backend>;
}

/** Creates the backend; a model the chosen runtime cannot load is a configuration error (exit 2) naming model, runtime and the loader's error. */
async function createBackendOn(plan: ModelServerPlan, options: BackendOptions): Promise<Backend> {
  try {
    return await plan.createBackend(options);
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    if (error instanceof RuntimeLoadError || (/failed to load on runtime/.test(message) && isRuntimeMismatch(message))) throw new FlagError(`${options.modelRuntimes && Object.keys(options.modelRuntimes).length > 0 ? '--model-runtime' : `--runtime ${options.runtime ?? DEFAULT_RUNTIME_NAME}`}: ${message.split('\n')[0]}`);
    throw error;
  }
}

/** Installs process guards, loads and warms every model, then serves them (monolith and service share this). */
export async function runModelServer(plan: ModelServerPlan): Promise<void> {
  watchParent();
  handleTermination();
  watchMemory(plan.flags.memoryLimitBytes);
  const storeDir = plan.flags.storeDir ?? defaultStoreDir();
  const versions: Record<string, number> = {};
  for (const spec of plan.specs) versions[spec.name] = plan.versions[spec.name] ?? latestVersion(storeDir, spec.name);
  const threads = { intraOpThreads: plan.flags.intraOpThreads, interOpThreads: plan.flags.interOpThreads };
  const backend = await createBackendOn(plan, { specs: plan.specs, storeDir, versions, threads, ...(plan.flags.runtime ? { runtime: plan.flags.runtime } : {}), ...(plan.modelRuntimes ? { modelRuntimes: plan.modelRuntimes } : {}) });
  const state = createServerState();
  const handler = createModelListener({ backend, metrics: new ServingMetrics(), state, bodyLimitBytes: plan.flags.bodyLimitBytes, adminToken: plan.flags.adminToken, faultsEnabled: plan.flags.faults });
  await startServer({
    role: plan.role,
    variant: plan.variant,
    host: plan.flags.host,
    port: plan.flags.port,
    graceMs: plan.flags.graceMs,
    handler,
    state,
    models: () => backend.models().map(({ name, version, bytes, loadMs }) => ({ name, version, bytes, loadMs })),
    close: () => backend.close(),
  });
}
