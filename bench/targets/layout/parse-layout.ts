/**
 * The command-line layout grammar (what a `--layout` flag would take):
 *
 *   layout  = item *( ";" item )
 *   item    = group | "+gateway" [ "=" ( "node" | "nginx" ) ]
 *   group   = name "=" model *( "," model ) [ ":" variant ] *( WS option ) [ WS "+gateway" ... ]
 *   variant = "single" | "workers"                  (default single)
 *   option  = "x" N                                 replicas (default 1)
 *           | "cpus=" LIST                          CPU set of each replica, e.g. cpus=0-1,3
 *           | "quota=" CPUS                         CFS quota of each replica, e.g. quota=1.5
 *           | "mem=" MIB                            memory limit of each replica in MiB
 *
 * Example: `light=vad,tabular,ocr-cls:workers; det=ocr-det; rec=ocr-rec x2 +gateway`: three
 * process groups (four processes: ocr-rec has two replicas) behind the Node gateway. Without
 * `+gateway`, clients call each process directly (so a group with replicas needs it). Group names:
 * a lowercase letter, then lowercase letters, digits, '-'; `monolith` names the all-in-one process;
 * `gateway` is reserved. Whitespace around ";", ",", ":" and "=" is ignored.
 * Every problem is reported at once, syntax and meaning together (see check-layout.ts).
 */
import { checkLayout, type LayoutCheck, type LayoutContext } from './check-layout.js';
import type { GroupResources, GroupVariant, LayoutDraft, LayoutGateway, ProcessGroupDraft } from './layout-types.js';

/** Outcome of parsing: the draft (from every group that could be read) and the syntax problems. */
export interface ParsedLayout {
  readonly draft: LayoutDraft;
  readonly problems: readonly string[];
}

/** A positive decimal number, as options write them. */
const NUMBER = /^\d+(\.\d+)?$/;

/** Reads a `+gateway[=impl]` token into the gateway, or a problem. */
function readGateway(token: string): LayoutGateway | string {
  const match = /^\+gateway(?:=(.*))?$/.exec(token);
  if (!match) return `"${token}": expected +gateway, +gateway=node or +gateway=nginx`;
  const implementation = match[1] ?? 'node';
  if (implementation !== 'node' && implementation !== 'nginx') return `"${token}": gateway expected node or nginx, received "${implementation}"`;
  return implementation;
}

/** Reads one option token of a group into its replicas or resources; returns a problem when it is not one. */
function readOption(token: string, group: { replicas: number; resources: { cpus?: string; cpuQuota?: number; memoryMb?: number } }, where: string): string | null {
  const replicas = /^x(.*)$/.exec(token);
  if (replicas) {
    if (!/^\d+$/.test(replicas[1]!)) return `${where}: replicas expected xN with N an integer ≥ 1, received "${token}"`;
    group.replicas = Number(replicas[1]);
    return null;
  }
  const at = token.indexOf('=');
  const key = at < 0 ? token : token.slice(0, at);
  const value = at < 0 ? '' : token.slice(at + 1);
  if (key === 'cpus') {
    group.resources.cpus = value;
    return null;
  }
  if (key === 'quota' || key === 'mem') {
    if (!NUMBER.test(value)) return `${where}: ${key} expected a positive number, received "${value}"`;
    if (key === 'quota') group.resources.cpuQuota = Number(value);
    else group.resources.memoryMb = Number(value);
    return null;
  }
  return `${where}: option "${token}" unknown; expected xN, cpus=LIST, quota=CPUS, mem=MIB or +gateway`;
}

/** Reads `name=models[:variant]` into a group's name, models and variant. */
function readHead(head: string, index: number): { group: { name: string; models: string[]; variant: GroupVariant } | null; problems: string[] } {
  const at = head.indexOf('=');
  if (at < 0) return { group: null, problems: [`group ${index + 1} "${head}": expected name=model,model[:variant]`] };
  const name = head.slice(0, at);
  let list = head.slice(at + 1);
  let variant: GroupVariant = 'single';
  const problems: string[] = [];
  const colon = list.lastIndexOf(':');
  if (colon >= 0) {
    const written = list.slice(colon + 1);
    list = list.slice(0, colon);
    if (written === 'single' || written === 'workers') variant = written;
    else problems.push(`group "${name}": variant expected :single or :workers, received ":${written}"`);
  }
  const models = list.split(',').filter((model) => model.length > 0);
  return { group: { name, models, variant }, problems };
}

/** Parses a layout text into a draft plus its syntax problems (the draft holds every group that could be read). */
export function parseLayout(text: string, name = text.trim()): ParsedLayout {
  const problems: string[] = [];
  const groups: ProcessGroupDraft[] = [];
  let gateway: LayoutGateway = 'none';
  const setGateway = (token: string) => {
    const read = readGateway(token);
    if (read === 'none' || read === 'node' || read === 'nginx') gateway = read;
    else problems.push(read);
  };
  // Whitespace around separators is not significant: "a = vad , tabular" reads as "a=vad,tabular".
  const normalized = text.replace(/\s*([=,:;])\s*/g, '$1');
  const items = normalized.split(';').map((item) => item.trim()).filter((item) => item.length > 0);
  if (items.length === 0) problems.push(`expected at least one group such as light=vad,tabular, received ${JSON.stringify(text)}`);
  items.forEach((item, index) => {
    const tokens = item.split(/\s+/);
    if (tokens[0]!.startsWith('+')) {
      for (const token of tokens) setGateway(token);
      return;
    }
    const head = readHead(tokens[0]!, index);
    problems.push(...head.problems);
    if (!head.group) return;
    const group = { ...head.group, replicas: 1, resources: {} as { cpus?: string; cpuQuota?: number; memoryMb?: number } };
    for (const token of tokens.slice(1)) {
      if (token.startsWith('+')) setGateway(token);
      else {
        const problem = readOption(token, group, `group "${group.name}"`);
        if (problem) problems.push(problem);
      }
    }
    groups.push({ ...group, resources: group.resources as GroupResources });
  });
  return { draft: { name, groups, gateway }, problems };
}

/** Parses and checks a layout text: the Layout, or every syntax and meaning problem at once. */
export function parseAndCheckLayout(text: string, context: LayoutContext, name?: string): LayoutCheck {
  const parsed = parseLayout(text, name);
  const check = checkLayout(parsed.draft, context);
  if (parsed.problems.length === 0) return check;
  return { ok: false, problems: [...parsed.problems, ...(check.ok ? [] : check.problems)] };
}

/** Writes a layout back in the grammar above (parseLayout of the result gives the same groups). */
export function formatLayout(layout: LayoutDraft): string {
  const groups = layout.groups.map((group) => {
    const parts = [`${group.name}=${group.models.join(',')}${group.variant === 'workers' ? ':workers' : ''}`];
    if (group.replicas !== 1) parts.push(`x${group.replicas}`);
    if (group.resources.cpus !== undefined) parts.push(`cpus=${group.resources.cpus}`);
    if (group.resources.cpuQuota !== undefined) parts.push(`quota=${group.resources.cpuQuota}`);
    if (group.resources.memoryMb !== undefined) parts.push(`mem=${group.resources.memoryMb}`);
    return parts.join(' ');
  });
  const gateway = layout.gateway === 'none' ? '' : layout.gateway === 'node' ? ' +gateway' : ` +gateway=${layout.gateway}`;
  return `${groups.join('; ')}${gateway}`;
}
