import { execa } from 'execa';
import { compiledEntry } from '../../models/paths.js';
import type { RunConfig } from '../config/run-config.js';
import { isTasksetAvailable } from '../load/generator-client.js';

/** Milliseconds per bare session.run, per model: the ceiling no server can beat on the same CPU. */
export type BareInferenceMs = Record<string, { meanMs: number; medianMs: number }>;

/** Measures bare inference in a child process pinned like the servers, with the same thread budget. */
export async function measureBareInference(config: RunConfig, storeDir: string, models: readonly string[], iterations: number): Promise<BareInferenceMs> {
  const args = [compiledEntry('bench/experiments/ceiling-process'), storeDir, String(iterations), String(config.threads.intraOpThreads), String(config.threads.interOpThreads), ...models];
  const pinned = config.cpus.servers && isTasksetAvailable();
  const { stdout } = pinned
    ? await execa('taskset', ['-c', config.cpus.servers!.join(','), process.execPath, ...args], { env: { UV_THREADPOOL_SIZE: String(config.uvThreadpoolSize) } })
    : await execa(process.execPath, args, { env: { UV_THREADPOOL_SIZE: String(config.uvThreadpoolSize) } });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as BareInferenceMs;
}

/**
 * Requests per second bare inference sustains for a mix (model → share of requests, summing to 1):
 * one over the share-weighted mean cost, so the ceiling is of the same mix the sweep sends.
 */
export function ceilingRps(bare: BareInferenceMs, shares: Readonly<Record<string, number>>): number | null {
  const entries = Object.entries(shares);
  if (entries.length === 0 || entries.some(([m]) => !(bare[m]?.meanMs !== undefined && bare[m]!.meanMs > 0))) return null;
  const total = entries.reduce((a, [, share]) => a + share, 0);
  const meanMs = entries.reduce((a, [m, share]) => a + (share / total) * bare[m]!.meanMs, 0);
  return 1000 / meanMs;
}
