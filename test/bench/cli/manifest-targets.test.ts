import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { encodeInferRequest } from '../../../bench/protocol/encode-request.js';
import { connectEngine } from '../../../bench/targets/docker/engine.js';
import { IMAGE_MODEL_SET_LABEL, IMAGE_MODELS_LABEL, manifestModelSet } from '../../../bench/targets/docker/manifest-image.js';
import { readManifest } from '../../../models/manifest/read-manifest.js';
import { generateParametricModel } from '../../../models/synthetic/generators.js';
import { writeIdentityModel } from '../../models/identity-model.js';
import { ensureCompiled, readFirstLine, ROOT } from '../targets/local/helpers.js';

const CLI = join(ROOT, 'dist/bench/cli/main.js');
const engine = await connectEngine(2000).catch(() => null);
if (!engine) console.log(`manifest docker tests skipped: no Docker Engine at ${process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'} (set DOCKER_HOST; .ci/run starts a private dockerd)`);

const dir = mkdtempSync(join(tmpdir(), 'splitbench-manifest-targets-'));
const store = join(dir, 'store');
const MANIFEST = join(dir, 'splitbench.yaml');
/** The same models, one input declared with a datatype the model does not have. */
const BAD = join(dir, 'bad.yaml');
/** The same models with long descriptions: its JSON is over the 8 KiB an env value carries inline. */
const LARGE = join(dir, 'large.yaml');
const builtImages: string[] = [];
const servers: ResultPromise[] = [];

/** A manifest of the two test models; `idsType` is the datatype declared for the ids input, `description` each model's. */
function manifestText(idsType = 'INT64', description = ''): string {
  const model = (name: string, file: string, input: string, output: string) =>
    [`  - name: ${name}`, `    file: ${file}`, ...(description ? [`    description: ${description}`] : []), '    weight_class: light', '    slo_ms: 50', '    rate_rps: 10', '    inputs:', `      - ${input}`, '    outputs:', `      - ${output}`].join('\n');
  return ['version: 1', 'models:',
    model('ids', 'ids.onnx', `{ name: ids, datatype: ${idsType}, shape: [1, 16], values: { random: { low: 0, high: 1000 } } }`, '{ name: same, datatype: INT64, shape: [1, 16] }'),
    model('mlp', 'mlp.onnx', '{ name: x, datatype: FP32, shape: [1, 32] }', '{ name: y, datatype: FP32, shape: [1, 32] }'), ''].join('\n');
}

/** Runs the CLI to completion. */
async function runCli(args: string[], timeout = 120_000): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa(process.execPath, [CLI, ...args], { cwd: ROOT, reject: false, timeout, env: { DOCKER_HOST: process.env.DOCKER_HOST ?? '' } });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Starts `splitbench serve … --json` and resolves with its endpoints once it prints them (it serves until SIGINT). */
async function serve(args: string[]): Promise<Record<string, string>> {
  const child = execa(process.execPath, [CLI, 'serve', ...args, '--manifest', MANIFEST, '--store', store, '--json'], { cwd: ROOT, reject: false, env: { DOCKER_HOST: process.env.DOCKER_HOST ?? '' } });
  servers.push(child);
  const line = await readFirstLine(child, `serve ${args.join(' ')}`);
  return (JSON.parse(line) as { endpoints: Record<string, string> }).endpoints;
}

/** Stops every serve started here (SIGINT: it stops its servers or containers, then exits 0). */
async function stopServers(): Promise<void> {
  await Promise.all(servers.splice(0).map(async (child) => {
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(0);
  }));
}

/** Outputs of one model's seeded sample through an infer URL. */
async function infer(url: string, model: string): Promise<unknown> {
  const spec = readManifest(MANIFEST).models.find((m) => m.entry.name === model)!.spec;
  const request = encodeInferRequest(spec.sampleInputs(7), 'json');
  const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(15_000) });
  const body = (await response.json()) as { outputs?: unknown };
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.outputs;
}

beforeAll(() => {
  ensureCompiled();
  writeIdentityModel(join(dir, 'ids.onnx'), 'ids', 'same', 'INT64', [1, 16]);
  writeFileSync(join(dir, 'mlp.onnx'), generateParametricModel({ width: 32, layers: 2, seed: 3 }));
  writeFileSync(MANIFEST, manifestText());
  writeFileSync(BAD, manifestText('FP32'));
  writeFileSync(LARGE, manifestText('INT64', 'x'.repeat(5000)));
}, 120_000);

afterAll(async () => {
  await stopServers().catch(() => undefined);
  for (const tag of builtImages) await engine?.getImage(tag).remove({ force: true }).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('--manifest on the other targets and commands', () => {
  it('refuses a bad manifest on every command with exit 2, naming the model and field among the command\'s other problems', async () => {
    const problem = /--manifest: bad\.yaml:\d+: models\[0\] \(ids\)\.inputs\[0\]: input "ids" is INT64 in the model, the manifest says FP32/;
    const cases: [string[], RegExp | null][] = [
      [['serve', 'monolith', '--target', 'docker', '--port-base', '0'], /--port-base must be an integer/],
      [['run', 'latency', '--target', 'docker', '--trials', '0'], /--trials/],
      [['image', 'build'], null],
      [['manifests', '--target', 'kubernetes', '--out', join(dir, 'k8s-bad'), '--rollout', 'blue-green'], /--rollout: expected recreate or rolling, received "blue-green"/],
      [['live', '--port', 'x'], /--port must be an integer/],
      [['calibrate', '--rate', '-1'], /--rate: expected requests per second > 0, received "-1"/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli([...args, '--manifest', BAD])));
    results.forEach((result, i) => {
      const [args, other] = cases[i]!;
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(problem);
      if (other) expect(result.stderr, args.join(' ')).toMatch(other);
    });
  }, 120_000);

  it('renders Kubernetes manifests whose every container carries the manifest (inline, or a ConfigMap over 8 KiB) and serves from the image\'s manifest store', async () => {
    const out = join(dir, 'k8s');
    const result = await runCli(['manifests', '--target', 'kubernetes', '--manifest', MANIFEST, '--out', out, '--run-id', 'mt', '--topologies', 'monolith:single,microservices:gateway', '--cpus', '1']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/the pods serve ids, mlp from \/app\/models\/store-manifest/);
    expect(result.stdout).toMatch(/splitbench image build --manifest/);
    const containerOf = (file: string) => (parse(readFileSync(file, 'utf8')) as { spec: { template: { spec: { containers: { args: string[]; env: { name: string; value?: string; valueFrom?: unknown }[] }[] } } } }).spec.template.spec.containers[0]!;
    const monolith = containerOf(join(out, 'monolith-single', '10-monolith-deployment.yaml'));
    expect(monolith.args[monolith.args.indexOf('--store') + 1]).toBe('/app/models/store-manifest');
    expect(monolith.args[monolith.args.indexOf('--models') + 1]).toBe('ids,mlp');
    const env = monolith.env.find((e) => e.name === 'SPLITBENCH_MANIFEST')!;
    const passed = JSON.parse(env.value!) as { models: { entry: { name: string }; path: string; sha256: string }[] };
    expect(passed.models.map((m) => [m.entry.name, m.path])).toEqual([['ids', '/app/models/store-manifest/ids/1/model.onnx'], ['mlp', '/app/models/store-manifest/mlp/1/model.onnx']]);
    expect(passed.models.map((m) => m.sha256)).toEqual(readManifest(MANIFEST).models.map((m) => m.sha256));
    expect(readFileSync(join(out, 'monolith-single', '10-monolith-deployment.yaml'), 'utf8')).toMatch(/# models from your manifest \(ids, mlp\).*must be in the image/);
    for (const file of readdirSync(join(out, 'microservices-gateway')).filter((f) => f.endsWith('-deployment.yaml'))) {
      expect(containerOf(join(out, 'microservices-gateway', file)).env.some((e) => e.name === 'SPLITBENCH_MANIFEST'), file).toBe(true);
    }

    const large = join(dir, 'k8s-large');
    const big = await runCli(['manifests', '--target', 'kubernetes', '--manifest', LARGE, '--out', large, '--run-id', 'mt', '--topologies', 'monolith:single,microservices:direct', '--cpus', '1']);
    expect(big.exitCode, big.stderr).toBe(0);
    const configMap = parse(readFileSync(join(large, 'monolith-single', '05-manifest-configmap.yaml'), 'utf8')) as { kind: string; metadata: { name: string; namespace: string }; data: Record<string, string> };
    expect(configMap).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'splitbench-manifest', namespace: 'splitbench-mt-monolith-single' } });
    expect(Buffer.byteLength(configMap.data['manifest.json']!)).toBeGreaterThan(8 * 1024);
    expect(containerOf(join(large, 'monolith-single', '10-monolith-deployment.yaml')).env.find((e) => e.name === 'SPLITBENCH_MANIFEST')).toEqual({ name: 'SPLITBENCH_MANIFEST', valueFrom: { configMapKeyRef: { name: 'splitbench-manifest', key: 'manifest.json' } } });
  }, 60_000);

  it('names a model set by its files: another model file is another set', () => {
    const same = manifestModelSet(readManifest(MANIFEST));
    expect(manifestModelSet(readManifest(LARGE))).toEqual(same);
    writeFileSync(join(dir, 'other.yaml'), manifestText().replace('file: mlp.onnx', 'file: mlp2.onnx'));
    writeFileSync(join(dir, 'mlp2.onnx'), generateParametricModel({ width: 32, layers: 2, seed: 4 }));
    expect(manifestModelSet(readManifest(join(dir, 'other.yaml'))).id).not.toBe(same.id);
  });

  it.skipIf(!engine)('builds an image of its own carrying the models, and serves them in containers with the outputs of local processes', async () => {
    const build = await runCli(['image', 'build', '--manifest', MANIFEST, '--json'], 240_000);
    expect(build.exitCode, build.stderr).toBe(0);
    const image = JSON.parse(build.stdout) as { tag: string; models: string[]; manifestStore: string };
    builtImages.push(image.tag);
    expect(image.tag).toMatch(/^splitbench-manifest-runtime:[0-9a-f]{16}$/);
    expect(image).toMatchObject({ models: ['ids', 'mlp'], manifestStore: '/app/models/store-manifest' });
    const labels = (await engine!.getImage(image.tag).inspect()).Config.Labels ?? {};
    expect(labels[IMAGE_MODEL_SET_LABEL]).toBe(manifestModelSet(readManifest(MANIFEST)).id);
    expect(labels[IMAGE_MODELS_LABEL]).toBe('ids,mlp');

    const [local, docker] = await Promise.all([serve(['monolith', '--gateway', 'node']), serve(['microservices', '--variant', 'direct', '--target', 'docker'])]);
    for (const model of ['ids', 'mlp']) expect(await infer(docker[model]!, model), model).toEqual(await infer(local[model]!, model));
    const containers = await engine!.listContainers({ filters: { ancestor: [image.tag] } });
    expect(containers.map((c) => c.Image).sort(), 'serve reused the image built above').toEqual([image.tag, image.tag]);
    await stopServers();
    expect(await engine!.listContainers({ all: true, filters: { ancestor: [image.tag] } }), 'serve removed its containers').toEqual([]);
  }, 300_000);
});
