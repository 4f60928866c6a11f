import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { projectRoot } from '../../models/paths.js';
import { ArmFaultBody, BodyError, DisarmBody, EXAMPLES, parseBody, RedeployBody } from './live-api.js';
import { LiveControlError, type LiveSession } from './live-session.js';

/** Where the page's own assets live (read from the source tree, so dist/ runs serve them too). */
export const PAGE_DIR = join(projectRoot(), 'bench', 'live', 'page');
/** uPlot's browser build, served from node_modules: nothing is fetched from the network. */
const UPLOT_DIR = join(projectRoot(), 'node_modules', 'uplot', 'dist');

/** What the live server is built from. */
export interface LiveServerOptions {
  session: LiveSession;
  host: string;
  port: number;
  /** Writes the run folder (Save button, POST /api/save); resolves with its path. */
  save: () => Promise<string>;
}

/** A listening live server. */
export interface LiveServer {
  url: string;
  close(): Promise<void>;
}

/** Origins a control request may come from: the page's own, under each name the bound host answers to. */
function allowedOrigins(host: string, port: number): Set<string> {
  const names = host === '127.0.0.1' || host === 'localhost' ? ['127.0.0.1', 'localhost'] : [host, '127.0.0.1', 'localhost'];
  return new Set(names.map((name) => `http://${name.includes(':') ? `[${name}]` : name}:${port}`));
}

/** Sends a JSON error. */
function fail(res: Response, status: number, error: string, field?: string | null): void {
  res.status(status).json(field ? { error, field } : { error });
}

/** Starts the page and API server of a live session. */
export async function startLiveServer(options: LiveServerOptions): Promise<LiveServer> {
  const { session } = options;
  const app = express();
  app.disable('x-powered-by');
  const sockets = new Set<Response>();
  let origins = new Set<string>();

  // Control requests (anything but GET/HEAD) from another site's page are refused: a workshop page
  // on the same machine must not be able to crash models through the audience's browser.
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    const origin = req.get('origin');
    if ((origin !== undefined && !origins.has(origin)) || req.get('sec-fetch-site') === 'cross-site') {
      return fail(res, 403, `control requests from origin ${origin ?? '(cross-site)'} are refused; use the page served here or a client that sends no Origin`);
    }
    next();
  });
  app.use(express.json({ limit: '16kb', strict: false }));

  app.get('/', (_req, res) => res.sendFile(join(PAGE_DIR, 'index.html')));
  app.use('/assets', express.static(PAGE_DIR, { index: false, fallthrough: false }));
  app.get('/vendor/uplot.js', (_req, res) => res.sendFile(join(UPLOT_DIR, 'uPlot.iife.min.js')));
  app.get('/vendor/uplot.css', (_req, res) => res.sendFile(join(UPLOT_DIR, 'uPlot.min.css')));

  app.get('/api/state', (_req, res) => res.json(session.state()));
  app.get('/api/events', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    const send = (message: unknown): void => void res.write(`data: ${JSON.stringify(message)}\n\n`);
    send(session.history());
    const unsubscribe = session.subscribe(send);
    sockets.add(res);
    req.on('close', () => {
      unsubscribe();
      sockets.delete(res);
    });
  });
  app.post('/api/faults', async (req, res) => {
    const body = parseBody(ArmFaultBody, req.body, EXAMPLES.fault);
    res.status(201).json({ events: await session.armFault(body.topology, body.model, body.kind) });
  });
  app.delete('/api/faults', async (req, res) => {
    const body = parseBody(DisarmBody, req.body, EXAMPLES.disarm);
    res.json({ events: await session.disarm(body.topology) });
  });
  app.post('/api/redeploy', (req, res) => {
    const body = parseBody(RedeployBody, req.body, EXAMPLES.redeploy);
    res.status(202).json({ events: session.redeploy(body.topology, body.model, body.strategy) });
  });
  app.post('/api/reset', async (_req, res) => {
    res.json({ event: await session.reset() });
  });
  app.post('/api/save', async (_req, res) => {
    res.json({ dir: await options.save() });
  });
  app.use((req, res) => fail(res, 404, `no route ${req.method} ${req.path}; expected GET /, GET /api/state, GET /api/events, POST|DELETE /api/faults, POST /api/redeploy, POST /api/reset, POST /api/save`));
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof BodyError) return fail(res, 400, error.message, error.field);
    if (error instanceof LiveControlError) return fail(res, error.status, error.message);
    const typed = error as { type?: string; status?: number; message?: string };
    if (typed.type === 'entity.parse.failed') return fail(res, 400, `body is not valid JSON (${typed.message}); send Content-Type: application/json with a JSON object`);
    if (typeof typed.status === 'number' && typed.status >= 400 && typed.status < 500) return fail(res, typed.status, typed.message ?? 'bad request');
    fail(res, 500, `internal error: ${typed.message ?? String(error)}`);
  });

  const server: Server = app.listen(options.port, options.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  origins = allowedOrigins(options.host, port);
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    url: `http://${shownHost}:${port}/`,
    async close() {
      for (const res of sockets) res.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
