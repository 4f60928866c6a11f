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

export const SweepPointSchema = z.object({
  connections: z.number().int(),
  rps: z.number(),
  p50Ms: nullableNumber,
  p99Ms: nullableNumber,
  errors: z.number().int(),
  non2xx: z.number().int(),
  timeouts: z.number().int(),
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

export const PerModelImpactSchema = z.object({
  model: z.string(),
  downtimeMs: nullableNumber,
  failedRequests: z.number().int(),
  p99Ms: nullableNumber,
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

export const ClaimSchema = z.enum(['cost', 'memory', 'latency-light', 'latency-heavy', 'interference', 'throughput', 'fault-isolation', 'update-cost', 'startup', 'library-freedom']);
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
});
export type ExperimentName = keyof z.infer<typeof ExperimentsSchema>;
export const EXPERIMENT_NAMES: readonly ExperimentName[] = ['latency', 'throughput', 'footprint', 'redeploy', 'fault'];

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
});

export const PhaseSchema = z.object({
  label: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
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
  thresholds: z.array(ThresholdOutcomeSchema).default([]),
});

export type RunResults = z.infer<typeof RunResultsSchema>;
export type Phase = z.infer<typeof PhaseSchema>;
export type LatencyResult = z.infer<typeof LatencyResultSchema>;
export type ThroughputResult = z.infer<typeof ThroughputResultSchema>;
export type FootprintResult = z.infer<typeof FootprintResultSchema>;
export type ScalingPoint = z.infer<typeof ScalingPointSchema>;
export type MarginalCost = z.infer<typeof MarginalCostSchema>;
export type RedeployResult = z.infer<typeof RedeployResultSchema>;
export type FaultResult = z.infer<typeof FaultResultSchema>;
export type IsolationCell = z.infer<typeof IsolationCellSchema>;
export type Comparison = z.infer<typeof ComparisonSchema>;
export type GroupSummary = z.infer<typeof GroupSummarySchema>;
export type Timeline = z.infer<typeof TimelineSchema>;
export type TimelineBin = z.infer<typeof TimelineBinSchema>;
export type TimelineMark = z.infer<typeof TimelineMarkSchema>;
export type Environment = z.infer<typeof EnvironmentSchema>;
export type ThresholdOutcome = z.infer<typeof ThresholdOutcomeSchema>;
export type Calibration = z.infer<typeof CalibrationSchema>;
