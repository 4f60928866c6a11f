// A trivial HTTP endpoint (own process) used to calibrate the load generator: it answers
// every request with a tiny JSON body at once, so whatever latency shows up is the harness's.
import { createServer } from 'node:http';

const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' });
    response.end('{"ok":true}');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ event: 'ready', pid: process.pid, port, url: `http://127.0.0.1:${port}` })}\n`);
});
/** Closes the server and exits (SIGTERM from the parent, or its stdin closing when it dies). */
function shutdown(): void {
  server.closeAllConnections();
  server.close(() => process.exit(0));
}
process.on('SIGTERM', shutdown);
process.stdin.on('end', shutdown);
process.stdin.resume();
