import type { RequestListener } from 'node:http';
import type { Express } from 'express';
import express from 'express';
import type { AppContext } from './app-context.js';
import { addFallbacks, createExpressBase } from './express-base.js';
import { addAdminRoutes } from './routes-admin.js';
import { addHealthRoutes } from './routes-health.js';
import { addInferRoutes, createInferHandler } from './routes-infer.js';
import { withInferFastPath } from './fast-path.js';
import { addMetricsRoute } from './routes-metrics.js';
import { addModelRoutes } from './routes-models.js';

/** The model-server app (monolith and services): OIP v2 routes, metrics and admin. */
export function createModelApp(context: AppContext): Express {
  const app = createExpressBase(context.state);
  const router = express.Router();
  addInferRoutes(router, context);
  addHealthRoutes(router, context.backend, context.state);
  addModelRoutes(router, context.backend);
  addMetricsRoute(router, context.metrics);
  addAdminRoutes(router, context);
  app.use(router);
  addFallbacks(app);
  return app;
}

/** The model-server request listener: inference calls on the fast path, the rest through express. */
export function createModelListener(context: AppContext): RequestListener {
  const handleInfer = createInferHandler(context);
  return withInferFastPath(createModelApp(context), context.state, (req, res, name) => void handleInfer(req, res, name));
}
