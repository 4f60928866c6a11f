import { z } from 'zod';

const TOPOLOGY_CHOICE = z.enum(['monolith', 'microservices', 'both']);
const FAULT_KIND = z.enum(['crash', 'exception', 'cpu', 'leak', 'hang', 'error', 'slow']);

/** POST /api/faults. */
export const ArmFaultBody = z.object({ topology: TOPOLOGY_CHOICE, model: z.string().min(1), kind: FAULT_KIND }).strict();

/** DELETE /api/faults (body optional: every topology when absent). */
export const DisarmBody = z.object({ topology: TOPOLOGY_CHOICE.default('both') }).strict();

/** POST /api/redeploy. */
export const RedeployBody = z.object({ topology: TOPOLOGY_CHOICE, model: z.string().min(1), strategy: z.enum(['recreate', 'rolling']) }).strict();

/** A request body the API refused: the message names the field, what was expected and what came. */
export class BodyError extends Error {
  constructor(message: string, readonly field: string | null) {
    super(message);
    this.name = 'BodyError';
  }
}

/** Describes a received value briefly for an error message. */
function describeReceived(body: unknown, path: readonly PropertyKey[]): string {
  let value: unknown = body;
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value === undefined ? 'nothing' : JSON.stringify(value)?.slice(0, 60) ?? String(value);
}

/** Parses a body with a schema, or throws a BodyError naming the first wrong field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown, example: string): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys;
    throw new BodyError(`unknown field "${keys[0]}"; expected ${example}`, keys[0] ?? null);
  }
  const field = issue.path.length > 0 ? issue.path.join('.') : null;
  const where = field === null ? 'body' : `field "${field}"`;
  throw new BodyError(`invalid ${where}: ${issue.message} (got ${describeReceived(body, issue.path)}); expected ${example}`, field);
}

/** Examples shown in error messages. */
export const EXAMPLES = {
  fault: '{"topology":"monolith|microservices|both","model":"<name>","kind":"crash|exception|cpu|leak|hang|error|slow"}',
  disarm: '{"topology"?:"monolith|microservices|both"} or no body',
  redeploy: '{"topology":"monolith|microservices|both","model":"<name>","strategy":"recreate|rolling"}',
} as const;
