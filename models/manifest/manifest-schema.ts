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
  rate_rps: z.number().positive('the model\'s request rate in the mix must be above 0'),
  encoding: z.enum(['json', 'binary']).default('binary'),
  inputs: z.array(TensorSchema.extend({ values: InputValuesSchema.optional() })).min(1),
  outputs: z.array(TensorSchema).min(1),
}).strict();

export const ManifestSchema = z.object({
  version: z.literal(1),
  models: z.array(ManifestModelSchema).min(1),
}).strict();

export type ManifestModelEntry = z.infer<typeof ManifestModelSchema>;
export type InputValues = z.infer<typeof InputValuesSchema>;
