import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResults } from '../../../../bench/results/read-results.js';
import { ROOT, ensureCompiled } from '../../targets/local/helpers.js';

const CLI = join(ROOT, 'dist', 'bench', 'cli', 'main.js');
const RECORDED = fileURLToPath(new URL('../../../reports/fixtures/results-recorded.json', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'splitbench-diagnose-cli-'));
const runDir = join(workDir, 'run');
let runExit: number | undefined;

/** Runs the compiled CLI to completion. */
function runCli(args: string[], timeout = 60_000) {
  return execa(process.execPath, [CLI, ...args], { reject: false, timeout });
}

// `run diagnose --profile quick` on three models, two fault kinds: the profile's headline pair of variants.
beforeAll(async () => {
  ensureCompiled();
  const run = await runCli(['run', 'diagnose', '--profile', 'quick', '--models', 'tabular,vad,ocr-cls', '--fault-kinds', 'error,crash', '--out', runDir], 240_000);
  runExit = run.exitCode;
}, 260_000);

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('splitbench run diagnose --profile quick', () => {
  it('writes the diagnose section, and the report renders its table and the troubleshooting verdict row', async () => {
    expect(runExit).toBe(0);
    const results = readResults(runDir);
    const section = results.experiments.diagnose!;
    expect(section.status).toBe('complete');
    expect(section.results.map((r) => `${r.variant}/${r.faultKind}`).sort()).toEqual(['gateway/crash', 'gateway/error', 'gateway/none', 'workers/crash', 'workers/error', 'workers/none']);
    const report = await runCli(['report', runDir]);
    expect(report.exitCode).toBe(0);
    const markdown = readFileSync(join(runDir, 'report.md'), 'utf8');
    expect(markdown).toMatch(/^## Diagnose \(time to blame\)$/m);
    expect(markdown).toMatch(/\| fault \| topology \| culprit \| trials \| suspects to inspect \| time to blame \|/);
    expect(markdown).toMatch(/^\| error \| monolith\/workers \| tabular \|/m);
    // On a shared machine a late load generator can make every window invalid: the row then says why.
    const anyValid = section.results.some((r) => r.valid);
    expect(markdown).toMatch(anyValid ? /^\| Troubleshooting \(suspects to inspect, time to blame\) \| suspects to inspect, mean over fault kinds \(workers vs gateway\)/m : /^\| Troubleshooting \(suspects to inspect, time to blame\) \| not measured: /m);
    expect(readFileSync(join(runDir, 'report.html'), 'utf8')).toContain('id="diagnose-table"');
  });

  it('compares with an older run that has no diagnose section, and that run still renders', async () => {
    const oldDir = join(workDir, 'old');
    cpSync(RECORDED, join(oldDir, 'results.json'));
    const report = await runCli(['report', oldDir]);
    expect(report.exitCode).toBe(0);
    const markdown = readFileSync(join(oldDir, 'report.md'), 'utf8');
    expect(markdown).toMatch(/Troubleshooting \(suspects to inspect, time to blame\) \| not measured: experiment `diagnose` not run/);
    expect(markdown).toMatch(/\*\*Diagnose \(time to blame\): not measured\*\* — the `diagnose` experiment was not run/);
    const compare = await runCli(['compare', oldDir, runDir, '--out', join(workDir, 'compare')]);
    expect(compare.exitCode).toBe(0);
    expect(readFileSync(join(workDir, 'compare', 'compare.md'), 'utf8')).toMatch(/suspects to inspect/);
  });
});
