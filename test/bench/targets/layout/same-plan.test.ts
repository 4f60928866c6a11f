import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { planOnImage } from '../../../../bench/targets/docker/docker-target.js';
import { objectName, POD_PORT, IMAGE_STORE_DIR, renderManifests } from '../../../../bench/targets/kubernetes/manifests.js';
import { parseAndCheckLayout } from '../../../../bench/targets/layout/index.js';
import { LocalTarget } from '../../../../bench/targets/local/local-target.js';
import { buildDeploymentPlan, type DeploymentPlan } from '../../../../bench/targets/plan.js';
import type { RunningTopology, TopologySpec } from '../../../../bench/targets/types.js';
import { FIXTURE_ENTRIES, makeSpec } from '../local/helpers.js';

// One layout, three targets: the local processes (the fixture server reports the flags it got),
// the Docker target's plan on its image, and the Kubernetes manifests all carry the same processes,
// models, flags, resources and gateway routes as the deployment plan. Pure rendering: no dockerd, no cluster.
const MODELS = ['vad', 'tabular', 'ocr-rec'];
const LAYOUT = 'light=vad,tabular:workers; rec=ocr-rec x2 quota=0.5 +gateway';
const running: RunningTopology[] = [];

/** What every target must agree on, per process. */
interface Rendered {
  name: string;
  models: string[];
  /** Server flags without --port and --route, with the plan's host and store. */
  args: string[];
  /** Gateway only: model → process names it routes to. */
  routes: Record<string, string[]>;
}

/** The spec: the layout over MODELS, a fixed admin token so every target's flags match. */
function layoutSpec(): TopologySpec {
  const check = parseAndCheckLayout(LAYOUT, { models: MODELS });
  if (!check.ok) throw new Error(check.problems.join('; '));
  return makeSpec({ models: MODELS, storeDir: '/checkout/models/store', adminToken: 'tok', layout: check.layout });
}

/** Removes --port V and every --route V from a flag list, returning the rest and the routes (model → values). */
function splitFlags(argv: readonly string[]): { args: string[]; routes: Record<string, string[]> } {
  const args: string[] = [];
  const routes: Record<string, string[]> = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port') i++;
    else if (argv[i] === '--route') {
      const value = argv[++i]!;
      const at = value.indexOf('=');
      (routes[value.slice(0, at)] ??= []).push(value.slice(at + 1));
    } else args.push(argv[i]!);
  }
  return { args, routes };
}

/** The plan itself as Rendered rows. */
function fromPlan(plan: DeploymentPlan): Rendered[] {
  return plan.processes.map((p) => ({ name: p.name, models: p.models, args: p.args, routes: p.upstreamReplicas }));
}

afterAll(async () => {
  await Promise.all(running.map((t) => t.stop()));
});

describe('the same layout renders the same plan on every target', () => {
  const spec = layoutSpec();
  const plan = buildDeploymentPlan(spec);
  const expected = fromPlan(plan);

  it('plans one process per group and replica, the replicas behind the gateway, with the group resources', () => {
    expect(plan.processes.map((p) => [p.name, p.role, p.variant, p.cpuQuota])).toEqual([
      ['service:light', 'monolith', 'workers', null],
      ['service:rec', 'service', 'single', 0.5],
      ['service:rec@2', 'service', 'single', 0.5],
      ['gateway', 'gateway', 'single', null],
    ]);
    expect(expected[3]!.routes).toEqual({ vad: ['service:light'], tabular: ['service:light'], 'ocr-rec': ['service:rec', 'service:rec@2'] });
    expect(plan.processes[0]!.args).toContain('--variant');
    expect(plan.processes[0]!.args.slice(plan.processes[0]!.args.indexOf('--variant'))).toEqual(['--variant', 'workers', '--models', 'vad,tabular']);
  });

  it('Docker: the plan on the image is the plan (containers take its flags, CPU quota and memory as they are)', () => {
    const docker = planOnImage(spec, null, 'ignored-when-the-spec-has-a-token');
    expect(fromPlan(docker)).toEqual(expected);
    expect(docker.processes.map((p) => [p.cpus, p.cpuQuota, p.memoryLimitBytes])).toEqual(plan.processes.map((p) => [p.cpus, p.cpuQuota, p.memoryLimitBytes]));
  });

  it('Kubernetes: one Deployment per planned process with its models, flags, CPU and routes to every replica', () => {
    const files = renderManifests(spec, { runId: 'same', image: 'splitbench-runtime:test' });
    const deployments = files.filter((f) => f.file.endsWith('-deployment.yaml')).flatMap((f) => parseAllDocuments(f.yaml).map((d) => d.toJSON() as {
      metadata: { name: string };
      spec: { template: { metadata: { annotations: Record<string, string> }; spec: { containers: { args: string[]; resources?: { limits: Record<string, string> } }[] } } };
    }));
    const byObject = new Map(plan.processes.map((p) => [objectName(p.name), p.name]));
    const rendered: Rendered[] = deployments.map((d) => {
      const container = d.spec.template.spec.containers[0]!;
      const { args, routes } = splitFlags(container.args.map((arg, i, all) => (all[i - 1] === '--host' ? '127.0.0.1' : all[i - 1] === '--store' && arg === IMAGE_STORE_DIR ? spec.storeDir : arg)));
      const names = Object.fromEntries(Object.entries(routes).map(([model, urls]) => [model, urls.map((url) => byObject.get(new URL(url).hostname.split('.')[0]!)!)]));
      return { name: byObject.get(d.metadata.name)!, models: d.spec.template.metadata.annotations['splitbench/models']!.split(','), args, routes: names };
    });
    expect(rendered).toEqual(expected);
    expect(deployments.map((d) => d.spec.template.spec.containers[0]!.resources?.limits.cpu ?? null)).toEqual([null, '500m', '500m', null]);
    expect(deployments.every((d) => d.spec.template.spec.containers[0]!.args.includes(String(POD_PORT)))).toBe(true);
  });

  it('local: the processes the local target starts get exactly the plan\'s flags and routes', async () => {
    const topology = await new LocalTarget({ entries: FIXTURE_ENTRIES, stopGraceMs: 2000 }).start(spec, { readyTimeoutMs: 30_000 });
    running.push(topology);
    const processes = topology.processes();
    const byUrl = new Map(processes.map((p) => [p.url!, p.name]));
    const rendered: Rendered[] = [];
    for (const p of processes) {
      const { argv } = (await (await fetch(`${p.url}/argv`)).json()) as { argv: string[] };
      const { args, routes } = splitFlags(argv);
      rendered.push({ name: p.name, models: p.models, args, routes: Object.fromEntries(Object.entries(routes).map(([model, urls]) => [model, urls.map((url) => byUrl.get(url)!)])) });
    }
    expect(rendered).toEqual(expected);
    expect(topology.adminUrls()).toEqual({ vad: processes[0]!.url, tabular: processes[0]!.url, 'ocr-rec': processes[1]!.url });
  }, 60_000);
});
