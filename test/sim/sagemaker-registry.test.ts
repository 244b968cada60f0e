import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackagesCommand,
  paginateListModelPackages,
  UpdateModelPackageCommand,
  type CreateModelPackageCommandInput,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { VirtualClock } from './clock.js';
import { startSimulator, type Simulator } from './simulator.js';
import { rejectionOf, sageMakerClients, useTestCredentials } from './test-clients.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const SECOND = 1_000;
const ARN_PREFIX = 'arn:aws:sagemaker:us-east-1:123456789012';
const GROUP = 'Churn-Models';
const GROUP_ARN = `${ARN_PREFIX}:model-package-group/churn-models`;
const packageArn = (version: number) => `${ARN_PREFIX}:model-package/churn-models/${version}`;

const INFERENCE = {
  Containers: [{ Image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:2.0', ModelDataUrl: 's3://models/churn/model.tar.gz' }],
  SupportedContentTypes: ['application/json'],
  SupportedResponseMIMETypes: ['application/json'],
};
const metrics = (version: number) => ({ ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: `s3://models/churn/v${version}/evaluation.json` } } });

describe('simulated SageMaker Model Registry through the real SDK', () => {
  let clock: VirtualClock;
  let sim: Simulator;
  let sagemaker: SageMakerClient;
  const clients: SageMakerClient[] = [];

  beforeEach(async () => {
    useTestCredentials();
    clock = new VirtualClock(T0);
    sim = await startSimulator({ clock });
    sagemaker = clientWith(1);
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await sim.close();
  });

  function clientWith(maxAttempts: number): SageMakerClient {
    const client = sageMakerClients(sim.endpoint, maxAttempts).sagemaker;
    clients.push(client);
    return client;
  }

  function register(version: number, extra: Partial<CreateModelPackageCommandInput> = {}): CreateModelPackageCommand {
    return new CreateModelPackageCommand({
      ModelPackageGroupName: GROUP,
      ModelPackageDescription: `churn v${version}`,
      InferenceSpecification: INFERENCE,
      ModelMetrics: metrics(version),
      CustomerMetadataProperties: { gitSha: `sha${version}` },
      ...extra,
    });
  }

  /** The group and versions 1 (Approved), 2 (PendingManualApproval) and 3 (Approved), a second apart. */
  async function groupWithThreeVersions(): Promise<void> {
    await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: GROUP, ModelPackageGroupDescription: 'churn classifier' }));
    for (const [version, approval] of [[1, 'Approved'], [2, undefined], [3, 'Approved']] as const) {
      clock.advance(SECOND);
      await sagemaker.send(register(version, approval ? { ModelApprovalStatus: approval } : {}));
    }
  }

  describe('groups', () => {
    it('creates and describes a group (ARN lowercased, timestamps as dates); a duplicate is a 400', async () => {
      const created = await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: GROUP, ModelPackageGroupDescription: 'churn classifier' }));
      expect(created.ModelPackageGroupArn).toBe(GROUP_ARN);
      const described = await sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: GROUP }));
      expect(described).toMatchObject({
        ModelPackageGroupName: GROUP,
        ModelPackageGroupArn: GROUP_ARN,
        ModelPackageGroupDescription: 'churn classifier',
        ModelPackageGroupStatus: 'Completed',
        CreationTime: new Date(T0),
      });
      // By ARN, and regardless of case, as the ARN is.
      expect((await sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: GROUP_ARN }))).ModelPackageGroupName).toBe(GROUP);
      expect((await sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'churn-models' }))).ModelPackageGroupName).toBe(GROUP);

      const duplicate = await rejectionOf(sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'churn-MODELS' })));
      expect([duplicate.name, duplicate.$metadata?.httpStatusCode, duplicate.message]).toEqual(['ValidationException', 400, `Model Package Group already exists: ${GROUP_ARN}`]);
      const badName = await rejectionOf(sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'churn_models' })));
      expect(badName.message).toMatch(/at 'modelPackageGroupName' failed to satisfy constraint/);
    });

    it('answers a missing group with 400 "ModelPackageGroup <arn> does not exist."', async () => {
      const missing = await rejectionOf(sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'Nope' })));
      expect([missing.name, missing.$metadata?.httpStatusCode, missing.message]).toEqual([
        'ValidationException',
        400,
        `ModelPackageGroup ${ARN_PREFIX}:model-package-group/nope does not exist.`,
      ]);
      const create = await rejectionOf(sagemaker.send(new CreateModelPackageCommand({ ModelPackageGroupName: 'nope', InferenceSpecification: INFERENCE })));
      expect([create.name, create.message]).toEqual(['ValidationException', `ModelPackageGroup ${ARN_PREFIX}:model-package-group/nope does not exist.`]);
    });
  });

  describe('model packages', () => {
    it('numbers versions 1, 2, 3 per group and describes one by ARN with what was registered', async () => {
      await groupWithThreeVersions();
      await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'fraud-models' }));
      const fraud = await sagemaker.send(new CreateModelPackageCommand({ ModelPackageGroupName: `${ARN_PREFIX}:model-package-group/fraud-models`, InferenceSpecification: INFERENCE }));
      expect(fraud.ModelPackageArn).toBe(`${ARN_PREFIX}:model-package/fraud-models/1`);

      const described = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: packageArn(2) }));
      const { $metadata: _metadata, ...body } = described;
      expect(body).toEqual({
        ModelPackageName: GROUP,
        ModelPackageGroupName: GROUP,
        ModelPackageVersion: 2,
        ModelPackageArn: packageArn(2),
        ModelPackageDescription: 'churn v2',
        CreationTime: new Date(T0 + 2 * SECOND),
        LastModifiedTime: new Date(T0 + 2 * SECOND),
        InferenceSpecification: INFERENCE,
        ModelPackageStatus: 'Completed',
        ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
        CertifyForMarketplace: false,
        ModelApprovalStatus: 'PendingManualApproval',
        CreatedBy: {},
        ModelMetrics: metrics(2),
        CustomerMetadataProperties: { gitSha: 'sha2' },
      });
      // `<group>/<version>` names it too (DescribeModelPackage's pattern takes a version suffix).
      expect((await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: `${GROUP}/3` }))).ModelApprovalStatus).toBe('Approved');
    });

    it('answers a missing package, a bad name and both names at once with 400 ValidationException', async () => {
      await groupWithThreeVersions();
      const missing = await rejectionOf(sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: packageArn(9) })));
      expect([missing.name, missing.$metadata?.httpStatusCode, missing.message]).toEqual(['ValidationException', 400, `ModelPackage ${packageArn(9)} does not exist.`]);
      const unversioned = await rejectionOf(sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: 'churn-models' })));
      expect(unversioned.message).toBe(`ModelPackage ${ARN_PREFIX}:model-package/churn-models does not exist.`);
      const badName = await rejectionOf(sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: 'churn models/1' })));
      expect(badName.message).toMatch(/at 'modelPackageName' failed to satisfy constraint/);
      const update = await rejectionOf(sagemaker.send(new UpdateModelPackageCommand({ ModelPackageArn: packageArn(9), ModelApprovalStatus: 'Approved' })));
      expect([update.name, update.message]).toEqual(['ValidationException', `ModelPackage ${packageArn(9)} does not exist.`]);
      const both = await rejectionOf(sagemaker.send(new CreateModelPackageCommand({ ModelPackageGroupName: GROUP, ModelPackageName: 'x' })));
      expect(both.message).toBe('Both ModelPackageName and ModelPackageGroupName are provided in the input. Cannot determine which one to use.');
      const badStatus = await rejectionOf(sagemaker.send(new UpdateModelPackageCommand({ ModelPackageArn: packageArn(1), ModelApprovalStatus: 'Yes' as 'Approved' })));
      expect(badStatus.message).toMatch(/Member must satisfy enum value set: \[Approved, Rejected, PendingManualApproval\]/);
    });

    it('updates the approval to Approved, then Rejected with a description; LastModifiedTime moves, a repeat changes nothing else', async () => {
      await groupWithThreeVersions();
      clock.advance(60 * SECOND);
      const approved = await sagemaker.send(new UpdateModelPackageCommand({ ModelPackageArn: packageArn(2), ModelApprovalStatus: 'Approved' }));
      expect(approved.ModelPackageArn).toBe(packageArn(2));
      expect(sim.getModelPackage(packageArn(2))).toMatchObject({ approval: 'Approved', lastModifiedMs: T0 + 63 * SECOND });
      expect(sim.getModelPackage(packageArn(2)).approvalDescription).toBeUndefined();

      clock.advance(60 * SECOND);
      const rejection = new UpdateModelPackageCommand({
        ModelPackageArn: packageArn(2),
        ModelApprovalStatus: 'Rejected',
        ApprovalDescription: 'model-release-gate: canary errors 4.1% > 1%',
        CustomerMetadataProperties: { outcome: 'rolled-back' },
      });
      await sagemaker.send(rejection);
      await sagemaker.send(rejection);
      const described = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: packageArn(2) }));
      expect(described).toMatchObject({
        ModelApprovalStatus: 'Rejected',
        ApprovalDescription: 'model-release-gate: canary errors 4.1% > 1%',
        CustomerMetadataProperties: { gitSha: 'sha2', outcome: 'rolled-back' },
        CreationTime: new Date(T0 + 2 * SECOND),
        LastModifiedTime: new Date(T0 + 123 * SECOND),
      });
      expect(sim.listModelPackages(GROUP).map((p) => p.approval)).toEqual(['Approved', 'Rejected', 'Approved']);
      expect(sim.writes().map((w) => w.operation)).toEqual([
        'CreateModelPackageGroup',
        'CreateModelPackage',
        'CreateModelPackage',
        'CreateModelPackage',
        'UpdateModelPackage',
        'UpdateModelPackage',
        'UpdateModelPackage',
      ]);
    });
  });

  describe('ListModelPackages', () => {
    it('lists a group oldest first by default, summaries without ModelPackageName', async () => {
      await groupWithThreeVersions();
      const out = await sagemaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: GROUP }));
      expect(out.NextToken).toBeUndefined();
      expect(out.ModelPackageSummaryList).toEqual([1, 2, 3].map((v) => ({
        ModelPackageGroupName: GROUP,
        ModelPackageVersion: v,
        ModelPackageArn: packageArn(v),
        ModelPackageDescription: `churn v${v}`,
        CreationTime: new Date(T0 + v * SECOND),
        ModelPackageStatus: 'Completed',
        ModelApprovalStatus: v === 2 ? 'PendingManualApproval' : 'Approved',
      })));
    });

    it('filters on Approved, newest first with SortBy CreationTime and SortOrder Descending', async () => {
      await groupWithThreeVersions();
      const out = await sagemaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: GROUP, ModelApprovalStatus: 'Approved', SortBy: 'CreationTime', SortOrder: 'Descending' }));
      expect(out.ModelPackageSummaryList?.map((p) => [p.ModelPackageVersion, p.ModelApprovalStatus])).toEqual([
        [3, 'Approved'],
        [1, 'Approved'],
      ]);
      const pending = await sagemaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: GROUP_ARN, ModelApprovalStatus: 'PendingManualApproval' }));
      expect(pending.ModelPackageSummaryList?.map((p) => p.ModelPackageArn)).toEqual([packageArn(2)]);
    });

    it('pages with MaxResults and an opaque NextToken (and the SDK paginator)', async () => {
      await groupWithThreeVersions();
      const first = await sagemaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: GROUP, MaxResults: 2, SortOrder: 'Descending' }));
      expect(first.ModelPackageSummaryList?.map((p) => p.ModelPackageVersion)).toEqual([3, 2]);
      expect(first.NextToken).toEqual(expect.any(String));
      const second = await sagemaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: GROUP, MaxResults: 2, SortOrder: 'Descending', NextToken: first.NextToken }));
      expect(second.ModelPackageSummaryList?.map((p) => p.ModelPackageVersion)).toEqual([1]);
      expect(second.NextToken).toBeUndefined();

      const pages: number[][] = [];
      for await (const page of paginateListModelPackages({ client: sagemaker, pageSize: 1 }, { ModelPackageGroupName: GROUP })) {
        pages.push((page.ModelPackageSummaryList ?? []).map((p) => p.ModelPackageVersion!));
      }
      expect(pages).toEqual([[1], [2], [3]]);
      const tooMany = await rejectionOf(sagemaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: GROUP, MaxResults: 101 })));
      expect(tooMany.message).toMatch(/at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100/);
    });

    it('lists nothing for a group that does not exist, or without a group unless ModelPackageType says versioned', async () => {
      await groupWithThreeVersions();
      expect((await sagemaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: 'nope' }))).ModelPackageSummaryList).toEqual([]);
      expect((await sagemaker.send(new ListModelPackagesCommand({}))).ModelPackageSummaryList).toEqual([]);
      expect((await sagemaker.send(new ListModelPackagesCommand({ ModelPackageType: 'Versioned' }))).ModelPackageSummaryList).toHaveLength(3);
    });
  });

  describe('ClientToken and injected faults', () => {
    it('a lost reply on CreateModelPackage: the SDK retries with the same ClientToken and gets the same package, no second version', async () => {
      await groupWithThreeVersions();
      sim.scenarios.lostReply({ operations: ['CreateModelPackage'], reply: 500 });
      const out = await clientWith(2).send(register(4));
      expect(out.ModelPackageArn).toBe(packageArn(4));
      expect(out.$metadata.attempts).toBe(2);
      const attempts = sim.requestLog.filter((e) => e.operation === 'CreateModelPackage').slice(-2);
      expect(attempts.map((e) => [e.status, e.lostReply])).toEqual([
        [500, 500],
        [200, undefined],
      ]);
      // The SDK fills ClientToken (an idempotency token) once per command: both attempts carry it.
      const tokens = attempts.map((e) => (e.body as { ClientToken?: string }).ClientToken);
      expect(tokens[0]).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
      expect(tokens[1]).toBe(tokens[0]);
      expect(sim.listModelPackages(GROUP).map((p) => p.version)).toEqual([1, 2, 3, 4]);
    });

    it('our own retry with the same explicit ClientToken after the SDK gave up returns the package the lost call created', async () => {
      await groupWithThreeVersions();
      sim.scenarios.lostReply({ operations: ['CreateModelPackage'], reply: 'reset' });
      const command = () => register(4, { ClientToken: 'release-churn-v4' });
      const lost = await rejectionOf(sagemaker.send(command()));
      expect(lost.$metadata?.httpStatusCode).toBeUndefined();
      expect(sim.listModelPackages(GROUP)).toHaveLength(4);
      const retried = await sagemaker.send(command());
      expect(retried.ModelPackageArn).toBe(packageArn(4));
      expect(sim.listModelPackages(GROUP)).toHaveLength(4);

      // The same token on a different request is refused; a fresh send without a token is a new version.
      const reused = await rejectionOf(sagemaker.send(register(5, { ClientToken: 'release-churn-v4' })));
      expect([reused.name, reused.$metadata?.httpStatusCode]).toEqual(['ValidationException', 400]);
      expect((await sagemaker.send(register(4))).ModelPackageArn).toBe(packageArn(5));
    });

    it('throttles registry operations like any SageMaker operation (429 → ThrottlingException, retried by the SDK)', async () => {
      await groupWithThreeVersions();
      sim.scenarios.throttleControlPlane({ operations: ['ListModelPackages', 'UpdateModelPackage'], count: 2, status: 429 });
      const out = await clientWith(3).send(new ListModelPackagesCommand({ ModelPackageGroupName: GROUP }));
      expect(out.$metadata.attempts).toBe(3);
      sim.scenarios.throttleControlPlane({ operations: ['UpdateModelPackage'], count: 1, status: 503 });
      const outage = await rejectionOf(sagemaker.send(new UpdateModelPackageCommand({ ModelPackageArn: packageArn(2), ModelApprovalStatus: 'Approved' })));
      expect([outage.name, outage.$metadata?.httpStatusCode]).toEqual(['ServiceUnavailable', 503]);
      expect(sim.getModelPackage(`${GROUP}/2`).approval).toBe('PendingManualApproval');
      expect(sim.requestLog.filter((e) => e.operation === 'ListModelPackages').map((e) => e.status)).toEqual([400, 400, 200]);
    });

    it('logs every registry operation under its name, as service sagemaker', async () => {
      await groupWithThreeVersions();
      await sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: GROUP }));
      await sagemaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: GROUP }));
      await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: packageArn(1) }));
      await sagemaker.send(new UpdateModelPackageCommand({ ModelPackageArn: packageArn(1), ModelApprovalStatus: 'Rejected' }));
      expect(new Set(sim.requestLog.map((e) => `${e.service}:${e.operation}`))).toEqual(
        new Set(['CreateModelPackageGroup', 'CreateModelPackage', 'DescribeModelPackageGroup', 'ListModelPackages', 'DescribeModelPackage', 'UpdateModelPackage'].map((op) => `sagemaker:${op}`)),
      );
    });
  });

  describe('set up directly (not API requests)', () => {
    it('createModelPackage creates the group when missing, numbers versions, and the SDK sees them', async () => {
      expect(sim.createModelPackage({ group: GROUP, approval: 'Approved', metricsS3Uri: 's3://m/v1.json', customerMetadata: { gitSha: 'abc' }, description: 'v1' })).toEqual({
        arn: packageArn(1),
        version: 1,
      });
      expect(sim.createModelPackage({ group: 'churn-models' })).toEqual({ arn: packageArn(2), version: 2 });
      expect(sim.getModelPackage(`${GROUP}/1`)).toMatchObject({
        arn: packageArn(1),
        group: GROUP,
        version: 1,
        approval: 'Approved',
        description: 'v1',
        customerMetadata: { gitSha: 'abc' },
        modelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: 's3://m/v1.json' } } },
      });
      expect(sim.getModelPackage(packageArn(2)).approval).toBe('PendingManualApproval');
      expect(sim.listModelPackages(GROUP).map((p) => p.version)).toEqual([1, 2]);
      expect(sim.requestLog).toEqual([]);

      const described = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: packageArn(2) }));
      expect(described.InferenceSpecification?.Containers?.[0]?.Image).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-models:2');
      expect(sim.createModelPackageGroup({ name: 'fraud-models' })).toBe(`${ARN_PREFIX}:model-package-group/fraud-models`);
      expect(() => sim.getModelPackage(`${GROUP}/3`)).toThrow(/no model package/);
    });
  });
});
