import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Router } from 'express';
import { performance } from 'node:perf_hooks';
import { ServingError } from '../backend/backend.js';
import { BINARY_HEADER, decodeBinaryRequest, encodeBinaryResponse } from '../codec/binary-codec.js';
import { chooseBinaryOutputs, decodeJsonRequest, encodeJsonResponse, selectOutputs } from '../codec/json-codec.js';
import type { AppContext } from './app-context.js';
import { readBody } from './read-body.js';
import { checkVersionLoaded, unknownModelMessage } from './routes-models.js';
import { sendFailure, sendJson } from './send.js';

/** Decodes, runs and encodes one inference request; returns the status sent. `version` is the one a versioned URL names. */
async function answerInfer(context: AppContext, req: IncomingMessage, res: ServerResponse, name: string, version?: string): Promise<number> {
  const { backend } = context;
  const spec = backend.spec(name);
  if (!spec) throw new ServingError(404, unknownModelMessage(backend, name));
  if (version !== undefined) checkVersionLoaded(backend, name, version);
  if (context.state.draining) throw new ServingError(503, 'server is shutting down; retry on another instance');
  if (!backend.isReady(name)) throw new ServingError(503, `model "${name}" is not ready; retry shortly`);
  const body = await readBody(req, context.bodyLimitBytes);
  const binaryHeader = req.headers[BINARY_HEADER];
  const request = binaryHeader === undefined ? decodeJsonRequest(spec, body) : decodeBinaryRequest(spec, body, String(binaryHeader));
  const outcome = await backend.infer(name, request.inputs);
  context.metrics.forModel(name).observeInference(outcome.inferenceMs / 1000);
  const outputs = selectOutputs(outcome.outputs, request.outputNames);
  const binary = chooseBinaryOutputs(outputs, request.outputFormat, binaryHeader !== undefined);
  if (!binary.some(Boolean)) {
    sendJson(res, 200, encodeJsonResponse(name, outcome.version, request.id, outputs));
    return 200;
  }
  const encoded = encodeBinaryResponse(name, outcome.version, request.id, outputs, binary);
  res.statusCode = 200;
  res.setHeader('content-type', 'application/octet-stream');
  res.setHeader(BINARY_HEADER, encoded.headerLength);
  res.setHeader('content-length', encoded.byteLength);
  res.cork();
  for (const chunk of encoded.chunks) res.write(chunk);
  res.end();
  return 200;
}

/** Answers one inference request and records its metrics; never throws. */
export function createInferHandler(context: AppContext): (req: IncomingMessage, res: ServerResponse, name: string, version?: string) => Promise<void> {
  return async (req, res, name, version) => {
    const started = performance.now();
    let status: number;
    try {
      status = await answerInfer(context, req, res, name, version);
    } catch (error) {
      status = sendFailure(res, error);
    }
    context.metrics.forModel(context.backend.spec(name) ? name : '_unknown').observeRequest(status, (performance.now() - started) / 1000);
  };
}

/** POST /v2/models/{name}[/versions/{version}]/infer with JSON tensors or the binary-tensor extension (the fast path serves most unversioned calls). */
export function addInferRoutes(router: Router, context: AppContext): void {
  const handleInfer = createInferHandler(context);
  router.post('/v2/models/:name/infer', (req, res) => void handleInfer(req, res, req.params.name as string));
  router.post('/v2/models/:name/versions/:version/infer', (req, res) => void handleInfer(req, res, req.params.name as string, req.params.version as string));
}
