// Least-privilege check (issue #6): every AWS operation the product makes against the simulator
// during `npm test` is appended to one file (test/sim/server.ts, MRG_SIM_OPERATION_LOG); at the
// end of a FULL run the set of IAM actions they need must equal the actions docs/iam-policy.json
// grants. Subset runs (`npm test -- test/unit`, -t, --onlyChanged, ...) skip the comparison,
// since they cannot call everything; MRG_IAM_CHECK=1 forces it, MRG_IAM_CHECK=0 disables it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `service:Operation` as the simulator logs it → the IAM action that authorises it. */
export const IAM_ACTION_OF = {
  'lambda:GetAlias': 'lambda:GetAlias',
  'lambda:UpdateAlias': 'lambda:UpdateAlias',
  'lambda:CreateAlias': 'lambda:CreateAlias',
  'lambda:ListAliases': 'lambda:ListAliases',
  'lambda:GetFunction': 'lambda:GetFunction',
  'lambda:GetFunctionConfiguration': 'lambda:GetFunctionConfiguration',
  'lambda:PublishVersion': 'lambda:PublishVersion',
  'lambda:ListVersionsByFunction': 'lambda:ListVersionsByFunction',
  'lambda:Invoke': 'lambda:InvokeFunction',
  'lambda:UpdateFunctionCode': 'lambda:UpdateFunctionCode',
  'lambda:UpdateFunctionConfiguration': 'lambda:UpdateFunctionConfiguration',
  'lambda:TagResource': 'lambda:TagResource',
  'lambda:ListTags': 'lambda:ListTags',
  // Lambda reads a target.code.s3 package with the caller's permissions (test/sim/api.ts impliedOperations).
  's3:GetObject': 's3:GetObject',
  's3:GetObjectVersion': 's3:GetObjectVersion',
  'cloudwatch:GetMetricData': 'cloudwatch:GetMetricData',
};

/** True when jest runs every test file: no path or name filter, no changed-files selection. */
export function isFullRun(globalConfig) {
  const patterns = globalConfig.testPathPatterns;
  const pathFiltered = Array.isArray(patterns) ? patterns.length > 0 : (patterns?.patterns?.length ?? 0) > 0;
  return !(
    pathFiltered ||
    globalConfig.testNamePattern ||
    globalConfig.onlyChanged ||
    globalConfig.onlyFailures ||
    globalConfig.lastCommit ||
    globalConfig.changedSince ||
    globalConfig.findRelatedTests ||
    globalConfig.shard ||
    (globalConfig.selectProjects?.length ?? 0) > 0
  );
}

/** Every action string granted by an Allow statement of the policy document. */
export function policyActions(policy) {
  return new Set(
    policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])),
  );
}

/** The comparison, as the lines of an error message (empty when the policy is exact). */
export function comparePolicy(logText, policy) {
  const problems = [];
  const called = new Set();
  for (const operation of new Set(logText.split('\n').filter(Boolean))) {
    const action = IAM_ACTION_OF[operation];
    if (action === undefined) problems.push(`operation ${operation} has no IAM action mapping in test/iam/operation-log.mjs`);
    else called.add(action);
  }
  const granted = policyActions(policy);
  const missing = [...called].filter((a) => !granted.has(a)).sort();
  const extra = [...granted].filter((a) => !called.has(a)).sort();
  if (missing.length > 0) problems.push(`called but not granted by docs/iam-policy.json: ${missing.join(', ')}`);
  if (extra.length > 0) problems.push(`granted by docs/iam-policy.json but never called by the tests: ${extra.join(', ')}`);
  return problems;
}

export function readPolicy(rootDir) {
  return JSON.parse(readFileSync(join(rootDir, 'docs', 'iam-policy.json'), 'utf8'));
}
