import { nowMs, sleep } from '../../clock.js';
import type { RunningTopology } from '../../targets/types.js';

/** Answers 200 on /v2/health/ready within a second. */
async function isReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/v2/health/ready`, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/** Every process running with a URL, and every endpoint and model host answering ready. */
export async function isTopologyHealthy(topology: RunningTopology): Promise<boolean> {
  if (topology.processes().some((p) => p.pid === null || p.url === null)) return false;
  const urls = new Set([...Object.values(topology.endpoints()), ...Object.values(topology.adminUrls())]);
  const answers = await Promise.all([...urls].map(isReady));
  return answers.every(Boolean);
}

/** Polls until the topology is healthy; returns when (nowMs clock) or null after `timeoutMs`. */
export async function waitUntilHealthy(topology: RunningTopology, timeoutMs: number, signal: AbortSignal): Promise<number | null> {
  const deadline = nowMs() + timeoutMs;
  while (!signal.aborted) {
    if (await isTopologyHealthy(topology)) return nowMs();
    if (nowMs() > deadline) return null;
    await sleep(100);
  }
  return null;
}
