// Public surface of the orchestrator: types, the local target, the supervisor and cleanup.
export * from '../types.js';
export { LocalTarget, TopologySpecError, defaultServerEntries, findSpecProblems, type LocalTargetOptions, type ServerEntries } from './local-target.js';
export { Supervisor, ProcessStartError, isPidAlive, signalGroup, withPort, type BackoffPolicy, type ProcessPlan, type SupervisedProcess, type SupervisorOptions } from './supervisor.js';
export { installCleanupHandlers, registerCleanup, runCleanup, runCleanupSync, countRegistered, type Cleanable, type CleanupHandlerOptions } from '../cleanup.js';
export { checkCgroupV1, createCgroup, sweepStaleCgroups, type CgroupAvailability, type CgroupHandle, type CgroupLimits } from './cgroup-v1.js';
export { allowedCpus, findTaskset, parseCpuList, pickServerCpus, planPinning } from './cpu-pinning.js';
export { parseReadyLine, waitForHealthReady } from './ready-line.js';
