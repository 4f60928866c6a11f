import { defineConfig } from 'vitest/config';

// Tests start real servers and child processes, so they run in forks, one file at a time,
// with generous timeouts: the machine has two cores and the servers load real ONNX models.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
