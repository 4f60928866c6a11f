import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RunResultsSchema, type RunResults } from '../../bench/results/schema.js';

/** Path of the full fixture. */
export const FULL_FIXTURE = fileURLToPath(new URL('./fixtures/results-full.json', import.meta.url));

/** Loads and validates the full fixture (a fresh copy each call). */
export function loadFullFixture(): RunResults {
  return RunResultsSchema.parse(JSON.parse(readFileSync(FULL_FIXTURE, 'utf8')));
}

/** Path of the recorded fixture: a real quick-profile run (monolith workers vs microservices gateway) from before the gateway record. */
export const RECORDED_FIXTURE = fileURLToPath(new URL('./fixtures/results-recorded.json', import.meta.url));

/** Loads and validates the recorded fixture (a fresh copy each call). */
export function loadRecordedFixture(): RunResults {
  return RunResultsSchema.parse(JSON.parse(readFileSync(RECORDED_FIXTURE, 'utf8')));
}
