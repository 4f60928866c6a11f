import type { RunResults } from '../bench/results/schema.js';
import { collectComparisons } from './verdict.js';

type CsvValue = string | number | boolean | null | undefined;

/** Quotes a CSV field when needed (RFC 4180). */
function escapeCsv(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Renders a header and rows as CSV text. */
function toCsv(header: readonly string[], rows: readonly CsvValue[][]): string {
  return `${[header, ...rows].map((row) => row.map(escapeCsv).join(',')).join('\n')}\n`;
}

/** Common per-trial columns. */
const BASE = ['topology', 'variant', 'trial', 'valid', 'invalid_reasons', 'not_measured'];

/** Values of the common per-trial columns. */
function baseValues(result: { topology: string; variant: string; trial: number; valid: boolean; invalidReasons: string[]; notMeasured: Record<string, string> }): CsvValue[] {
  return [result.topology, result.variant, result.trial, result.valid, result.invalidReasons.join('; '), Object.entries(result.notMeasured).map(([field, reason]) => `${field}: ${reason}`).join('; ')];
}

/** One CSV per experiment (one row per trial, units in column names) plus comparisons.csv. */
export function renderCsvFiles(results: RunResults): Record<string, string> {
  const { latency, throughput, footprint, redeploy, fault, diagnose } = results.experiments;
  const files: Record<string, string> = {};
  files['latency.csv'] = toCsv(
    [...BASE, 'model', 'scenario', 'offered_rps', 'achieved_rps', 'sent', 'succeeded', 'error_rate', 'p50_ms', 'p90_ms', 'p99_ms', 'p999_ms', 'max_ms', 'mean_ms', 'send_lag_p99_ms'],
    (latency?.results ?? []).map((r) => [...baseValues(r), r.model, r.scenario, r.offeredRps, r.achievedRps, r.sent, r.succeeded, r.errorRate, r.latency.p50Ms, r.latency.p90Ms, r.latency.p99Ms, r.latency.p999Ms, r.latency.maxMs, r.latency.meanMs, r.sendLagP99Ms]),
  );
  files['throughput.csv'] = toCsv(
    [...BASE, 'model', 'connections', 'rps', 'p50_ms', 'p99_ms', 'errors', 'non2xx', 'timeouts', 'max_rps', 'max_rps_under_slo', 'ceiling_rps', 'efficiency'],
    (throughput?.results ?? []).flatMap((r) => (r.sweep.length > 0 ? r.sweep : [null]).map((p) => [...baseValues(r), r.model, p?.connections, p?.rps, p?.p50Ms, p?.p99Ms, p?.errors, p?.non2xx, p?.timeouts, r.maxRps, r.maxRpsUnderSlo, r.ceilingRps, r.efficiency])),
  );
  files['footprint.csv'] = toCsv(
    ['kind', ...BASE, 'model_count', 'process_count', 'cold_start_ms', 'idle_rss_bytes', 'loaded_rss_bytes', 'cpu_seconds_per_1k_requests', 'cost_per_1m_requests_usd', 'rss_bytes_per_added_model', 'start_ms_per_added_model'],
    [
      ...(footprint?.results ?? []).map((r) => ['result', ...baseValues(r), r.models.length, r.processCount, r.coldStartMs, r.idleRssBytes, r.loadedRssBytes, r.cpuSecondsPer1kRequests, r.costPer1MRequestsUsd, null, null]),
      ...(footprint?.scaling ?? []).map((p) => ['scaling', p.topology, p.variant, p.trial, true, '', '', p.modelCount, p.processCount, p.coldStartMs, p.idleRssBytes, null, null, null, null, null]),
      ...(footprint?.marginal ?? []).map((m) => ['marginal', m.topology, m.variant, null, true, '', '', null, null, null, null, null, null, null, m.rssBytesPerModel, m.startMsPerModel]),
    ],
  );
  files['redeploy.csv'] = toCsv(
    [...BASE, 'strategy', 'change_kind', 'target_model', 'corrupt', 'reload_mode', 'outcome', 'from_version', 'to_version', 'time_to_new_version_ms', 'processes_restarted', 'models_reloaded', 'bytes_reloaded', 'extra_peak_rss_bytes', 'model', 'downtime_ms', 'failed_requests', 'p99_ms', 'downtime_resolution_ms'],
    (redeploy?.results ?? []).flatMap((r) =>
      (r.perModel.length > 0 ? r.perModel : [null]).map((m) => [...baseValues(r), r.strategy, r.changeKind, r.targetModel, r.corrupt, r.reloadMode, r.outcome, r.fromVersion, r.toVersion, r.timeToNewVersionMs, r.processesRestarted, r.modelsReloaded, r.bytesReloaded, r.extraPeakRssBytes, m?.model, m?.downtimeMs, m?.failedRequests, m?.p99Ms, m?.resolutionMs]),
    ),
  );
  files['fault.csv'] = toCsv(
    [...BASE, 'fault_kind', 'target_model', 'blast_radius', 'impacted_models', 'collateral_failed_requests', 'collateral_p99_inflation_ratio', 'target_downtime_ms', 'recovery_ms', 'processes_died', 'processes_restarted', 'model', 'is_target', 'impacted', 'violating_bins', 'baseline_violating_bins', 'failed_requests', 'p99_ms', 'baseline_p99_ms', 'downtime_ms', 'downtime_resolution_ms', 'undetermined'],
    (fault?.results ?? []).flatMap((r) =>
      (r.perModel.length > 0 ? r.perModel : [null]).map((m) => [
        ...baseValues(r), r.faultKind, r.targetModel, r.blastRadius, r.impactedModels.join(' '), r.collateralFailedRequests, r.collateralP99InflationRatio, r.targetDowntimeMs, r.recoveryMs, r.processesDied.join(' '), r.processesRestarted.join(' '),
        m?.model, m?.isTarget, m?.impacted, m?.violatingBins, m?.baselineViolatingBins, m?.failedRequests, m?.p99Ms, m?.baselineP99Ms, m?.downtimeMs, m?.resolutionMs, m?.undetermined,
      ]),
    ),
  );
  if (diagnose) {
    files['diagnose.csv'] = toCsv(
      [...BASE, 'fault_kind', 'target_model', 'tick_ms', 'observed_ms', 'suspects', 'models', 'time_to_blame_ms', 'singled_out_by', 'processes_died', 'model', 'final_rank', 'final_signals'],
      diagnose.results.flatMap((r) =>
        (r.finalRanking.length > 0 ? r.finalRanking : [null]).map((m) => [...baseValues(r), r.faultKind, r.targetModel, r.tickMs, r.observedMs, r.suspects, r.models, r.timeToBlameMs, r.singledOutBy, r.processesDied.join(' '), m?.model, m?.rank, m?.signals.join(' ')]),
      ),
    );
  }
  const library = results.experiments.library;
  if (library) {
    files['library.csv'] = toCsv(
      ['matrix', 'model', 'runtime', 'second_runtime', 'second_model', 'ok', 'loads', 'matches_reference', 'reference_runtime', 'max_abs_diff', 'median_ms', 'load_ms', 'exit_code', 'signal', 'error'],
      [
        ...library.results.map((c) => ['compatibility', c.model, c.runtime, null, null, c.valid && c.loads && c.matchesReference !== false, c.loads, c.matchesReference, c.referenceRuntime, c.maxAbsDiff, c.medianMs, c.loadMs, null, null, c.error]),
        ...library.cohosting.map((c) => ['cohosting', c.firstModel, c.first, c.second, c.secondModel, c.coexist, null, null, null, null, null, null, c.exitCode, c.signal, c.error]),
      ],
    );
  }
  files['comparisons.csv'] = toCsv(
    ['experiment', 'claim', 'metric', 'label', 'unit', 'better', 'model', 'monolith_variant', 'monolith_values', 'monolith_median', 'monolith_ci_low', 'monolith_ci_high', 'microservices_variant', 'microservices_values', 'microservices_median', 'microservices_ci_low', 'microservices_ci_high', 'ratio', 'ratio_ci_low', 'ratio_ci_high', 'p_value', 'significant', 'winner', 'note'],
    collectComparisons(results).map((c) => [
      c.experiment, c.claim, c.metric, c.label, c.unit, c.better, c.model,
      c.monolith.variant, c.monolith.values.join(' '), c.monolith.median, c.monolith.ciLow, c.monolith.ciHigh,
      c.microservices.variant, c.microservices.values.join(' '), c.microservices.median, c.microservices.ciLow, c.microservices.ciHigh,
      c.ratio, c.ratioCiLow, c.ratioCiHigh, c.pValue, c.significant, c.winner, c.note,
    ]),
  );
  return files;
}
