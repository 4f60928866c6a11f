import type { Router } from 'express';
import type { ServingMetrics } from '../metrics/registry.js';
import { sendFailure } from './send.js';

/** GET /metrics in Prometheus text format. */
export function addMetricsRoute(router: Router, metrics: ServingMetrics): void {
  router.get('/metrics', (_req, res) => {
    metrics.render().then(
      (text) => {
        res.setHeader('content-type', metrics.registry.contentType);
        res.end(text);
      },
      (error: unknown) => sendFailure(res, error),
    );
  });
}
