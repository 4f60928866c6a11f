import { collectDefaultMetrics, Registry } from 'prom-client';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** Per-model recorders; each call is a few array increments, nothing is formatted until a scrape. */
export interface ModelMetrics {
  observeRequest(code: number, seconds: number): void;
  observeInference(seconds: number): void;
}

/** A histogram kept as plain numbers: non-cumulative bucket counts (last = +Inf), sum and count. */
class PlainHistogram {
  readonly counts = new Float64Array(LATENCY_BUCKETS.length + 1);
  sum = 0;
  count = 0;

  /** Adds one observation. */
  observe(seconds: number): void {
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[bucket]!) bucket++;
    this.counts[bucket]!++;
    this.sum += seconds;
    this.count++;
  }

  /** Prometheus sample lines for one model (cumulative buckets, as prom-client writes them). */
  render(name: string, model: string): string[] {
    const label = escapeLabel(model);
    const lines: string[] = [];
    let cumulative = 0;
    for (let bucket = 0; bucket <= LATENCY_BUCKETS.length; bucket++) {
      cumulative += this.counts[bucket]!;
      lines.push(`${name}_bucket{le="${bucket < LATENCY_BUCKETS.length ? LATENCY_BUCKETS[bucket] : '+Inf'}",model="${label}"} ${cumulative}`);
    }
    lines.push(`${name}_sum{model="${label}"} ${this.sum}`, `${name}_count{model="${label}"} ${this.count}`);
    return lines;
  }
}

/** What one model has recorded. */
interface ModelRecord {
  readonly codes: Map<number, number>;
  readonly requests: PlainHistogram;
  readonly inference: PlainHistogram;
}

/**
 * The Prometheus metrics every server (model servers and the Node gateway alike) exposes on /metrics.
 * The request path records into plain counters; prom-client's per-call label hashing would cost every
 * request a few microseconds that nginx, which records nothing per request, does not pay. prom-client
 * still provides the process metrics and the exposition content type.
 */
export class ServingMetrics {
  readonly registry = new Registry();
  private readonly perModel = new Map<string, ModelRecord & ModelMetrics>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Recorders for one model (created on first use). */
  forModel(model: string): ModelMetrics {
    let record = this.perModel.get(model);
    if (!record) {
      const codes = new Map<number, number>();
      const requests = new PlainHistogram();
      const inference = new PlainHistogram();
      record = {
        codes,
        requests,
        inference,
        observeRequest(code, seconds) {
          codes.set(code, (codes.get(code) ?? 0) + 1);
          requests.observe(seconds);
        },
        observeInference(seconds) {
          inference.observe(seconds);
        },
      };
      this.perModel.set(model, record);
    }
    return record;
  }

  /** Prometheus text exposition: splitbench's request metrics, then the process metrics. */
  async render(): Promise<string> {
    const models = [...this.perModel.entries()];
    const lines = ['# HELP splitbench_requests_total Inference requests by model and HTTP status code', '# TYPE splitbench_requests_total counter'];
    for (const [model, record] of models) {
      for (const [code, count] of record.codes) lines.push(`splitbench_requests_total{model="${escapeLabel(model)}",code="${code}"} ${count}`);
    }
    lines.push('', '# HELP splitbench_request_duration_seconds Time from request arrival to response end, by model', '# TYPE splitbench_request_duration_seconds histogram');
    for (const [model, record] of models) if (record.requests.count > 0) lines.push(...record.requests.render('splitbench_request_duration_seconds', model));
    lines.push('', '# HELP splitbench_inference_duration_seconds Time spent in the model session, by model', '# TYPE splitbench_inference_duration_seconds histogram');
    for (const [model, record] of models) if (record.inference.count > 0) lines.push(...record.inference.render('splitbench_inference_duration_seconds', model));
    return `${lines.join('\n')}\n\n${await this.registry.metrics()}`;
  }
}

/** Escapes a label value as the exposition format requires (backslash, quote, newline). */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
