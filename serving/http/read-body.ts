import type { IncomingMessage } from 'node:http';
import { ServingError } from '../backend/backend.js';

/** Reads a request body up to `limit` bytes; a single-chunk body is returned without copying. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    let over = Number.isFinite(declared) && declared > limit;
    const chunks: Buffer[] = [];
    let total = 0;
    req.on('data', (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > limit) over = true;
      // Past the limit the rest is read and dropped, so the client can still read the 413.
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => {
      if (over) reject(new ServingError(413, `request body of ${total} bytes is over the limit of ${limit} bytes; send a smaller request or raise --body-limit-bytes`));
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    });
    req.on('error', reject);
    req.on('aborted', () => reject(new ServingError(400, 'client aborted the request body')));
  });
}
