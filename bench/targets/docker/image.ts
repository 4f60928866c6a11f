/**
 * The runtime image, built offline from the checkout: node and the libraries ldd lists, the compiled
 * project (dist/), the production node_modules and the model store, imported as one layer
 * (`docker import`, no registry) and tagged by a hash of what went in. When the host has nginx, its
 * binary and libraries go in too (same path), so the gateway variant is served by nginx as it is locally;
 * the label `splitbench.nginx` says where (empty: no nginx inside). With a user's manifest the image
 * also carries its models (see manifest-image.ts) under a repository and labels of its own.
 */
import { createHash } from 'node:crypto';
import { chmodSync, createReadStream, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { projectRoot } from '../../../models/paths.js';
import type { LoadedManifest } from '../../../models/manifest/read-manifest.js';
import { findNginx } from '../../../serving/gateway/find-nginx.js';
import { IMAGE_MANIFEST_STORE, IMAGE_MODEL_SET_LABEL, IMAGE_MODELS_LABEL, MANIFEST_IMAGE_REPOSITORY, manifestModelSet, stageManifestStore } from './manifest-image.js';

/** Repository name of the runtime image. */
export const IMAGE_REPOSITORY = 'splitbench-runtime';
/** Where the checkout lives inside the image. */
export const IMAGE_APP_DIR = '/app';
/** Node inside the image (same path as on the host). */
export const IMAGE_NODE = '/usr/bin/node';
/** Image label naming the nginx binary inside the image ('' when the image has none). */
export const IMAGE_NGINX_LABEL = 'splitbench.nginx';

/** What an image build produced. */
export interface ImageBuild {
  tag: string;
  id: string;
  sizeBytes: number;
  buildMs: number;
  /** False when an image with this content tag already existed. */
  built: boolean;
  /** Path of nginx inside the image (the host's path), or null when the image has none. */
  nginx: string | null;
  /** Names of the manifest models the image carries under `manifestStore`, or null for the built-in image. */
  models: string[] | null;
  /** Where the image holds the manifest's models, or null for the built-in image. */
  manifestStore: string | null;
}

/** What to put in the image. */
export interface ImageBuildOptions {
  force?: boolean;
  onProgress?: (line: string) => void;
  /** Copy the host's nginx into the image when it has one (default true). */
  includeNginx?: boolean;
  /** A user's manifest: its models go into the image too, which gets a repository and labels of its own. */
  manifest?: LoadedManifest | null;
}

/** Files of the image, grouped by the folder tar reads them from. */
interface ImageInputs {
  /** Paths relative to the project root (placed under /app). */
  project: string[];
  /** Absolute host paths of node, nginx and their shared libraries (placed at the same path). */
  system: string[];
  /** The nginx binary among `system`, or null. */
  nginx: string | null;
}

/** onnxruntime binaries of other platforms: never needed in a linux/x64 image. */
const EXCLUDES = ['node_modules/.bin', 'node_modules/*/.bin', 'node_modules/onnxruntime-node/bin/napi-v*/darwin', 'node_modules/onnxruntime-node/bin/napi-v*/win32', 'node_modules/onnxruntime-node/bin/napi-v*/linux/arm64'];

/** Production packages (npm ls --omit=dev), as top-most folders relative to the project root. */
async function listProductionPackages(root: string): Promise<string[]> {
  const { stdout } = await execa('npm', ['ls', '--omit=dev', '--parseable', '--all'], { cwd: root, reject: false });
  const dirs = [...new Set(stdout.split('\n').map((line) => line.trim()).filter((line) => line.startsWith(join(root, 'node_modules'))))].map((dir) => relative(root, dir)).sort();
  return dirs.filter((dir, i) => !dirs.slice(0, i).some((parent) => dir.startsWith(`${parent}/`)));
}

/** Shared libraries a binary links against (absolute paths from ldd). */
async function listLibraries(binary: string): Promise<string[]> {
  const { stdout } = await execa('ldd', [binary], { reject: false });
  return stdout.split('\n').flatMap((line) => {
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    return match ? [match[1]!] : [];
  });
}

/**
 * Every input of the image. nginx needs only its binary and libraries with the launcher's generated
 * config (no include, no module; temp paths and pid under the launcher's -p dir in /tmp; workers as nobody:nogroup).
 */
async function collectInputs(root: string, includeNginx: boolean): Promise<ImageInputs> {
  const packages = await listProductionPackages(root);
  if (!packages.some((p) => p === 'node_modules/onnxruntime-node')) throw new Error('onnxruntime-node is not among the production packages; run `npm ci` first');
  const binding = join(root, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node');
  const nginx = includeNginx ? findNginx() : null;
  const binaries = [IMAGE_NODE, binding, ...(nginx ? [nginx] : [])];
  const libraries = [...new Set((await Promise.all(binaries.map(listLibraries))).flat())].filter((lib) => !lib.startsWith(root));
  return { project: ['package.json', 'dist', 'models/builtin.yaml', 'models/store', ...packages], system: [...new Set([IMAGE_NODE, ...(nginx ? [nginx] : []), ...libraries])].sort(), nginx };
}

/** Files under a folder, sorted, relative to the root. */
function listFiles(root: string, dir: string): string[] {
  const full = join(root, dir);
  if (!statSync(full).isDirectory()) return [dir];
  return readdirSync(full, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.isDirectory() ? listFiles(root, join(dir, entry.name)) : entry.isFile() ? [join(dir, entry.name)] : []));
}

/** Content hash of the image inputs: compiled code, model stores (a staged manifest store too), lockfile and node/library identities. */
async function hashInputs(root: string, inputs: ImageInputs, staged: { stage: string; dir: string } | null): Promise<string> {
  const hash = createHash('sha256');
  const files = ['package.json', 'package-lock.json', 'models/builtin.yaml', ...listFiles(root, 'dist'), ...listFiles(root, 'models/store')].map((file) => ({ base: root, file }));
  if (staged) files.push(...listFiles(staged.stage, staged.dir).map((file) => ({ base: staged.stage, file })));
  for (const { base, file } of files) {
    hash.update(`${file}\0`);
    await new Promise<void>((resolve, reject) => {
      createReadStream(join(base, file))
        .on('data', (chunk) => hash.update(chunk))
        .on('end', resolve)
        .on('error', reject);
    });
  }
  for (const path of inputs.system) hash.update(`${path}\0${statSync(path).size}\0`);
  hash.update(`${inputs.project.join('\n')}\0${process.version}\0nginx=${inputs.nginx ?? ''}`);
  return hash.digest('hex').slice(0, 16);
}

/** What an existing image says of itself. */
type ImageInfo = Pick<ImageBuild, 'id' | 'sizeBytes' | 'nginx' | 'models' | 'manifestStore'>;

/** Id, size in bytes, in-image nginx and manifest models of an image, or null when it does not exist. */
async function inspectImage(docker: Docker, tag: string): Promise<ImageInfo | null> {
  try {
    const info = await docker.getImage(tag).inspect();
    const labels = info.Config?.Labels ?? {};
    const models = labels[IMAGE_MODELS_LABEL] ? labels[IMAGE_MODELS_LABEL].split(',') : null;
    return { id: info.Id, sizeBytes: info.Size, nginx: labels[IMAGE_NGINX_LABEL] || null, models, manifestStore: models ? IMAGE_MANIFEST_STORE : null };
  } catch {
    return null;
  }
}

/** Path of nginx inside an image (from its `splitbench.nginx` label), or null when it has none or does not exist. */
export async function readImageNginx(docker: Docker, tag: string): Promise<string | null> {
  return (await inspectImage(docker, tag))?.nginx ?? null;
}

/**
 * Builds the runtime image unless one with the same content tag exists (`force` rebuilds). With a
 * manifest, its models are published into the staging folder first, so they are hashed and carried.
 */
export async function buildRuntimeImage(docker: Docker, options: ImageBuildOptions = {}): Promise<ImageBuild> {
  const started = performance.now();
  const root = projectRoot();
  const inputs = await collectInputs(root, options.includeNginx ?? true);
  const stage = mkdtempSync(join(tmpdir(), 'splitbench-image-'));
  try {
    const modelSet = options.manifest ? manifestModelSet(options.manifest) : null;
    const staged = options.manifest ? { stage, dir: stageManifestStore(stage, options.manifest) } : null;
    const tag = `${modelSet ? MANIFEST_IMAGE_REPOSITORY : IMAGE_REPOSITORY}:${await hashInputs(root, inputs, staged)}`;
    const existing = await inspectImage(docker, tag);
    if (existing && !options.force) return { tag, ...existing, buildMs: performance.now() - started, built: false };
    options.onProgress?.(`building ${tag} from ${root}${modelSet ? ` with the manifest's models (${modelSet.names.join(', ')}) in ${IMAGE_MANIFEST_STORE}` : ''}${inputs.nginx ? ` with ${inputs.nginx}` : ' without nginx (the gateway variant falls back to the Node gateway)'}`);
    const image = await importImage(docker, root, stage, inputs, tag, modelSet, staged !== null);
    const buildMs = performance.now() - started;
    // A forced rebuild leaves the previous image of this tag untagged: remove it too.
    if (existing && existing.id !== image.id) await docker.getImage(existing.id).remove().catch(() => undefined);
    const removed = await removeOlderImages(docker, tag);
    if (removed.length > 0) options.onProgress?.(`removed older runtime image(s): ${removed.join(', ')}`);
    return { tag, ...image, buildMs, built: true };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** Streams the image's files (the stage's /etc, /tmp and manifest store; system files; the project) into `docker import`. */
async function importImage(docker: Docker, root: string, stage: string, inputs: ImageInputs, tag: string, modelSet: { id: string; names: string[] } | null, withStagedStore: boolean): Promise<ImageInfo> {
  mkdirSync(join(stage, 'etc'));
  mkdirSync(join(stage, 'tmp'));
  chmodSync(join(stage, 'tmp'), 0o1777);
  writeFileSync(join(stage, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(stage, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  // One tar stream: system files keep their paths, project files go under /app.
  const tar = execa(
    'tar',
    [
      '-c', '-f', '-', '-h', '--owner=0', '--group=0', '--numeric-owner',
      ...EXCLUDES.map((pattern) => `--exclude=${pattern}`),
      '--transform', 's,^\\(package\\.json\\|dist\\|models\\|node_modules\\),app/\\1,',
      '-C', stage, 'etc', 'tmp', ...(withStagedStore ? ['app'] : []),
      '-C', '/', ...inputs.system.map((p) => p.slice(1)),
      '-C', root, ...inputs.project,
    ],
    { buffer: false, stdout: 'pipe', stderr: 'pipe', encoding: 'buffer' },
  );
  const changes = [`WORKDIR ${IMAGE_APP_DIR}`, 'ENV NODE_ENV=production', `ENTRYPOINT ["${IMAGE_NODE}"]`, 'CMD ["dist/monolith/main.js", "--host", "127.0.0.1"]', `LABEL ${IMAGE_NGINX_LABEL}="${inputs.nginx ?? ''}"`, `LABEL ${IMAGE_MODEL_SET_LABEL}="${modelSet?.id ?? 'builtin'}"`, `LABEL ${IMAGE_MODELS_LABEL}="${modelSet?.names.join(',') ?? ''}"`];
  const [repo, version] = tag.split(':') as [string, string];
  const response = (await docker.importImage(tar.stdout as unknown as NodeJS.ReadableStream, { repo, tag: version, changes } as unknown as object)) as NodeJS.ReadableStream;
  const output = await readStream(response);
  await tar;
  const failure = output.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => JSON.parse(l) as { error?: string }).find((m) => m.error);
  if (failure) throw new Error(`docker import failed: ${failure.error}`);
  const image = await inspectImage(docker, tag);
  if (!image) throw new Error(`docker import reported success but ${tag} does not exist`);
  return image;
}

/** Removes the other content tags of the kept tag's repository (each ~700 MB); ones a container still uses stay. */
async function removeOlderImages(docker: Docker, keep: string): Promise<string[]> {
  const repository = keep.split(':')[0]!;
  const images = await docker.listImages({ filters: { reference: [repository] } } as unknown as object).catch(() => []);
  const removed: string[] = [];
  for (const tag of images.flatMap((image) => image.RepoTags ?? []).filter((t) => t.startsWith(`${repository}:`) && t !== keep)) {
    try {
      await docker.getImage(tag).remove();
      removed.push(tag);
    } catch {
      // still used by a container (or already gone): keep it
    }
  }
  return removed;
}

/** Reads a stream to a string. */
async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}

