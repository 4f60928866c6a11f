import express, { type Express } from 'express';
import { Gauge, collectDefaultMetrics, Registry } from 'prom-client';
import { ServingError } from '../backend/backend.js';
import { addFallbacks, createExpressBase } from '../http/express-base.js';
import { handle, readAdminJson, requireToken } from '../http/routes-admin.js';
import { sendJson } from '../http/send.js';
import type { ServerState } from '../http/server-state.js';
import { NGINX_MODEL_NAME } from './nginx-conf.js';
import { fetchFresh } from './nginx-process.js';
import { ROUTE_BODY_EXPECTED, upstreamsOfBody, type RouteTable } from './route-table.js';
import { createGatewayReadyHandler } from './upstream-health.js';

/** What the nginx gateway's admin app needs. */
export interface NginxAdminContext {
  routes: RouteTable;
  state: ServerState;
  adminToken: string | undefined;
  /** Base URL of nginx itself (for its stub_status counters). */
  nginxUrl: () => string;
  /** Rewrites the config from the route table and reloads nginx; resolves once new workers answer. */
  applyRoutes: () => Promise<void>;
}

/** Parses nginx's stub_status page into numbers (null when it is not in the expected format). */
export function parseStubStatus(text: string): { active: number; accepted: number; handled: number; requests: number } | null {
  const active = /Active connections:\s*(\d+)/.exec(text);
  const counters = /\n\s*(\d+)\s+(\d+)\s+(\d+)\s*\n/.exec(text);
  if (!active || !counters) return null;
  return { active: Number(active[1]), accepted: Number(counters[1]), handled: Number(counters[2]), requests: Number(counters[3]) };
}

/** The launcher's own process metrics plus nginx's connection and request counters (from stub_status). */
function createNginxMetrics(nginxUrl: () => string): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const read = async () => {
    const answer = await fetchFresh(`${nginxUrl()}/_splitbench/status`);
    return answer?.status === 200 ? parseStubStatus(answer.body) : null;
  };
  new Gauge({ name: 'splitbench_gateway_nginx_connections_active', help: 'Open client connections of the nginx gateway (stub_status)', registers: [registry], async collect() {
    const status = await read();
    if (status) this.set(status.active);
  } });
  new Gauge({ name: 'splitbench_gateway_nginx_requests', help: 'Client requests nginx has handled since its master started, of every kind (stub_status; not per model)', registers: [registry], async collect() {
    const status = await read();
    if (status) this.set(status.requests);
  } });
  return registry;
}

/** Gateway readiness (every upstream's model ready, as the Node gateway), /metrics and the route admin API. */
export function createNginxAdminApp(context: NginxAdminContext): Express {
  const app = createExpressBase(context.state);
  const router = express.Router();
  const metrics = createNginxMetrics(context.nginxUrl);
  let applying: Promise<unknown> = Promise.resolve();
  router.get('/v2/health/ready', createGatewayReadyHandler(context));
  router.get('/metrics', handle(async (_req, res) => {
    const text = await metrics.metrics();
    res.setHeader('content-type', metrics.contentType);
    res.end(text);
  }));
  const guard = requireToken(context.adminToken);
  router.get('/admin/routes', guard, (_req, res) => sendJson(res, 200, { routes: context.routes.all(), replicas: context.routes.replicas() }));
  router.put('/admin/routes/:name', guard, handle(async (req, res) => {
    const name = req.params.name as string;
    const url = upstreamsOfBody(await readAdminJson(req));
    if (url === null) throw new ServingError(400, ROUTE_BODY_EXPECTED);
    if (!NGINX_MODEL_NAME.test(name)) throw new ServingError(400, `model name ${JSON.stringify(name)} cannot be routed by nginx; expected letters, digits and . _ ~ -`);
    for (const one of typeof url === 'string' ? [url] : url) if (!one.startsWith('http://')) throw new ServingError(400, `upstream ${one} must be http:// for the nginx gateway`);
    // Route switches are applied one at a time: each rewrites the config and waits for the reload.
    const switched = applying.then(async () => {
      let previous: string | undefined;
      try {
        previous = context.routes.set(name, url);
      } catch (error) {
        throw new ServingError(400, (error as Error).message);
      }
      try {
        await context.applyRoutes();
      } catch (error) {
        if (previous === undefined) context.routes.delete(name);
        else context.routes.set(name, previous);
        throw new ServingError(500, `nginx reload failed; the previous route stays: ${(error as Error).message}`);
      }
      return previous;
    });
    applying = switched.catch(() => undefined);
    const previous = await switched;
    sendJson(res, 200, { name, url: context.routes.urlOf(name), urls: context.routes.urlsOf(name), previous: previous ?? null });
  }));
  app.use(router);
  addFallbacks(app);
  return app;
}
