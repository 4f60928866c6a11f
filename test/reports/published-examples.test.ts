import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResults } from '../../bench/results/read-results.js';
import { ROOT, ensureCompiled } from '../bench/targets/local/helpers.js';

const CLI = join(ROOT, 'dist', 'bench', 'cli', 'main.js');
const EXAMPLES = ['quick', 'standard'].map((profile) => ({ profile, dir: join(ROOT, 'docs', 'examples', profile) }));
const scratch = mkdtempSync(join(tmpdir(), 'splitbench-examples-'));

beforeAll(() => ensureCompiled(), 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(EXAMPLES)('the published $profile example (docs/examples/$profile)', ({ profile, dir }) => {
  it('passes the results schema and was a complete run of its profile', () => {
    const results = readResults(dir);
    expect(results.status).toBe('complete');
    expect(results.config.profile).toBe(profile);
  });

  it('renders with `splitbench report` into the same verdict the committed report shows', async () => {
    const out = join(scratch, profile);
    const rendered = await execa(process.execPath, [CLI, 'report', dir, '--out', out], { reject: false, timeout: 120_000 });
    expect(rendered.exitCode, rendered.stderr).toBe(0);
    const verdictOf = (markdown: string) => markdown.slice(markdown.indexOf('## Verdict'), markdown.indexOf('### All other comparisons'));
    expect(verdictOf(readFileSync(join(out, 'report.md'), 'utf8'))).toBe(verdictOf(readFileSync(join(dir, 'report.md'), 'utf8')));
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('The charts behind the verdict');
  }, 150_000);

  it('is trimmed to a size a repository can carry', () => {
    expect(statSync(join(dir, 'results.json')).size).toBeLessThan(4 * 1024 * 1024);
  });
});

describe('splitbench report --trim', () => {
  it('is refused without --out, so a run’s own results.json is never rewritten', async () => {
    const result = await execa(process.execPath, [CLI, 'report', EXAMPLES[0]!.dir, '--trim'], { reject: false, timeout: 30_000 });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--trim needs --out/);
  });

  it('leaves out the per-request logs and histograms, says so, and still passes the schema', async () => {
    const out = join(scratch, 'trimmed');
    const result = await execa(process.execPath, [CLI, 'report', EXAMPLES[0]!.dir, '--out', out, '--trim'], { reject: false, timeout: 120_000 });
    expect(result.exitCode, result.stderr).toBe(0);
    const trimmed = readResults(out);
    expect(trimmed.trimmed?.fields.length).toBeGreaterThan(0);
    expect(trimmed.experiments.fault?.results.every((r) => r.requestLogs === undefined)).toBe(true);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  }, 150_000);
});
