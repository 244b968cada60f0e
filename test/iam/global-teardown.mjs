// jest globalTeardown: on a full run, fail unless the AWS operations the tests saw the product
// call are exactly the ones the policy documents grant, each for its target (see operation-log.mjs).
import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { comparePolicies, isFullRun, POLICY_DOCUMENTS } from './operation-log.mjs';

export default function globalTeardown(globalConfig) {
  const file = process.env.MRG_SIM_OPERATION_LOG;
  if (!file) return;
  const log = readFileSync(file, 'utf8');
  rmSync(dirname(file), { recursive: true, force: true });
  const forced = process.env.MRG_IAM_CHECK;
  if (forced === '0' || (forced !== '1' && !isFullRun(globalConfig))) return;
  const problems = comparePolicies(log, globalConfig.rootDir);
  const files = POLICY_DOCUMENTS.map((d) => d.file).join(', ');
  if (problems.length > 0) {
    throw new Error(`Least privilege (${files}) does not match the AWS calls made during the tests:\n  - ${problems.join('\n  - ')}`);
  }
  // Say so on success too: a check that runs silently cannot be told from one that never ran.
  const operations = new Set(log.split('\n').map((line) => line.trim()).filter(Boolean));
  console.log(`least privilege: the ${operations.size} AWS operations the product called during the tests are exactly those ${files} grant.`);
}
