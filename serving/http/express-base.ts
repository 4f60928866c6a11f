import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { sendFailure, sendJson } from './send.js';
import type { ServerState } from './server-state.js';

/** An express app with the cheap settings every splitbench server uses and in-flight counting. */
export function createExpressBase(state: ServerState): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);
  app.use((_req: Request, res: Response, next: NextFunction) => {
    state.inFlight++;
    res.once('close', () => state.inFlight--);
    next();
  });
  return app;
}

/** Final handlers: JSON 404 for unknown routes and JSON errors for anything thrown. */
export function addFallbacks(app: Express): void {
  app.use((req: Request, res: Response) => sendJson(res, 404, { error: `no route ${req.method} ${req.path}; expected the Open Inference Protocol v2 routes under /v2, /metrics or /admin` }));
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    sendFailure(res, error);
  });
}
