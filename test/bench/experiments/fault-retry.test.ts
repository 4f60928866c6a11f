import { describe, expect, it } from 'vitest';
import { isGeneratorFault } from '../../../bench/experiments/fault.js';

describe('which invalid fault windows are run again', () => {
  it('repeats a window only the load generator invalidated (late or saturated)', () => {
    expect(isGeneratorFault({ valid: false, invalidReasons: ['load generator late: send-lag p99 16.80 ms (limit 12.5 ms)'] })).toBe(true);
    expect(isGeneratorFault({ valid: false, invalidReasons: ['load generator saturated: 95% of a core (limit 90%)', 'load generator late: send-lag p99 20.00 ms (limit 12.5 ms)'] })).toBe(true);
  });

  it('keeps a window the topology or an interruption invalidated, and never repeats a valid one', () => {
    expect(isGeneratorFault({ valid: false, invalidReasons: ['run was interrupted before the end of the window'] })).toBe(false);
    expect(isGeneratorFault({ valid: false, invalidReasons: ['load generator late: send-lag p99 16.80 ms (limit 12.5 ms)', 'run was interrupted before the end of the window'] })).toBe(false);
    expect(isGeneratorFault({ valid: false, invalidReasons: [] })).toBe(false);
    expect(isGeneratorFault({ valid: true, invalidReasons: [] })).toBe(false);
  });
});
