import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real HTTP server on 127.0.0.1:0 for the generator to hit. */
export interface TestServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts a node:http server with the given handler on an ephemeral port. */
export async function startTestServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const server = createServer(handler);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function findClosedPort(): Promise<number> {
  const probe = await startTestServer(() => undefined);
  const port = Number(new URL(probe.url).port);
  await probe.close();
  return port;
}
