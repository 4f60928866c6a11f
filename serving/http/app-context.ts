import type { Backend } from '../backend/backend.js';
import type { ServingMetrics } from '../metrics/registry.js';
import type { ServerState } from './server-state.js';

/** Everything the model-server routes need. */
export interface AppContext {
  backend: Backend;
  metrics: ServingMetrics;
  state: ServerState;
  bodyLimitBytes: number;
  /** Enables /admin/* and the repository API when set. */
  adminToken: string | undefined;
  /** Enables fault arming (needs adminToken). */
  faultsEnabled: boolean;
}
