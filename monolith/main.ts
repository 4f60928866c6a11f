import { defaultModelNames, resolveModels, UnknownModelError } from '../models/catalog.js';
import { RUNTIMES } from '../models/runtimes.js';
import { InProcessBackend } from '../serving/backend/in-process-backend.js';
import { WorkerBackend } from '../serving/backend/worker-backend.js';
import { FlagError, MODEL_SERVER_OPTIONS, parseFlags, readModelServerFlags, readPairs, runMain } from '../serving/server/parse-flags.js';
import { runModelServer } from '../serving/server/run-model-server.js';

const OPTIONS = {
  ...MODEL_SERVER_OPTIONS,
  variant: { type: 'string' },
  models: { type: 'string' },
  version: { type: 'string', multiple: true },
  'model-runtime': { type: 'string', multiple: true },
} as const;

/** Parses --model-runtime name=runtime pairs: a model on another runtime than --runtime (only runtimes that co-host work). */
function readModelRuntimes(pairs: Record<string, string>, models: string[]): Record<string, string> {
  for (const [name, runtime] of Object.entries(pairs)) {
    if (!models.includes(name)) throw new FlagError(`--model-runtime ${name}=${runtime}: "${name}" is not among the served models (${models.join(', ')})`);
    if (!RUNTIMES.some((r) => r.name === runtime)) throw new FlagError(`--model-runtime ${name}=${runtime}: unknown runtime; expected one of: ${RUNTIMES.map((r) => r.name).join(', ')}`);
  }
  return pairs;
}

/** Parses --version name=N pairs for the served models. */
function readVersions(pairs: Record<string, string>, models: string[]): Record<string, number> {
  const versions: Record<string, number> = {};
  for (const [name, value] of Object.entries(pairs)) {
    if (!models.includes(name)) throw new FlagError(`--version ${name}=${value}: "${name}" is not among the served models (${models.join(', ')})`);
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new FlagError(`--version ${name}=${value}: expected a positive integer version`);
    versions[name] = Number(value);
  }
  return versions;
}

/** All requested models in one process: `single` runs them on the main thread, `workers` on one thread each. */
async function main(): Promise<void> {
  const values = parseFlags(process.argv.slice(2), OPTIONS);
  const flags = readModelServerFlags(values);
  const variant = (values.variant as string | undefined) ?? 'single';
  if (variant !== 'single' && variant !== 'workers') throw new FlagError(`--variant expects single or workers; got ${JSON.stringify(variant)}`);
  const names = values.models === undefined ? defaultModelNames() : String(values.models).split(',').map((name) => name.trim()).filter(Boolean);
  if (names.length === 0) throw new FlagError('--models expects a comma-separated list of model names');
  let specs;
  try {
    specs = resolveModels(names);
  } catch (error) {
    if (error instanceof UnknownModelError) throw new FlagError(`--models: ${error.message}`);
    throw error;
  }
  await runModelServer({
    role: 'monolith',
    variant,
    flags,
    specs,
    versions: readVersions(readPairs(values, 'version'), names),
    modelRuntimes: readModelRuntimes(readPairs(values, 'model-runtime'), names),
    createBackend: (options) => (variant === 'workers' ? WorkerBackend.create(options) : InProcessBackend.create(options)),
  });
}

runMain(main);
