import { relative } from 'node:path';
import type { Command } from 'commander';
import { defaultStoreDir } from '../../../models/paths.js';
import { ConfigError, resolveRunConfig, type RunOptions } from '../../config/run-config.js';
import { activeManifest } from '../../../models/manifest/active-manifest.js';
import { manifestStoreDir, publishManifest } from '../../../models/manifest/publish-manifest.js';
import { scalingModels } from '../../../models/catalog.js';
import { prepareStore } from '../../../models/publish.js';
import { fitGatewayToTarget } from '../../config/gateway-choice.js';
import { runExperiments } from '../../experiments/run-experiments.js';
import { createProgress } from '../../experiments/progress.js';
import { runCleanup, runCleanupSync } from '../../targets/cleanup.js';
import { createTarget, parseTargetName } from '../../targets/select-target.js';
import { EXPERIMENT_NAMES, type RunResults } from '../../results/schema.js';
import { anyThresholdFailed, evaluateThresholds, parseThreshold, ThresholdSyntaxError, writeRunReports } from '../../../reports/index.js';
import { EXIT, RuntimeFailure, UsageError } from '../errors.js';
import { summarizeRun } from '../summarize-run.js';
import { checkResumable, loadRunToResume } from '../resume-run.js';

/** Options of `run` and `suite` as commander hands them over. */
interface RunCommandOptions extends Omit<RunOptions, 'experiments'> {
  json?: boolean;
  store?: string;
  target?: string;
  /** --resume <run-dir>: continue that run. */
  resume?: string;
}

/** Collects a repeatable option into a list. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Adds the options `run` and `suite` share. */
function addRunOptions(command: Command): Command {
  return command
    .option('--profile <name>', 'quick | standard | full: how long and how many trials', 'quick')
    .option('--topologies <list>', 'topology variants, e.g. monolith,microservices:gateway (default: all four)')
    .option('--models <list>', 'comma-separated model names (default: vad,ocr-cls,ocr-det,ocr-rec,tabular)')
    .option('--trials <n>', 'interleaved trials per topology variant (default: from the profile)')
    .option('--seed <n>', 'seed of every schedule and sample input', '42')
    .option('--cpus <list>', 'CPUs for every server process, e.g. 1 or none (default: all but CPU 0)')
    .option('--generator-cpus <list>', 'CPUs of the load generator (default: CPU 0)')
    .option('--price-vcpu-hour <usd>', 'price of one vCPU-hour for the cost figures')
    .option('--price-gib-hour <usd>', 'price of one GiB-hour of memory for the cost figures')
    .option('--fault-kinds <list>', 'faults to inject in the fault and diagnose experiments: crash, exception, cpu, leak, hang, error, slow (default: from the profile)')
    .option('--fault-models <list>', 'models to inject faults into; more than one gives the isolation matrix (default: from the profile)')
    .option('--threshold <expr>', "fail (exit 3) unless the expression holds, e.g. 'microservices.vad.p99Ms<20' (repeatable)", collect)
    .option('--gateway <name>', 'gateway implementation: auto (nginx when installed, else the Node gateway) | nginx | node', 'auto')
    .option('--out <dir>', 'run folder to write (default: reports/runs/<timestamp>)')
    .option('--resume <run-dir>', 'continue an interrupted run in <run-dir> with the same options: trials already in its results.json are kept, the rest run (a differing option exits 2)')
    .option('--manifest <file>', 'your models: a splitbench.yaml (`splitbench models init DIR` writes one); default: the built-in models')
    .option('--store <dir>', 'model store (default: models/store, or models/store-manifest with --manifest)')
    .option('--json', 'print the results summary as JSON on stdout; no progress display')
    .option('--target <name>', 'where the topologies run: local (processes) or docker (containers on DOCKER_HOST)', 'local');
}

/** The run's model store: the given one or the default; with a manifest, its models are published there first. */
function prepareRunStore(store: string | undefined): string {
  const manifest = activeManifest();
  if (!manifest) return store ?? defaultStoreDir();
  const dir = store ?? manifestStoreDir();
  publishManifest(dir, manifest);
  // The footprint's 1 → N scaling measures the marginal cost of a model with the built-in parametric ones.
  prepareStore(dir, scalingModels());
  return dir;
}

/** Validates thresholds up front, so a typo fails in a second rather than after the run. */
function checkThresholdSyntax(expressions: readonly string[]): string[] {
  const problems: string[] = [];
  for (const expression of expressions) {
    try {
      parseThreshold(expression);
    } catch (error) {
      if (error instanceof ThresholdSyntaxError) problems.push(`--threshold: ${error.message}`);
      else throw error;
    }
  }
  return problems;
}

/**
 * Parse → validate → run → export → exit code. Ctrl-C stops at the next step, keeps every finished
 * trial, writes the reports of what was measured and exits 130; a second Ctrl-C stops at once.
 */
async function executeRun(experiments: string, options: RunCommandOptions, commandLine: string): Promise<number> {
  const resume = options.resume !== undefined ? loadRunToResume(options.resume, options.out) : undefined;
  let config;
  try {
    config = resolveRunConfig({ ...options, experiments, ...(options.resume !== undefined ? { out: options.resume } : {}) });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.problems, `see \`splitbench run --help\`; experiments: ${EXPERIMENT_NAMES.join(', ')}`);
    throw error;
  }
  const thresholdProblems = checkThresholdSyntax(config.thresholds);
  if (thresholdProblems.length > 0) throw new UsageError(thresholdProblems, 'see reports/README.md for the threshold grammar');
  const targetProblems: string[] = [];
  const targetName = parseTargetName(options.target, targetProblems);
  if (targetName === null) throw new UsageError(targetProblems);
  // With --manifest the docker image carries its models and every container gets the manifest.
  const { target, description: targetDescription } = await createTarget(targetName, { manifest: config.manifest ? activeManifest() : null, onProgress: (line) => process.stderr.write(`${line}\n`) });
  if (config.gateway) config = { ...config, gateway: await fitGatewayToTarget(config.gateway, target) };
  if (resume) {
    checkResumable(resume, config, options.store ?? defaultStoreDir());
    if (resume.status === 'complete') return rerenderCompleteRun(resume, config.thresholds, config.outDir, Boolean(options.json));
  }

  const storeDir = prepareRunStore(options.store);
  const controller = new AbortController();
  const progress = createProgress(Boolean(options.json));
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      runCleanupSync();
      process.exit(130);
    }
    progress.log(`splitbench: ${signal} received; finishing the current step and keeping what was measured (press Ctrl-C again to stop at once)`);
    controller.abort();
  };
  const onCrash = (error: unknown) => {
    runCleanupSync();
    process.stderr.write(`splitbench: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(EXIT.runtime);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  let results: RunResults;
  try {
    const recorder = await runExperiments(config, { target, progress, signal: controller.signal, storeDir, command: commandLine, ...(resume ? { resume } : {}) });
    results = recorder.results;
    results.environment.target = targetDescription;
    results.thresholds = evaluateThresholds(results, config.thresholds);
    recorder.flush();
    const { files } = await writeRunReports(results, config.outDir);
    if (options.json) process.stdout.write(`${JSON.stringify(summarizeRun(results, config.outDir), null, 2)}\n`);
    else {
      process.stdout.write(`${summarizeRun(results, config.outDir).text}\n`);
      process.stdout.write(`wrote ${[recorder.file, ...files].map((f) => relative(process.cwd(), f) || f).join(', ')}\n`);
    }
  } catch (error) {
    throw error instanceof UsageError ? error : new RuntimeFailure(`run failed: ${(error as Error).message}`, `partial results (if any) are in ${config.outDir}; SPLITBENCH_DEBUG=1 shows the stack`);
  } finally {
    await runCleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }
  if (results.status === 'interrupted') return 130;
  if (anyThresholdFailed(results.thresholds)) {
    for (const failed of results.thresholds.filter((t) => !t.passed)) process.stderr.write(`splitbench: threshold failed: ${failed.expression} (actual ${failed.actual ?? 'not measured'}${failed.reason ? `; ${failed.reason}` : ''})\n`);
    return EXIT.threshold;
  }
  return EXIT.ok;
}

/** `--resume` of a run that is already complete: nothing is left to run; the reports are rendered again. */
async function rerenderCompleteRun(results: RunResults, thresholds: readonly string[], dir: string, json: boolean): Promise<number> {
  if (thresholds.length > 0) results.thresholds = evaluateThresholds(results, [...thresholds]);
  const { files } = await writeRunReports(results, dir);
  if (json) process.stdout.write(`${JSON.stringify(summarizeRun(results, dir), null, 2)}\n`);
  else process.stdout.write(`splitbench: ${dir} is already complete: nothing is left to run; its reports were rendered again\nwrote ${files.map((f) => relative(process.cwd(), f) || f).join(', ')}\n`);
  return anyThresholdFailed(results.thresholds) ? EXIT.threshold : EXIT.ok;
}

/** What `run --help` adds about resuming an interrupted run. */
const RESUME_HELP = `
Resuming: a run stopped by Ctrl-C (exit 130) or killed keeps every finished trial in results.json.
\`splitbench run <experiments> <same options> --resume <run-dir>\` continues it in the same folder:
units already there (a trial of a variant, a fault window, a rollout, a scaling point) are kept,
the rest run, and the report lists each sitting. The options must match the run's (--threshold
may change); a differing field is named and the command exits 2. A complete run is only re-rendered.`;

/** Registers `splitbench run <experiments>`. */
export function registerRunCommand(program: Command): void {
  addRunOptions(
    program
      .command('run')
      .argument('<experiments>', `comma-separated: ${EXPERIMENT_NAMES.join(', ')} (or all)`)
      .description('run experiments against both topologies and write a run folder (results.json, reports, CSV)')
      .addHelpText('after', RESUME_HELP),
  ).action(async (experiments: string, options: RunCommandOptions) => {
    process.exitCode = await executeRun(experiments, options, `splitbench run ${process.argv.slice(3).join(' ')}`.trim());
  });
}

/** Registers `splitbench suite`: every experiment, then the reports (what `npm run bench` runs). */
export function registerSuiteCommand(program: Command): void {
  addRunOptions(program.command('suite').description('run every experiment and write the reports (npm run bench = suite --profile quick)')).action(async (options: RunCommandOptions) => {
    process.exitCode = await executeRun('all', options, `splitbench suite ${process.argv.slice(3).join(' ')}`.trim());
  });
}
