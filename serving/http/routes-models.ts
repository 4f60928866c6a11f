import type { Router } from 'express';
import type { Backend } from '../backend/backend.js';
import { sendJson } from './send.js';

/** 404 body for a model this server does not host. */
export function unknownModelMessage(backend: Backend, name: string): string {
  return `unknown model "${name}"; this server hosts: ${backend.models().map((m) => m.name).join(', ')}`;
}

/** Model metadata and per-model readiness. */
export function addModelRoutes(router: Router, backend: Backend): void {
  router.get('/v2/models/:name', (req, res) => {
    const spec = backend.spec(req.params.name);
    if (!spec) return sendJson(res, 404, { error: unknownModelMessage(backend, req.params.name) });
    const served = backend.models().find((m) => m.name === spec.name);
    sendJson(res, 200, {
      name: spec.name,
      versions: served ? [String(served.version)] : [],
      platform: 'onnxruntime_onnx',
      inputs: spec.inputs,
      outputs: spec.outputs,
    });
  });
  router.get('/v2/models/:name/ready', (req, res) => {
    if (!backend.spec(req.params.name)) return sendJson(res, 404, { error: unknownModelMessage(backend, req.params.name) });
    if (backend.isReady(req.params.name)) sendJson(res, 200, { name: req.params.name, ready: true });
    else sendJson(res, 503, { name: req.params.name, ready: false, error: `model "${req.params.name}" is not ready` });
  });
}
