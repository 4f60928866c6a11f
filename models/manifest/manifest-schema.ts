import { z } from 'zod';
import { RUNTIMES } from '../runtimes.js';
import { DATATYPES } from '../tensor.js';

/** How the bench makes an input's values for each request. */
export const InputValuesSchema = z.union([
  z.object({ random: z.object({ low: z.number(), high: z.number() }).strict() }).strict(),
  z.object({ constant: z.union([z.number(), z.boolean()]) }).strict(),
  z.object({ zeros: z.literal(true) }).strict(),
]);

/** Dims of an input that requests may vary (the graph leaves them dynamic), each a positive multiple of `multiple_of`. */
const DynamicDimsSchema = z.object({
  dims: z.array(z.number().int().nonnegative()).min(1),
  multiple_of: z.number().int().positive().default(1),
}).strict();

/** A model file shipped inside an npm package (the built-in models), pinned by its sha256. */
const PackageSourceSchema = z.object({
  /** The npm package. */
  name: z.string().min(1),
  /** A module specifier inside the package that resolves (its main or an export). */
  entry: z.string().min(1),
  /** The .onnx file relative to the folder of `entry`. */
  file: z.string().min(1),
}).strict();

const versionSeeds = { seed: z.number().int(), seed_per_version: z.number().int() };
/** A model the project's own ONNX writer makes, deterministic per version (the synthetic built-in models). */
const GenerateSourceSchema = z.discriminatedUnion('generator', [
  z.object({ generator: z.literal('tabular'), features: z.number().int().positive(), hidden: z.number().int().positive(), ...versionSeeds }).strict(),
  z.object({ generator: z.literal('parametric'), width: z.number().int().positive(), layers: z.number().int().positive(), ...versionSeeds }).strict(),
  z.object({ generator: z.literal('rms-norm'), width: z.number().int().positive(), ...versionSeeds }).strict(),
]);

/** A tensor as the manifest declares it; every dim is the size to send (dynamic ones included). */
const TensorSchema = z.object({
  name: z.string().min(1),
  datatype: z.enum(DATATYPES),
  shape: z.array(z.number().int().positive('each dim must be a positive size to send (give dynamic dims the size requests use)')),
}).strict();

export const ManifestModelSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-", starting with a letter or digit'),
  /** The .onnx file, relative to the manifest (or `package` / `generate`, which the built-in manifest uses). */
  file: z.string().min(1).optional(),
  package: PackageSourceSchema.optional(),
  generate: GenerateSourceSchema.optional(),
  /** A second .onnx (relative to the manifest) with the same inputs and outputs: the new version redeploys roll out, alternating with `file`. */
  next_file: z.string().min(1).optional(),
  /** Expected sha256 of the file (required with `package`); checked on every run when given (the measured hash is recorded either way). */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits').optional(),
  description: z.string().optional(),
  runtime: z.enum(RUNTIMES.map((r) => r.name) as [string, ...string[]]).optional(),
  slo_ms: z.number().positive(),
  weight_class: z.enum(['light', 'heavy']),
  /** Requests per second of this model in the mix; or `rate_share` of the manifest's `total_rps`. */
  rate_rps: z.number().positive('the model\'s request rate in the mix must be above 0').optional(),
  rate_share: z.number().positive('a share of the total rate must be above 0').max(1, 'a share of the total rate is at most 1').optional(),
  encoding: z.enum(['json', 'binary']).default('binary'),
  /** Recorded requests (OIP JSON, one per line, relative to the manifest), sent in turn instead of generated values. */
  requests_file: z.string().min(1).optional(),
  /** False leaves the model out of runs that name no models (it is still there for --models). */
  run_by_default: z.boolean().default(true),
  inputs: z.array(TensorSchema.extend({
    values: InputValuesSchema.optional(),
    /** Which dims may vary (default: the graph's dynamic dims, any size). */
    dynamic: DynamicDimsSchema.optional(),
    /** A smaller shape for the availability probe (its varying dims must be `dynamic` ones). */
    probe_shape: z.array(z.number().int().positive()).optional(),
  })).min(1),
  outputs: z.array(TensorSchema).min(1),
}).strict();

export const ManifestSchema = z.object({
  version: z.literal(1),
  /** The mix's total rate, which `rate_share` models take their share of. */
  total_rps: z.number().positive('the total rate must be above 0').optional(),
  /** Models the experiments single out (default: the first light model for each). */
  experiment_targets: z.object({
    redeploy: z.string().optional(),
    fault: z.array(z.string()).min(1).optional(),
    diagnose: z.string().optional(),
  }).strict().optional(),
  models: z.array(ManifestModelSchema).min(1),
}).strict().superRefine((manifest, ctx) => {
  const names = manifest.models.map((m) => m.name);
  const targets = manifest.experiment_targets ?? {};
  for (const [key, value] of Object.entries(targets)) {
    (Array.isArray(value) ? value : [value]).forEach((name, i) => {
      if (!names.includes(name)) ctx.addIssue({ code: 'custom', path: ['experiment_targets', key, ...(Array.isArray(value) ? [i] : [])], message: `"${name}" is not a model of this manifest; expected one of ${names.join(', ')}` });
    });
  }
  manifest.models.forEach((model, i) => {
    const sources = (['file', 'package', 'generate'] as const).filter((key) => model[key] !== undefined);
    if (sources.length !== 1) ctx.addIssue({ code: 'custom', path: ['models', i], message: `give the model as file (an .onnx path relative to the manifest)${sources.length > 1 ? `, one source only; received ${sources.join(' and ')}` : ''}` });
    if (model.next_file !== undefined && model.file === undefined) ctx.addIssue({ code: 'custom', path: ['models', i, 'next_file'], message: 'next_file is the new version of `file`; give file too' });
    if (model.package !== undefined && model.sha256 === undefined) ctx.addIssue({ code: 'custom', path: ['models', i, 'package'], message: 'a packaged model needs its sha256 pinned' });
    model.inputs.forEach((input, j) => {
      const outside = input.dynamic?.dims.filter((d) => d >= input.shape.length) ?? [];
      if (outside.length > 0) ctx.addIssue({ code: 'custom', path: ['models', i, 'inputs', j, 'dynamic', 'dims'], message: `dims are indices into shape [${input.shape.join(', ')}]; ${outside.join(', ')} is past its end` });
      if (input.probe_shape !== undefined) {
        const fixed = input.dynamic?.dims ?? [];
        const wrong = input.probe_shape.length !== input.shape.length || input.probe_shape.some((d, k) => d !== input.shape[k] && !fixed.includes(k));
        if (wrong) ctx.addIssue({ code: 'custom', path: ['models', i, 'inputs', j, 'probe_shape'], message: `the probe shape [${input.probe_shape.join(', ')}] may differ from [${input.shape.join(', ')}] only in the dynamic dims (${fixed.length > 0 ? fixed.join(', ') : 'none given'})` });
      }
    });
    if ((model.rate_rps === undefined) === (model.rate_share === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['models', i], message: 'give the model\'s rate in the mix as rate_rps (requests per second) or rate_share (of total_rps), one of the two' });
    }
    if (model.rate_share !== undefined && manifest.total_rps === undefined) {
      ctx.addIssue({ code: 'custom', path: ['models', i, 'rate_share'], message: 'rate_share needs total_rps at the top of the manifest' });
    }
  });
  const shares = manifest.models.reduce((sum, m) => sum + (m.rate_share ?? 0), 0);
  if (shares > 1 + 1e-9) ctx.addIssue({ code: 'custom', path: ['models'], message: `the rate_share values add up to ${Number(shares.toFixed(6))}; as shares of total_rps they add up to at most 1` });
});

/** A model's requests per second in the mix: its rate_rps, or its share of the manifest's total_rps. */
export function rateOf(model: ManifestModelEntry, totalRps: number | undefined): number {
  return model.rate_rps ?? model.rate_share! * totalRps!;
}

export type ManifestData = z.infer<typeof ManifestSchema>;
export type ManifestModelEntry = z.infer<typeof ManifestModelSchema>;
export type ManifestEntryInput = ManifestModelEntry['inputs'][number];
export type ManifestTargets = NonNullable<z.infer<typeof ManifestSchema>['experiment_targets']>;
export type InputValues = z.infer<typeof InputValuesSchema>;
