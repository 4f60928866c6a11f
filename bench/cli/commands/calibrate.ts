import type { Command } from 'commander';
import { defaultStoreDir } from '../../../models/paths.js';
import { findModel, type ModelSpec } from '../../../models/catalog.js';
import { manifestStoreDir, publishManifest } from '../../../models/manifest/publish-manifest.js';
import type { LoadedManifest } from '../../../models/manifest/read-manifest.js';
import { prepareStore } from '../../../models/publish.js';
import { ConfigError, resolveRunConfig } from '../../config/run-config.js';
import { readManifestOption } from '../../config/read-manifest-option.js';
import { measureHttpFloorMs, measureOverhead } from '../../experiments/calibrate-overhead.js';
import { availableGateways, measureGateways } from '../../experiments/calibrate-gateways.js';
import { createProgress } from '../../experiments/progress.js';
import { calibrateGenerator } from '../../load/calibrate.js';
import { saveGatewayCalibration } from '../../results/gateway-calibration.js';
import { installCleanupHandlers, runCleanup } from '../../targets/cleanup.js';
import { LocalTarget } from '../../targets/local/local-target.js';
import { UsageError } from '../errors.js';

interface CalibrateOptions {
  rate: string;
  model?: string;
  topologies?: string;
  store?: string;
  /** --manifest: calibrate on your models (splitbench.yaml). */
  manifest?: string;
  json?: boolean;
}

/**
 * The overhead model (--model, else the manifest's first, else vad) and the pair the gateways carry:
 * it and tabular (vad and tabular for tabular), or with a manifest it and another of the manifest's models.
 */
function pickCalibrationModels(model: string | undefined, manifest: LoadedManifest | null): { model: string; pair: [string, string] } {
  const names = manifest?.models.map((m) => m.entry.name) ?? [];
  const picked = model ?? names[0] ?? 'vad';
  const other = names.find((n) => n !== picked);
  if (other) return { model: picked, pair: [picked, other] };
  return { model: picked, pair: picked === 'tabular' ? ['vad', 'tabular'] : [picked, 'tabular'] };
}

/** The store calibration serves from: --store, else the manifest store (its models published) or the built-in one; the pair's built-in models go in too. */
function prepareCalibrationStore(store: string | undefined, manifest: LoadedManifest | null, pair: readonly string[]): string {
  if (!manifest) return store ?? defaultStoreDir();
  const dir = store ?? manifestStoreDir();
  publishManifest(dir, manifest);
  const names = new Set(manifest.models.map((m) => m.entry.name));
  prepareStore(dir, pair.filter((m) => !names.has(m)).map((m) => findModel(m)).filter((m): m is ModelSpec => m !== undefined));
  return dir;
}

/** Formats a number of ms, or a dash when it was not measured. */
function ms(value: number | null): string {
  return value === null ? '—' : `${value.toFixed(3)} ms`;
}

/** Registers `splitbench calibrate`: the harness's self-check on this machine. */
export function registerCalibrateCommand(program: Command): void {
  program
    .command('calibrate')
    .description("the harness's self-check: generator rate accuracy and send lag, its ceiling, and each topology's overhead over bare inference")
    .option('--rate <rps>', 'open-loop rate for the generator check', '1000')
    .option('--model <name>', 'model for the overhead check (default: vad, or the manifest\'s first model)')
    .option('--topologies <list>', 'topology variants for the overhead check (default: all four)')
    .option('--manifest <file>', 'calibrate on your models: a splitbench.yaml (the overhead on its first model, the gateways carrying two of them)')
    .option('--store <dir>', 'model store (default: models/store, or models/store-manifest with --manifest)')
    .option('--json', 'print the calibration as JSON')
    .action(async (options: CalibrateOptions) => {
      const rate = Number(options.rate);
      let config;
      const problems: string[] = [];
      if (!Number.isFinite(rate) || rate <= 0) problems.push(`--rate: expected requests per second > 0, received "${options.rate}"`);
      const { manifest, problems: manifestProblems } = readManifestOption(options.manifest);
      problems.push(...manifestProblems);
      const { model, pair } = pickCalibrationModels(options.model, manifest);
      try {
        config = resolveRunConfig({ experiments: 'latency', models: pair.join(','), ...(options.topologies ? { topologies: options.topologies } : {}) });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems.push(...error.problems);
      }
      if (problems.length > 0 || !config) throw new UsageError(problems, 'see `splitbench calibrate --help`');
      const store = prepareCalibrationStore(options.store, manifest, pair);
      installCleanupHandlers();
      const progress = createProgress(Boolean(options.json));
      progress.plan(1 + config.variants.length + availableGateways().length);
      try {
        progress.step(`generator at ${rate} rps`);
        const generator = await calibrateGenerator({ rateRps: rate, generatorCpus: config.cpus.generator, endpointCpus: config.cpus.servers });
        progress.tick();
        progress.step('HTTP round-trip floor (trivial node:http endpoint)');
        const httpFloorMs = await measureHttpFloorMs(config);
        const overhead = await measureOverhead(config, new LocalTarget(), store, model, (label) => {
          progress.step(label);
          progress.tick();
        });
        const gateways = await measureGateways(config, new LocalTarget(), store, [...pair], (label) => {
          progress.step(label);
          progress.tick();
        });
        progress.stop();
        const savedTo = saveGatewayCalibration(gateways);
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ generator, httpFloorMs, overhead, gateways, savedTo }, null, 2)}\n`);
          return;
        }
        const lines = [
          `generator (${generator.arrival} ${rate} rps for ${(generator.measuredMs / 1000).toFixed(1)} s, generator CPUs ${generator.generatorCpus?.join(',') ?? 'any'}, endpoint CPUs ${generator.endpointCpus?.join(',') ?? 'any'}):`,
          `  offered ${generator.offeredRps.toFixed(1)} rps, achieved ${generator.achievedRps.toFixed(1)} rps (${((generator.achievedOverOffered - 1) * 100).toFixed(2)}%, ${generator.withinTwoPercent ? 'within' : 'NOT within'} 2%)`,
          `  send lag p50 ${ms(generator.sendLagP50Ms)}, p99 ${ms(generator.sendLagP99Ms)}, max ${ms(generator.sendLagMaxMs)}; generator CPU ${(generator.generatorCpuUtilisation * 100).toFixed(0)}%${generator.generatorSaturated ? ' (SATURATED)' : ''}; errors ${generator.errors}`,
          `  closed-loop ceiling against a trivial endpoint: ${generator.closedLoop.maxRps?.toFixed(0) ?? '—'} rps`,
          `HTTP round-trip floor here (trivial node:http endpoint, one keep-alive connection, back to back): p50 ${httpFloorMs.toFixed(3)} ms`,
          `overhead over bare session.run of ${model} (p50 served − median bare, concurrency 1, back to back):`,
          ...overhead.map((o) => `  ${`${o.topology}/${o.variant}`.padEnd(24)} bare ${o.bareMs.toFixed(3)} ms, served p50 ${o.servedP50Ms.toFixed(3)} ms, overhead ${o.overheadUs.toFixed(0)} µs (${((o.servedP50Ms - o.bareMs - httpFloorMs) * 1000).toFixed(0)} µs beyond the HTTP floor)`),
          `  (microservices/gateway above uses ${config.gateway?.label ?? 'the Node gateway'})`,
          `gateways in front of the same services (${gateways[0]?.models.join(' + ') ?? '—'} round-robin, ${gateways[0]?.connections ?? 0} connections, closed loop from the harness):`,
          ...gateways.map((g) => `  ${g.label.padEnd(60)} ${g.rps.toFixed(0)} rps (${g.errors} errors), gateway CPU ${g.gatewayCpuUsPerRequest === null ? '—' : `${g.gatewayCpuUsPerRequest.toFixed(0)} µs`}/request (incl. child processes), p50 at concurrency 1 ${g.sequentialP50Ms.toFixed(3)} ms`),
          `gateway figures saved to ${savedTo}: runs on this machine that fall back to the Node gateway cite them in their verdict caveat`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        progress.stop();
        await runCleanup();
      }
    });
}
