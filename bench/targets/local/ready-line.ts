import type { ReadyLine } from '../types.js';

/** Parses one stdout line; returns the ready event when the line is one, else null. */
export function parseReadyLine(line: string): ReadyLine | null {
  const event = parseJsonLine(line);
  if (!event || event.event !== 'ready') return null;
  if (typeof event.url !== 'string' || typeof event.port !== 'number' || typeof event.pid !== 'number') return null;
  return event as unknown as ReadyLine;
}

/** Parses a JSON object line, or null for free text. */
export function parseJsonLine(line: string): Record<string, unknown> | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(trimmed);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Polls GET {url}/v2/health/ready until it answers 200 or the deadline (epoch ms) passes. */
export async function waitForHealthReady(url: string, deadlineMs: number): Promise<boolean> {
  while (Date.now() < deadlineMs) {
    try {
      const response = await fetch(`${url}/v2/health/ready`, { signal: AbortSignal.timeout(Math.max(100, Math.min(2000, deadlineMs - Date.now()))) });
      await response.arrayBuffer();
      if (response.status === 200) return true;
    } catch {
      // not answering yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
