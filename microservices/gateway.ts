import { createServerState } from '../serving/http/server-state.js';
import { createGatewayListener } from '../serving/gateway/gateway-app.js';
import { GATEWAY_FLAG_OPTIONS, readRouteFlags } from '../serving/gateway/gateway-flags.js';
import { RouteTable } from '../serving/gateway/route-table.js';
import { ServingMetrics } from '../serving/metrics/registry.js';
import { handleTermination, watchParent } from '../serving/server/lifecycle.js';
import { FlagError, parseFlags, readInteger, readString, runMain } from '../serving/server/parse-flags.js';
import { startServer } from '../serving/server/start-server.js';

const OPTIONS = GATEWAY_FLAG_OPTIONS;

/** Routes /v2/models/{name}/... to the upstream serving that model (a service, or one monolith for all). */
async function main(): Promise<void> {
  const values = parseFlags(process.argv.slice(2), OPTIONS);
  const host = readString(values, 'host') ?? '127.0.0.1';
  const port = readInteger(values, 'port', 0, 0, 65535);
  const graceMs = readInteger(values, 'grace-ms', 5000, 0);
  const upstreamTimeoutMs = readInteger(values, 'upstream-timeout-ms', 30_000, 1);
  let routes: RouteTable;
  try {
    routes = new RouteTable(readRouteFlags(values));
  } catch (error) {
    throw new FlagError(`--route: ${(error as Error).message}`);
  }
  watchParent();
  handleTermination();
  const state = createServerState();
  const handler = createGatewayListener({ routes, metrics: new ServingMetrics(), state, adminToken: readString(values, 'admin-token'), upstreamTimeoutMs });
  await startServer({
    role: 'gateway',
    variant: null,
    host,
    port,
    graceMs,
    handler,
    state,
    models: () => routes.names().map((name) => ({ name, version: null, bytes: 0, loadMs: 0 })),
    close: () => routes.close(),
  });
}

runMain(main);
