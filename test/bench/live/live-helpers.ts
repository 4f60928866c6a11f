import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { LiveState } from '../../../bench/live/live-types.js';
import { ROOT, waitFor } from '../targets/local/helpers.js';

export const CLI = join(ROOT, 'dist', 'bench', 'cli', 'main.js');
/** Few light models, so both topologies start fast and the machine is not saturated. */
export const TEST_MODELS = ['tabular', 'vad', 'ocr-cls'];

/** A running `splitbench live` child process. */
export interface LiveCli {
  url: string;
  pid: number;
  runDir: string;
  child: ResultPromise;
  stderr: () => string;
}

/** Starts `splitbench live --json` and resolves with the URL it prints. */
export async function startLiveCli(outDir: string, extra: string[] = []): Promise<LiveCli> {
  const child = execa(process.execPath, [CLI, 'live', '--json', '--models', TEST_MODELS.join(','), '--out', outDir, ...extra], { reject: false, buffer: false, stdout: 'pipe', stderr: 'pipe' });
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text.split('\n')[0]!);
    });
    void child.then(() => reject(new Error(`splitbench live exited before printing its URL: ${err}`)));
  });
  const info = JSON.parse(line) as { url: string; pid: number; runDir: string };
  return { url: info.url, pid: info.pid, runDir: info.runDir, child, stderr: () => err };
}

/** GET /api/state. */
export async function readState(url: string): Promise<LiveState> {
  return (await (await fetch(`${url}api/state`)).json()) as LiveState;
}

/** Health of every model per topology, e.g. { monolith: { tabular: 'red', ... }, ... }. */
export function healthOf(state: LiveState): Record<string, Record<string, string>> {
  return Object.fromEntries(state.topologies.map((t) => [t.topology, Object.fromEntries(t.models.map((m) => [m.model, m.health]))]));
}

/** Polls until every model of every topology is neither red nor starting (amber = slow, which a shared machine may be). */
export async function waitUntilServing(read: () => Promise<Record<string, Record<string, string>>>, timeoutMs = 90_000): Promise<boolean> {
  return waitFor(async () => Object.values(await read()).every((models) => Object.values(models).every((h) => h === 'green' || h === 'amber')), timeoutMs, 250);
}

/** Polls health for `ms`, collecting which models were seen red per topology. */
export async function collectRed(read: () => Promise<Record<string, Record<string, string>>>, until: (red: Record<string, Set<string>>) => boolean, timeoutMs: number): Promise<Record<string, Set<string>>> {
  const red: Record<string, Set<string>> = { monolith: new Set(), microservices: new Set() };
  await waitFor(async () => {
    for (const [topology, models] of Object.entries(await read())) {
      for (const [model, health] of Object.entries(models)) if (health === 'red') red[topology]!.add(model);
    }
    return until(red);
  }, timeoutMs, 150);
  return red;
}
