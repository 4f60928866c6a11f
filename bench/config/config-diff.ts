/** Fields a resumed run may change: where it writes (the same folder by construction) and the thresholds (evaluated at the end only). */
export const RESUME_IGNORED_FIELDS: readonly string[] = ['outDir', 'thresholds'];

/** Lines of a difference list shown before "and N more". */
const MAX_LINES = 12;

/** The CLI option that sets a config field, where one does: named beside the field so the fix is obvious. */
const FLAG_OF: Record<string, string> = {
  profile: '--profile',
  experiments: 'the experiments argument',
  models: '--models',
  variants: '--topologies',
  trials: '--trials',
  seed: '--seed',
  'cpus.servers': '--cpus',
  'cpus.generator': '--generator-cpus',
  'settings.fault.kinds': '--fault-kinds',
  'settings.diagnose.kinds': '--fault-kinds',
  'settings.fault.targetModels': '--fault-models',
  'settings.footprint.price.usdPerVcpuHour': '--price-vcpu-hour',
  'settings.footprint.price.usdPerGibHour': '--price-gib-hour',
  gateway: '--gateway',
};

/** One config field whose value differs. */
export interface ConfigDifference {
  path: string;
  recorded: unknown;
  given: unknown;
}

/** True for a plain JSON object (not an array, not null). */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Walks two JSON values and collects every differing leaf; arrays of plain values are one leaf. */
function walk(recorded: unknown, given: unknown, path: string, out: ConfigDifference[]): void {
  if (isObject(recorded) && isObject(given)) {
    for (const key of [...new Set([...Object.keys(recorded), ...Object.keys(given)])]) walk(recorded[key], given[key], path ? `${path}.${key}` : key, out);
    return;
  }
  const objectArrays = Array.isArray(recorded) && Array.isArray(given) && recorded.length === given.length && [...recorded, ...given].some(isObject);
  if (objectArrays) {
    recorded.forEach((item, index) => walk(item, given[index], `${path}.${index}`, out));
    return;
  }
  if (JSON.stringify(recorded) !== JSON.stringify(given)) out.push({ path, recorded, given });
}

/**
 * Every field of the config a command gives that differs from the one recorded in results.json,
 * leaving out the fields a resume may change. Both are compared as JSON (as results.json stores them).
 */
export function diffConfigs(recorded: Record<string, unknown>, given: unknown, ignored: readonly string[] = RESUME_IGNORED_FIELDS): ConfigDifference[] {
  const out: ConfigDifference[] = [];
  walk(recorded, JSON.parse(JSON.stringify(given)) as unknown, '', out);
  return out.filter((d) => !ignored.some((field) => d.path === field || d.path.startsWith(`${field}.`)));
}

/** A value as a difference line shows it: numbers and strings plainly, lists comma-separated, absent as such. */
function formatValue(value: unknown): string {
  if (value === undefined) return '(absent)';
  if (typeof value === 'string') return `"${value}"`;
  if (Array.isArray(value) && value.every((item) => !isObject(item) && !Array.isArray(item))) return `[${value.map((item) => (typeof item === 'string' ? item : String(item))).join(', ')}]`;
  return JSON.stringify(value);
}

/** The option that sets a field or the nearest field holding it (variants.1.variant → --topologies). */
function findFlag(path: string): string | undefined {
  const parts = path.split('.');
  for (let n = parts.length; n > 0; n--) {
    const flag = FLAG_OF[parts.slice(0, n).join('.')];
    if (flag) return flag;
  }
  return undefined;
}

/** The difference lines: `seed (--seed): the run has 42, this command gives 7`, at most a dozen plus "and N more". */
export function describeDifferences(differences: readonly ConfigDifference[]): string[] {
  const lines = differences.slice(0, MAX_LINES).map((d) => {
    const flag = findFlag(d.path);
    return `${d.path}${flag ? ` (${flag})` : ''}: the run has ${formatValue(d.recorded)}, this command gives ${formatValue(d.given)}`;
  });
  if (differences.length > MAX_LINES) lines.push(`and ${differences.length - MAX_LINES} more`);
  return lines;
}
