import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { findModel } from '../../../models/catalog.js';
import { defaultStoreDir, projectRoot } from '../../../models/paths.js';
import { manifestStoreDir, publishManifest } from '../../../models/manifest/publish-manifest.js';
import { readManifestOption } from '../../config/read-manifest-option.js';
import { parseVariants, type TopologyVariant } from '../../config/topologies.js';
import { LiveSession } from '../../live/live-session.js';
import { startLiveServer, type LiveServer } from '../../live/live-server.js';
import { saveLiveRun, writeLiveResults } from '../../live/save-live-run.js';
import { writeRunReports } from '../../../reports/render-run.js';
import { installCleanupHandlers, registerCleanup } from '../../targets/cleanup.js';
import { LocalTarget, defaultServerEntries } from '../../targets/local/local-target.js';
import { ProcessStartError } from '../../targets/local/supervisor.js';
import { RuntimeFailure, UsageError } from '../errors.js';
import { ProblemList, parseInteger, parseModels, parsePositiveNumber } from '../options.js';

/** Raw options of `splitbench live`. */
export interface LiveOptions {
  models?: string;
  topologies: string;
  port: string;
  host: string;
  rateScale: string;
  out?: string;
  store?: string;
  /** --manifest: your models (splitbench.yaml); their rates in the mix come from it. */
  manifest?: string;
  seed: string;
  json?: boolean;
  verbose?: boolean;
}

/** The validated settings of a live session. */
export interface LiveSettings {
  models: string[];
  topologies: TopologyVariant[];
  port: number;
  host: string;
  rates: Record<string, number>;
  outDir: string;
  store: string;
  seed: number;
}

/** Memory limit per model-hosting process, so the leak fault ends in a kill (as in the fault experiment). */
const LIVE_MEMORY_LIMIT_BYTES = 768 * 1024 * 1024;

/**
 * Per-model rates: the latency experiment's mix (a manifest's rates for its models) times `scale`
 * (default 0.5), at least 1 req/s. At the full mix one topology keeps its core under half busy;
 * halved, both topologies and the harness fit 2 cores.
 */
export function buildLiveRates(models: readonly string[], scale: number): Record<string, number> {
  return Object.fromEntries(models.map((m) => [m, Math.max(1, Math.round((findModel(m)?.rateRps ?? 10) * scale))]));
}

/** Turns CLI options into settings, reporting every problem at once (UsageError, exit 2). */
export function parseLiveOptions(options: LiveOptions): LiveSettings {
  const problems = new ProblemList();
  const { manifest, problems: manifestProblems } = readManifestOption(options.manifest);
  manifestProblems.forEach((p) => problems.add(p));
  const models = options.models === undefined && manifest ? manifest.models.map((m) => m.entry.name) : parseModels(options.models, problems);
  const store = options.store ?? (manifest ? manifestStoreDir() : defaultStoreDir());
  // The manifest's models go into the store before the servers start, as a run publishes them.
  if (manifest) publishManifest(store, manifest);
  const { variants, problems: topologyProblems } = parseVariants(options.topologies);
  topologyProblems.forEach((p) => problems.add(p));
  for (const kind of ['monolith', 'microservices'] as const) {
    const picked = variants.filter((v) => v.topology === kind);
    if (picked.length > 1) problems.add(`--topologies names ${picked.length} ${kind} variants; live mode shows one of each side by side, e.g. monolith:workers,microservices:gateway`);
  }
  const port = parseInteger('--port', options.port, problems, 0, 65535);
  const scale = parsePositiveNumber('--rate-scale', options.rateScale, problems);
  const seed = parseInteger('--seed', options.seed, problems, 0);
  if (!/^[\w.:[\]-]+$/.test(options.host)) problems.add(`--host "${options.host}" is not a host name or address; expected e.g. 127.0.0.1 or 0.0.0.0`);
  if (!existsSync(store)) problems.add(`model store ${store} does not exist; run \`npm run build\` or pass --store DIR`);
  if (problems.items.length > 0) throw new UsageError(problems.items, 'see `splitbench live --help`; `splitbench models` lists the model names');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
  return {
    models,
    topologies: variants,
    port: port!,
    host: options.host,
    rates: buildLiveRates(models, scale!),
    outDir: options.out ?? join(projectRoot(), 'reports', 'runs', `${stamp}-live`),
    store,
    seed: seed!,
  };
}

/** Runs `live`: both topologies under load, the page and API, until Ctrl-C; then saves the run folder. */
export async function runLive(options: LiveOptions): Promise<void> {
  const settings = parseLiveOptions(options);
  const missing = Object.values(defaultServerEntries()).filter((entry) => !existsSync(entry));
  if (missing.length > 0) throw new RuntimeFailure(`compiled server missing: ${missing.join(', ')}`, 'run `npm run build` first');
  const log = (text: string): void => void process.stderr.write(`splitbench: ${text}\n`);
  // Saving renders two reports after the servers are told to stop: allow it more than the default 10 s.
  installCleanupHandlers({ interruptExitCode: 0, timeoutMs: 30_000, onShutdown: (reason) => log(`${reason}: saving the run and stopping every server…`) });
  const target = new LocalTarget(options.verbose ? { onOutput: (name, stream, line) => process.stderr.write(`[${name}${stream === 'stderr' ? '!' : ''}] ${line}\n`) } : {});
  const command = `splitbench ${process.argv.slice(2).join(' ')}`.trim();
  log(`starting ${settings.topologies.map((t) => `${t.topology}/${t.variant}`).join(' and ')} with ${settings.models.join(', ')}…`);
  let session: LiveSession;
  try {
    session = await LiveSession.start({ target, topologies: settings.topologies, models: settings.models, storeDir: settings.store, rates: settings.rates, seed: settings.seed, timeoutMs: 5000, memoryLimitBytes: LIVE_MEMORY_LIMIT_BYTES });
  } catch (error) {
    if (error instanceof ProcessStartError) throw new RuntimeFailure(`a server did not start: ${error.message}`, 'check the server output (--verbose); `npm run build` rebuilds dist/ and the model store');
    throw error;
  }
  const save = async (status: 'complete' | 'interrupted' = 'complete'): Promise<string> => {
    const dir = await saveLiveRun(session, settings.outDir, command, status);
    session.markSaved(dir);
    return dir;
  };
  let server: LiveServer | null = null;
  // On stop: stop sending, write results.json at once, then render the reports while the servers stop.
  const stop = async (): Promise<void> => {
    session.pauseLoad();
    let rendering: Promise<unknown> = Promise.resolve();
    try {
      const results = writeLiveResults(session, settings.outDir, command, 'complete');
      session.savedDir = settings.outDir;
      log(`saved the session to ${settings.outDir}/results.json; rendering the reports…`);
      rendering = writeRunReports(results, settings.outDir).then(
        () => log(`wrote report.md and report.html in ${settings.outDir} (render again with: splitbench report ${settings.outDir})`),
        (error: unknown) => log(`could not render the reports (${(error as Error).message}); run: splitbench report ${settings.outDir}`),
      );
    } catch (error) {
      log(`could not save the session: ${(error as Error).message}`);
    }
    await Promise.all([rendering, server?.close(), session.stop()]);
  };
  registerCleanup({ stop, stopSync: () => undefined });
  try {
    server = await startLiveServer({ session, host: settings.host, port: settings.port, save: () => save() });
  } catch (error) {
    await session.stop();
    throw new RuntimeFailure(`the live page could not listen on ${settings.host}:${settings.port}: ${(error as Error).message}`, 'pick another --port (0 = any free port) or --host');
  }
  if (options.json) process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid, runDir: settings.outDir, rates: settings.rates })}\n`);
  else process.stdout.write(`live page: ${server.url}\nrates (req/s per model, on each topology): ${Object.entries(settings.rates).map(([m, r]) => `${m} ${r}`).join(', ')}\nCtrl-C saves the session to ${settings.outDir} and stops everything.\n`);
  await new Promise<never>(() => undefined);
}

/** Registers `splitbench live`. */
export function registerLiveCommand(program: Command): void {
  program
    .command('live')
    .description('both topologies under steady load, a live page on 127.0.0.1 with fault, redeploy and reset controls (Ctrl-C saves and stops)')
    .option('--models <list>', 'comma-separated model names (default: the default set)')
    .option('--topologies <list>', 'one monolith and one microservices variant', 'monolith:workers,microservices:gateway')
    .option('--port <n>', 'port of the page (0 = any free port)', '0')
    .option('--host <host>', 'address the page binds to (only 127.0.0.1 unless you say otherwise)', '127.0.0.1')
    .option('--rate-scale <x>', 'share of the latency experiment\'s per-model rates sent to each topology', '0.5')
    .option('--out <dir>', 'run folder written on stop or Save (default: reports/runs/<timestamp>-live)')
    .option('--manifest <file>', 'your models: a splitbench.yaml (`splitbench models init DIR` writes one); its rates set the mix; default: the built-in models')
    .option('--store <dir>', 'model store (default: models/store, or models/store-manifest with --manifest)')
    .option('--seed <n>', 'seed of the request schedules and inputs', '1')
    .option('--json', 'print one JSON line with the page URL')
    .option('--verbose', 'forward server output to stderr')
    .action((options: LiveOptions) => runLive(options));
}
