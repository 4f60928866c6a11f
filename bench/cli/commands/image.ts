import type { Command } from 'commander';
import { readManifestOption } from '../../config/read-manifest-option.js';
import { connectEngine, EngineUnavailableError } from '../../targets/docker/engine.js';
import { buildRuntimeImage } from '../../targets/docker/image.js';
import { UsageError } from '../errors.js';

/** Options of `image build`. */
interface ImageBuildOptions {
  force?: boolean;
  json?: boolean;
  manifest?: string;
}

/** Registers `splitbench image build`: the runtime image for the docker target, built offline. */
export function registerImageCommand(program: Command): void {
  const image = program.command('image').description('container images of the docker target');
  image
    .command('build')
    .description('build the runtime image from this checkout offline (node, dist/, production node_modules, model store, and the host nginx when installed), tagged by content')
    .option('--force', 'rebuild even when an image with the same content tag exists')
    .option('--json', 'print the result as JSON')
    .option('--manifest <file>', 'also carry your models (a splitbench.yaml) in /app/models/store-manifest: an image of its own (splitbench-manifest-runtime, labelled with the model set), for `--target docker` and `splitbench manifests --manifest`')
    .action(async (options: ImageBuildOptions) => {
      // A bad manifest is a usage error found before the engine is asked.
      const { manifest, problems } = readManifestOption(options.manifest);
      if (problems.length > 0) throw new UsageError(problems, 'see `splitbench image build --help`; `splitbench models check --manifest FILE` checks a manifest');
      let docker;
      try {
        docker = await connectEngine();
      } catch (error) {
        if (error instanceof EngineUnavailableError) throw new UsageError([error.message], error.hint);
        throw error;
      }
      const result = await buildRuntimeImage(docker, { force: Boolean(options.force), manifest, onProgress: (line) => process.stderr.write(`${line}\n`) });
      if (options.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const sizeMiB = (result.sizeBytes / 1024 / 1024).toFixed(1);
      process.stdout.write(`${result.built ? 'built' : 'already present:'} ${result.tag} (${result.id.slice(7, 19)}), ${sizeMiB} MiB, ${(result.buildMs / 1000).toFixed(1)} s, ${result.nginx ? `nginx at ${result.nginx}` : 'no nginx (the gateway variant uses the Node gateway)'}${result.models ? `; your models ${result.models.join(', ')} in ${result.manifestStore}` : ''}\n`);
    });
}
