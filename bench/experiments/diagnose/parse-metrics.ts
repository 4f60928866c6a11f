import type { ModelCounters } from '../../analysis/diagnose-signals.js';

/** One sample line of the Prometheus text exposition format. */
export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Undoes the label-value escapes of the text format (\\, \" and \n). */
function unescapeLabel(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Parses the sample lines of a Prometheus text exposition (comments and malformed lines skipped). */
export function parsePrometheusText(text: string): PrometheusSample[] {
  const samples: PrometheusSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) continue;
    const value = Number(match[3] === '+Inf' ? Infinity : match[3] === '-Inf' ? -Infinity : match[3]);
    if (Number.isNaN(value)) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(LABEL_PAIR)) labels[pair[1]!] = unescapeLabel(pair[2]!);
    samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

/** A model's counters, created at zero. */
function emptyCounters(): ModelCounters {
  return { errors5xx: 0, requests: 0, requestSecondsSum: 0, requestCount: 0, inferenceSecondsSum: 0, inferenceCount: 0 };
}

/**
 * The per-model counters of a splitbench server's /metrics: requests and 5xx answers
 * (splitbench_requests_total{model,code}), and the sums and counts of the request and inference
 * duration histograms. Series of other names, and the `_unknown` model, are ignored.
 */
export function readModelCounters(text: string): Record<string, ModelCounters> {
  const out: Record<string, ModelCounters> = {};
  const of = (model: string): ModelCounters => (out[model] ??= emptyCounters());
  for (const { name, labels, value } of parsePrometheusText(text)) {
    const model = labels.model;
    if (model === undefined || model === '_unknown') continue;
    if (name === 'splitbench_requests_total') {
      of(model).requests += value;
      if (/^5\d\d$/.test(labels.code ?? '')) of(model).errors5xx += value;
    } else if (name === 'splitbench_request_duration_seconds_sum') of(model).requestSecondsSum = value;
    else if (name === 'splitbench_request_duration_seconds_count') of(model).requestCount = value;
    else if (name === 'splitbench_inference_duration_seconds_sum') of(model).inferenceSecondsSum = value;
    else if (name === 'splitbench_inference_duration_seconds_count') of(model).inferenceCount = value;
  }
  return out;
}
