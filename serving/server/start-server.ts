import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerState } from '../http/server-state.js';
import { setTerminationHandler } from './lifecycle.js';

/** A model as listed in the ready line. */
export interface ReadyModel {
  name: string;
  version: number | null;
  bytes: number;
  loadMs: number;
}

/** What startServer needs. */
export interface StartOptions {
  role: 'monolith' | 'service' | 'gateway';
  variant: 'single' | 'workers' | null;
  host: string;
  port: number;
  graceMs: number;
  handler: RequestListener;
  state: ServerState;
  models(): ReadyModel[];
  /** Releases sessions, workers or upstream pools after the HTTP server is closed. */
  close(): Promise<void>;
}

const CLOSE_TIMEOUT_MS = 1000;

/** Listens, prints the ready line once, and installs graceful SIGTERM handling. */
export async function startServer(options: StartOptions): Promise<Server> {
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, options.handler);
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  setTerminationHandler(() => void stopGracefully(server, options));
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  const line = { event: 'ready', role: options.role, variant: options.variant, pid: process.pid, host: options.host, port, url, models: options.models(), readyAtMs: Math.round(performance.timeOrigin + performance.now()) };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  return server;
}

let stopping = false;

/** Stops accepting, lets in-flight requests finish within the grace period, then exits 0. */
async function stopGracefully(server: Server, options: StartOptions): Promise<void> {
  if (stopping) return;
  stopping = true;
  options.state.draining = true;
  server.close();
  server.closeIdleConnections();
  const deadline = performance.now() + options.graceMs;
  while (options.state.inFlight > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    server.closeIdleConnections();
  }
  if (options.state.inFlight > 0) process.stderr.write(`splitbench: grace period of ${options.graceMs} ms over with ${options.state.inFlight} request(s) unanswered\n`);
  server.closeAllConnections();
  await Promise.race([options.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS))]);
  process.exit(0);
}
