import type { Router } from 'express';
import type { Backend } from '../backend/backend.js';
import { sendJson } from './send.js';
import type { ServerState } from './server-state.js';

/** Models that are not ready, or a reason the whole server is not. */
function notReady(backend: Backend, state: ServerState): string | undefined {
  if (state.draining) return 'server is shutting down';
  const down = backend.models().map((m) => m.name).filter((name) => !backend.isReady(name));
  return down.length > 0 ? `models not ready: ${down.join(', ')}` : undefined;
}

/** Liveness, readiness and server metadata. */
export function addHealthRoutes(router: Router, backend: Backend, state: ServerState): void {
  router.get('/v2/health/live', (_req, res) => sendJson(res, 200, { live: true }));
  router.get('/v2/health/ready', (_req, res) => {
    const reason = notReady(backend, state);
    if (reason) sendJson(res, 503, { ready: false, error: reason });
    else sendJson(res, 200, { ready: true });
  });
  router.get('/v2', (_req, res) => sendJson(res, 200, { name: 'splitbench', version: '0.1.0', extensions: ['binary_tensor_data', 'model_repository'] }));
}
