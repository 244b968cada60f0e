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
  // Only with rollout.alarms (statement OptionalAlarms of both policy documents).
  'cloudwatch:DescribeAlarms': 'cloudwatch:DescribeAlarms',
  // The SageMaker target (docs/iam-policy-sagemaker.json).
  'sagemaker:DescribeEndpoint': 'sagemaker:DescribeEndpoint',
  'sagemaker:DescribeEndpointConfig': 'sagemaker:DescribeEndpointConfig',
  'sagemaker:CreateEndpointConfig': 'sagemaker:CreateEndpointConfig',
  'sagemaker:UpdateEndpoint': 'sagemaker:UpdateEndpoint',
  'sagemaker:UpdateEndpointWeightsAndCapacities': 'sagemaker:UpdateEndpointWeightsAndCapacities',
  'sagemaker:DescribeModel': 'sagemaker:DescribeModel',
  'sagemaker:CreateModel': 'sagemaker:CreateModel',
  'sagemaker:ListModels': 'sagemaker:ListModels',
  'sagemaker:AddTags': 'sagemaker:AddTags',
  'sagemaker:ListTags': 'sagemaker:ListTags',
  'sagemaker-runtime:InvokeEndpoint': 'sagemaker:InvokeEndpoint',
  // The SageMaker Model Registry (model.registry type sagemaker: docs/iam-policy-model-registry.json).
  'sagemaker:ListModelPackages': 'sagemaker:ListModelPackages',
  'sagemaker:DescribeModelPackage': 'sagemaker:DescribeModelPackage',
  'sagemaker:UpdateModelPackage': 'sagemaker:UpdateModelPackage',
  // CreateModel hands the execution role to SageMaker: the caller needs iam:PassRole on it.
  'iam:PassRole': 'iam:PassRole',
  // The data gate on Athena (data.engine type athena: docs/iam-policy-athena.json).
  'athena:StartQueryExecution': 'athena:StartQueryExecution',
  'athena:GetQueryExecution': 'athena:GetQueryExecution',
  'athena:GetQueryResults': 'athena:GetQueryResults',
  'athena:StopQueryExecution': 'athena:StopQueryExecution',
  // What Athena does with the caller's permissions while serving those (test/sim/athena-api.ts):
  // read the Glue catalog and the table's objects, write and read back the result object.
  'athena/glue:GetDatabase': 'glue:GetDatabase',
  'athena/glue:GetTable': 'glue:GetTable',
  'athena/glue:GetPartitions': 'glue:GetPartitions',
  'athena/s3:ListBucket': 's3:ListBucket',
  'athena/s3:GetObject': 's3:GetObject',
  'athena/s3:GetBucketLocation': 's3:GetBucketLocation',
  'athena/s3:PutObject': 's3:PutObject',
};

/**
 * The policy documents, and which logged operations each one must cover: a Lambda target's role
 * and a SageMaker target's role are separate (least privilege per target); CloudWatch metrics
 * are read by both, so both documents grant GetMetricData.
 */
const MODEL_REGISTRY = /^sagemaker:(ListModelPackages|DescribeModelPackage|UpdateModelPackage)$/;

export const POLICY_DOCUMENTS = [
  { file: 'docs/iam-policy.json', covers: (operation) => /^(lambda|s3|cloudwatch):/.test(operation) },
  { file: 'docs/iam-policy-sagemaker.json', covers: (operation) => /^(sagemaker|sagemaker-runtime|iam|cloudwatch):/.test(operation) && !MODEL_REGISTRY.test(operation) },
  // The metrics JSON is read from a moto S3 server, whose requests this log does not see: s3:GetObject is granted unchecked.
  { file: 'docs/iam-policy-model-registry.json', covers: (operation) => MODEL_REGISTRY.test(operation), unchecked: ['s3:GetObject'] },
  // Athena's own calls on the caller's behalf are logged as `athena/<service>:<Operation>`, so they never widen the Lambda role's S3 grants.
  { file: 'docs/iam-policy-athena.json', covers: (operation) => /^athena[:/]/.test(operation) },
];

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
export function comparePolicy(logText, policy, file = 'docs/iam-policy.json', unchecked = []) {
  const problems = [];
  const called = new Set();
  for (const operation of new Set(logText.split('\n').filter(Boolean))) {
    const action = IAM_ACTION_OF[operation];
    if (action === undefined) problems.push(`operation ${operation} has no IAM action mapping in test/iam/operation-log.mjs`);
    else called.add(action);
  }
  const granted = policyActions(policy);
  const missing = [...called].filter((a) => !granted.has(a)).sort();
  const extra = [...granted].filter((a) => !called.has(a) && !unchecked.includes(a)).sort();
  if (missing.length > 0) problems.push(`called but not granted by ${file}: ${missing.join(', ')}`);
  if (extra.length > 0) problems.push(`granted by ${file} but never called by the tests: ${extra.join(', ')}`);
  return problems;
}

export function readPolicy(rootDir, file = 'docs/iam-policy.json') {
  return JSON.parse(readFileSync(join(rootDir, file), 'utf8'));
}

/** Every policy document compared with the operations it covers; the problems of all, each naming its file. */
export function comparePolicies(logText, rootDir) {
  const operations = logText.split('\n').filter(Boolean);
  return POLICY_DOCUMENTS.flatMap(({ file, covers, unchecked }) =>
    comparePolicy(operations.filter(covers).join('\n'), readPolicy(rootDir, file), file, unchecked ?? []),
  );
}
