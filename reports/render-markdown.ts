import type { RunResults, ThresholdOutcome } from '../bench/results/schema.js';
import { renderBlocksMarkdown, type Block } from './document.js';
import { buildEnvironmentBlocks } from './sections/environment-section.js';
import { buildDiagnoseSection } from './sections/diagnose-section.js';
import { buildFaultSection } from './sections/fault-section.js';
import { buildLibrarySection } from './sections/library-section.js';
import { buildFootprintSection } from './sections/footprint-section.js';
import { buildLatencySection } from './sections/latency-section.js';
import { buildLiveSection } from './sections/live-section.js';
import { buildRedeploySection } from './sections/redeploy-section.js';
import { buildSittingsBlocks } from './sections/sittings-section.js';
import { buildThresholdBlocks } from './sections/thresholds-section.js';
import { buildThroughputSection } from './sections/throughput-section.js';
import { buildValidityBlocks } from './sections/validity-section.js';
import { buildVerdictBlocks } from './verdict.js';

/** Title line of a report. */
export function describeRun(results: RunResults): string {
  return `splitbench run ${results.runId} — ${results.status}, ${results.startedAt} on ${results.environment.hostname} (${results.environment.cores} cores)`;
}

/** Every block of a run report in order: verdict, thresholds, experiments, sittings (a resumed run), validity, environment. */
export function buildReportBlocks(results: RunResults, thresholds: readonly ThresholdOutcome[] = results.thresholds): Block[] {
  return [
    ...buildVerdictBlocks(results),
    ...buildThresholdBlocks(thresholds),
    ...buildLiveSection(results),
    ...buildLatencySection(results),
    ...buildThroughputSection(results),
    ...buildFootprintSection(results),
    ...buildRedeploySection(results),
    ...buildFaultSection(results),
    ...buildDiagnoseSection(results),
    ...buildLibrarySection(results),
    ...buildSittingsBlocks(results),
    ...buildValidityBlocks(results),
    ...buildEnvironmentBlocks(results),
  ];
}

/** Renders report.md from results alone. */
export function renderMarkdown(results: RunResults, thresholds?: readonly ThresholdOutcome[]): string {
  const header = `# splitbench report: monolith vs microservices\n\n${describeRun(results)}\n\n`;
  return header + renderBlocksMarkdown(buildReportBlocks(results, thresholds));
}
