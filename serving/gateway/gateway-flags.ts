import { routesFromFlags } from './route-table.js';

/** Command-line flags every gateway implementation takes (the Node gateway and the nginx launcher), for parseFlags. */
export const GATEWAY_FLAG_OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  route: { type: 'string', multiple: true },
  'admin-token': { type: 'string' },
  'upstream-timeout-ms': { type: 'string' },
  'grace-ms': { type: 'string' },
} as const;

/** The repeated --route model=url flags grouped by model (a model given twice has two replicas). */
export function readRouteFlags(values: Record<string, unknown>): Record<string, string[]> {
  const raw = values.route;
  const items = raw === undefined ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
  return routesFromFlags(items);
}
