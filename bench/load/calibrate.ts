import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { compiledEntry } from '../../models/paths.js';
import { runClosedLoop, isTasksetAvailable } from './generator-client.js';
import { runOpenLoop } from './generator-client.js';
import type { ClosedLoopResult } from './closed-loop.js';
import type { Arrival } from './types.js';

/** What to calibrate with. */
export interface CalibrationOptions {
  rateRps?: number;
  durationMs?: number;
  warmupMs?: number;
  arrival?: Arrival;
  /** CPUs of the generator and of the endpoint (default: generator on the last CPU, endpoint on the first). */
  generatorCpus?: number[] | null;
  endpointCpus?: number[] | null;
  concurrencyLevels?: number[];
  closedLevelDurationMs?: number;
  seed?: number;
}

/** Calibration numbers: can the generator hold the rate on time, and what ceiling does the harness have? */
export interface CalibrationReport {
  rateRps: number;
  arrival: Arrival;
  measuredMs: number;
  offeredRps: number;
  achievedRps: number;
  achievedOverOffered: number;
  withinTwoPercent: boolean;
  sendLagP50Ms: number | null;
  sendLagP99Ms: number | null;
  sendLagMaxMs: number | null;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  errors: number;
  generatorCpuUtilisation: number;
  generatorSaturated: boolean;
  generatorCpus: number[] | null;
  endpointCpus: number[] | null;
  closedLoop: ClosedLoopResult;
}

/** Starts the trivial endpoint in its own (optionally pinned) process and waits for its ready line. */
export async function startEndpoint(cpus: number[] | null) {
  const entry = compiledEntry('bench/load/calibrate-endpoint');
  const [file, args] = cpus === null ? [process.execPath, [entry]] : ['taskset', ['-c', cpus.join(','), process.execPath, entry]];
  const child = execa(file, args, { stdin: 'pipe', stdout: 'pipe', stderr: 'inherit', reject: false, cleanup: true });
  const lines = createInterface({ input: child.stdout });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  const ready = JSON.parse(line) as { url: string; pid: number };
  return {
    url: ready.url,
    stop: async () => {
      child.kill('SIGTERM');
      await child;
    },
  };
}

/** Drives the trivial endpoint open-loop at `rateRps` and closed-loop, and reports how the generator did. */
export async function calibrateGenerator(options: CalibrationOptions = {}): Promise<CalibrationReport> {
  const rateRps = options.rateRps ?? 1000;
  const arrival = options.arrival ?? 'constant';
  const cpuCount = (await import('node:os')).availableParallelism();
  const canPin = isTasksetAvailable() && cpuCount > 1;
  const generatorCpus = options.generatorCpus !== undefined ? options.generatorCpus : canPin ? [cpuCount - 1] : null;
  const endpointCpus = options.endpointCpus !== undefined ? options.endpointCpus : canPin ? [0] : null;
  const endpoint = await startEndpoint(endpointCpus);
  try {
    const url = `${endpoint.url}/calibrate`;
    const open = await runOpenLoop(
      {
        streams: [{ model: 'calibrate', url, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":1}', rateRps, arrival }],
        durationMs: (options.warmupMs ?? 2000) + (options.durationMs ?? 10_000),
        warmupMs: options.warmupMs ?? 2000,
        seed: options.seed ?? 1,
        timeoutMs: 2000,
      },
      { cpus: generatorCpus },
    );
    const closedLoop = await runClosedLoop(
      {
        targets: [{ url, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":1}' }],
        concurrencyLevels: options.concurrencyLevels ?? [1, 4, 16, 64],
        levelDurationMs: options.closedLevelDurationMs ?? 3000,
        warmupMs: 1000,
        timeoutMs: 2000,
        sloMs: 10,
      },
      { cpus: generatorCpus },
    );
    const stream = open.streams[0];
    if (stream === undefined) throw new Error('calibration: no stream in the result');
    const ratio = stream.offeredRps > 0 ? stream.achievedRps / stream.offeredRps : 0;
    return {
      rateRps,
      arrival,
      measuredMs: open.measuredMs,
      offeredRps: stream.offeredRps,
      achievedRps: stream.achievedRps,
      achievedOverOffered: ratio,
      withinTwoPercent: Math.abs(ratio - 1) <= 0.02,
      sendLagP50Ms: stream.sendLagP50Ms,
      sendLagP99Ms: stream.sendLagP99Ms,
      sendLagMaxMs: stream.sendLag.maxMs,
      latencyP50Ms: stream.latency.p50Ms,
      latencyP99Ms: stream.latency.p99Ms,
      errors: stream.measured.failed,
      generatorCpuUtilisation: open.generator.cpuUtilisation,
      generatorSaturated: open.generator.saturated,
      generatorCpus: open.generator.cpus,
      endpointCpus,
      closedLoop,
    };
  } finally {
    await endpoint.stop();
  }
}

/** Reads `--name value` flags of the command line. */
function readFlag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rate = readFlag('rate');
  const duration = readFlag('duration-ms');
  const arrival = readFlag('arrival');
  calibrateGenerator({
    ...(rate === undefined ? {} : { rateRps: Number(rate) }),
    ...(duration === undefined ? {} : { durationMs: Number(duration) }),
    ...(arrival === 'poisson' || arrival === 'constant' ? { arrival } : {}),
  }).then(
    (report) => console.log(JSON.stringify(report, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
