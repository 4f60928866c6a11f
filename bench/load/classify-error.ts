import type { ErrorKind } from './types.js';

const REFUSED_CODES = new Set(['ECONNREFUSED']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/** Maps a transport error (undici wraps the socket's error in `cause`) to an error kind. */
export function classifyError(error: unknown): ErrorKind {
  for (const code of collectCodes(error)) {
    if (REFUSED_CODES.has(code)) return 'connect_refused';
    if (RESET_CODES.has(code)) return 'reset';
    if (TIMEOUT_CODES.has(code)) return 'timeout';
  }
  return 'other';
}

/** Error codes of an error and its chain of causes (and of an AggregateError's members). */
function collectCodes(error: unknown, depth = 0): string[] {
  if (depth > 5 || typeof error !== 'object' || error === null) return [];
  const record = error as { code?: unknown; cause?: unknown; errors?: unknown };
  const own = typeof record.code === 'string' ? [record.code] : [];
  const members = Array.isArray(record.errors) ? record.errors.flatMap((e) => collectCodes(e, depth + 1)) : [];
  return [...own, ...collectCodes(record.cause, depth + 1), ...members];
}

/** Error kind of an HTTP status that is not a success. */
export function classifyStatus(status: number): ErrorKind {
  return `http_${status}`;
}
