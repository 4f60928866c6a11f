import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { defaultStoreDir } from '../../../models/paths.js';
import { ConfigError, resolveRunConfig } from '../../config/run-config.js';
import { variantKey } from '../../config/topologies.js';
import { buildTopologySpec } from '../../experiments/topology-spec.js';
import { renderManifests } from '../../targets/kubernetes/manifests.js';
import type { PodManifest } from '../../targets/kubernetes/manifest-env.js';
import { manifestEnvInImage } from '../../targets/docker/container-env.js';
import { IMAGE_MANIFEST_STORE, MANIFEST_IMAGE_REPOSITORY } from '../../targets/docker/manifest-image.js';
import type { RolloutStrategy } from '../../targets/plan.js';
import { UsageError } from '../errors.js';

/** Options of `splitbench manifests`. */
interface ManifestsOptions {
  target: string;
  out?: string;
  image?: string;
  runId?: string;
  manifest?: string;
  topologies?: string;
  models?: string;
  cpus?: string;
  memoryLimitMb: string;
  rollout?: string;
  store: string;
}

/** Registers `splitbench manifests --target kubernetes --out DIR`. */
export function registerManifestsCommand(program: Command): void {
  program
    .command('manifests')
    .description('render the deployment plan of each topology as Kubernetes manifests (validated offline against the Kubernetes schemas)')
    .option('--target <name>', 'kubernetes (the only renderer)', 'kubernetes')
    .option('--out <dir>', 'folder to write; one sub-folder per topology variant')
    .option('--image <ref>', 'runtime image the pods run (see `splitbench image build`; default splitbench-runtime:latest, with --manifest splitbench-manifest-runtime:latest)')
    .option('--run-id <id>', 'run id in the namespace names and labels (default: a timestamp)')
    .option('--topologies <list>', 'topology variants, e.g. monolith,microservices:gateway (default: all four)')
    .option('--models <list>', 'comma-separated model names (default: the default set)')
    .option('--cpus <list>', 'the local CPU set; its size becomes each pod\'s CPU request = limit (default: all but CPU 0)')
    .option('--memory-limit-mb <mb>', 'memory request = limit of each model-hosting pod', '768')
    .option('--rollout <strategy>', 'recreate | rolling for the model-hosting Deployments (default: rolling behind a gateway, else recreate)')
    .option('--manifest <file>', 'your models: a splitbench.yaml; every container gets it (inline env, or a ConfigMap when over 8 KiB) and serves from the image, which must carry the models (`splitbench image build --manifest F`)')
    .option('--store <dir>', 'model store of the plan (pods use the store baked into the image)', defaultStoreDir())
    .action((options: ManifestsOptions) => {
      const problems: string[] = [];
      if (options.target !== 'kubernetes') problems.push(`--target: expected kubernetes, received "${options.target}" (docker runs live: \`splitbench run --target docker\`)`);
      if (!options.out) problems.push('--out: expected the folder to write the manifests to');
      const memoryMb = Number(options.memoryLimitMb);
      if (!/^\d+$/.test(options.memoryLimitMb) || memoryMb < 16) problems.push(`--memory-limit-mb: expected a whole number ≥ 16, received "${options.memoryLimitMb}"`);
      if (options.rollout !== undefined && options.rollout !== 'recreate' && options.rollout !== 'rolling') problems.push(`--rollout: expected recreate or rolling, received "${options.rollout}"`);
      const runId = options.runId ?? new Date().toISOString().replace(/[^0-9]/g, '').slice(0, 14);
      if (!/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/.test(runId)) problems.push(`--run-id: expected up to 22 lowercase letters, digits or '-', received "${runId}"`);
      let config;
      try {
        config = resolveRunConfig({ experiments: 'fault', ...(options.topologies ? { topologies: options.topologies } : {}), ...(options.models ? { models: options.models } : {}), ...(options.cpus ? { cpus: options.cpus } : {}), ...(options.manifest !== undefined ? { manifest: options.manifest } : {}) });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems.push(...error.problems);
      }
      if (problems.length > 0 || !config || !options.out) throw new UsageError(problems, 'see `splitbench manifests --help`');
      const written: string[] = [];
      // With a manifest the pods serve its models from the image's manifest store and get the manifest (paths inside the image).
      const manifest: PodManifest | null = config.manifest ? { env: manifestEnvInImage()!, store: IMAGE_MANIFEST_STORE, models: config.manifest.models.map((m) => m.name) } : null;
      const image = options.image ?? (manifest ? `${MANIFEST_IMAGE_REPOSITORY}:latest` : 'splitbench-runtime:latest');
      for (const variant of config.variants) {
        const spec = buildTopologySpec(config, options.store, variant, { memoryLimitBytes: memoryMb * 1024 * 1024 });
        const files = renderManifests(spec, { runId, image, ...(options.rollout ? { rollout: options.rollout as RolloutStrategy } : {}), ...(manifest ? { manifest } : {}) });
        const dir = join(options.out, variantKey(variant).replace(':', '-'));
        mkdirSync(dir, { recursive: true });
        for (const file of files) {
          writeFileSync(join(dir, file.file), file.yaml);
          written.push(join(dir, file.file));
        }
      }
      const note = manifest ? `; the pods serve ${manifest.models.join(', ')} from ${manifest.store} in ${image}, so that image must carry them: \`splitbench image build --manifest ${options.manifest}\` builds it (pass its tag as --image)` : '';
      process.stdout.write(`${written.map((f) => relative(process.cwd(), f) || f).join('\n')}\nwrote ${written.length} manifest(s), validated against the Kubernetes schemas; apply with \`kubectl apply -f <folder>\`${note}\n`);
    });
}
