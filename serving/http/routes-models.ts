import type { Request, Response, Router } from 'express';
import type { Backend } from '../backend/backend.js';
import { ServingError } from '../backend/backend.js';
import { sendFailure, sendJson } from './send.js';

/** 404 body for a model this server does not host. */
export function unknownModelMessage(backend: Backend, name: string): string {
  return `unknown model "${name}"; this server hosts: ${backend.models().map((m) => m.name).join(', ')}`;
}

/** Versions of a hosted model this server has loaded (one: the one it serves). */
function loadedVersions(backend: Backend, name: string): string[] {
  const served = backend.models().find((m) => m.name === name);
  return served ? [String(served.version)] : [];
}

/** Throws a 404 naming the loaded version(s) when `version` is not one this server serves for the model. */
export function checkVersionLoaded(backend: Backend, name: string, version: string): void {
  const loaded = loadedVersions(backend, name);
  if (!loaded.includes(version)) {
    throw new ServingError(404, `model "${name}" has no version ${JSON.stringify(version)} loaded; loaded version(s): ${loaded.join(', ') || 'none'}`);
  }
}

/** Answers model metadata (KServe v2 $metadata_model_response), for the served version or a named one. */
function answerMetadata(backend: Backend, req: Request, res: Response): void {
  const name = req.params.name as string;
  const spec = backend.spec(name);
  if (!spec) return sendJson(res, 404, { error: unknownModelMessage(backend, name) });
  if (req.params.version !== undefined) checkVersionLoaded(backend, name, req.params.version as string);
  sendJson(res, 200, { name: spec.name, versions: loadedVersions(backend, name), platform: 'onnxruntime_onnx', inputs: spec.inputs, outputs: spec.outputs });
}

/** Answers model readiness, for the served version or a named one. */
function answerReady(backend: Backend, req: Request, res: Response): void {
  const name = req.params.name as string;
  if (!backend.spec(name)) return sendJson(res, 404, { error: unknownModelMessage(backend, name) });
  if (req.params.version !== undefined) checkVersionLoaded(backend, name, req.params.version as string);
  if (backend.isReady(name)) sendJson(res, 200, { name, ready: true });
  else sendJson(res, 503, { name, ready: false, error: `model "${name}" is not ready` });
}

/** Runs a route handler, answering anything it throws as JSON. */
function guarded(handler: (backend: Backend, req: Request, res: Response) => void, backend: Backend) {
  return (req: Request, res: Response): void => {
    try {
      handler(backend, req, res);
    } catch (error) {
      sendFailure(res, error);
    }
  };
}

/** Model metadata and per-model readiness, unversioned and under /versions/{version}. */
export function addModelRoutes(router: Router, backend: Backend): void {
  router.get('/v2/models/:name', guarded(answerMetadata, backend));
  router.get('/v2/models/:name/ready', guarded(answerReady, backend));
  router.get('/v2/models/:name/versions/:version', guarded(answerMetadata, backend));
  router.get('/v2/models/:name/versions/:version/ready', guarded(answerReady, backend));
}
