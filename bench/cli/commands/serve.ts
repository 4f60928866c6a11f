import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { defaultStoreDir } from '../../../models/paths.js';
import { activeManifest } from '../../../models/manifest/active-manifest.js';
import { manifestStoreDir, publishManifest } from '../../../models/manifest/publish-manifest.js';
import { readManifestOption } from '../../config/read-manifest-option.js';
import { DEFAULT_RUNTIME_NAME, RUNTIMES } from '../../../models/runtimes.js';
import { installCleanupHandlers } from '../../targets/cleanup.js';
import { pickServerCpus } from '../../targets/local/cpu-pinning.js';
import { defaultServerEntries } from '../../targets/local/local-target.js';
import { createTarget, parseTargetName } from '../../targets/select-target.js';
import { ProcessStartError } from '../../targets/local/supervisor.js';
import type { RunningTopology, TopologySpec } from '../../targets/types.js';
import type { Layout } from '../../targets/layout/layout-types.js';
import { formatLayout, parseAndCheckLayout, parseLayout } from '../../targets/layout/parse-layout.js';
import { RuntimeFailure, UsageError } from '../errors.js';
import { labelServedGateway, resolveGateway, type GatewaySelection } from '../../config/gateway-choice.js';
import { ProblemList, parseInteger, parseKind, parseModels, parsePositiveNumber, parseVariant } from '../options.js';

/** Raw options of `splitbench serve` as commander hands them over. */
export interface ServeOptions {
  variant?: string;
  models?: string;
  faults?: boolean;
  adminToken?: string;
  cpus?: string;
  portBase?: string;
  threads?: string;
  uvThreads?: string;
  cpuQuota?: string;
  memoryLimitMb?: string;
  gateway?: string;
  runtime?: string;
  modelRuntime?: string[];
  /** --manifest: serve the user's models (splitbench.yaml). */
  manifest?: string;
  /** --layout: which models share which process, replicas and resources (grammar: bench/targets/layout/parse-layout.ts). */
  layout?: string;
  store?: string;
  restart: boolean;
  json?: boolean;
  verbose?: boolean;
  target?: string;
}

/** The models a --layout names, in its order (what it serves when --models is not given). */
function modelsOfLayoutText(text: string): string[] {
  return parseLayout(text).draft.groups.flatMap((group) => group.models);
}

/** Reads --layout against the served models: the checked layout, or its problems added to the others. */
function readLayoutOption(text: string, models: readonly string[], problems: ProblemList): Layout | null {
  const check = parseAndCheckLayout(text, { models });
  if (check.ok) return check.layout;
  check.problems.forEach((p) => problems.add(`--layout: ${p}`));
  return null;
}

/** Turns CLI options into a TopologySpec, reporting every problem at once (UsageError, exit 2). */
export function buildServeSpec(kindArg: string | undefined, options: ServeOptions): TopologySpec {
  const problems = new ProblemList();
  // A layout says the grouping itself; the topology argument names one of the four named layouts.
  if (options.layout !== undefined && (kindArg !== undefined || options.variant !== undefined)) problems.add('--layout gives the grouping itself: leave out the topology argument and --variant');
  if (options.layout === undefined && kindArg === undefined) problems.add('expected a topology (monolith or microservices) or --layout');
  const kind = options.layout !== undefined ? 'microservices' : kindArg === undefined ? undefined : parseKind(kindArg, problems);
  const variant = options.layout !== undefined ? 'gateway' : parseVariant(options.variant, kind, problems);
  const { manifest, problems: manifestProblems } = readManifestOption(options.manifest);
  manifestProblems.forEach((p) => problems.add(p));
  const fromLayout = options.layout !== undefined && options.models === undefined ? modelsOfLayoutText(options.layout) : null;
  const models = fromLayout ?? (options.models === undefined && manifest ? manifest.models.map((m) => m.entry.name) : parseModels(options.models, problems));
  const layout = options.layout !== undefined ? readLayoutOption(options.layout, models, problems) : null;
  const store = options.store ?? (manifest ? manifestStoreDir() : defaultStoreDir());
  // The manifest's models go into the store before the servers start, as a run publishes them.
  if (manifest) publishManifest(store, manifest);
  const cpus = parseInteger('--cpus', options.cpus, problems, 1, 1024);
  const portBase = parseInteger('--port-base', options.portBase, problems, 1, 65000);
  const intraOp = parseInteger('--threads', options.threads, problems, 1, 256) ?? 1;
  const uvThreadpool = parseInteger('--uv-threads', options.uvThreads, problems, 1, 1024) ?? 4;
  const cpuQuota = parsePositiveNumber('--cpu-quota', options.cpuQuota, problems);
  const memoryMb = parseInteger('--memory-limit-mb', options.memoryLimitMb, problems, 16);
  if (options.runtime !== undefined && !RUNTIMES.some((r) => r.name === options.runtime)) problems.add(`--runtime: unknown runtime "${options.runtime}"; expected one of: ${RUNTIMES.map((r) => r.name).join(', ')}`);
  const modelRuntimes: Record<string, string> = {};
  for (const pair of options.modelRuntime ?? []) {
    const [model, runtime] = pair.split('=');
    if (!model || !runtime) problems.add(`--model-runtime expects model=runtime; got ${JSON.stringify(pair)}`);
    else if (!models.includes(model)) problems.add(`--model-runtime ${pair}: "${model}" is not among the served models (${models.join(', ')})`);
    else if (!RUNTIMES.some((r) => r.name === runtime)) problems.add(`--model-runtime ${pair}: unknown runtime "${runtime}"; expected one of: ${RUNTIMES.map((r) => r.name).join(', ')}`);
    else modelRuntimes[model] = runtime;
  }
  if (!existsSync(store)) problems.add(`model store ${store} does not exist; run \`npm run build\` or pass --store DIR`);
  const gateway = resolveGateway(options.gateway);
  if (typeof gateway === 'string') problems.add(gateway);
  if (problems.items.length > 0 || !kind || !variant || typeof gateway === 'string') throw new UsageError(problems.items, 'see `splitbench serve --help`; `splitbench models` lists the model names');
  const adminToken = options.adminToken ?? (options.faults ? randomToken() : undefined);
  const spec: TopologySpec = {
    kind,
    variant: layout?.gateway === 'none' ? 'direct' : variant,
    models,
    storeDir: store,
    threads: { intraOp, interOp: 1, uvThreadpool },
    restartPolicy: options.restart ? 'always' : 'never',
  };
  if (cpus !== undefined) spec.serverCpus = pickServerCpus(cpus);
  if (portBase !== undefined) spec.portBase = portBase;
  if (adminToken !== undefined) spec.adminToken = adminToken;
  if (options.faults) spec.faults = true;
  if (cpuQuota !== undefined) spec.cpuQuota = cpuQuota;
  if (memoryMb !== undefined) spec.memoryLimitBytes = memoryMb * 1024 * 1024;
  spec.gateway = gateway.implementation;
  if (layout) {
    // A bare +gateway takes --gateway's choice (nginx when installed); +gateway=node|nginx names one.
    const named = /\+gateway\s*=/.test(options.layout ?? '');
    spec.layout = layout.gateway !== 'none' && !named ? { ...layout, gateway: gateway.implementation } : layout;
  }
  if (options.runtime !== undefined) spec.runtime = options.runtime;
  if (Object.keys(modelRuntimes).length > 0) spec.modelRuntimes = modelRuntimes;
  return spec;
}

/** A random admin token for --faults without --admin-token. */
function randomToken(): string {
  return Math.random().toString(36).slice(2, 14);
}

/** Plain-text description of a running topology: per model the infer URL, then the processes (and the gateway, named as selected). */
export function describeTopology(topology: RunningTopology, gateway: GatewaySelection | null = null): string {
  const { spec, fairness } = topology;
  const endpoints = topology.endpoints();
  const hosts = topology.adminUrls();
  const processes = topology.processes();
  const hostOf = (model: string): string => processes.find((p) => p.url === hosts[model])?.name ?? '?';
  const pinning = fairness.pinning.cpus ? `CPUs ${fairness.pinning.cpus.join(',')} (${fairness.pinning.applied ? (fairness.pinning.reason ?? 'taskset applied') : `not applied: ${fairness.pinning.reason}`})` : 'not pinned';
  const limits = fairness.limits.applied ? (fairness.limits.reason ?? 'cgroup v1 applied') : fairness.limits.serverWatchdog ? `cgroup not applied (${fairness.limits.reason}); memory enforced by the server watchdog` : (fairness.limits.reason ?? 'none');
  const rows = spec.models.map((model) => [model, `POST ${endpoints[model]}/v2/models/${model}/infer`, hostOf(model)]);
  const width = (i: number): number => Math.max(...rows.map((r) => r[i]!.length));
  const lines = [
    `serving ${spec.layout ? `layout ${formatLayout(spec.layout)}` : `${spec.kind} (${spec.variant}${spec.monolithGateway ? ', behind a gateway' : ''})`}: ${spec.models.length} model(s); ${pinning}; threads intra ${spec.threads.intraOp}/inter ${spec.threads.interOp}, UV_THREADPOOL_SIZE ${spec.threads.uvThreadpool}; limits: ${limits}`,
    '',
    ...rows.map((r) => `  ${r[0]!.padEnd(width(0))}  ${r[1]!.padEnd(width(1))}  ${r[2]}`),
    '',
    'processes:',
    ...processes.map((p) => `  ${p.name.padEnd(Math.max(...processes.map((q) => q.name.length)))}  pid ${p.pid}  ${p.url}`),
  ];
  if (spec.adminToken) lines.push('', `admin token: ${spec.adminToken} (header x-splitbench-token)${spec.faults ? '; faults: POST /admin/faults on the process hosting the model' : ''}`);
  if (fairness.gateway) lines.push('', `gateway: ${gateway ? labelServedGateway(gateway, fairness.gateway) : fairness.gateway}`);
  if (topology.gatewayAdminToken && topology.gatewayAdminToken !== spec.adminToken) lines.push(`gateway admin token: ${topology.gatewayAdminToken}`);
  lines.push('', 'Ctrl-C to stop.');
  return lines.join('\n');
}

/** JSON description of a running topology (for --json). */
export function describeTopologyJson(topology: RunningTopology): Record<string, unknown> {
  return {
    kind: topology.spec.kind,
    variant: topology.spec.variant,
    endpoints: Object.fromEntries(Object.entries(topology.endpoints()).map(([m, url]) => [m, `${url}/v2/models/${m}/infer`])),
    processes: topology.processes(),
    fairness: topology.fairness,
    adminToken: topology.spec.adminToken ?? null,
    gatewayAdminToken: topology.gatewayAdminToken,
  };
}

/** Prints supervisor events (exits, restarts) to stderr as they happen. */
function followEvents(topology: RunningTopology): void {
  let seen = topology.events.length;
  setInterval(() => {
    for (const event of topology.events.slice(seen)) {
      if (event.type === 'spawn') continue;
      const parts = [`[${new Date(event.atMs).toISOString()}] ${event.process} ${event.type}`];
      if (event.pid !== undefined) parts.push(`pid ${event.pid}`);
      if (event.code !== undefined && event.code !== null) parts.push(`code ${event.code}`);
      if (event.signal) parts.push(`signal ${event.signal}`);
      if (event.detail) parts.push(`(${event.detail})`);
      process.stderr.write(`${parts.join(' ')}\n`);
    }
    seen = topology.events.length;
  }, 250);
}

/** Runs `serve`: starts the topology, prints endpoints, serves until Ctrl-C, then stops and exits 0. */
export async function runServe(kindArg: string | undefined, options: ServeOptions): Promise<void> {
  const spec = buildServeSpec(kindArg, options);
  const gateway = resolveGateway(options.gateway);
  const entries = defaultServerEntries();
  const missing = Object.values(entries).filter((entry) => !existsSync(entry));
  if (missing.length > 0) throw new RuntimeFailure(`compiled server missing: ${missing.join(', ')}`, 'run `npm run build` first');
  installCleanupHandlers({ interruptExitCode: 0, onShutdown: (reason) => process.stderr.write(`\nsplitbench: ${reason}: stopping every server…\n`) });
  const targetProblems: string[] = [];
  const targetName = parseTargetName(options.target, targetProblems);
  if (targetName === null) throw new UsageError(targetProblems, 'see `splitbench serve --help`');
  const local = options.verbose ? { onOutput: (name: string, stream: 'stdout' | 'stderr', line: string) => process.stderr.write(`[${name}${stream === 'stderr' ? '!' : ''}] ${line}\n`) } : {};
  // With --manifest the docker image carries its models and every container gets the manifest.
  const manifest = options.manifest !== undefined ? activeManifest() : null;
  const { target } = await createTarget(targetName, { local, manifest, onProgress: (line) => process.stderr.write(`${line}\n`) });
  process.stderr.write(`splitbench: starting ${spec.layout ? `layout ${formatLayout(spec.layout)}` : `${spec.kind} (${spec.variant})`} with ${spec.models.join(', ')}…\n`);
  let topology: RunningTopology;
  try {
    topology = await target.start(spec);
  } catch (error) {
    if (error instanceof ProcessStartError && /exited before ready \(code 2\b/.test(error.message)) throw new UsageError([explainStartRefusal(error)], '`splitbench run library` shows which model loads on which runtime');
    if (error instanceof ProcessStartError) throw new RuntimeFailure(`a server did not start: ${error.message}`, 'check the server output above; `npm run build` rebuilds dist/ and the model store');
    throw error;
  }
  process.stdout.write(options.json ? `${JSON.stringify(describeTopologyJson(topology))}\n` : `${describeTopology(topology, typeof gateway === 'string' ? null : gateway)}\n`);
  followEvents(topology);
  await new Promise<never>(() => undefined);
}

/** The server's own exit-2 message (bad flag, or a model the chosen runtime cannot load), without the stderr framing. */
function explainStartRefusal(error: ProcessStartError): string {
  const line = [...error.stderrTail].reverse().find((l) => l.startsWith('splitbench: '));
  return `${error.processName} refused to start: ${line ? line.slice('splitbench: '.length) : error.message}`;
}

/** Registers `splitbench serve`. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start a topology in the foreground until Ctrl-C')
    .argument('[topology]', 'monolith | microservices (or give --layout)')
    .option('--variant <variant>', 'monolith: single|workers (default single); microservices: direct|gateway (default gateway)')
    .option('--models <list>', 'comma-separated model names (default: the default set; see `splitbench models`)')
    .option('--layout <layout>', "any grouping: 'light=vad,tabular,ocr-cls:workers; det=ocr-det; rec=ocr-rec x2 +gateway' (groups of models, replicas xN, cpus= quota= mem= per group; README, \"Layouts\")")
    .option('--faults', 'enable fault arming on the model servers (needs an admin token; one is generated if missing)')
    .option('--admin-token <token>', 'token for /admin/* and the repository API')
    .option('--cpus <n>', 'pin every server process to n CPUs (taskset), leaving CPU 0 to the load generator when possible')
    .option('--port-base <n>', 'fixed ports: monolith or gateway on n, services on n+1.. (default: free ports)')
    .option('--threads <n>', 'onnxruntime intra-op threads per process (default 1)')
    .option('--uv-threads <n>', 'UV_THREADPOOL_SIZE of every server process (default 4)')
    .option('--cpu-quota <cpus>', 'cgroup v1 CPU quota per model-hosting process, in CPUs')
    .option('--memory-limit-mb <mb>', 'memory limit per model-hosting process (cgroup v1, else the server watchdog)')
    .option('--gateway <name>', 'gateway implementation: auto (nginx when installed, else the Node gateway) | nginx | node', 'auto')
    .option('--runtime <name>', `onnxruntime every model-hosting process loads its models on: ${RUNTIMES.map((r) => r.name).join(', ')} (default ${DEFAULT_RUNTIME_NAME})`)
    .option('--model-runtime <model=name>', 'run one model on another runtime (repeatable); in the monolith only runtimes that co-host work (`splitbench run library` shows which)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--manifest <file>', 'serve your models: a splitbench.yaml (`splitbench models init DIR` writes one)')
    .option('--store <dir>', 'model store (default: models/store, or models/store-manifest with --manifest)')
    .option('--no-restart', 'do not restart servers that die')
    .option('--json', 'print the endpoints as one JSON object')
    .option('--verbose', 'forward server output to stderr')
    .option('--target <name>', 'local (processes) or docker (one container per process on DOCKER_HOST)', 'local')
    .action((kind: string | undefined, options: ServeOptions) => runServe(kind, options));
}
