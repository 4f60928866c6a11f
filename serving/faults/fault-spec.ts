import { z } from 'zod';

/** Every kind of fault a model's request path can be armed with. */
export const FAULT_KINDS = ['crash', 'exception', 'cpu', 'leak', 'hang', 'error', 'slow'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** An armed fault: which model, what it does, and its knobs. */
export interface FaultSpec {
  model: string;
  kind: FaultKind;
  ms?: number;
  bytesPerRequest?: number;
}

const faultSchema = z.object({
  model: z.string().min(1),
  kind: z.enum(FAULT_KINDS),
  ms: z.number().int().nonnegative().max(600_000).optional(),
  bytesPerRequest: z.number().int().positive().max(1024 ** 3).optional(),
});

/** Parses an admin request body into a fault, or returns a message saying what was expected. */
export function parseFaultSpec(body: unknown): FaultSpec | string {
  const parsed = faultSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `field "${issue.path.join('.')}"` : 'body';
  return `invalid fault ${where}: ${issue?.message ?? 'malformed'}; expected {"model":"<name>","kind":"${FAULT_KINDS.join('"|"')}","ms"?:N,"bytesPerRequest"?:N}`;
}
