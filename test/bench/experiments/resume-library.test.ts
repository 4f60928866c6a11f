import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStoreDir } from '../../../models/paths.js';
import { RUNTIMES } from '../../../models/runtimes.js';
import { resolveRunConfig } from '../../../bench/config/run-config.js';
import { createSilentProgress } from '../../../bench/experiments/progress.js';
import { runExperiments } from '../../../bench/experiments/run-experiments.js';
import { LocalTarget } from '../../../bench/targets/local/local-target.js';
import { readResults } from '../../../bench/results/read-results.js';
import type { RunResults } from '../../../bench/results/schema.js';

const out = mkdtempSync(join(tmpdir(), 'splitbench-resume-library-'));
const sittings: RunResults[] = [];

/** Runs one sitting of the library experiment, interrupted as Ctrl-C would once its first cell begins when `interrupt` is set. */
async function runSitting(command: string, interrupt: boolean): Promise<void> {
  const controller = new AbortController();
  const progress = { ...createSilentProgress(), step: (label: string) => (interrupt && label.startsWith('library · ') ? controller.abort() : undefined) };
  const config = resolveRunConfig({ experiments: 'library', models: 'vad,tabular', topologies: 'monolith:single,microservices:direct', out });
  const resume = sittings.length > 0 ? { resume: readResults(out) } : {};
  await runExperiments(config, { target: new LocalTarget(), progress, signal: controller.signal, storeDir: defaultStoreDir(), command, ...resume });
  sittings.push(readResults(out));
}

beforeAll(async () => {
  await runSitting('first', true);
  await runSitting('resume', false);
}, 240_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('resuming the library experiment', () => {
  it('runs an interrupted library section again whole, replacing the partial one, and counts it as one unit of the sitting that completed it', () => {
    const [first, last] = sittings;
    expect(first!.status).toBe('interrupted');
    expect(first!.experiments.library!.status).toBe('partial');
    const library = last!.experiments.library!;
    expect(last!.status).toBe('complete');
    expect(library.status).toBe('complete');
    expect(library.results).toHaveLength(3 * RUNTIMES.length);
    expect(library.cohosting).toHaveLength(RUNTIMES.length * (RUNTIMES.length - 1));
    expect(new Set(library.notes).size).toBe(library.notes.length);
    expect(last!.sittings!.map((s) => s.produced)).toEqual([[], ['library']]);
  });
});
