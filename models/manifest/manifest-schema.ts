import { z } from 'zod';
import { RUNTIMES } from '../runtimes.js';
import { DATATYPES } from '../tensor.js';

/** How the bench makes an input's values for each request. */
export const InputValuesSchema = z.union([
  z.object({ random: z.object({ low: z.number(), high: z.number() }).strict() }).strict(),
  z.object({ constant: z.union([z.number(), z.boolean()]) }).strict(),
  z.object({ zeros: z.literal(true) }).strict(),
]);

/** A tensor as the manifest declares it; every dim is the size to send (dynamic ones included). */
const TensorSchema = z.object({
  name: z.string().min(1),
  datatype: z.enum(DATATYPES),
  shape: z.array(z.number().int().positive('each dim must be a positive size to send (give dynamic dims the size requests use)')),
}).strict();

export const ManifestModelSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-", starting with a letter or digit'),
  /** The .onnx file, relative to the manifest. */
  file: z.string().min(1),
  /** Expected sha256 of the file; checked on every run when given (the measured hash is recorded either way). */
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
  inputs: z.array(TensorSchema.extend({ values: InputValuesSchema.optional() })).min(1),
  outputs: z.array(TensorSchema).min(1),
}).strict();

export const ManifestSchema = z.object({
  version: z.literal(1),
  /** The mix's total rate, which `rate_share` models take their share of. */
  total_rps: z.number().positive('the total rate must be above 0').optional(),
  models: z.array(ManifestModelSchema).min(1),
}).strict().superRefine((manifest, ctx) => {
  manifest.models.forEach((model, i) => {
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

export type ManifestModelEntry = z.infer<typeof ManifestModelSchema>;
export type InputValues = z.infer<typeof InputValuesSchema>;
