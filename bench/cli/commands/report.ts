import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { RESULTS_FILE } from '../../results/run-recorder.js';
import { trimResults } from '../../results/trim-results.js';
import type { Command } from 'commander';
import { readResults, resolveResultsPath, ResultsFileError } from '../../results/read-results.js';
import { anyThresholdFailed, evaluateThresholds, writeComparison, writeRunReports } from '../../../reports/index.js';
import { EXIT, UsageError } from '../errors.js';

/** Reads a run's results, turning file problems into usage errors (exit 2) that say what to pass. */
function loadRun(path: string) {
  try {
    return readResults(path);
  } catch (error) {
    if (error instanceof ResultsFileError) throw new UsageError([error.message], error.hint);
    throw error;
  }
}

/** Collects a repeatable option into a list. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Registers `splitbench report <run-dir>`: re-renders every report from results.json alone. */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .argument('<run-dir>', 'a run folder (or its results.json)')
    .option('--threshold <expr>', 're-evaluate a threshold against this run (repeatable); exit 3 when one fails', collect)
    .option('--out <dir>', 'write the reports (and a copy of results.json) to this folder instead of the run folder')
    .option('--trim', 'with --out: the copy of results.json leaves out the raw per-request logs and histograms (a run small enough to publish; the reports are the same)')
    .description('re-render report.md, report.html and the CSV files of a run from its results.json')
    .action(async (runDir: string, options: { threshold?: string[]; out?: string; trim?: boolean }) => {
      if (options.trim && !options.out) throw new UsageError(['--trim needs --out: it writes a trimmed copy, never over the run\'s own results.json'], 'e.g. splitbench report reports/runs/<run> --out docs/examples/standard --trim');
      let results = loadRun(runDir);
      if (options.threshold?.length) results.thresholds = evaluateThresholds(results, options.threshold);
      const dir = options.out ?? dirname(resolveResultsPath(runDir));
      const copied: string[] = [];
      if (options.out) {
        if (options.trim) results = trimResults(results);
        mkdirSync(options.out, { recursive: true });
        const file = join(options.out, RESULTS_FILE);
        writeFileSync(file, `${JSON.stringify(results)}\n`);
        copied.push(file);
      }
      const { files } = await writeRunReports(results, dir);
      files.unshift(...copied);
      process.stdout.write(`wrote ${files.map((f) => relative(process.cwd(), f) || f).join(', ')}\n`);
      if (anyThresholdFailed(results.thresholds)) process.exitCode = EXIT.threshold;
    });
}

/** Registers `splitbench compare <run-a> <run-b>`: what changed between two runs. */
export function registerCompareCommand(program: Command): void {
  program
    .command('compare')
    .argument('<run-a>', 'the earlier run folder')
    .argument('<run-b>', 'the later run folder')
    .option('--out <dir>', 'where to write compare.md and compare.html (default: the later run folder)')
    .option('--threshold <expr>', 'also gate the later run on a threshold (repeatable); exit 3 when one fails', collect)
    .description('per metric: before, after, ratio and whether the change is significant (Markdown and HTML)')
    .action(async (runA: string, runB: string, options: { out?: string; threshold?: string[] }) => {
      const before = loadRun(runA);
      const after = loadRun(runB);
      const out = options.out ?? dirname(resolveResultsPath(runB));
      const { files, comparison } = await writeComparison(before, after, out);
      const changed = comparison.metrics.filter((m) => m.verdict === 'better' || m.verdict === 'worse');
      process.stdout.write(`${changed.length} significant change(s) of ${comparison.metrics.length} metrics; wrote ${files.map((f) => relative(process.cwd(), f) || f).join(', ')}\n`);
      if (options.threshold?.length) {
        const outcomes = evaluateThresholds(after, options.threshold);
        for (const failed of outcomes.filter((o) => !o.passed)) process.stderr.write(`splitbench: threshold failed: ${failed.expression} (actual ${failed.actual ?? 'not measured'})\n`);
        if (anyThresholdFailed(outcomes)) process.exitCode = EXIT.threshold;
      }
    });
}
