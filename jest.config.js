// ESM jest with ts-jest: transpile only (tsc --noEmit does the type check in .ci/run).
import { availableParallelism } from 'node:os';

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // Installed servers and benchmark peers (venvs with their own package.json files) live there.
  modulePathIgnorePatterns: ['<rootDir>/.cache/', '<rootDir>/dist.staging/'],
  // Least privilege: log the AWS operations the product calls during the run and, on a full
  // run, compare them with docs/iam-policy.json (test/iam/operation-log.mjs explains the rules).
  // The run's one Trino server (test/support/trino.ts) is started by the first suite that needs it
  // and stopped here.
  globalSetup: '<rootDir>/test/global-setup.mjs',
  globalTeardown: '<rootDir>/test/global-teardown.mjs',
  // Integration tests spawn the bundle and an in-process AWS simulator; give them room.
  testTimeout: 30000,
  // At least two workers, also on a 2-core machine where jest's default (cores - 1) is one: the
  // longest suites mostly wait (a GitLab pipeline on the real clock, servers starting), so a second
  // worker halves the run (690 s -> 360 s measured on 2 cores) without making it flaky.
  maxWorkers: Math.max(2, availableParallelism() - 1),
};
