import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type Express, type Request, type Response } from 'express';
import { performance } from 'node:perf_hooks';
import { ServingError } from '../backend/backend.js';
import { addFallbacks, createExpressBase } from '../http/express-base.js';
import { handle, readAdminJson, requireToken } from '../http/routes-admin.js';
import { addMetricsRoute } from '../http/routes-metrics.js';
import { sendFailure, sendJson } from '../http/send.js';
import type { ServerState } from '../http/server-state.js';
import type { ServingMetrics } from '../metrics/registry.js';
import { proxyRequest } from './proxy.js';
import { ROUTE_BODY_EXPECTED, upstreamsOfBody, type RouteTable } from './route-table.js';
import { createGatewayReadyHandler } from './upstream-health.js';
import { withInferFastPath } from '../http/fast-path.js';

/** What the gateway app needs. */
export interface GatewayContext {
  routes: RouteTable;
  metrics: ServingMetrics;
  state: ServerState;
  adminToken: string | undefined;
  upstreamTimeoutMs: number;
}

/** Proxies one model request and records its outcome; never throws. */
function createProxyHandler(context: GatewayContext) {
  return async (req: IncomingMessage, res: ServerResponse, model: string): Promise<void> => {
    const started = performance.now();
    let status: number;
    try {
      if (context.state.draining) throw new ServingError(503, 'gateway is shutting down');
      status = await proxyRequest(context.routes, model, req, res, context.upstreamTimeoutMs);
    } catch (error) {
      status = sendFailure(res, error);
    }
    // Like the model servers, the request metrics count inference calls only.
    if (req.url?.endsWith('/infer')) context.metrics.forModel(context.routes.urlOf(model) ? model : '_unknown').observeRequest(status, (performance.now() - started) / 1000);
  };
}

/** Gateway health, admin route switching and model routing by name. */
export function createGatewayApp(context: GatewayContext): Express {
  const app = createExpressBase(context.state);
  const router = express.Router();
  const handleProxy = createProxyHandler(context);
  const proxy = (req: Request, res: Response) => void handleProxy(req, res, req.params.name as string);
  router.get('/v2/health/live', (_req, res) => sendJson(res, 200, { live: true }));
  router.get('/v2/health/ready', createGatewayReadyHandler(context));
  router.get('/v2', (_req, res) => sendJson(res, 200, { name: 'splitbench-gateway', version: '0.1.0', extensions: ['binary_tensor_data'] }));
  addMetricsRoute(router, context.metrics);
  const guard = requireToken(context.adminToken);
  router.get('/admin/routes', guard, (_req, res) => sendJson(res, 200, { routes: context.routes.all(), replicas: context.routes.replicas() }));
  router.put('/admin/routes/:name', guard, handle(async (req, res) => {
    const upstreams = upstreamsOfBody(await readAdminJson(req));
    if (upstreams === null) throw new ServingError(400, ROUTE_BODY_EXPECTED);
    const name = req.params.name as string;
    let previous: string | undefined;
    try {
      previous = context.routes.set(name, upstreams);
    } catch (error) {
      throw new ServingError(400, (error as Error).message);
    }
    sendJson(res, 200, { name, url: context.routes.urlOf(name), urls: context.routes.urlsOf(name), previous: previous ?? null });
  }));
  router.all('/v2/models/:name', proxy);
  router.all('/v2/models/:name/*rest', proxy);
  router.all('/v2/repository/models/:name/*rest', proxy);
  app.use(router);
  addFallbacks(app);
  return app;
}

/** The gateway request listener: inference calls proxied on the fast path, the rest through express. */
export function createGatewayListener(context: GatewayContext): RequestListener {
  const handleProxy = createProxyHandler(context);
  return withInferFastPath(createGatewayApp(context), context.state, (req, res, model) => void handleProxy(req, res, model));
}
