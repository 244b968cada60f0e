// jest globalTeardown: on a full run, fail unless the AWS operations the tests saw the product
// call are exactly the ones docs/iam-policy.json grants (see operation-log.mjs).
import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { comparePolicy, isFullRun, readPolicy } from './operation-log.mjs';

export default function globalTeardown(globalConfig) {
  const file = process.env.MRG_SIM_OPERATION_LOG;
  if (!file) return;
  const log = readFileSync(file, 'utf8');
  rmSync(dirname(file), { recursive: true, force: true });
  const forced = process.env.MRG_IAM_CHECK;
  if (forced === '0' || (forced !== '1' && !isFullRun(globalConfig))) return;
  const problems = comparePolicy(log, readPolicy(globalConfig.rootDir));
  if (problems.length > 0) {
    throw new Error(`Least privilege (docs/iam-policy.json) does not match the AWS calls made during the tests:\n  - ${problems.join('\n  - ')}`);
  }
  // Say so on success too: a check that runs silently cannot be told from one that never ran.
  const operations = new Set(log.split('\n').map((line) => line.trim()).filter(Boolean));
  console.log(`least privilege: the ${operations.size} AWS operations the product called during the tests are exactly those docs/iam-policy.json grants.`);
}
