// jest globalSetup: every suite's run-wide setup (jest takes one module).
import iamSetup from './iam/global-setup.mjs';
import trinoSetup from './trino/global-setup.mjs';

export default async function globalSetup(globalConfig, projectConfig) {
  await iamSetup(globalConfig, projectConfig);
  await trinoSetup(globalConfig, projectConfig);
}
