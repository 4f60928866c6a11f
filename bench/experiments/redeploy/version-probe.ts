import { nowMs, sleep } from '../../clock.js';
import type { EncodedRequest } from '../../protocol/encode-request.js';

/** One probe request: when it left, when it was answered, and which model version answered it. */
export interface ProbeSample {
  sentAtMs: number;
  answeredAtMs: number;
  ok: boolean;
  version: number | null;
}

/** A running probe loop. */
export interface VersionProbe {
  samples: ProbeSample[];
  stop(): Promise<void>;
}

export const PROBE_TIMEOUT_MS = 2000;

/** Reads `model_version` from a JSON response or the JSON header of a binary one. */
export function readModelVersion(body: Buffer, headerLength: string | null): number | null {
  const json = headerLength === null ? body : body.subarray(0, Number(headerLength));
  try {
    const version = (JSON.parse(json.toString('utf8')) as { model_version?: unknown }).model_version;
    const number = Number(version);
    return Number.isInteger(number) ? number : null;
  } catch {
    return null;
  }
}

/** Sends one inference and reports whether it succeeded and which version answered. */
async function probeOnce(url: string, request: EncodedRequest): Promise<ProbeSample> {
  const sentAtMs = nowMs();
  try {
    const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const body = Buffer.from(await response.arrayBuffer());
    const version = response.ok ? readModelVersion(body, response.headers.get('inference-header-content-length')) : null;
    return { sentAtMs, answeredAtMs: nowMs(), ok: response.ok && version !== null, version };
  } catch {
    return { sentAtMs, answeredAtMs: nowMs(), ok: false, version: null };
  }
}

/**
 * Probes the target model through the client endpoint every `intervalMs` (one request at a time,
 * so a slow or down server is never piled on); the URL is re-read each time as processes move.
 */
export function startVersionProbe(urlOf: () => string | null, request: EncodedRequest, intervalMs: number): VersionProbe {
  const samples: ProbeSample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const startedAtMs = nowMs();
      const url = urlOf();
      if (url !== null) samples.push(await probeOnce(url, request));
      await sleep(Math.max(0, intervalMs - (nowMs() - startedAtMs)));
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** Waits (at most `maxWaitMs`) until `count` probes sent at or after `sinceMs` have come back: a slow server must not leave the verdict without evidence. */
export async function waitForProbes(probe: VersionProbe, sinceMs: number, count: number, maxWaitMs: number): Promise<void> {
  const deadline = nowMs() + maxWaitMs;
  while (probe.samples.filter((s) => s.sentAtMs >= sinceMs).length < count && nowMs() < deadline) await sleep(20);
}
