import { repoRoot } from '../support/run-bundle.js';
import { comparePolicies, comparePolicy, isFullRun, POLICY_DOCUMENTS, readPolicy } from './operation-log.mjs';

const POLICY = {
  Statement: [
    { Effect: 'Allow', Action: ['lambda:GetAlias', 'lambda:InvokeFunction'] },
    { Effect: 'Allow', Action: 'cloudwatch:GetMetricData' },
    { Effect: 'Deny', Action: 'lambda:DeleteFunction' },
  ],
};

describe('least-privilege comparison (used by the jest globalTeardown)', () => {
  it('accepts a policy that grants exactly what was called, mapping Invoke to lambda:InvokeFunction', () => {
    expect(comparePolicy('lambda:GetAlias\nlambda:Invoke\ncloudwatch:GetMetricData\nlambda:GetAlias\n', POLICY)).toEqual([]);
  });

  it('names what is missing, what is extra, and operations it cannot map', () => {
    expect(comparePolicy('lambda:GetAlias\nlambda:UpdateAlias\nlambda:DeleteFunction\n', POLICY)).toEqual([
      'operation lambda:DeleteFunction has no IAM action mapping in test/iam/operation-log.mjs',
      'called but not granted by docs/iam-policy.json: lambda:UpdateAlias',
      'granted by docs/iam-policy.json but never called by the tests: cloudwatch:GetMetricData, lambda:InvokeFunction',
    ]);
  });

  it('only treats unfiltered runs as full runs', () => {
    expect(isFullRun({ testPathPatterns: { patterns: [] } })).toBe(true);
    expect(isFullRun({ testPathPatterns: { patterns: ['test/unit'] } })).toBe(false);
    expect(isFullRun({ testPathPatterns: { patterns: [] }, testNamePattern: 'rollback' })).toBe(false);
    expect(isFullRun({ testPathPatterns: { patterns: [] }, onlyChanged: true })).toBe(false);
  });

  it('docs/iam-policy.json is a policy document whose statements all allow', () => {
    const policy = readPolicy(repoRoot);
    expect(policy.Statement.length).toBeGreaterThan(0);
    for (const statement of policy.Statement) expect(statement.Effect).toBe('Allow');
  });

  it('checks each target against its own document: SageMaker calls never widen the Lambda role, nor the reverse', () => {
    const log = ['lambda:GetAlias', 'sagemaker:DescribeEndpoint', 'sagemaker-runtime:InvokeEndpoint', 'cloudwatch:GetMetricData'].join('\n');
    const problems = comparePolicies(log, repoRoot);
    // Every document is compared only with the operations of its own target (and the shared CloudWatch read).
    expect(problems.some((p) => p.startsWith('called but not granted by docs/iam-policy.json') && p.includes('sagemaker'))).toBe(false);
    expect(problems.some((p) => p.startsWith('called but not granted by docs/iam-policy-sagemaker.json') && p.includes('lambda'))).toBe(false);
    expect(problems.find((p) => p.startsWith('granted by docs/iam-policy-sagemaker.json'))).toMatch(/sagemaker:UpdateEndpointWeightsAndCapacities/);
    expect(POLICY_DOCUMENTS.map((d) => d.file)).toEqual(['docs/iam-policy.json', 'docs/iam-policy-sagemaker.json', 'docs/iam-policy-model-registry.json', 'docs/iam-policy-athena.json']);
  });

  it("checks Athena's calls on the caller's behalf against docs/iam-policy-athena.json only, never the Lambda role's S3 grants", () => {
    const log = ['athena:StartQueryExecution', 'athena/s3:PutObject', 'athena/glue:GetTable', 'lambda:GetAlias'].join('\n');
    const problems = comparePolicies(log, repoRoot);
    expect(problems.some((p) => p.startsWith('called but not granted by docs/iam-policy.json') && p.includes('s3:PutObject'))).toBe(false);
    expect(problems.find((p) => p.startsWith('called but not granted by docs/iam-policy-athena.json'))).toBeUndefined();
    expect(problems.find((p) => p.startsWith('granted by docs/iam-policy-athena.json'))).toMatch(/athena:StopQueryExecution/);
  });

  it('docs/iam-policy-sagemaker.json allows only, and passes the execution role to SageMaker alone', () => {
    const policy = readPolicy(repoRoot, 'docs/iam-policy-sagemaker.json') as { Statement: Array<{ Effect: string; Action: string | string[]; Condition?: unknown }> };
    for (const statement of policy.Statement) expect(statement.Effect).toBe('Allow');
    const passRole = policy.Statement.find((s) => s.Action === 'iam:PassRole');
    expect(passRole?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
  });
});
