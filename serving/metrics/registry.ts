import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Per-model metric children, resolved once so the hot path skips label lookups. */
export interface ModelMetrics {
  observeRequest(code: number, seconds: number): void;
  observeInference(seconds: number): void;
}

/** The Prometheus metrics every server exposes on /metrics. */
export class ServingMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'model' | 'code'>;
  private readonly requestDuration: Histogram<'model'>;
  private readonly inferenceDuration: Histogram<'model'>;
  private readonly perModel = new Map<string, ModelMetrics>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({ name: 'splitbench_requests_total', help: 'Inference requests by model and HTTP status code', labelNames: ['model', 'code'], registers: [this.registry] });
    this.requestDuration = new Histogram({ name: 'splitbench_request_duration_seconds', help: 'Time from request arrival to response end, by model', labelNames: ['model'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
    this.inferenceDuration = new Histogram({ name: 'splitbench_inference_duration_seconds', help: 'Time spent in the model session, by model', labelNames: ['model'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  }

  /** Metric children for one model (created on first use). */
  forModel(model: string): ModelMetrics {
    let metrics = this.perModel.get(model);
    if (!metrics) {
      const duration = this.requestDuration.labels(model);
      const inference = this.inferenceDuration.labels(model);
      const counters = new Map<number, ReturnType<Counter<'model' | 'code'>['labels']>>();
      const requests = this.requests;
      metrics = {
        observeRequest(code, seconds) {
          let counter = counters.get(code);
          if (!counter) counters.set(code, (counter = requests.labels(model, String(code))));
          counter.inc();
          duration.observe(seconds);
        },
        observeInference(seconds) {
          inference.observe(seconds);
        },
      };
      this.perModel.set(model, metrics);
    }
    return metrics;
  }

  /** Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
