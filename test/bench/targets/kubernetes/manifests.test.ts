import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { TopologySpec } from '../../../../bench/targets/types.js';
import { renderManifests } from '../../../../bench/targets/kubernetes/manifests.js';

/** The fields of a rendered object the tests read. */
interface K8sContainer {
  args: string[];
  readinessProbe: { httpGet: { path: string } };
  livenessProbe: { httpGet: { path: string } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}
interface K8sObject {
  kind: string;
  metadata: { name: string };
  spec: { replicas?: unknown; strategy?: unknown; template: { spec: { containers: K8sContainer[] } } };
}
type DeploymentData = ConstructorParameters<typeof Deployment>[0];

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** The spec a quick run would start, with fixed values so the output is stable. */
function spec(kind: TopologySpec['kind'], variant: TopologySpec['variant']): TopologySpec {
  return { kind, variant, models: ['tabular', 'vad'], storeDir: '/checkout/models/store', threads: { intraOp: 1, interOp: 1, uvThreadpool: 4 }, serverCpus: [1], adminToken: 'splitbench-harness', faults: false, memoryLimitBytes: 768 * 1024 * 1024, restartPolicy: 'always' };
}

const CASES: [string, TopologySpec][] = [
  ['monolith-single', spec('monolith', 'single')],
  ['microservices-gateway', spec('microservices', 'gateway')],
];

describe('renderManifests', () => {
  for (const [name, topology] of CASES) {
    it(`renders ${name} exactly as the golden files`, () => {
      const files = renderManifests(topology, { runId: 'golden', image: 'splitbench-runtime:0123456789abcdef' });
      const dir = join(GOLDEN, name);
      if (UPDATE) {
        mkdirSync(dir, { recursive: true });
        for (const file of files) writeFileSync(join(dir, file.file), file.yaml);
      }
      expect(files.map((f) => f.file)).toEqual(readdirSync(dir).sort());
      for (const file of files) expect(file.yaml, file.file).toBe(readFileSync(join(dir, file.file), 'utf8'));
    });
  }

  it('puts every model-hosting process and the gateway in its own Deployment with a Service, probes on the OIP health endpoints and requests equal to limits', () => {
    const files = renderManifests(spec('microservices', 'gateway'), { runId: 'r1', image: 'img:1' });
    const objects = files.flatMap((f) => parseAllDocuments(f.yaml).map((d) => d.toJSON() as K8sObject));
    expect(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual(['splitbench-r1-microservices-gateway']);
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.name)).toEqual(['service-tabular', 'service-vad', 'gateway']);
    expect(objects.filter((o) => o.kind === 'Service').map((s) => s.metadata.name)).toEqual(['service-tabular', 'service-vad', 'gateway']);
    for (const deployment of deployments) {
      const container = deployment.spec.template.spec.containers[0]!;
      expect(container.readinessProbe.httpGet.path).toBe('/v2/health/ready');
      expect(container.livenessProbe.httpGet.path).toBe('/v2/health/live');
      expect(container.resources.requests).toEqual(container.resources.limits);
      expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    }
    expect(deployments[0]!.spec.template.spec.containers[0]!.resources.limits).toEqual({ cpu: '1', memory: '768Mi' });
    expect(deployments[2]!.spec.template.spec.containers[0]!.args).toContain('vad=http://service-vad.splitbench-r1-microservices-gateway.svc.cluster.local:8000');
  });

  it('uses Recreate for the model hosts when asked to', () => {
    const files = renderManifests(spec('monolith', 'single'), { runId: 'r2', image: 'img:1', rollout: 'recreate' });
    const deployment = parseAllDocuments(files.find((f) => f.file.endsWith('monolith-deployment.yaml'))!.yaml)[0]!.toJSON() as K8sObject;
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('validates every rendered object against the bundled Kubernetes schemas, which reject a broken one', () => {
    const files = renderManifests(spec('microservices', 'gateway'), { runId: 'r3', image: 'img:1' });
    const raw = parseAllDocuments(files.find((f) => f.file.endsWith('gateway-deployment.yaml'))!.yaml)[0]!.toJSON() as K8sObject;
    expect(() => new Deployment(raw as unknown as DeploymentData).validate()).not.toThrow();
    raw.spec.replicas = 'one';
    expect(() => new Deployment(raw as unknown as DeploymentData).validate()).toThrow();
  });

  it('refuses a run id that cannot be part of a namespace name', () => {
    expect(() => renderManifests(spec('monolith', 'single'), { runId: 'Bad_ID', image: 'img:1' })).toThrow(/lowercase letters, digits/);
  });
});
