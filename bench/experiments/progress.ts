import cliProgress from 'cli-progress';

/** Where long work reports what it is doing; a no-op when progress is off. */
export interface Progress {
  /** Sets the current step, e.g. "latency · monolith/single · trial 1/2". */
  step(label: string): void;
  /** Marks planned work done, in the units it was planned in (the run plans expected milliseconds). */
  tick(units?: number): void;
  /** Adds planned units. */
  plan(units: number): void;
  /** A line of text that must not break the bar. */
  log(message: string): void;
  stop(): void;
}

/** Progress that shows nothing: for --json and when stdout is not a terminal. */
export function createSilentProgress(): Progress {
  return { step: () => undefined, tick: () => undefined, plan: () => undefined, log: () => undefined, stop: () => undefined };
}

/** A progress bar on stderr with the current step and the time left. */
export function createBarProgress(): Progress {
  const bar = new cliProgress.SingleBar(
    { format: ' {bar} {percentage}% | {step} | {duration_formatted} elapsed, ~{eta_formatted} left', hideCursor: true, clearOnComplete: true, stream: process.stderr, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  let total = 0;
  let started = false;
  let value = 0;
  let step = 'starting';
  return {
    plan(units) {
      total += units;
      if (!started) {
        bar.start(total, 0, { step });
        started = true;
      } else bar.setTotal(total);
    },
    step(label) {
      step = label;
      if (started) bar.update(value, { step });
    },
    tick(units = 1) {
      value += units;
      if (started) bar.update(value);
    },
    log(message) {
      if (started) bar.stop();
      process.stderr.write(`${message}\n`);
      if (started) bar.start(total, value, { step });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

/** Chooses the bar or silence: no bar with --json or when stderr is not a TTY. */
export function createProgress(json: boolean): Progress {
  return !json && process.stderr.isTTY ? createBarProgress() : createSilentProgress();
}

/** Progress that also reports each step as a finished phase (label, start, wall time) when the next one begins. */
export function recordPhases(inner: Progress, onPhase: (phase: { label: string; startedAt: string; durationMs: number }) => void): Progress {
  let current: { label: string; startedAt: string; t0: number } | null = null;
  const close = (): void => {
    if (current === null) return;
    onPhase({ label: current.label, startedAt: current.startedAt, durationMs: Math.round(performance.now() - current.t0) });
    current = null;
  };
  return {
    ...inner,
    step(label) {
      close();
      current = { label, startedAt: new Date().toISOString(), t0: performance.now() };
      inner.step(label);
    },
    stop() {
      close();
      inner.stop();
    },
  };
}
