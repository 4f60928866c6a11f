/** Which target runs a topology: `--target local|docker` on run, suite and serve. */
import { LocalTarget, type LocalTargetOptions } from './local/local-target.js';
import type { Target } from './types.js';
import { DockerTarget } from './docker/docker-target.js';
import { connectEngine } from './docker/engine.js';
import { buildRuntimeImage } from './docker/image.js';
import { manifestEnvInImage } from './docker/container-env.js';
import type { LoadedManifest } from '../../models/manifest/read-manifest.js';

/** Targets that can run experiments (kubernetes renders manifests only: `splitbench manifests`). */
export const TARGET_NAMES = ['local', 'docker'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** Parses --target; returns null (with the problem pushed) when the name is unknown. */
export function parseTargetName(value: string | undefined, problems: string[]): TargetName | null {
  if (value === undefined) return 'local';
  if ((TARGET_NAMES as readonly string[]).includes(value)) return value as TargetName;
  problems.push(`unknown --target "${value}"; expected one of: ${TARGET_NAMES.join(', ')} (Kubernetes: \`splitbench manifests --target kubernetes\`)`);
  return null;
}

/**
 * The target to run on. For docker this checks the engine first (EngineUnavailableError → exit 2)
 * and builds or reuses the runtime image once, so trials do not each pay for it; with a user's
 * manifest the image carries its models and every container gets the manifest.
 */
export async function createTarget(name: TargetName, options: { local?: LocalTargetOptions; onProgress?: (line: string) => void; manifest?: LoadedManifest | null } = {}): Promise<{ target: Target; description: { name: TargetName; detail: string } }> {
  if (name === 'local') return { target: new LocalTarget(options.local ?? {}), description: { name, detail: 'local processes; restarts by the splitbench supervisor, limits by cgroup v1 or the server watchdog' } };
  const docker = await connectEngine();
  const version = await docker.version().then((v) => v.Version, () => 'unknown');
  const image = await buildRuntimeImage(docker, { ...(options.onProgress ? { onProgress: options.onProgress } : {}), manifest: options.manifest ?? null });
  options.onProgress?.(`docker target: image ${image.tag} (${(image.sizeBytes / 1024 / 1024).toFixed(0)} MiB${image.built ? `, built in ${(image.buildMs / 1000).toFixed(1)} s` : ', reused'}; ${image.nginx ? `nginx at ${image.nginx}` : 'no nginx'})`);
  const carried = image.models ? `, carrying the manifest's models ${image.models.join(', ')} in ${image.manifestStore}` : '';
  const detail = `Docker Engine ${version}, image ${image.tag} (${image.sizeBytes} bytes, ${image.nginx ? 'with nginx' : 'without nginx: gateways are the Node gateway'}${carried}); one container per process, host network; restarts, memory/CPU limits (OOM kill) and health checks are the engine's`;
  return { target: new DockerTarget({ image: image.tag, imageNginx: image.nginx, manifestEnv: options.manifest ? manifestEnvInImage() : null }), description: { name, detail } };
}
