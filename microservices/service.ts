import { findModel } from '../models/catalog.js';
import { InProcessBackend } from '../serving/backend/in-process-backend.js';
import { FlagError, MODEL_SERVER_OPTIONS, parseFlags, readInteger, readModelServerFlags, readString, runMain } from '../serving/server/parse-flags.js';
import { runModelServer } from '../serving/server/run-model-server.js';
import { builtinModels } from '../models/catalog.js';

const OPTIONS = {
  ...MODEL_SERVER_OPTIONS,
  model: { type: 'string' },
  version: { type: 'string' },
} as const;

/** One model per process, served by the same kit and in-process backend as the monolith `single`. */
async function main(): Promise<void> {
  const values = parseFlags(process.argv.slice(2), OPTIONS);
  const flags = readModelServerFlags(values);
  const name = readString(values, 'model');
  if (!name) throw new FlagError('--model is required: the one model this service hosts');
  const spec = findModel(name);
  if (!spec) throw new FlagError(`--model: unknown model "${name}"; expected one of: ${builtinModels().map((m) => m.name).join(', ')}`);
  const version = readInteger(values, 'version', 0, 1);
  await runModelServer({
    role: 'service',
    variant: null,
    flags,
    specs: [spec],
    versions: version > 0 ? { [name]: version } : {},
    createBackend: (options) => InProcessBackend.create(options),
  });
}

runMain(main);
