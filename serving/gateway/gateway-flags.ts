/** Command-line flags every gateway implementation takes (the Node gateway and the nginx launcher), for parseFlags. */
export const GATEWAY_FLAG_OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  route: { type: 'string', multiple: true },
  'admin-token': { type: 'string' },
  'upstream-timeout-ms': { type: 'string' },
  'grace-ms': { type: 'string' },
} as const;
