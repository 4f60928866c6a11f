import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badInputCases } from './support/bad-inputs.js';
import { infer } from './support/requests.js';
import { startServer, type RunningServer } from './support/servers.js';

// Every bad request gets its documented status and a message naming the problem; the server keeps serving.
let server: RunningServer;

beforeAll(async () => {
  server = await startServer('monolith/main', ['--models', 'vad,tabular', '--body-limit-bytes', '1048576']);
});

afterAll(async () => {
  await server.stop();
});

const cases = badInputCases(1048576);

describe('bad input', () => {
  for (const testCase of cases) {
    it(`${testCase.name} → ${testCase.status}, then still serves`, async () => {
      const response = await fetch(`${server.url}/v2/models/${testCase.model ?? 'tabular'}/infer`, { method: 'POST', body: testCase.body, headers: testCase.headers ?? {} });
      expect(response.status).toBe(testCase.status);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      const body = (await response.json()) as { error: string };
      expect(body.error).toMatch(testCase.message);
      const after = await infer(server.url, 'tabular');
      expect(after.status).toBe(200);
    });
  }

  it('a client that disconnects mid-body does not stall the server', async () => {
    const { request } = await import('node:http');
    const req = request(`${server.url}/v2/models/tabular/infer`, { method: 'POST', headers: { 'content-length': '100000' } });
    req.on('error', () => undefined);
    req.write('{"inputs": [');
    await new Promise((resolve) => setTimeout(resolve, 50));
    req.destroy();
    expect((await infer(server.url, 'vad')).status).toBe(200);
  });

  it('unknown routes answer JSON 404', async () => {
    const response = await fetch(`${server.url}/v3/nothing`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: string }).error).toMatch(/no route GET \/v3\/nothing/);
  });
});
