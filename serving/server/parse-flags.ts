import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RUNTIMES } from '../../models/runtimes.js';

/** A bad command line: the message names the flag and what it expects. */
export class FlagError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | string[] | undefined>;

/** Flags every model server (monolith and service) accepts. */
export const MODEL_SERVER_OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  store: { type: 'string' },
  'intra-op-threads': { type: 'string' },
  'inter-op-threads': { type: 'string' },
  'body-limit-bytes': { type: 'string' },
  'grace-ms': { type: 'string' },
  'admin-token': { type: 'string' },
  faults: { type: 'boolean' },
  'memory-limit-bytes': { type: 'string' },
  runtime: { type: 'string' },
} as const satisfies Options;

/** Parses argv strictly, turning node's parse errors into FlagErrors. */
export function parseFlags(argv: string[], options: Options): Values {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Values;
  } catch (error) {
    const known = Object.keys(options).map((name) => `--${name}`).join(' ');
    throw new FlagError(`${(error as Error).message.split('\n')[0]}; expected flags: ${known}`);
  }
}

/** Reads an integer flag within [min, max], or its default. */
export function readInteger(values: Values, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new FlagError(`--${name} expects an integer from ${min} to ${max}; got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Reads an optional string flag. */
export function readString(values: Values, name: string): string | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw.length === 0) throw new FlagError(`--${name} expects a non-empty value`);
  return raw;
}

/** Reads a repeatable name=value flag into a map. */
export function readPairs(values: Values, name: string): Record<string, string> {
  const raw = values[name];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
  const pairs: Record<string, string> = {};
  for (const item of list) {
    const at = item.indexOf('=');
    if (at <= 0 || at === item.length - 1) throw new FlagError(`--${name} expects name=value; got ${JSON.stringify(item)}`);
    pairs[item.slice(0, at)] = item.slice(at + 1);
  }
  return pairs;
}

/** The common model-server settings. */
export interface ModelServerFlags {
  host: string;
  port: number;
  storeDir: string | undefined;
  intraOpThreads: number;
  interOpThreads: number;
  bodyLimitBytes: number;
  graceMs: number;
  adminToken: string | undefined;
  faults: boolean;
  memoryLimitBytes: number | undefined;
  /** onnxruntime to load every model on (models/runtimes.ts name); undefined = the default. */
  runtime: string | undefined;
}

/** Reads and checks the common model-server flags. */
export function readModelServerFlags(values: Values): ModelServerFlags {
  const adminToken = readString(values, 'admin-token');
  const faults = values.faults === true;
  if (faults && !adminToken) throw new FlagError('--faults needs --admin-token TOKEN (faults are armed through the admin API)');
  const memory = readInteger(values, 'memory-limit-bytes', 0, 0);
  const runtime = readString(values, 'runtime');
  if (runtime !== undefined && !RUNTIMES.some((r) => r.name === runtime)) throw new FlagError(`--runtime: unknown runtime "${runtime}"; expected one of: ${RUNTIMES.map((r) => r.name).join(', ')}`);
  return {
    host: readString(values, 'host') ?? '127.0.0.1',
    port: readInteger(values, 'port', 0, 0, 65535),
    storeDir: readString(values, 'store'),
    intraOpThreads: readInteger(values, 'intra-op-threads', 1, 1, 256),
    interOpThreads: readInteger(values, 'inter-op-threads', 1, 1, 256),
    bodyLimitBytes: readInteger(values, 'body-limit-bytes', 16 * 1024 * 1024, 1),
    graceMs: readInteger(values, 'grace-ms', 5000, 0),
    adminToken,
    faults,
    memoryLimitBytes: memory > 0 ? memory : undefined,
    runtime,
  };
}

/** Runs a main function, turning FlagErrors into exit code 2 and other failures into exit 1, without stack traces for known errors. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof FlagError) {
      process.stderr.write(`splitbench: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`splitbench: ${(error as Error)?.message ?? String(error)}\n`);
    process.exit(1);
  });
}
