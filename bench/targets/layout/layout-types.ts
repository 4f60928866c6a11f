/**
 * A layout: which models share which process, how many replicas each process has, what resources
 * each gets, and whether a gateway fronts them. Every topology is one (see named-layouts.ts); the
 * deployment plan (../plan.ts) turns a checked layout into processes for every target.
 *
 * Process names: the group named `monolith` runs as process `monolith`; any other group runs as
 * `service:<group>`. Replica 1 keeps that name, replica r ≥ 2 is `<name>@r`.
 * Server binary: a group holding one model in a single loop runs the one-model service server; any
 * other group (several models, or worker threads, or the group named `monolith`) runs the monolith server.
 */
import type { GatewayImplementation } from '../types.js';

/** How a process runs its models: all on the main loop, or one worker thread each. */
export type GroupVariant = 'single' | 'workers';

/**
 * Resources of each process (each replica) of a group: a CPU set (kernel CPU list such as "0-1,3",
 * applied with taskset / cpuset), a CFS quota in CPUs (within the set when both are given), a memory limit.
 */
export interface GroupResources {
  readonly cpus?: string;
  readonly cpuQuota?: number;
  readonly memoryMb?: number;
}

/** One process group as written (by a user, a manifest, or named-layouts.ts); checkLayout proves it sound. */
export interface ProcessGroupDraft {
  readonly name: string;
  readonly models: readonly string[];
  readonly variant: GroupVariant;
  readonly replicas: number;
  readonly resources: GroupResources;
}

/** Which gateway fronts the processes, or none (clients call each process directly). */
export type LayoutGateway = 'none' | GatewayImplementation;

/** A layout as written, not yet checked. */
export interface LayoutDraft {
  /** Label of the layout (a named layout's name, or the text it was parsed from). */
  readonly name: string;
  readonly groups: readonly ProcessGroupDraft[];
  readonly gateway: LayoutGateway;
}

declare const checked: unique symbol;

/** A positive integer replica count (only checkLayout makes one). */
export type ReplicaCount = number & { readonly [checked]: 'replicas' };

/** A group of a checked layout: a valid name, ≥ 1 model none other group holds, ≥ 1 replica. */
export interface ProcessGroup extends ProcessGroupDraft {
  readonly replicas: ReplicaCount;
}

/** A layout checkLayout accepted: every model of the run in exactly one group, valid names and resources. */
export interface Layout extends LayoutDraft {
  readonly groups: readonly ProcessGroup[];
  readonly [checked]: 'layout';
}

/** Group names: lowercase letter first, then lowercase letters, digits and '-' (safe in process, container and object names). */
export const GROUP_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** Group names a layout may not use (the gateway's process name). */
export const RESERVED_GROUP_NAMES: readonly string[] = ['gateway'];

/** The group name whose process is called `monolith` (named-layouts.ts uses it for the all-in-one layouts). */
export const MONOLITH_GROUP = 'monolith';

/** Smallest memory limit a group may ask for, in MiB (the servers' own floor). */
export const MIN_MEMORY_MB = 16;
