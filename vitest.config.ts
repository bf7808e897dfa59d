import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'e2e/**/*.test.ts'],
    // Integration tests measure real CPU physics on a 2-core machine: running them in
    // parallel would make them measure each other.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The app's autosave goes to a private folder during tests, never a person's real one.
    env: { CORESCOPE_STATE_DIR: join(tmpdir(), `corescope-test-state-${process.pid}`) },
  },
});
