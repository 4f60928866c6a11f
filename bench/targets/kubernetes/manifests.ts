/**
 * Kubernetes manifests rendered from the deployment plan: a namespace per run and topology, one
 * Deployment and one Service per planned process (the gateway included), probes on the OIP health
 * endpoints, requests = limits = the local budget. Every object is validated offline against the
 * Kubernetes JSON schemas bundled with kubernetes-models before it is written.
 */
import { Deployment } from 'kubernetes-models/apps/v1';
import { Namespace, Service } from 'kubernetes-models/v1';
import { stringify } from 'yaml';
import type { ProcessName, TopologySpec } from '../types.js';
import { buildDeploymentPlan, buildRouteArgs, type PlannedProcess, type RolloutStrategy } from '../plan.js';
import { manifestConfigMap, manifestEnvEntry, manifestNote, needsConfigMap, type EnvEntry, type PodManifest } from './manifest-env.js';

/** Port every container listens on (each pod has its own network namespace). */
export const POD_PORT = 8000;
/** Model store baked into the runtime image. */
export const IMAGE_STORE_DIR = '/app/models/store';

/** What to render. */
export interface ManifestOptions {
  /** Run id: part of the namespace and a label on every object (lowercase letters, digits, '-'). */
  runId: string;
  image: string;
  /** Overrides the rollout of the model-hosting Deployments (default: the plan's). */
  rollout?: RolloutStrategy;
  /** A user's manifest: every container gets it (manifest-env.ts) and serves from its store in the image. */
  manifest?: PodManifest;
}

/** One rendered file: its name and its YAML text. */
export interface ManifestFile {
  file: string;
  yaml: string;
}

/** A Kubernetes object name for a process (`service:vad` → `service-vad`, `monolith#v2` → `monolith-v2`). */
export function objectName(name: ProcessName | string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
}

/** Namespace of a run and topology variant. */
export function namespaceName(runId: string, spec: TopologySpec): string {
  return objectName(`splitbench-${runId}-${spec.kind}-${spec.variant}`).slice(0, 63).replace(/-+$/, '');
}

/** Kubernetes quantity of a CPU count (1.5 → "1500m"). */
function cpuQuantity(cpus: number): string {
  return Number.isInteger(cpus) ? String(cpus) : `${Math.round(cpus * 1000)}m`;
}

/** Kubernetes quantity of a byte count (MiB when whole). */
function memoryQuantity(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)}Mi` : String(bytes);
}

/** Server flags inside a pod: bind all interfaces of the pod, the image's store (the manifest's with one), the pod port. */
function podArgs(process: PlannedProcess, namespace: string, storeDir: string, imageStore: string): string[] {
  const args = [...process.args];
  for (let i = 0; i < args.length - 1; i++) {
    if (args[i] === '--host') args[i + 1] = '0.0.0.0';
    if (args[i] === '--store' && args[i + 1] === storeDir) args[i + 1] = imageStore;
  }
  if (process.role === 'gateway') {
    const routes = Object.entries(process.upstreamReplicas).map(([model, replicas]): [string, string[]] => [model, replicas.map((upstream) => `http://${objectName(upstream)}.${namespace}.svc.cluster.local:${POD_PORT}`)]);
    args.push(...buildRouteArgs(routes));
  }
  return [...args, '--port', String(POD_PORT)];
}

/** The Deployment of one planned process. */
function buildDeployment(process: PlannedProcess, spec: TopologySpec, namespace: string, options: ManifestOptions): Deployment {
  const name = objectName(process.name);
  const labels = { 'app.kubernetes.io/name': 'splitbench', 'app.kubernetes.io/component': name, 'splitbench.run': options.runId };
  const rollout = process.role === 'gateway' ? 'rolling' : (options.rollout ?? process.rollout);
  const cpus = process.cpuQuota ?? (process.cpus ? process.cpus.length : null);
  const resources: Record<string, string> = {};
  if (cpus !== null) resources.cpu = cpuQuantity(cpus);
  if (process.memoryLimitBytes !== null) resources.memory = memoryQuantity(process.memoryLimitBytes);
  const graceSeconds = Math.ceil((spec.serverGraceMs ?? 5000) / 1000) + 1;
  return new Deployment({
    metadata: { name, namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { 'app.kubernetes.io/component': name, 'splitbench.run': options.runId } },
      strategy: rollout === 'rolling' ? { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } : { type: 'Recreate' },
      template: {
        metadata: { labels, annotations: { 'splitbench/models': process.models.join(',') } },
        spec: {
          terminationGracePeriodSeconds: graceSeconds,
          containers: [
            {
              name: process.role,
              image: options.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['/usr/bin/node', `/app/${process.entry}`],
              args: podArgs(process, namespace, spec.storeDir, options.manifest?.store ?? IMAGE_STORE_DIR),
              ports: [{ name: 'http', containerPort: POD_PORT, protocol: 'TCP' }],
              env: [...Object.entries(process.env).map(([envName, value]): EnvEntry => ({ name: envName, value })), ...(options.manifest ? [manifestEnvEntry(options.manifest)] : [])],
              readinessProbe: { httpGet: { path: process.health.ready, port: 'http' }, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 2 },
              livenessProbe: { httpGet: { path: process.health.live, port: 'http' }, initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
              ...(Object.keys(resources).length > 0 ? { resources: { requests: resources, limits: resources } } : {}),
            },
          ],
        },
      },
    },
  });
}

/** The Service in front of one planned process. */
function buildService(process: PlannedProcess, namespace: string, runId: string): Service {
  const name = objectName(process.name);
  return new Service({
    metadata: { name, namespace, labels: { 'app.kubernetes.io/name': 'splitbench', 'app.kubernetes.io/component': name, 'splitbench.run': runId } },
    spec: { selector: { 'app.kubernetes.io/component': name, 'splitbench.run': runId }, ports: [{ name: 'http', port: POD_PORT, targetPort: 'http', protocol: 'TCP' }] },
  });
}

/** Validates an object against its schema; the error names the object and the schema's complaint. */
function validated<T extends { validate(): void; toJSON(): unknown }>(object: T, what: string): unknown {
  try {
    object.validate();
  } catch (error) {
    throw new Error(`${what} does not validate against the Kubernetes schema: ${(error as Error).message}`);
  }
  return object.toJSON();
}

/** Renders one topology variant: a namespace file, then a Deployment and a Service file per process. */
export function renderManifests(spec: TopologySpec, options: ManifestOptions): ManifestFile[] {
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(options.runId)) throw new Error(`run id "${options.runId}" is not usable in a namespace; expected lowercase letters, digits and '-'`);
  const plan = buildDeploymentPlan(spec, options.rollout ? { rollout: options.rollout } : {});
  const namespace = namespaceName(options.runId, spec);
  const header = `# splitbench ${spec.kind} (${spec.variant}), models ${spec.models.join(', ')}; rendered from the deployment plan\n${options.manifest ? manifestNote(options.manifest, options.image) : ''}`;
  const toYaml = (object: unknown): string => header + stringify(object, { lineWidth: 0 });
  const restartNote = spec.restartPolicy === 'always' ? '' : '# note: Deployments always restart containers (restartPolicy Always); the plan asked for "never"\n';
  const files: ManifestFile[] = [{ file: '00-namespace.yaml', yaml: toYaml(validated(new Namespace({ metadata: { name: namespace, labels: { 'app.kubernetes.io/name': 'splitbench', 'splitbench.run': options.runId } } }), `namespace ${namespace}`)) }];
  // A manifest over the inline limit goes into a ConfigMap the containers' env refers to.
  if (options.manifest && needsConfigMap(options.manifest)) files.push({ file: '05-manifest-configmap.yaml', yaml: toYaml(validated(manifestConfigMap(options.manifest, namespace, options.runId), 'ConfigMap splitbench-manifest')) });
  plan.processes.forEach((process, i) => {
    const name = objectName(process.name);
    const prefix = String(10 + i * 10).padStart(2, '0');
    files.push({ file: `${prefix}-${name}-deployment.yaml`, yaml: restartNote + toYaml(validated(buildDeployment(process, spec, namespace, options), `Deployment ${name}`)) });
    files.push({ file: `${prefix}-${name}-service.yaml`, yaml: toYaml(validated(buildService(process, namespace, options.runId), `Service ${name}`)) });
  });
  return files;
}
