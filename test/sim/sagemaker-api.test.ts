import {
  AddTagsCommand,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DeleteTagsCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListModelsCommand,
  ListTagsCommand,
  paginateListModels,
  SageMakerClient,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  type ProductionVariant,
} from '@aws-sdk/client-sagemaker';
import { VirtualClock } from './clock.js';
import { startSimulator, type Simulator } from './simulator.js';
import { rejectionOf, sageMakerClients, useTestCredentials } from './test-clients.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const SECOND = 1_000;
const MINUTE = 60_000;
const ARN_PREFIX = 'arn:aws:sagemaker:us-east-1:123456789012';
const ENDPOINT_ARN = `${ARN_PREFIX}:endpoint/churn-endpoint`;

function variant(name: string, model: string, weight?: number, instances = 1): ProductionVariant {
  return { VariantName: name, ModelName: model, InstanceType: 'ml.m5.large', InitialInstanceCount: instances, ...(weight !== undefined ? { InitialVariantWeight: weight } : {}) };
}

describe('simulated SageMaker control plane through the real SDK', () => {
  let clock: VirtualClock;
  let sim: Simulator;
  let sagemaker: SageMakerClient;

  beforeEach(async () => {
    useTestCredentials();
    clock = new VirtualClock(T0);
    sim = await startSimulator({ clock, sagemaker: { endpointUpdateMs: 5 * MINUTE, weightsUpdateMs: 30 * SECOND, instanceChangeMs: 4 * MINUTE, createEndpointMs: 2 * MINUTE } });
    sim.createEndpoint({ name: 'churn-endpoint', variants: [{ variantName: 'AllTraffic', modelName: 'churn-model-v1', instanceCount: 2 }] });
    sim.createSageMakerModel({ name: 'churn-model-v2', image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:2.0' });
    sagemaker = sageMakerClients(sim.endpoint).sagemaker;
  });

  afterEach(async () => {
    sagemaker.destroy();
    await sim.close();
  });

  /** An endpoint config with the stable variant first and the candidate at `weight`. */
  async function candidateConfig(name: string, weight = 0): Promise<void> {
    await sagemaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: name, ProductionVariants: [variant('AllTraffic', 'churn-model-v1', 1, 2), variant('canary', 'churn-model-v2', weight)] }));
  }

  it('serves clients that find it through AWS_ENDPOINT_URL, and logs requests as service sagemaker', async () => {
    process.env['AWS_ENDPOINT_URL'] = sim.endpoint;
    try {
      const client = new SageMakerClient({ maxAttempts: 1 });
      const out = await client.send(new DescribeEndpointCommand({ EndpointName: 'churn-endpoint' }));
      expect(out.EndpointStatus).toBe('InService');
      client.destroy();
    } finally {
      delete process.env['AWS_ENDPOINT_URL'];
    }
    expect(sim.requestLog).toEqual([{ atMs: T0, service: 'sagemaker', operation: 'DescribeEndpoint', method: 'POST', path: '/', status: 200, body: { EndpointName: 'churn-endpoint' } }]);
  });

  describe('models', () => {
    it('creates, describes (timestamps as dates, ARN lowercased) and deletes a model', async () => {
      const created = await sagemaker.send(
        new CreateModelCommand({
          ModelName: 'Churn-Model-v3',
          PrimaryContainer: { Image: 'img:3', ModelDataUrl: 's3://models/v3.tar.gz', Environment: { THRESHOLD: '0.4' } },
          ExecutionRoleArn: 'arn:aws:iam::123456789012:role/exec',
          Tags: [{ Key: 'team', Value: 'churn' }],
        }),
      );
      expect(created.ModelArn).toBe(`${ARN_PREFIX}:model/churn-model-v3`);
      const described = await sagemaker.send(new DescribeModelCommand({ ModelName: 'Churn-Model-v3' }));
      expect(described).toMatchObject({
        ModelName: 'Churn-Model-v3',
        ModelArn: created.ModelArn,
        PrimaryContainer: { Image: 'img:3', ModelDataUrl: 's3://models/v3.tar.gz', Environment: { THRESHOLD: '0.4' } },
        ExecutionRoleArn: 'arn:aws:iam::123456789012:role/exec',
        CreationTime: new Date(T0),
      });
      expect(sim.getSageMakerTags('Churn-Model-v3')).toEqual({ team: 'churn' });
      await sagemaker.send(new DeleteModelCommand({ ModelName: 'Churn-Model-v3' }));
      expect(sim.listSageMakerModels()).toEqual(['churn-model-v1', 'churn-model-v2']);
    });

    it('answers 400 ValidationException for a duplicate, an unknown model and a bad name', async () => {
      const duplicate = await rejectionOf(sagemaker.send(new CreateModelCommand({ ModelName: 'churn-model-v2', PrimaryContainer: { Image: 'img' } })));
      expect(duplicate.name).toBe('ValidationException');
      expect(duplicate.$metadata?.httpStatusCode).toBe(400);
      expect(duplicate.message).toBe(`Cannot create already existing model "${ARN_PREFIX}:model/churn-model-v2".`);
      const missing = await rejectionOf(sagemaker.send(new DescribeModelCommand({ ModelName: 'nope' })));
      expect([missing.name, missing.message]).toEqual(['ValidationException', `Could not find model "${ARN_PREFIX}:model/nope".`]);
      const badName = await rejectionOf(sagemaker.send(new CreateModelCommand({ ModelName: 'churn_model', PrimaryContainer: { Image: 'img' } })));
      expect(badName.message).toMatch(/failed to satisfy constraint/);
      expect((await rejectionOf(sagemaker.send(new DeleteModelCommand({ ModelName: 'nope' })))).name).toBe('ValidationException');
    });

    it('lists models newest first by default, filters by name, sorts by name and pages with NextToken', async () => {
      for (let i = 1; i <= 12; i++) {
        clock.advance(SECOND);
        sim.createSageMakerModel({ name: `fraud-model-${String(i).padStart(2, '0')}` });
      }
      const first = await sagemaker.send(new ListModelsCommand({ NameContains: 'fraud' }));
      expect(first.Models).toHaveLength(10);
      expect(first.Models?.[0]).toEqual({ ModelName: 'fraud-model-12', ModelArn: `${ARN_PREFIX}:model/fraud-model-12`, CreationTime: new Date(T0 + 12 * SECOND) });
      expect(first.NextToken).toBeDefined();

      const pages: string[][] = [];
      for await (const page of paginateListModels({ client: sagemaker, pageSize: 5 }, { SortBy: 'Name', SortOrder: 'Ascending' })) {
        pages.push((page.Models ?? []).map((m) => m.ModelName!));
      }
      expect(pages.map((p) => p.length)).toEqual([5, 5, 4]);
      expect(pages.flat()).toEqual(['churn-model-v1', 'churn-model-v2', ...Array.from({ length: 12 }, (_, i) => `fraud-model-${String(i + 1).padStart(2, '0')}`)]);
      expect(sim.requestLog.filter((e) => e.operation === 'ListModels')).toHaveLength(4);
      const tooMany = await rejectionOf(sagemaker.send(new ListModelsCommand({ MaxResults: 101 })));
      expect(tooMany.name).toBe('ValidationException');
    });
  });

  describe('endpoint configs', () => {
    it('stores variants in the order given, InitialVariantWeight defaulted to 1, other members echoed', async () => {
      const out = await sagemaker.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: 'churn-endpoint-two',
          ProductionVariants: [variant('zeta', 'churn-model-v2', 0.25), variant('alpha', 'churn-model-v1')],
          KmsKeyId: 'alias/models',
          Tags: [{ Key: 'owner', Value: 'ml-platform' }],
        }),
      );
      expect(out.EndpointConfigArn).toBe(`${ARN_PREFIX}:endpoint-config/churn-endpoint-two`);
      const described = await sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'churn-endpoint-two' }));
      expect(described.ProductionVariants).toEqual([variant('zeta', 'churn-model-v2', 0.25), variant('alpha', 'churn-model-v1', 1)]);
      expect(described).toMatchObject({ KmsKeyId: 'alias/models', CreationTime: new Date(T0), EndpointConfigArn: out.EndpointConfigArn });
      expect(sim.getEndpointConfig('churn-endpoint-two')).toEqual({
        variants: [
          { variantName: 'zeta', modelName: 'churn-model-v2', weight: 0.25, instanceCount: 1, instanceType: 'ml.m5.large' },
          { variantName: 'alpha', modelName: 'churn-model-v1', weight: 1, instanceCount: 1, instanceType: 'ml.m5.large' },
        ],
        shadowVariants: [],
      });
      expect(sim.getSageMakerTags(out.EndpointConfigArn!)).toEqual({ owner: 'ml-platform' });
    });

    it.each([
      ['a duplicate name', { EndpointConfigName: 'churn-endpoint-config', ProductionVariants: [variant('a', 'churn-model-v1')] }, `Cannot create already existing endpoint configuration "${ARN_PREFIX}:endpoint-config/churn-endpoint-config".`],
      ['an unknown model', { EndpointConfigName: 'c1', ProductionVariants: [variant('a', 'no-model')] }, `Could not find model "${ARN_PREFIX}:model/no-model".`],
      ['duplicate variant names', { EndpointConfigName: 'c2', ProductionVariants: [variant('a', 'churn-model-v1'), variant('a', 'churn-model-v2')] }, /used more than once/],
      ['eleven variants', { EndpointConfigName: 'c3', ProductionVariants: Array.from({ length: 11 }, (_, i) => variant(`v${i}`, 'churn-model-v1')) }, /between 1 and 10/],
      ['a shadow with two production variants', { EndpointConfigName: 'c4', ProductionVariants: [variant('a', 'churn-model-v1'), variant('b', 'churn-model-v1')], ShadowProductionVariants: [variant('s', 'churn-model-v2')] }, /exactly one production variant/],
      ['two shadows', { EndpointConfigName: 'c5', ProductionVariants: [variant('a', 'churn-model-v1')], ShadowProductionVariants: [variant('s', 'churn-model-v2'), variant('t', 'churn-model-v2')] }, /at most one shadow/],
      ['every weight 0', { EndpointConfigName: 'c6', ProductionVariants: [variant('a', 'churn-model-v1', 0)] }, /greater than 0/],
    ] as const)('refuses %s with a ValidationException', async (_case, input, message) => {
      const error = await rejectionOf(sagemaker.send(new CreateEndpointConfigCommand(input as never)));
      expect(error.name).toBe('ValidationException');
      expect(error.$metadata?.httpStatusCode).toBe(400);
      expect(error.message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
    });

    it('answers ValidationException for an unknown config, and deletes one (an endpoint running it keeps running)', async () => {
      const missing = await rejectionOf(sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'nope' })));
      expect(missing.message).toBe(`Could not find endpoint configuration "${ARN_PREFIX}:endpoint-config/nope".`);
      await sagemaker.send(new DeleteEndpointConfigCommand({ EndpointConfigName: 'churn-endpoint-config' }));
      expect(sim.getEndpointConfig('churn-endpoint-config')).toBeUndefined();
      expect(sim.getEndpointState('churn-endpoint')).toMatchObject({ status: 'InService', configName: 'churn-endpoint-config' });
    });
  });

  describe('endpoints', () => {
    it('creates an endpoint Creating, InService after createEndpointMs', async () => {
      await candidateConfig('fraud-config', 1);
      const out = await sagemaker.send(new CreateEndpointCommand({ EndpointName: 'fraud-endpoint', EndpointConfigName: 'fraud-config' }));
      expect(out.EndpointArn).toBe(`${ARN_PREFIX}:endpoint/fraud-endpoint`);
      expect(sim.getEndpointState('fraud-endpoint').status).toBe('Creating');
      await clock.sleep(2 * MINUTE);
      const described = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'fraud-endpoint' }));
      expect(described).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'fraud-config', CreationTime: new Date(T0), LastModifiedTime: new Date(T0 + 2 * MINUTE) });
      const again = await rejectionOf(sagemaker.send(new CreateEndpointCommand({ EndpointName: 'fraud-endpoint', EndpointConfigName: 'fraud-config' })));
      expect(again.message).toBe(`Cannot create already existing endpoint "${ARN_PREFIX}:endpoint/fraud-endpoint".`);
      const noConfig = await rejectionOf(sagemaker.send(new CreateEndpointCommand({ EndpointName: 'other', EndpointConfigName: 'nope' })));
      expect(noConfig.message).toBe(`Could not find endpoint configuration "${ARN_PREFIX}:endpoint-config/nope".`);
    });

    it('describes an endpoint with its variants, deployed images and instance counts; 400 for an unknown one', async () => {
      const out = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'churn-endpoint' }));
      expect(out).toMatchObject({ EndpointName: 'churn-endpoint', EndpointArn: ENDPOINT_ARN, EndpointConfigName: 'churn-endpoint-config', EndpointStatus: 'InService' });
      expect(out.ProductionVariants).toEqual([
        {
          VariantName: 'AllTraffic',
          DeployedImages: [{ SpecifiedImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-model-v1:latest', ResolvedImage: expect.stringMatching(/churn-model-v1@sha256:[0-9a-f]{64}$/), ResolutionTime: new Date(T0) }],
          CurrentWeight: 1,
          DesiredWeight: 1,
          CurrentInstanceCount: 2,
          DesiredInstanceCount: 2,
        },
      ]);
      expect(out.PendingDeploymentSummary).toBeUndefined();
      const missing = await rejectionOf(sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'nope' })));
      expect([missing.name, missing.$metadata?.httpStatusCode, missing.message]).toEqual(['ValidationException', 400, `Could not find endpoint "${ARN_PREFIX}:endpoint/nope".`]);
    });

    it('UpdateEndpoint: Updating on the CURRENT config with the new one pending, refused while in progress, then InService on the new config', async () => {
      await candidateConfig('churn-endpoint-canary');
      const out = await sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'churn-endpoint', EndpointConfigName: 'churn-endpoint-canary', RetainAllVariantProperties: true }));
      expect(out.EndpointArn).toBe(ENDPOINT_ARN);
      clock.advance(MINUTE);
      const during = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'churn-endpoint' }));
      expect(during).toMatchObject({ EndpointStatus: 'Updating', EndpointConfigName: 'churn-endpoint-config' });
      expect(during.ProductionVariants?.map((v) => v.VariantName)).toEqual(['AllTraffic']);
      expect(during.PendingDeploymentSummary).toEqual({
        EndpointConfigName: 'churn-endpoint-canary',
        ProductionVariants: [
          { VariantName: 'AllTraffic', DesiredWeight: 1, DesiredInstanceCount: 2, InstanceType: 'ml.m5.large' },
          { VariantName: 'canary', DesiredWeight: 0, DesiredInstanceCount: 1, InstanceType: 'ml.m5.large' },
        ],
        StartTime: new Date(T0),
      });
      expect(sim.getEndpointState('churn-endpoint')).toMatchObject({ status: 'Updating', configName: 'churn-endpoint-config', pendingConfigName: 'churn-endpoint-canary' });

      const busy = await rejectionOf(sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'churn-endpoint', EndpointConfigName: 'churn-endpoint-canary' })));
      expect([busy.name, busy.message]).toEqual(['ValidationException', `Cannot update in-progress endpoint "${ENDPOINT_ARN}".`]);
      const busyWeights = await rejectionOf(sagemaker.send(new UpdateEndpointWeightsAndCapacitiesCommand({ EndpointName: 'churn-endpoint', DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredWeight: 1 }] })));
      expect(busyWeights.message).toBe(`Cannot update in-progress endpoint "${ENDPOINT_ARN}".`);

      await clock.sleep(4 * MINUTE);
      const after = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'churn-endpoint' }));
      expect(after).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'churn-endpoint-canary', LastModifiedTime: new Date(T0 + 5 * MINUTE) });
      expect(after.PendingDeploymentSummary).toBeUndefined();
      expect(sim.getEndpointState('churn-endpoint').variants).toEqual([
        { variantName: 'AllTraffic', modelName: 'churn-model-v1', weight: 1, desiredWeight: 1, instanceCount: 2 },
        { variantName: 'canary', modelName: 'churn-model-v2', weight: 0, desiredWeight: 0, instanceCount: 1 },
      ]);
    });

    it('RetainAllVariantProperties keeps the current weight and instance count of variants in both configs; false takes the config values', async () => {
      await candidateConfig('churn-endpoint-canary');
      await sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'churn-endpoint', EndpointConfigName: 'churn-endpoint-canary' }));
      await clock.sleep(5 * MINUTE);
      await sagemaker.send(
        new UpdateEndpointWeightsAndCapacitiesCommand({
          EndpointName: 'churn-endpoint',
          DesiredWeightsAndCapacities: [
            { VariantName: 'AllTraffic', DesiredWeight: 0.7, DesiredInstanceCount: 3 },
            { VariantName: 'canary', DesiredWeight: 0.3 },
          ],
        }),
      );
      await clock.sleep(5 * MINUTE);
      // A config that changes the stable variant's values and adds a third one.
      await sagemaker.send(
        new CreateEndpointConfigCommand({ EndpointConfigName: 'churn-endpoint-three', ProductionVariants: [variant('AllTraffic', 'churn-model-v1', 5, 1), variant('canary', 'churn-model-v2', 5, 1), variant('extra', 'churn-model-v2', 2, 4)] }),
      );
      await sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'churn-endpoint', EndpointConfigName: 'churn-endpoint-three', RetainAllVariantProperties: true }));
      await clock.sleep(5 * MINUTE);
      const shape = () => sim.getEndpointState('churn-endpoint').variants.map((v) => [v.variantName, v.weight, v.instanceCount]);
      expect(shape()).toEqual([
        ['AllTraffic', 0.7, 3],
        ['canary', 0.3, 1],
        ['extra', 2, 4],
      ]);

      await sagemaker.send(
        new UpdateEndpointCommand({ EndpointName: 'churn-endpoint', EndpointConfigName: 'churn-endpoint-canary', RetainAllVariantProperties: true, ExcludeRetainedVariantProperties: [{ VariantPropertyType: 'DesiredWeight' }] }),
      );
      await clock.sleep(5 * MINUTE);
      expect(shape()).toEqual([
        ['AllTraffic', 1, 3],
        ['canary', 0, 1],
      ]);

      await sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'churn-endpoint', EndpointConfigName: 'churn-endpoint-three', RetainAllVariantProperties: false }));
      await clock.sleep(5 * MINUTE);
      expect(shape()).toEqual([
        ['AllTraffic', 5, 1],
        ['canary', 5, 1],
        ['extra', 2, 4],
      ]);
    });

    it('UpdateEndpointWeightsAndCapacities: desired values at once, current ones after weightsUpdateMs (+ instanceChangeMs for new instance counts)', async () => {
      await candidateConfig('churn-endpoint-canary');
      await sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'churn-endpoint', EndpointConfigName: 'churn-endpoint-canary', RetainAllVariantProperties: true }));
      await clock.sleep(5 * MINUTE);
      const start = clock.now();
      await sagemaker.send(
        new UpdateEndpointWeightsAndCapacitiesCommand({
          EndpointName: 'churn-endpoint',
          DesiredWeightsAndCapacities: [
            { VariantName: 'AllTraffic', DesiredWeight: 0.9 },
            { VariantName: 'canary', DesiredWeight: 0.1 },
          ],
        }),
      );
      const during = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'churn-endpoint' }));
      expect(during.EndpointStatus).toBe('Updating');
      expect(during.ProductionVariants?.map((v) => [v.VariantName, v.CurrentWeight, v.DesiredWeight])).toEqual([
        ['AllTraffic', 1, 0.9],
        ['canary', 0, 0.1],
      ]);
      await clock.sleep(30 * SECOND);
      expect(sim.getEndpointState('churn-endpoint')).toMatchObject({ status: 'InService', variants: [{ weight: 0.9, desiredWeight: 0.9 }, { weight: 0.1, desiredWeight: 0.1 }] });

      await sagemaker.send(new UpdateEndpointWeightsAndCapacitiesCommand({ EndpointName: 'churn-endpoint', DesiredWeightsAndCapacities: [{ VariantName: 'canary', DesiredWeight: 0.5, DesiredInstanceCount: 2 }] }));
      await clock.sleep(4 * MINUTE);
      expect(sim.getEndpointState('churn-endpoint')).toMatchObject({ status: 'Updating', variants: [{ weight: 0.9 }, { weight: 0.1, desiredWeight: 0.5, instanceCount: 1 }] });
      await clock.sleep(30 * SECOND);
      expect(sim.getEndpointState('churn-endpoint')).toMatchObject({ status: 'InService', variants: [{ weight: 0.9 }, { weight: 0.5, instanceCount: 2 }] });
      const out = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'churn-endpoint' }));
      expect(out.LastModifiedTime).toEqual(new Date(start + 30 * SECOND + 4 * MINUTE + 30 * SECOND));
    });

    it.each([
      ['an unknown variant', [{ VariantName: 'ghost', DesiredWeight: 1 }], `The variant(s) "[ghost]" is/are not present in the endpoint "${ENDPOINT_ARN}".`],
      ['a negative weight', [{ VariantName: 'AllTraffic', DesiredWeight: -1 }], /greater than or equal to 0/],
      ['all weights 0', [{ VariantName: 'AllTraffic', DesiredWeight: 0 }], /greater than 0/],
      ['0 instances', [{ VariantName: 'AllTraffic', DesiredInstanceCount: 0 }], /at least 1/],
      ['neither weight nor count', [{ VariantName: 'AllTraffic' }], /specify DesiredWeight, DesiredInstanceCount or both/],
    ] as const)('refuses a weights update with %s', async (_case, desired, message) => {
      const error = await rejectionOf(sagemaker.send(new UpdateEndpointWeightsAndCapacitiesCommand({ EndpointName: 'churn-endpoint', DesiredWeightsAndCapacities: [...desired] })));
      expect(error.name).toBe('ValidationException');
      expect(error.message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
      expect(sim.getEndpointState('churn-endpoint').status).toBe('InService');
    });

    it('refuses UpdateEndpoint to an unknown config', async () => {
      const error = await rejectionOf(sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'churn-endpoint', EndpointConfigName: 'nope' })));
      expect([error.name, error.message]).toEqual(['ValidationException', `Could not find endpoint configuration "${ARN_PREFIX}:endpoint-config/nope".`]);
    });
  });

  describe('tags', () => {
    it('adds, lists and deletes tags on models, endpoint configs and endpoints', async () => {
      for (const arn of [ENDPOINT_ARN, `${ARN_PREFIX}:endpoint-config/churn-endpoint-config`, `${ARN_PREFIX}:model/churn-model-v2`]) {
        const added = await sagemaker.send(new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'model-release-gate:history', Value: 'model-release-gate promoted=b/a' }, { Key: 'team', Value: 'churn' }] }));
        expect(added.Tags).toHaveLength(2);
        await sagemaker.send(new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'team', Value: 'risk' }] }));
        await sagemaker.send(new DeleteTagsCommand({ ResourceArn: arn, TagKeys: ['model-release-gate:history'] }));
        const listed = await sagemaker.send(new ListTagsCommand({ ResourceArn: arn }));
        expect(listed.Tags).toEqual([{ Key: 'team', Value: 'risk' }]);
        expect(listed.NextToken).toBeUndefined();
      }
      expect(sim.getSageMakerTags('churn-endpoint')).toEqual({ team: 'risk' });
    });

    it('refuses a 51st tag, a comma in a value, an unknown resource and a MaxResults below 50', async () => {
      const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
      await sagemaker.send(new AddTagsCommand({ ResourceArn: ENDPOINT_ARN, Tags: fifty }));
      const listed = await sagemaker.send(new ListTagsCommand({ ResourceArn: ENDPOINT_ARN, MaxResults: 50 }));
      expect(listed.Tags).toHaveLength(50);
      const tooMany = await rejectionOf(sagemaker.send(new AddTagsCommand({ ResourceArn: ENDPOINT_ARN, Tags: [{ Key: 'one-more', Value: 'x' }] })));
      expect(tooMany.name).toBe('ValidationException');
      const comma = await rejectionOf(sagemaker.send(new AddTagsCommand({ ResourceArn: ENDPOINT_ARN, Tags: [{ Key: 'k0', Value: 'a,b' }] })));
      expect(comma.message).toMatch(/regular expression pattern/);
      const unknown = await rejectionOf(sagemaker.send(new ListTagsCommand({ ResourceArn: `${ARN_PREFIX}:endpoint/nope` })));
      expect(unknown.name).toBe('ValidationException');
      const small = await rejectionOf(sagemaker.send(new ListTagsCommand({ ResourceArn: ENDPOINT_ARN, MaxResults: 10 })));
      expect(small.message).toMatch(/between 50 and 100/);
    });
  });

  it('lists every SageMaker write in writes(), failed ones included', async () => {
    await candidateConfig('churn-endpoint-canary');
    await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'churn-endpoint' }));
    await sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'churn-endpoint', EndpointConfigName: 'churn-endpoint-canary' }));
    await sagemaker.send(new UpdateEndpointWeightsAndCapacitiesCommand({ EndpointName: 'churn-endpoint', DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredWeight: 1 }] })).catch(() => undefined);
    await sagemaker.send(new AddTagsCommand({ ResourceArn: ENDPOINT_ARN, Tags: [{ Key: 'a', Value: 'b' }] }));
    expect(sim.writes().map((w) => [w.service, w.operation, w.status])).toEqual([
      ['sagemaker', 'CreateEndpointConfig', 200],
      ['sagemaker', 'UpdateEndpoint', 200],
      ['sagemaker', 'UpdateEndpointWeightsAndCapacities', 400],
      ['sagemaker', 'AddTags', 200],
    ]);
  });
});
