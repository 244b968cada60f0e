import { GetMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  type SageMakerClient,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  type DescribeEndpointCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { GetAliasCommand } from '@aws-sdk/client-lambda';
import { VirtualClock } from './clock.js';
import { startSimulator, type Simulator } from './simulator.js';
import { rejectionOf, sageMakerClients, sdkClients, useTestCredentials } from './test-clients.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const SECOND = 1_000;
const MINUTE = 60_000;
const ENDPOINT_ARN = 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/churn-endpoint';

describe('SageMaker scenarios and fault injection', () => {
  let clock: VirtualClock;
  let sim: Simulator;
  const clients: Array<{ destroy(): void }> = [];

  function clientsWith(maxAttempts: number): { sagemaker: SageMakerClient; runtime: SageMakerRuntimeClient; cloudWatch: CloudWatchClient } {
    const created = sageMakerClients(sim.endpoint, maxAttempts);
    clients.push(created.sagemaker, created.runtime, created.cloudWatch);
    return created;
  }

  beforeEach(async () => {
    useTestCredentials();
    clock = new VirtualClock(T0);
    sim = await startSimulator({ clock });
    sim.createEndpoint({ name: 'churn-endpoint', variants: [{ variantName: 'AllTraffic', modelName: 'churn-model-v1', instanceCount: 2 }] });
    sim.createSageMakerModel({ name: 'churn-model-v2' });
    sim.createEndpoint({ name: 'spare-endpoint', configName: 'churn-endpoint-canary', variants: [{ variantName: 'AllTraffic', modelName: 'churn-model-v1' }, { variantName: 'canary', modelName: 'churn-model-v2', weight: 0 }] });
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await sim.close();
  });

  const describe_ = (sagemaker: SageMakerClient): Promise<DescribeEndpointCommandOutput> => sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'churn-endpoint' }));
  const toCanaryConfig = new UpdateEndpointCommand({ EndpointName: 'churn-endpoint', EndpointConfigName: 'churn-endpoint-canary', RetainAllVariantProperties: true });
  const weights = (canary: number) =>
    new UpdateEndpointWeightsAndCapacitiesCommand({
      EndpointName: 'churn-endpoint',
      DesiredWeightsAndCapacities: [
        { VariantName: 'AllTraffic', DesiredWeight: 1 - canary },
        { VariantName: 'canary', DesiredWeight: canary },
      ],
    });

  describe('failing updates (the silent rollback)', () => {
    it('failingEndpointUpdate: accepted, Updating, RollingBack, then InService on the OLD config with a FailureReason', async () => {
      sim.scenarios.failingEndpointUpdate({ endpointName: 'churn-endpoint', reason: 'The primary container for production variant canary did not pass the ping health check.' });
      const { sagemaker } = clientsWith(1);
      await sagemaker.send(toCanaryConfig);
      expect((await describe_(sagemaker)).PendingDeploymentSummary?.EndpointConfigName).toBe('churn-endpoint-canary');
      await clock.sleep(5 * MINUTE);
      expect(sim.getEndpointState('churn-endpoint').status).toBe('RollingBack');
      await clock.sleep(30 * SECOND);
      const after = await describe_(sagemaker);
      expect(after).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'churn-endpoint-config', FailureReason: 'The primary container for production variant canary did not pass the ping health check.' });
      expect(after.PendingDeploymentSummary).toBeUndefined();
      expect(after.ProductionVariants?.map((v) => v.VariantName)).toEqual(['AllTraffic']);

      // The next update is a fresh start: FailureReason cleared at once, and this one succeeds.
      await sagemaker.send(toCanaryConfig);
      expect((await describe_(sagemaker)).FailureReason).toBeUndefined();
      await clock.sleep(5 * MINUTE);
      expect(sim.getEndpointState('churn-endpoint')).toMatchObject({ status: 'InService', configName: 'churn-endpoint-canary' });
    });

    it('failingEndpointUpdate with clearReason and nth: the second update returns to the old config saying nothing', async () => {
      sim.scenarios.failingEndpointUpdate({ endpointName: 'churn-endpoint', nth: 2, clearReason: true });
      const { sagemaker } = clientsWith(1);
      await sagemaker.send(toCanaryConfig);
      await clock.sleep(5 * MINUTE);
      expect(sim.getEndpointState('churn-endpoint').configName).toBe('churn-endpoint-canary');
      await sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'churn-endpoint', EndpointConfigName: 'churn-endpoint-config' }));
      await clock.sleep(6 * MINUTE);
      const state = sim.getEndpointState('churn-endpoint');
      expect(state).toMatchObject({ status: 'InService', configName: 'churn-endpoint-canary' });
      expect(state.failureReason).toBeUndefined();
    });

    it('failingWeightsUpdate: the desired weights show while Updating, then the weights stay as they were', async () => {
      const { sagemaker } = clientsWith(1);
      await sagemaker.send(toCanaryConfig);
      await clock.sleep(5 * MINUTE);
      sim.scenarios.failingWeightsUpdate({ endpointName: 'churn-endpoint' });
      await sagemaker.send(weights(0.25));
      expect(sim.getEndpointState('churn-endpoint').variants.map((v) => [v.weight, v.desiredWeight])).toEqual([
        [1, 0.75],
        [0, 0.25],
      ]);
      await clock.sleep(MINUTE);
      const state = sim.getEndpointState('churn-endpoint');
      expect(state.status).toBe('InService');
      expect(state.variants.map((v) => [v.weight, v.desiredWeight])).toEqual([
        [1, 1],
        [0, 0],
      ]);
      expect(state.failureReason).toMatch(/capacity/);
    });
  });

  describe('concurrentEndpointChange', () => {
    it("sets someone else's weights right after our n-th weights update, so it completes on theirs", async () => {
      const { sagemaker } = clientsWith(1);
      await sagemaker.send(toCanaryConfig);
      await clock.sleep(5 * MINUTE);
      sim.scenarios.concurrentEndpointChange({ endpointName: 'churn-endpoint', afterOperation: 'UpdateEndpointWeightsAndCapacities', nth: 1, change: { weights: { AllTraffic: 0.5 } } });
      await sagemaker.send(weights(0.1));
      await clock.sleep(30 * SECOND);
      expect(sim.getEndpointState('churn-endpoint').variants.map((v) => [v.variantName, v.weight])).toEqual([
        ['AllTraffic', 0.5],
        ['canary', 0.1],
      ]);
      expect(sim.injectedEvents).toEqual([{ atMs: T0 + 5 * MINUTE, kind: 'concurrentEndpointChange', detail: 'churn-endpoint: someone else set the weights {"AllTraffic":0.5}' }]);
    });

    it('starts someone else\'s UpdateEndpoint right after our read, so our write meets "Cannot update in-progress endpoint"', async () => {
      sim.scenarios.concurrentEndpointChange({ endpointName: 'churn-endpoint', afterOperation: 'DescribeEndpoint', change: { configName: 'churn-endpoint-canary' } });
      const { sagemaker } = clientsWith(1);
      expect((await describe_(sagemaker)).EndpointStatus).toBe('InService');
      const error = await rejectionOf(sagemaker.send(weights(0)));
      expect(error.message).toBe(`Cannot update in-progress endpoint "${ENDPOINT_ARN}".`);
      expect(sim.getEndpointState('churn-endpoint').pendingConfigName).toBe('churn-endpoint-canary');
      await clock.sleep(5 * MINUTE);
      expect(sim.getEndpointState('churn-endpoint').configName).toBe('churn-endpoint-canary');
      expect(sim.injectedEvents.map((e) => e.kind)).toEqual(['concurrentEndpointChange']);
    });
  });

  describe('model behaviours', () => {
    it("variantErrors fails every model but the first variant's, models created later included, from fromMs", async () => {
      sim.scenarios.variantErrors({ endpointName: 'churn-endpoint', rate: 1, fromMs: T0 + MINUTE });
      const { sagemaker } = clientsWith(1);
      await sagemaker.send(new CreateModelCommand({ ModelName: 'churn-model-v3', PrimaryContainer: { Image: 'img:3' } }));
      await sagemaker.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: 'churn-endpoint-v3',
          ProductionVariants: [
            { VariantName: 'AllTraffic', ModelName: 'churn-model-v1', InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 1 },
            { VariantName: 'v3', ModelName: 'churn-model-v3', InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 1 },
          ],
        }),
      );
      await sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'churn-endpoint', EndpointConfigName: 'churn-endpoint-v3' }));
      const traffic = sim.startEndpointTraffic({ endpointName: 'churn-endpoint', requestsPerMinute: 600, seed: 2 });
      await clock.sleep(10 * MINUTE);
      expect(traffic.tally.byVersion['AllTraffic']!.errors).toBe(0);
      const v3 = traffic.tally.byVersion['v3']!;
      expect(v3.invocations).toBeGreaterThan(1_000);
      expect(v3.errors).toBe(v3.invocations);
    });

    it('variantLatency on one model by name; lateSeries holds back one SageMaker series; healthy() clears it all', async () => {
      sim.scenarios.variantLatency({ modelName: 'churn-model-v2', p50: 400, p99: 900 });
      sim.scenarios.lateSeries({ namespace: 'AWS/SageMaker', metric: 'Invocation5XXErrors', variantName: 'canary', extraMs: 2 * MINUTE });
      const { runtime, cloudWatch } = clientsWith(1);
      for (let i = 0; i < 5; i++) await runtime.send(new InvokeEndpointCommand({ EndpointName: 'spare-endpoint', TargetVariant: 'canary', Body: '{}' }));
      await clock.sleep(2 * MINUTE);
      const query = (id: string, metric: string, stat: string) => ({
        Id: id,
        MetricStat: { Metric: { Namespace: 'AWS/SageMaker', MetricName: metric, Dimensions: [{ Name: 'EndpointName', Value: 'spare-endpoint' }, { Name: 'VariantName', Value: 'canary' }] }, Period: 60, Stat: stat },
      });
      const read = async () => {
        const out = await cloudWatch.send(new GetMetricDataCommand({ MetricDataQueries: [query('lat', 'ModelLatency', 'Minimum'), query('inv', 'Invocations', 'Sum'), query('err', 'Invocation5XXErrors', 'Sum')], StartTime: new Date(T0), EndTime: new Date(T0 + 10 * MINUTE) }));
        return new Map((out.MetricDataResults ?? []).map((r) => [r.Id, r.Values]));
      };
      const early = await read();
      expect(early.get('inv')).toEqual([5]);
      expect(early.get('err')).toEqual([]);
      expect(early.get('lat')?.[0]).toBeGreaterThan(100_000);
      await clock.sleep(2 * MINUTE);
      expect((await read()).get('err')).toEqual([0]);

      sim.scenarios.healthy();
      const out = await runtime.send(new InvokeEndpointCommand({ EndpointName: 'spare-endpoint', TargetVariant: 'canary', Body: '{}' }));
      expect(JSON.parse(Buffer.from(out.Body!).toString()).latencyMs).toBeLessThan(400);
    });

    it('zeroTraffic stops endpoint traffic; Lambda scenarios still find the only alias with traffic', async () => {
      sim.createFunction({ name: 'churn-fn', versions: 2, aliases: [{ name: 'prod', version: '1', weights: { '2': 0.5 } }] });
      const lambdaTraffic = sim.startTraffic({ functionName: 'churn-fn', alias: 'prod', requestsPerMinute: 600 });
      const endpointTraffic = sim.startEndpointTraffic({ endpointName: 'churn-endpoint', requestsPerMinute: 600 });
      sim.scenarios.canaryErrors({ rate: 1 });
      await clock.sleep(MINUTE);
      expect(lambdaTraffic.tally.byVersion['2']!.errors).toBe(lambdaTraffic.tally.byVersion['2']!.invocations);
      sim.scenarios.zeroTraffic();
      const sent = endpointTraffic.tally.total;
      await clock.sleep(MINUTE);
      expect(endpointTraffic.tally.total).toBe(sent);
    });
  });

  describe('injected faults on SageMaker operations', () => {
    it('throttles with a 400 ThrottlingException, which the SDK retries', async () => {
      sim.scenarios.throttleControlPlane({ operations: ['UpdateEndpointWeightsAndCapacities'], count: 2, status: 429 });
      const { sagemaker } = clientsWith(3);
      await sagemaker.send(toCanaryConfig);
      await clock.sleep(5 * MINUTE);
      const out = await sagemaker.send(weights(0.2));
      expect(out.$metadata.attempts).toBe(3);
      expect(sim.requestLog.filter((e) => e.operation === 'UpdateEndpointWeightsAndCapacities').map((e) => e.status)).toEqual([400, 400, 200]);
    });

    it.each([
      [429, 'ThrottlingException', 400, 'client'],
      [500, 'InternalFailure', 500, 'server'],
      [503, 'ServiceUnavailable', 503, 'server'],
    ] as const)('renders an injected %i as %s (HTTP %i) on both SageMaker APIs', async (status, name, httpStatus, fault) => {
      sim.scenarios.throttleControlPlane({ operations: ['DescribeEndpoint', 'InvokeEndpoint'], count: 2, status });
      const { sagemaker, runtime } = clientsWith(1);
      for (const call of [describe_(sagemaker), runtime.send(new InvokeEndpointCommand({ EndpointName: 'churn-endpoint', Body: '{}' }))]) {
        const error = await rejectionOf(call);
        expect([error.name, error.$metadata?.httpStatusCode, error.$fault]).toEqual([name, httpStatus, fault]);
      }
      expect((await describe_(sagemaker)).EndpointStatus).toBe('InService');
    });

    it('leaves SageMaker alone when a throttle names no operations (it means the Lambda control plane)', async () => {
      sim.createFunction({ name: 'churn-fn', versions: 1, aliases: [{ name: 'prod', version: '1' }] });
      sim.scenarios.throttleControlPlane({ count: 1, status: 500 });
      const { sagemaker } = clientsWith(1);
      expect((await describe_(sagemaker)).EndpointStatus).toBe('InService');
      const { lambda } = sdkClients(sim.endpoint);
      clients.push(lambda);
      expect((await rejectionOf(lambda.send(new GetAliasCommand({ FunctionName: 'churn-fn', Name: 'prod' })))).name).toBe('ServiceException');
    });

    it.each([503, 'reset'] as const)('a lost reply (%s) on a weights update: it lands, and the retry meets "Cannot update in-progress endpoint"', async (reply) => {
      const { sagemaker } = clientsWith(2);
      await sagemaker.send(toCanaryConfig);
      await clock.sleep(5 * MINUTE);
      sim.scenarios.lostReply({ operations: ['UpdateEndpointWeightsAndCapacities'], reply });
      const error = await rejectionOf(sagemaker.send(weights(0.3)));
      expect([error.name, error.message]).toEqual(['ValidationException', `Cannot update in-progress endpoint "${ENDPOINT_ARN}".`]);
      expect(sim.getEndpointState('churn-endpoint').variants.map((v) => v.desiredWeight)).toEqual([0.7, 0.3]);
      expect(sim.requestLog.filter((e) => e.operation === 'UpdateEndpointWeightsAndCapacities').map((e) => [e.status, e.lostReply])).toEqual([
        [reply === 'reset' ? 0 : 503, reply],
        [400, undefined],
      ]);
    });

    it('a lost reply on CreateModel: the retry meets "Cannot create already existing model"', async () => {
      sim.scenarios.lostReply({ operations: ['CreateModel'], reply: 500 });
      const { sagemaker } = clientsWith(2);
      const error = await rejectionOf(sagemaker.send(new CreateModelCommand({ ModelName: 'churn-model-v9', PrimaryContainer: { Image: 'img:9' }, ExecutionRoleArn: 'arn:aws:iam::123456789012:role/exec' })));
      expect(error.message).toBe('Cannot create already existing model "arn:aws:sagemaker:us-east-1:123456789012:model/churn-model-v9".');
      expect(sim.listSageMakerModels()).toContain('churn-model-v9');
      expect(sim.requestLog.map((e) => [e.operation, e.status])).toEqual([
        ['CreateModel', 500],
        ['CreateModel', 400],
      ]);
    });
  });
});
