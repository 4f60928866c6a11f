import cliProgress from 'cli-progress';
import type { TimeLeftTracker } from './time-left.js';

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
  /** The run's own estimate of the wall time left (shown instead of a rate-based guess). */
  timeLeft?(ms: number): void;
  stop(): void;
}

/** Progress that shows nothing: for --json and when stdout is not a terminal. */
export function createSilentProgress(): Progress {
  return { step: () => undefined, tick: () => undefined, plan: () => undefined, log: () => undefined, stop: () => undefined };
}

/** A progress bar on stderr with the current step and the time left. */
export function createBarProgress(): Progress {
  const bar = new cliProgress.SingleBar(
    { format: ' {bar} {percentage}% | {step} | {duration_formatted} elapsed, {left}', hideCursor: true, clearOnComplete: true, stream: process.stderr, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  let total = 0;
  let started = false;
  let value = 0;
  let step = 'starting';
  let left = 'estimating the time left';
  return {
    plan(units) {
      total += units;
      if (!started) {
        bar.start(total, 0, { step, left });
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
      if (started) bar.start(total, value, { step, left });
    },
    timeLeft(ms) {
      left = `~${formatMinutes(ms)} left`;
      if (started) bar.update(value, { left });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

/** "1 h 05 min", "12 min", "40 s": the bar's time left. */
function formatMinutes(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (ms < 60_000) return `${Math.max(1, Math.round(ms / 1000))} s`;
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min` : `${minutes} min`;
}

/** Progress for logs (stderr not a terminal): no bar, but the lines (plan, each experiment's summary) still reach stderr. */
export function createLogProgress(): Progress {
  return { ...createSilentProgress(), log: (message) => void process.stderr.write(`${message}\n`) };
}

/** Chooses the bar, plain lines (stderr not a TTY), or silence (--json). */
export function createProgress(json: boolean): Progress {
  if (json) return createSilentProgress();
  return process.stderr.isTTY ? createBarProgress() : createLogProgress();
}

// How often the time-left estimate is written down between the parts' ends.
const CHECKPOINT_EVERY_MS = 5 * 60_000;

/** Progress that also feeds the run's time-left tracker: every tick counts against the plan, and the bar shows the tracker's estimate. */
export function trackProgress(inner: Progress, tracker: TimeLeftTracker, now: () => number = () => performance.now()): Progress {
  let lastCheckpoint = now();
  const t0 = lastCheckpoint;
  const show = (): void => inner.timeLeft?.(tracker.leftMs());
  return {
    ...inner,
    step(label) {
      inner.step(label);
      show();
    },
    tick(units = 1) {
      tracker.tick(units);
      inner.tick(units);
      if (now() - lastCheckpoint >= CHECKPOINT_EVERY_MS) {
        lastCheckpoint = now();
        tracker.checkpoint(`after ${Math.round((lastCheckpoint - t0) / 60_000)} min`);
      }
      show();
    },
  };
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
