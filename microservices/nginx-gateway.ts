import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNginx } from '../serving/gateway/find-nginx.js';
import { GATEWAY_FLAG_OPTIONS, readRouteFlags } from '../serving/gateway/gateway-flags.js';
import { createNginxAdminApp } from '../serving/gateway/nginx-admin.js';
import { renderNginxConf } from '../serving/gateway/nginx-conf.js';
import { NginxProcess, NginxStartError, pickFreePort } from '../serving/gateway/nginx-process.js';
import { RouteTable } from '../serving/gateway/route-table.js';
import { createServerState } from '../serving/http/server-state.js';
import { handleTermination, isAlive, setTerminationHandler, watchParent } from '../serving/server/lifecycle.js';
import { FlagError, parseFlags, readInteger, readString, runMain } from '../serving/server/parse-flags.js';

// The Node gateway's flags, plus the body limit nginx enforces itself and the nginx binary to run.
const OPTIONS = {
  ...GATEWAY_FLAG_OPTIONS,
  'body-limit-bytes': { type: 'string' },
  nginx: { type: 'string' },
} as const;

const DIR_PREFIX = 'splitbench-nginx-';
const PORT_ATTEMPTS = 4;

/** Removes private nginx dirs left by launchers that were SIGKILLed (their pid is in the name and gone). */
function sweepStaleDirs(): void {
  for (const entry of readdirSync(tmpdir())) {
    const pid = Number(/^splitbench-nginx-(\d+)-/.exec(entry)?.[1]);
    if (pid > 0 && !isAlive(pid)) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  }
}

/** Listens on 127.0.0.1:0 and resolves with the server and its origin. */
async function listenLocal(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; origin: string }> {
  const server = createServer({ keepAliveTimeout: 65_000 }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * The nginx gateway: same flags, ready line and HTTP API as microservices/gateway.ts, but requests are
 * proxied by an nginx master with one worker (keep-alive upstreams) running a config generated here.
 * This launcher owns nginx: it reloads it on route switches, stops it on SIGTERM, kills it on parent death.
 */
async function main(): Promise<void> {
  const values = parseFlags(process.argv.slice(2), OPTIONS);
  const host = readString(values, 'host') ?? '127.0.0.1';
  const fixedPort = readInteger(values, 'port', 0, 0, 65535);
  const graceMs = readInteger(values, 'grace-ms', 5000, 0);
  const upstreamTimeoutMs = readInteger(values, 'upstream-timeout-ms', 30_000, 1);
  const bodyLimitBytes = readInteger(values, 'body-limit-bytes', 16 * 1024 * 1024, 1);
  const adminToken = readString(values, 'admin-token');
  const binary = readString(values, 'nginx') ?? findNginx();
  if (!binary) throw new FlagError('nginx is not installed (no nginx on PATH or in /usr/sbin); install it (apt-get install nginx), pass --nginx PATH, or use the Node gateway');
  let routes: RouteTable;
  try {
    routes = new RouteTable(readRouteFlags(values));
    for (const url of Object.values(routes.replicas()).flat()) if (!url.startsWith('http://')) throw new Error(`upstream ${url} must be http:// for the nginx gateway`);
  } catch (error) {
    throw new FlagError(`--route: ${(error as Error).message}`);
  }

  let nginx: NginxProcess | null = null;
  let dir: string | null = null;
  const cleanUp = () => {
    nginx?.killNow();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  };
  watchParent(cleanUp);
  handleTermination();
  process.on('exit', cleanUp);
  sweepStaleDirs();
  dir = mkdtempSync(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
  // nginx workers drop root privileges; they must reach their temp paths inside this dir.
  chmodSync(dir, 0o711);
  const nginxDir = dir;

  const state = createServerState();
  let port = fixedPort;
  let generation = 1;
  const url = () => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const admin = await listenLocal(createNginxAdminApp({
    routes, state, adminToken, nginxUrl: url,
    applyRoutes: async () => {
      generation++;
      await nginx!.reload(render(), generation);
    },
  }));
  const render = () => renderNginxConf({ dir: nginxDir, host, port, routes: routes.replicas(), adminOrigin: admin.origin, bodyLimitBytes, upstreamTimeoutMs, generation });
  const onUnexpectedExit = (code: number | null, signal: NodeJS.Signals | null) => {
    process.stderr.write(`splitbench: nginx master exited unexpectedly (code ${code}, signal ${signal}); the gateway exits too\n`);
    cleanUp();
    process.exit(1);
  };

  for (let attempt = 1; ; attempt++) {
    if (fixedPort === 0) port = await pickFreePort(host);
    try {
      nginx = await NginxProcess.start(render(), generation, { binary, dir: nginxDir, url: url(), onUnexpectedExit });
      break;
    } catch (error) {
      // A port picked here may be taken by someone else before nginx binds it: pick another.
      if (!(error instanceof NginxStartError) || fixedPort !== 0 || attempt >= PORT_ATTEMPTS) throw error;
      process.stderr.write(`splitbench: nginx did not start on port ${port} (${error.message}); trying another port\n`);
    }
  }

  const running = nginx;
  let stopping = false;
  setTerminationHandler(() => {
    if (stopping) return;
    stopping = true;
    state.draining = true;
    void running.stop(graceMs).finally(() => {
      admin.server.closeAllConnections();
      admin.server.close();
      cleanUp();
      process.exit(0);
    });
  });
  const line = { event: 'ready', role: 'gateway', variant: null, pid: process.pid, host, port, url: url(), models: routes.names().map((name) => ({ name, version: null, bytes: 0, loadMs: 0 })), readyAtMs: Math.round(performance.timeOrigin + performance.now()), gateway: 'nginx', nginxPid: running.pid };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

runMain(main);
