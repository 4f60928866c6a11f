import { describe, expect, it } from 'vitest';
import { settlesWithin } from '../../bench/clock.js';

describe('settlesWithin', () => {
  it('is true when the promise settles first (rejections count as settled), false at the timeout', async () => {
    expect(await settlesWithin(Promise.resolve(), 1000)).toBe(true);
    expect(await settlesWithin(Promise.reject(new Error('exited with an error')), 1000)).toBe(true);
    expect(await settlesWithin(new Promise(() => undefined), 20)).toBe(false);
  });

  it('leaves no timer behind once the promise settled, so it cannot keep the process alive', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    await settlesWithin(Promise.resolve(), 60_000);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before);
  });
});
