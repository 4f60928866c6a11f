/**
 * The layout checker: every problem of a layout draft at once (unknown model, model in two groups or
 * in none, replicas < 1, bad or duplicate group name, bad resources), each saying what was expected
 * and what was received. Only a draft with no problem becomes a Layout.
 */
import { findModel } from '../../../models/catalog.js';
import { GROUP_NAME, MIN_MEMORY_MB, RESERVED_GROUP_NAMES, type Layout, type LayoutDraft, type ProcessGroupDraft } from './layout-types.js';

/** A layout that cannot be deployed; `problems` lists every reason. */
export class LayoutError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`layout is not usable: ${problems.join('; ')}`);
    this.name = 'LayoutError';
  }
}

/** What a layout is checked against. */
export interface LayoutContext {
  /** The run's models: each must be in exactly one group. */
  readonly models: readonly string[];
  /** Whether a model name exists (default: the catalog's findModel). */
  readonly isKnownModel?: (name: string) => boolean;
}

/** Outcome of a check: the layout, or every problem. */
export type LayoutCheck = { readonly ok: true; readonly layout: Layout } | { readonly ok: false; readonly problems: readonly string[] };

/** A kernel CPU list: "3", "0-1", "0-1,4" (ranges ascending). */
const CPU_LIST = /^\d+(-\d+)?(,\d+(-\d+)?)*$/;

/** Quotes a list of names for a message. */
function quoted(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}

/** Problems of one group's own fields (name, models list, variant, replicas, resources). */
function groupProblems(group: ProcessGroupDraft): string[] {
  const problems: string[] = [];
  const where = `group "${group.name}"`;
  if (!GROUP_NAME.test(group.name)) problems.push(`group name "${group.name}": expected a lowercase letter then up to 39 lowercase letters, digits or '-'`);
  else if (RESERVED_GROUP_NAMES.includes(group.name)) problems.push(`group name "${group.name}" is reserved; expected another name (reserved: ${RESERVED_GROUP_NAMES.join(', ')})`);
  if (group.models.length === 0) problems.push(`${where}: expected at least one model, received none`);
  const twice = group.models.filter((model, i) => group.models.indexOf(model) !== i);
  if (twice.length > 0) problems.push(`${where}: expected each model once, received ${quoted([...new Set(twice)])} more than once`);
  if (group.variant !== 'single' && group.variant !== 'workers') problems.push(`${where}: variant expected single or workers, received "${String(group.variant)}"`);
  if (!Number.isInteger(group.replicas) || group.replicas < 1) problems.push(`${where}: replicas expected an integer ≥ 1, received ${group.replicas}`);
  const { cpus, cpuQuota, memoryMb } = group.resources;
  if (cpus !== undefined && !validCpuList(cpus)) problems.push(`${where}: cpus expected a CPU list such as 0-1,3 (ascending ranges), received "${cpus}"`);
  if (cpuQuota !== undefined && !(Number.isFinite(cpuQuota) && cpuQuota > 0)) problems.push(`${where}: CPU quota expected a number of CPUs > 0, received ${cpuQuota}`);
  if (memoryMb !== undefined && !(Number.isFinite(memoryMb) && memoryMb >= MIN_MEMORY_MB)) problems.push(`${where}: memory expected at least ${MIN_MEMORY_MB} MiB, received ${memoryMb}`);
  return problems;
}

/** True for a CPU list whose ranges go upwards. */
function validCpuList(list: string): boolean {
  if (!CPU_LIST.test(list)) return false;
  return list.split(',').every((part) => {
    const [from, to] = part.split('-').map(Number);
    return to === undefined || to >= from!;
  });
}

/** Every problem of a layout draft against the run's models (empty when it is sound). */
export function findLayoutProblems(draft: LayoutDraft, context: LayoutContext): string[] {
  const isKnown = context.isKnownModel ?? ((name: string) => findModel(name) !== undefined);
  const problems: string[] = [];
  if (draft.gateway !== 'none' && draft.gateway !== 'node' && draft.gateway !== 'nginx') problems.push(`gateway expected none, node or nginx, received "${String(draft.gateway)}"`);
  if (draft.groups.length === 0) problems.push('expected at least one group, received none');
  const names = draft.groups.map((group) => group.name);
  const sameName = names.filter((name, i) => names.indexOf(name) !== i);
  if (sameName.length > 0) problems.push(`expected each group name once, received ${quoted([...new Set(sameName)])} more than once`);
  for (const group of draft.groups) problems.push(...groupProblems(group));
  const replicated = draft.groups.filter((group) => Number.isInteger(group.replicas) && group.replicas > 1).map((group) => group.name);
  if (draft.gateway === 'none' && replicated.length > 0) problems.push(`group${replicated.length > 1 ? 's' : ''} ${quoted(replicated)} with several replicas: expected a gateway to spread requests over them (+gateway), received none (clients would reach replica 1 only)`);
  const owners = new Map<string, string[]>();
  for (const group of draft.groups) {
    for (const model of new Set(group.models)) owners.set(model, [...(owners.get(model) ?? []), group.name]);
  }
  const unknown = [...owners.keys()].filter((model) => !isKnown(model));
  if (unknown.length > 0) problems.push(`unknown model${unknown.length > 1 ? 's' : ''} ${quoted(unknown)}; expected one of the run's models: ${context.models.join(', ')}`);
  const strangers = [...owners.keys()].filter((model) => isKnown(model) && !context.models.includes(model));
  if (strangers.length > 0) problems.push(`model${strangers.length > 1 ? 's' : ''} ${quoted(strangers)} not among the run's models; expected only: ${context.models.join(', ')}`);
  for (const [model, groups] of owners) {
    if (groups.length > 1) problems.push(`model "${model}" is in ${groups.length} groups (${quoted(groups)}); expected exactly one group`);
  }
  const homeless = context.models.filter((model) => !owners.has(model));
  if (homeless.length > 0) problems.push(`model${homeless.length > 1 ? 's' : ''} ${quoted(homeless)} in no group; expected every run model in exactly one group`);
  return problems;
}

/** Checks a draft: the Layout when sound, else every problem. */
export function checkLayout(draft: LayoutDraft, context: LayoutContext): LayoutCheck {
  const problems = findLayoutProblems(draft, context);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, layout: draft as Layout };
}

/** Checks a draft and returns the Layout, or throws a LayoutError listing every problem. */
export function requireLayout(draft: LayoutDraft, context: LayoutContext): Layout {
  const check = checkLayout(draft, context);
  if (!check.ok) throw new LayoutError(check.problems);
  return check.layout;
}
