// jest globalTeardown: every suite's run-wide teardown; the Trino server stops even when the IAM check fails.
import iamTeardown from './iam/global-teardown.mjs';
import trinoTeardown from './trino/global-teardown.mjs';

export default async function globalTeardown(globalConfig, projectConfig) {
  try {
    await iamTeardown(globalConfig, projectConfig);
  } finally {
    await trinoTeardown(globalConfig, projectConfig);
  }
}
