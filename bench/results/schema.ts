import { z } from 'zod';

/**
 * The one data structure every run produces (`results.json`). Reports are renderers of it.
 * Units live in field names (Ms, Bytes, Rps, Usd); a figure a run could not measure is null and
 * its reason is in `notMeasured` under the field's name. Bump SCHEMA_VERSION on breaking changes.
 */
export const SCHEMA_VERSION = 1;

export const TopologySchema = z.enum(['monolith', 'microservices']);
export const VariantSchema = z.enum(['single', 'workers', 'direct', 'gateway']);
export type Topology = z.infer<typeof TopologySchema>;
export type VariantName = z.infer<typeof VariantSchema>;

const nullableNumber = z.number().nullable();

/** Fields shared by every per-trial result: who was measured and whether the measurement holds. */
const ResultBase = {
  topology: TopologySchema,
  variant: VariantSchema,
  trial: z.number().int().nonnegative(),
  valid: z.boolean(),
  invalidReasons: z.array(z.string()),
  notMeasured: z.record(z.string(), z.string()).default({}),
};

export const LatencySummarySchema = z.object({
  p50Ms: nullableNumber,
  p90Ms: nullableNumber,
  p99Ms: nullableNumber,
  p999Ms: nullableNumber,
  maxMs: nullableNumber,
  meanMs: nullableNumber,
});

export const PercentilePointSchema = z.object({ percentile: z.number(), ms: z.number() });

/** One time bin of one model's requests, by intended send time relative to the timeline start. */
export const TimelineBinSchema = z.object({
  tMs: z.number(),
  count: z.number().int(),
  ok: z.number().int(),
  errors: z.number().int(),
  p50Ms: nullableNumber,
  p99Ms: nullableNumber,
  maxMs: nullableNumber,
});

/** Something that happened during a timeline: a fault injected, a process exiting, a route switched. */
export const TimelineMarkSchema = z.object({
  tMs: z.number(),
  kind: z.enum(['inject', 'disarm', 'exit', 'spawn', 'ready', 'restart', 'switch', 'publish', 'rollout-start', 'rollout-end', 'recovered', 'other']),
  label: z.string(),
  process: z.string().optional(),
  model: z.string().optional(),
});

export const TimelineSchema = z.object({
  startedAtMs: z.number(),
  binMs: z.number().positive(),
  bins: z.record(z.string(), z.array(TimelineBinSchema)),
  marks: z.array(TimelineMarkSchema),
});

export const LatencyResultSchema = z.object({
  ...ResultBase,
  model: z.string(),
  /** `mixed`: every model under load; `light-only`: the heavy models idle (the interference baseline). */
  scenario: z.enum(['mixed', 'light-only']),
  offeredRps: z.number(),
  achievedRps: z.number(),
  sent: z.number().int(),
  succeeded: z.number().int(),
  errorRate: z.number(),
  errors: z.record(z.string(), z.number().int()),
  latency: LatencySummarySchema,
  sendLagP99Ms: nullableNumber,
  /** The load generator's own health over the whole run this result came from (every stream together). */
  generator: z.object({ sendLagP99Ms: nullableNumber, cpuUtilisation: z.number() }).optional(),
  percentileCurve: z.array(PercentilePointSchema),
  histogram: z.string().optional(),
});

/** One model's share of a mixed level's completed requests: planned (the cycle) and achieved (fractions 0..1). */
export const MixShareSchema = z.object({
  model: z.string(),
  planned: z.number(),
  achieved: nullableNumber,
  requests: z.number().int(),
});

export const SweepPointSchema = z.object({
  connections: z.number().int(),
  rps: z.number(),
  p50Ms: nullableNumber,
  p99Ms: nullableNumber,
  errors: z.number().int(),
  non2xx: z.number().int(),
  timeouts: z.number().int(),
  /** Mixed traffic: each model's planned and achieved share at this level. */
  shares: z.array(MixShareSchema).optional(),
  /** Mixed traffic: the share tolerance applied at this level (fraction, absolute; see MIX_SHARE_TOLERANCE). */
  shareTolerance: z.number().optional(),
});

export const ThroughputResultSchema = z.object({
  ...ResultBase,
  /** A model name, or `mixed` for all models round-robin. */
  model: z.string(),
  sweep: z.array(SweepPointSchema),
  maxRps: nullableNumber,
  maxRpsUnderSlo: nullableNumber,
  /** Bare in-process session.run rate for this model on the same CPU budget, measured in this run. */
  ceilingRps: nullableNumber,
  efficiency: nullableNumber,
  /** Mixed traffic: each model's planned share of the requests (fractions 0..1, the same on every topology). */
  plannedShares: z.record(z.string(), z.number()).optional(),
  /** Which generator drove the sweep: `mix-loop` for mixed traffic, `autocannon` for one model. */
  loadGenerator: z.enum(['autocannon', 'mix-loop']).optional(),
});

export const FootprintResultSchema = z.object({
  ...ResultBase,
  models: z.array(z.string()),
  processCount: z.number().int(),
  coldStartMs: nullableNumber,
  idleRssBytes: nullableNumber,
  loadedRssBytes: nullableNumber,
  cpuSecondsPer1kRequests: nullableNumber,
  costPer1MRequestsUsd: nullableNumber,
});

export const ScalingPointSchema = z.object({
  topology: TopologySchema,
  variant: VariantSchema,
  trial: z.number().int().nonnegative(),
  modelCount: z.number().int().positive(),
  processCount: z.number().int(),
  coldStartMs: nullableNumber,
  idleRssBytes: nullableNumber,
});

export const MarginalCostSchema = z.object({
  topology: TopologySchema,
  variant: VariantSchema,
  rssBytesPerModel: nullableNumber,
  startMsPerModel: nullableNumber,
});

export const PriceTableSchema = z.object({
  usdPerVcpuHour: z.number().nonnegative(),
  usdPerGibHour: z.number().nonnegative(),
  source: z.string(),
});

/**
 * Every request (load or availability probe) of one stream in a fault or redeploy window: intended
 * send times relative to the timeline start as varint ms deltas, and a failure bitmap (both base64,
 * see bench/load/request-log.ts). Outages are computed from these, not from bins.
 */
export const RequestLogSchema = z.object({
  stream: z.string(),
  model: z.string(),
  probe: z.boolean(),
  count: z.number().int().nonnegative(),
  sendMsB64: z.string(),
  failedB64: z.string(),
});

/** A model the window had too few observations of to judge: listed with the reason, left out of ratios. */
export const UndeterminedModelSchema = z.object({ model: z.string(), reason: z.string() });

/** Outage figures of one model from its requests and probes (optional: older results have bin-based downtime only). */
const OutageFields = {
  /** Largest gap (ms) between the model's consecutive observations in the window (edges included): the downtime's resolution. */
  resolutionMs: nullableNumber.optional(),
  /** Number of outages (failed request → next success). */
  outages: z.number().int().nonnegative().optional(),
  /** The last outage lasted to the end of the window. */
  unrecovered: z.boolean().optional(),
  /** Load requests plus probes observed in the window. */
  observations: z.number().int().nonnegative().optional(),
  /** Probe requests among them, and how many of those failed. */
  probeObservations: z.number().int().nonnegative().optional(),
  probeFailures: z.number().int().nonnegative().optional(),
};

export const PerModelImpactSchema = z.object({
  model: z.string(),
  downtimeMs: nullableNumber,
  failedRequests: z.number().int(),
  p99Ms: nullableNumber,
  ...OutageFields,
});

export const RedeployResultSchema = z.object({
  ...ResultBase,
  strategy: z.enum(['recreate', 'rolling']),
  changeKind: z.enum(['model', 'code']),
  targetModel: z.string(),
  corrupt: z.boolean(),
  /** How the new version got in: a session swapped inside the running process, or processes restarted. */
  reloadMode: z.enum(['in-process', 'process-restart']),
  outcome: z.enum(['rolled-out', 'failed-old-serving', 'failed-down']),
  fromVersion: z.number().int(),
  toVersion: z.number().int(),
  timeToNewVersionMs: nullableNumber,
  processesRestarted: z.number().int(),
  modelsReloaded: z.number().int(),
  bytesReloaded: z.number().int(),
  extraPeakRssBytes: nullableNumber,
  perModel: z.array(PerModelImpactSchema),
  timeline: TimelineSchema,
  /** Every load and probe request of the window (absent in older results). */
  requestLogs: z.array(RequestLogSchema).optional(),
});

export const FaultKindSchema = z.enum(['none', 'crash', 'exception', 'cpu', 'leak', 'hang', 'error', 'slow']);
export type FaultKind = z.infer<typeof FaultKindSchema>;

export const FaultModelImpactSchema = z.object({
  model: z.string(),
  isTarget: z.boolean(),
  violatingBins: z.number().int(),
  baselineViolatingBins: z.number().int(),
  impacted: z.boolean(),
  failedRequests: z.number().int(),
  p99Ms: nullableNumber,
  baselineP99Ms: nullableNumber,
  /** Total outage (ms) in the fault window, from requests and probes; null with no observation. */
  downtimeMs: nullableNumber.optional(),
  ...OutageFields,
  /** Why the model could not be judged (too few observations): it is then neither impacted nor unaffected. */
  undetermined: z.string().optional(),
});

export const FaultResultSchema = z.object({
  ...ResultBase,
  /** `none` is the baseline window: the same analysis without a fault gives the false-positive rate. */
  faultKind: FaultKindSchema,
  targetModel: z.string(),
  blastRadius: nullableNumber,
  impactedModels: z.array(z.string()),
  collateralFailedRequests: z.number().int(),
  collateralP99InflationRatio: nullableNumber,
  targetDowntimeMs: nullableNumber,
  recoveryMs: nullableNumber,
  processesDied: z.array(z.string()),
  processesRestarted: z.array(z.string()),
  perModel: z.array(FaultModelImpactSchema),
  timeline: TimelineSchema,
  /** Resolution (ms) of targetDowntimeMs: the largest gap between the target's observations in the window. */
  targetDowntimeResolutionMs: nullableNumber.optional(),
  /** The target's outage lasted to the end of the window. */
  targetUnrecovered: z.boolean().optional(),
  /** Non-target models too sparsely observed to judge, excluded from blastRadius (= impacted ÷ judged). */
  undeterminedModels: z.array(UndeterminedModelSchema).optional(),
  requestLogs: z.array(RequestLogSchema).optional(),
});

export const IsolationCellSchema = z.object({
  topology: TopologySchema,
  variant: VariantSchema,
  faultKind: FaultKindSchema,
  faultModel: z.string(),
  impactedModel: z.string(),
  impacted: z.boolean(),
});

export const IsolationScoreSchema = z.object({
  topology: TopologySchema,
  variant: VariantSchema,
  faultKind: FaultKindSchema,
  /** 1 − mean blast radius over the fault models tried. */
  score: z.number(),
});

/** One model's place in the diagnoser's ranking; tied models share a rank. */
export const DiagnoseRankSchema = z.object({
  model: z.string(),
  rank: z.number().int().positive(),
  score: z.number().int().nonnegative(),
  signals: z.array(z.string()),
});

/** One fault window of the diagnose experiment: how soon the fixed diagnoser singled out the faulted model. */
export const DiagnoseResultSchema = z.object({
  ...ResultBase,
  faultKind: FaultKindSchema,
  targetModel: z.string(),
  tickMs: z.number().positive(),
  /** From the injection to the last diagnosis instant. */
  observedMs: z.number(),
  /** Models ranked at or above the culprit at the end of the window, ties included; in the baseline window (`none`), the models implicated with no fault. */
  suspects: z.number().int().nonnegative(),
  models: z.number().int().positive(),
  /** From the injection until the culprit alone led for the rest of the window; null = undetermined (reason in notMeasured). */
  timeToBlameMs: nullableNumber,
  singledOutBy: z.string().nullable(),
  finalRanking: z.array(DiagnoseRankSchema),
  firstSignals: z.array(z.object({ model: z.string(), signal: z.string(), afterMs: z.number() })),
  processesDied: z.array(z.string()),
});

/** One onnxruntime the library experiment tried: registry name, npm package (or alias), installed version. */
export const LibraryRuntimeSchema = z.object({ name: z.string(), packageName: z.string(), version: z.string() });

/** Compatibility matrix cell: one model on one runtime, measured in its own child process. */
export const CompatibilityCellSchema = z.object({
  model: z.string(),
  runtime: z.string(),
  /** False when the cell's process died before reporting (the cell is then unmeasured). */
  valid: z.boolean(),
  loads: z.boolean(),
  /** The loader's error (first line) when it does not load, or why the cell is invalid. */
  error: z.string().nullable(),
  /** Runtime whose outputs are the reference for this model (the default one when it loads the model). */
  referenceRuntime: z.string().nullable(),
  /** Outputs equal the reference within the stated tolerance; null when there is nothing to compare. */
  matchesReference: z.boolean().nullable(),
  maxAbsDiff: nullableNumber,
  loadMs: nullableNumber,
  /** Median of bare session.run calls on the sample input. */
  medianMs: nullableNumber,
  runs: z.number().int().optional(),
});

/** Co-hosting matrix cell: `first` then `second` loaded into one child process, each running one of its models. */
export const CohostingCellSchema = z.object({
  first: z.string(),
  second: z.string(),
  firstModel: z.string().nullable(),
  secondModel: z.string().nullable(),
  /** Both loaded and answered correctly in one process; null when not tried (a runtime loads no model). */
  coexist: z.boolean().nullable(),
  firstOk: z.boolean(),
  secondOk: z.boolean(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  error: z.string().nullable(),
});

/** One way the monolith could run every model: a runtime set (one runtime, or runtimes that co-host). */
export const MonolithRuntimeOptionSchema = z.object({
  runtimes: z.array(z.string()),
  /** Model → runtime it runs on under this option (the fastest usable one in the set). */
  assignment: z.record(z.string(), z.string()),
  latencyLostMs: z.number(),
});

/** Per model: its best runtime, and what it runs on (and loses) in the monolith's best option. */
export const LibraryModelImpactSchema = z.object({
  model: z.string(),
  usableRuntimes: z.array(z.string()),
  bestRuntime: z.string().nullable(),
  bestMs: nullableNumber,
  monolithRuntime: z.string().nullable(),
  monolithMs: nullableNumber,
  lostMs: nullableNumber,
  lostRatio: nullableNumber,
});

/** What the matrices imply for each topology. */
export const LibraryConsequencesSchema = z.object({
  /** Every runtime set the monolith can use at all (every model usable, every pair co-hosting). */
  monolithOptions: z.array(MonolithRuntimeOptionSchema),
  /** The option that loses the least latency; null when the monolith cannot serve every model at all. */
  monolithChoice: MonolithRuntimeOptionSchema.nullable(),
  perModel: z.array(LibraryModelImpactSchema),
  modelsBestUnusableInMonolith: z.array(z.string()),
  /** "One model needs runtime X": what must be re-validated and restarted on each side. */
  runtimeChange: z.object({
    monolith: z.object({ modelsToRevalidate: z.number().int(), processesToRestart: z.number().int() }),
    microservices: z.object({ modelsToRevalidate: z.number().int(), processesToRestart: z.number().int() }),
  }),
});

/** One side of a monolith-vs-microservices comparison: the per-trial values and their median with a 95% CI. */
export const GroupSummarySchema = z.object({
  variant: VariantSchema,
  values: z.array(z.number()),
  median: nullableNumber,
  ciLow: nullableNumber,
  ciHigh: nullableNumber,
  /** Why there is no value, when there is none: not run, every trial invalid, or not measured (and why). */
  missing: z.string().optional(),
});

export const ClaimSchema = z.enum(['cost', 'memory', 'latency-light', 'latency-heavy', 'interference', 'throughput', 'fault-isolation', 'update-cost', 'startup', 'library-freedom', 'troubleshooting']);
export type Claim = z.infer<typeof ClaimSchema>;

/** A monolith-vs-microservices difference of one metric; ratio = microservices ÷ monolith. */
export const ComparisonSchema = z.object({
  claim: ClaimSchema.nullable(),
  metric: z.string(),
  label: z.string(),
  unit: z.enum(['ms', 'rps', 'bytes', 'usd', 'ratio', 'count', 'fraction']),
  better: z.enum(['lower', 'higher']),
  model: z.string().nullable(),
  monolith: GroupSummarySchema,
  microservices: GroupSummarySchema,
  ratio: nullableNumber,
  ratioCiLow: nullableNumber,
  ratioCiHigh: nullableNumber,
  pValue: nullableNumber,
  significant: z.boolean().nullable(),
  /** True when both values are exact (computed from matrices, not sampled over trials): nothing to test. */
  exact: z.boolean().optional(),
  /** How `significant` was judged when not by the permutation test over trials (absent: that test). */
  test: z.enum(['bootstrap-ratio-interval']).optional(),
  winner: z.enum(['monolith', 'microservices', 'tie', 'unknown']),
  note: z.string().optional(),
  /** Something the run itself found that limits how far this comparison can be trusted. */
  caveat: z.string().optional(),
});

const SectionBase = {
  status: z.enum(['complete', 'partial', 'failed', 'skipped', 'running']),
  error: z.string().optional(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  comparisons: z.array(ComparisonSchema).default([]),
  notes: z.array(z.string()).default([]),
};

export const ExperimentsSchema = z.object({
  latency: z.object({ ...SectionBase, results: z.array(LatencyResultSchema) }).optional(),
  throughput: z.object({ ...SectionBase, results: z.array(ThroughputResultSchema) }).optional(),
  footprint: z
    .object({
      ...SectionBase,
      results: z.array(FootprintResultSchema),
      scaling: z.array(ScalingPointSchema).default([]),
      marginal: z.array(MarginalCostSchema).default([]),
      priceTable: PriceTableSchema.optional(),
    })
    .optional(),
  redeploy: z.object({ ...SectionBase, results: z.array(RedeployResultSchema) }).optional(),
  fault: z
    .object({
      ...SectionBase,
      results: z.array(FaultResultSchema),
      isolationMatrix: z.array(IsolationCellSchema).default([]),
      isolationScores: z.array(IsolationScoreSchema).default([]),
    })
    .optional(),
  diagnose: z.object({ ...SectionBase, results: z.array(DiagnoseResultSchema) }).optional(),

  /** Compatibility matrix in `results`, co-hosting matrix, and what they imply. */
  library: z
    .object({
      ...SectionBase,
      results: z.array(CompatibilityCellSchema),
      runtimes: z.array(LibraryRuntimeSchema).default([]),
      cohosting: z.array(CohostingCellSchema).default([]),
      tolerance: z.object({ abs: z.number(), rel: z.number() }).optional(),
      consequences: LibraryConsequencesSchema.optional(),
    })
    .optional(),
});
export type ExperimentName = keyof z.infer<typeof ExperimentsSchema>;
export const EXPERIMENT_NAMES: readonly ExperimentName[] = ['latency', 'throughput', 'footprint', 'redeploy', 'fault', 'library', 'diagnose'];

export const EnvironmentSchema = z.object({
  cpuModel: z.string(),
  cores: z.number().int(),
  memoryBytes: z.number(),
  os: z.string(),
  node: z.string(),
  onnxruntime: z.string(),
  splitbench: z.string(),
  gitSha: z.string().nullable(),
  hostname: z.string(),
  cpuSets: z.object({ servers: z.array(z.number()).nullable(), generator: z.array(z.number()).nullable(), tasksetApplied: z.boolean() }),
  resourceLimits: z.object({ mechanism: z.enum(['cgroup-v1', 'watchdog', 'none']), detail: z.string() }),
  /** Which proxy served every gateway of the run (absent in older results: the Node gateway). */
  gateway: z.object({ requested: z.enum(['auto', 'nginx', 'node']), implementation: z.enum(['node', 'nginx']), nginxVersion: z.string().nullable(), label: z.string() }).optional(),
  /** Where the topologies ran (absent in files from before targets existed: local processes). */
  target: z.object({ name: z.string(), detail: z.string() }).optional(),
});

export const ModelRecordSchema = z.object({
  name: z.string(),
  version: z.number().int(),
  sha256: z.string(),
  bytes: z.number().int(),
  sloMs: z.number(),
  weightClass: z.enum(['light', 'heavy']),
});

export const ThresholdOutcomeSchema = z.object({
  expression: z.string(),
  actual: nullableNumber,
  passed: z.boolean(),
  reason: z.string().optional(),
});

/** Node vs nginx gateway in front of the same services, as `splitbench calibrate` measured them on this machine. */
export const GatewayCalibrationSchema = z.object({
  /** When calibrate measured them (ISO time). */
  measuredAt: z.string(),
  source: z.string(),
  gateways: z.array(
    z.object({
      implementation: z.enum(['node', 'nginx']),
      label: z.string(),
      rps: z.number(),
      requests: z.number().int(),
      /** CPU of the gateway process tree per request, µs; null when it could not be read. */
      gatewayCpuUsPerRequest: nullableNumber,
    }),
  ),
});

export const CalibrationSchema = z.object({
  generator: z
    .object({
      targetRps: z.number(),
      offeredRps: z.number(),
      achievedRps: z.number(),
      sendLagP50Ms: nullableNumber,
      sendLagP99Ms: nullableNumber,
      ceilingRps: nullableNumber,
    })
    .optional(),
  overhead: z
    .array(z.object({ topology: TopologySchema, variant: VariantSchema, model: z.string(), bareMs: z.number(), servedP50Ms: z.number(), overheadUs: z.number() }))
    .default([]),
  /** The gateway calibration saved on this machine when the run started (absent when none was, and in older results). */
  gateways: GatewayCalibrationSchema.optional(),
});

export const PhaseSchema = z.object({
  label: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
});

/** The time-left estimate at one instant of a run, and (once the run ended) how it compared with what was left. */
export const TimeLeftCheckpointSchema = z.object({
  label: z.string(),
  /** Wall time since the run started. */
  elapsedMs: z.number(),
  estimatedLeftMs: z.number(),
  actualLeftMs: z.number().optional(),
  /** (estimated − actual) ÷ actual time left; positive = the estimate was too long. */
  errorRatio: z.number().nullable().optional(),
  /** (elapsed + estimated left − actual run time) ÷ actual run time: how far off the projected end was. */
  projectedEndErrorRatio: z.number().optional(),
});

/** How long the run was expected to take and how long it took: the progress estimate held to account. */
export const TimingSchema = z.object({
  /** The whole run's estimate before its first step. */
  plannedMs: z.number(),
  /** Per part of the run (measurements, fault, …): planned before the start, and the wall time it took. */
  parts: z.array(z.object({ name: z.string(), plannedMs: z.number(), actualMs: z.number().optional() })),
  checkpoints: z.array(TimeLeftCheckpointSchema),
  actualMs: z.number().optional(),
  /** Largest |errorRatio| over the checkpoints made while at least a tenth of the run (and a minute) was left. */
  maxAbsErrorRatio: z.number().nullable().optional(),
});

/** One sitting of a run: the first start, or a `--resume` that continued it; `produced` lists the units it added. */
export const SittingSchema = z.object({
  index: z.number().int().positive(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  status: z.enum(['running', 'complete', 'interrupted', 'failed']),
  command: z.string(),
  /** Git sha of the checkout that ran the sitting (null outside a git checkout). */
  gitSha: z.string().nullable().optional(),
  /** Unit keys (e.g. `latency monolith/single trial 2`) this sitting added to the results. */
  produced: z.array(z.string()),
});

/** One event of a live session (`splitbench live`), relative to the session start. */
export const LiveEventSchema = z.object({
  tMs: z.number(),
  kind: z.enum(['fault', 'disarm', 'redeploy-start', 'redeploy-end', 'process', 'reset', 'save', 'error']),
  topology: TopologySchema.nullable(),
  model: z.string().nullable(),
  label: z.string(),
});

/** A live session saved as a run: per-second timelines per topology and model, and every event. */
export const LiveSectionSchema = z.object({
  startedAtMs: z.number(),
  endedAtMs: z.number(),
  rates: z.record(z.string(), z.number()),
  healthRules: z.object({ windowMs: z.number(), maxErrorRate: z.number(), noSuccessMs: z.number() }),
  cpu: z.object({ machineCores: z.number(), harnessCores: nullableNumber, freeCores: nullableNumber, note: z.string() }),
  topologies: z.array(z.object({ topology: TopologySchema, variant: VariantSchema, cpus: z.array(z.number()).nullable(), pinned: z.boolean(), cpuCores: nullableNumber, timeline: TimelineSchema })),
  events: z.array(LiveEventSchema),
});

export const RunResultsSchema = z.object({
  schemaVersion: z.number().int(),
  tool: z.object({ name: z.literal('splitbench'), version: z.string() }),
  runId: z.string(),
  status: z.enum(['running', 'complete', 'interrupted', 'failed']),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  command: z.string(),
  environment: EnvironmentSchema,
  config: z.record(z.string(), z.unknown()),
  models: z.array(ModelRecordSchema),
  experiments: ExperimentsSchema,
  calibration: CalibrationSchema.optional(),
  /** Wall time of each step the run went through, in order: where a run's time went. */
  phases: z.array(PhaseSchema).default([]),
  /** The time-left estimate against the actual, at every part's end (absent in runs before it was recorded). */
  timing: TimingSchema.optional(),
  thresholds: z.array(ThresholdOutcomeSchema).default([]),
  /** Present in a copy trimmed for publishing: which raw fields were left out. */
  trimmed: z.object({ fields: z.array(z.string()), note: z.string() }).optional(),
  /** Present once a run was resumed (`--resume`): every sitting in order, the first being the original run. */
  sittings: z.array(SittingSchema).optional(),
  /** Present when the run is a saved `splitbench live` session. */
  live: LiveSectionSchema.optional(),
});

export type RunResults = z.infer<typeof RunResultsSchema>;
export type Phase = z.infer<typeof PhaseSchema>;
export type Timing = z.infer<typeof TimingSchema>;
export type Sitting = z.infer<typeof SittingSchema>;
export type LatencyResult = z.infer<typeof LatencyResultSchema>;
export type ThroughputResult = z.infer<typeof ThroughputResultSchema>;
export type MixShare = z.infer<typeof MixShareSchema>;
export type FootprintResult = z.infer<typeof FootprintResultSchema>;
export type ScalingPoint = z.infer<typeof ScalingPointSchema>;
export type MarginalCost = z.infer<typeof MarginalCostSchema>;
export type RedeployResult = z.infer<typeof RedeployResultSchema>;
export type FaultResult = z.infer<typeof FaultResultSchema>;
export type IsolationCell = z.infer<typeof IsolationCellSchema>;
export type DiagnoseResult = z.infer<typeof DiagnoseResultSchema>;
export type Comparison = z.infer<typeof ComparisonSchema>;
export type GroupSummary = z.infer<typeof GroupSummarySchema>;
export type Timeline = z.infer<typeof TimelineSchema>;
export type TimelineBin = z.infer<typeof TimelineBinSchema>;
export type TimelineMark = z.infer<typeof TimelineMarkSchema>;
export type RequestLogEntry = z.infer<typeof RequestLogSchema>;
export type Environment = z.infer<typeof EnvironmentSchema>;
export type ThresholdOutcome = z.infer<typeof ThresholdOutcomeSchema>;
export type Calibration = z.infer<typeof CalibrationSchema>;
export type GatewayCalibrationRecord = z.infer<typeof GatewayCalibrationSchema>;
export type CompatibilityCell = z.infer<typeof CompatibilityCellSchema>;
export type CohostingCell = z.infer<typeof CohostingCellSchema>;
export type LibraryConsequences = z.infer<typeof LibraryConsequencesSchema>;
export type MonolithRuntimeOption = z.infer<typeof MonolithRuntimeOptionSchema>;
export type LiveSection = z.infer<typeof LiveSectionSchema>;
