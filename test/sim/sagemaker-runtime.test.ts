import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { CreateEndpointCommand, UpdateEndpointWeightsAndCapacitiesCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, ModelError, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { VirtualClock } from './clock.js';
import { startSimulator, type Simulator, type SimulatorOptions } from './simulator.js';
import { rejectionOf, sageMakerClients, useTestCredentials } from './test-clients.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const SECOND = 1_000;
const MINUTE = 60_000;

/** A per-variant MetricStat query, as the SageMaker target sends it. */
function variantQuery(id: string, metric: string, stat: string, variantName?: string, endpointName = 'churn-endpoint'): MetricDataQuery {
  const dimensions = [{ Name: 'EndpointName', Value: endpointName }, ...(variantName === undefined ? [] : [{ Name: 'VariantName', Value: variantName }])];
  return { Id: id, MetricStat: { Metric: { Namespace: 'AWS/SageMaker', MetricName: metric, Dimensions: dimensions }, Period: 60, Stat: stat } };
}

const sum = (values: number[] | undefined) => (values ?? []).reduce((a, b) => a + b, 0);
const decode = (body: Uint8Array | undefined) => JSON.parse(Buffer.from(body ?? []).toString('utf8')) as Record<string, unknown>;

describe('simulated SageMaker Runtime, endpoint traffic and AWS/SageMaker metrics through the real SDK', () => {
  let clock: VirtualClock;
  let sim: Simulator;
  let runtime: SageMakerRuntimeClient;
  let sagemaker: SageMakerClient;
  let cloudWatch: CloudWatchClient;

  async function start(options: Partial<SimulatorOptions> = {}): Promise<void> {
    clock = new VirtualClock(T0);
    sim = await startSimulator({ clock, ...options });
    sim.createEndpoint({
      name: 'churn-endpoint',
      variants: [
        { variantName: 'stable', modelName: 'churn-model-v1', weight: 3, instanceCount: 2 },
        { variantName: 'canary', modelName: 'churn-model-v2', weight: 1 },
        { variantName: 'idle', modelName: 'churn-model-v3', weight: 0 },
      ],
    });
    ({ runtime, sagemaker, cloudWatch } = sageMakerClients(sim.endpoint));
  }

  beforeEach(() => useTestCredentials());

  afterEach(async () => {
    runtime.destroy();
    sagemaker.destroy();
    cloudWatch.destroy();
    await sim.close();
  });

  async function metricData(queries: MetricDataQuery[], startMs: number, endMs: number) {
    const out = await cloudWatch.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(startMs), EndTime: new Date(endMs), ScanBy: 'TimestampAscending' }));
    return new Map((out.MetricDataResults ?? []).map((r) => [r.Id, r]));
  }

  const invoke = (extra: { TargetVariant?: string; EndpointName?: string } = {}) =>
    runtime.send(new InvokeEndpointCommand({ EndpointName: 'churn-endpoint', Body: JSON.stringify({ tenure: 12 }), ContentType: 'application/json', Accept: 'application/json', ...extra }));

  describe('InvokeEndpoint', () => {
    beforeEach(() => start());

    it('routes by the current weights (share = weight / sum), never to a weight-0 variant, and names the variant', async () => {
      const served: Record<string, number> = {};
      for (let i = 0; i < 200; i++) {
        const out = await invoke();
        const body = decode(out.Body);
        expect(body).toMatchObject({ variant: out.InvokedProductionVariant, ok: true });
        served[out.InvokedProductionVariant!] = (served[out.InvokedProductionVariant!] ?? 0) + 1;
      }
      expect(served['idle']).toBeUndefined();
      expect(served['stable']! / 200).toBeGreaterThan(0.65);
      expect(served['stable']! / 200).toBeLessThan(0.85);
      const log = sim.requestLog.at(-1);
      expect(log).toMatchObject({ service: 'sagemaker-runtime', operation: 'InvokeEndpoint', method: 'POST', path: '/endpoints/churn-endpoint/invocations', status: 200, body: { tenure: 12 } });
    });

    it('reaches any production variant with TargetVariant, weight 0 included; an unknown one is a 400 ValidationError', async () => {
      const out = await invoke({ TargetVariant: 'idle' });
      expect(out.InvokedProductionVariant).toBe('idle');
      expect(out.ContentType).toBe('application/json');
      expect(decode(out.Body)).toEqual({ variant: 'idle', model: 'churn-model-v3', ok: true, latencyMs: expect.any(Number) });
      const error = await rejectionOf(invoke({ TargetVariant: 'ghost' }));
      expect([error.name, error.$metadata?.httpStatusCode, error.$fault]).toEqual(['ValidationError', 400, 'client']);
    });

    it('answers 400 ValidationError for an endpoint that does not exist (or is still Creating)', async () => {
      const error = await rejectionOf(invoke({ EndpointName: 'nope' }));
      expect([error.name, error.$metadata?.httpStatusCode, error.message]).toEqual(['ValidationError', 400, 'Endpoint nope of account 123456789012 not found.']);
      await sagemaker.send(new CreateEndpointCommand({ EndpointName: 'fresh-endpoint', EndpointConfigName: 'churn-endpoint-config' }));
      expect((await rejectionOf(invoke({ EndpointName: 'fresh-endpoint' }))).message).toBe('Endpoint fresh-endpoint of account 123456789012 not found.');
      await clock.sleep(5 * MINUTE);
      expect((await invoke({ EndpointName: 'fresh-endpoint' })).InvokedProductionVariant).toBeDefined();
      // The control plane ignores case; InvokeEndpoint does not.
      expect((await rejectionOf(invoke({ EndpointName: 'Fresh-Endpoint' }))).name).toBe('ValidationError');
    });

    it('answers a model 5xx as 424 ModelError with the container status, message and log stream', async () => {
      sim.setModelBehaviour('churn-model-v2', { errorRate: 1, latencyMs: { p50: 50, p99: 60 } });
      const error = await rejectionOf(invoke({ TargetVariant: 'canary' }));
      expect(error).toBeInstanceOf(ModelError);
      const modelError = error as ModelError;
      expect(modelError.$metadata.httpStatusCode).toBe(424);
      expect(modelError.OriginalStatusCode).toBe(500);
      expect(modelError.OriginalMessage).toBe('Simulated model failure in model churn-model-v2');
      expect(modelError.LogStreamArn).toBe('arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/churn-endpoint');
      expect(modelError.message).toMatch(/^Received server error \(500\) from primary with message/);
      expect(sim.requestLog.at(-1)?.status).toBe(424);
    });

    it('answers a model 4xx (clientErrorRate) as ModelError 400, and a throttled request as a 400 ThrottlingException', async () => {
      sim.setModelBehaviour('churn-model-v2', { errorRate: 0, clientErrorRate: 1, latencyMs: { p50: 50, p99: 60 } });
      const clientError = (await rejectionOf(invoke({ TargetVariant: 'canary' }))) as ModelError;
      expect([clientError.name, clientError.OriginalStatusCode]).toEqual(['ModelError', 400]);
      sim.setModelBehaviour('churn-model-v3', { errorRate: 0, throttleRate: 1, latencyMs: { p50: 50, p99: 60 } });
      const throttled = await rejectionOf(invoke({ TargetVariant: 'idle' }));
      expect([throttled.name, throttled.$metadata?.httpStatusCode]).toEqual(['ThrottlingException', 400]);
    });

    it('records API invocations in AWS/SageMaker like traffic: ModelLatency in microseconds, 4xx and 5xx counted apart', async () => {
      sim.setModelBehaviour('churn-model-v2', { errorRate: 0.5, clientErrorRate: 0.5, latencyMs: { p50: 200, p99: 201 } });
      for (let i = 0; i < 20; i++) await invoke({ TargetVariant: 'canary' }).catch(() => undefined);
      await clock.sleep(2 * MINUTE);
      const results = await metricData(
        [
          variantQuery('inv', 'Invocations', 'Sum', 'canary'),
          variantQuery('err5', 'Invocation5XXErrors', 'Sum', 'canary'),
          variantQuery('err4', 'Invocation4XXErrors', 'Sum', 'canary'),
          variantQuery('lat', 'ModelLatency', 'p50', 'canary'),
          variantQuery('overhead', 'OverheadLatency', 'Maximum', 'canary'),
        ],
        T0,
        T0 + 2 * MINUTE,
      );
      expect(results.get('inv')?.Values).toEqual([20]);
      const errors = sum(results.get('err5')?.Values) + sum(results.get('err4')?.Values);
      expect(errors).toBe(20);
      expect(sum(results.get('err5')?.Values)).toBeGreaterThan(0);
      expect(sum(results.get('err4')?.Values)).toBeGreaterThan(0);
      const p50 = results.get('lat')?.Values?.[0] ?? 0;
      expect(p50).toBeGreaterThan(195_000);
      expect(p50).toBeLessThan(205_000);
      expect(results.get('overhead')?.Values?.[0]).toBeLessThanOrEqual(10_000);
    });
  });

  it('holds each answer for the drawn latency with invokeLatency: real', async () => {
    await start({ invokeLatency: 'real' });
    sim.setModelBehaviour('churn-model-v1', { errorRate: 0, latencyMs: { p50: 150, p99: 151 } });
    const started = Date.now();
    await invoke({ TargetVariant: 'stable' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  describe('endpoint traffic', () => {
    beforeEach(() => start());

    it('tallies per variant what it sent, and the per-variant metrics match it', async () => {
      sim.scenarios.variantErrors({ endpointName: 'churn-endpoint', rate: 0.1 });
      const traffic = sim.startEndpointTraffic({ endpointName: 'churn-endpoint', requestsPerMinute: 1_200, seed: 3 });
      await clock.sleep(10 * MINUTE);
      sim.stopTraffic();
      await clock.sleep(2 * MINUTE);
      const { byVersion, total } = traffic.tally;
      expect(Object.keys(byVersion).sort()).toEqual(['canary', 'stable']);
      const canaryShare = byVersion['canary']!.invocations / total;
      expect(canaryShare).toBeGreaterThan(0.22);
      expect(canaryShare).toBeLessThan(0.28);
      expect(byVersion['stable']!.errors).toBe(0);
      expect(byVersion['canary']!.errors / byVersion['canary']!.invocations).toBeCloseTo(0.1, 1);

      const results = await metricData(
        [
          variantQuery('invStable', 'Invocations', 'Sum', 'stable'),
          variantQuery('invCanary', 'Invocations', 'Sum', 'canary'),
          variantQuery('errCanary', 'Invocation5XXErrors', 'Sum', 'canary'),
          variantQuery('perInstance', 'InvocationsPerInstance', 'Sum', 'stable'),
          variantQuery('latency', 'ModelLatency', 'p99', 'stable'),
          variantQuery('all', 'Invocations', 'Sum'),
        ],
        T0,
        T0 + 12 * MINUTE,
      );
      expect(sum(results.get('invStable')?.Values)).toBe(byVersion['stable']!.invocations);
      expect(sum(results.get('invCanary')?.Values)).toBe(byVersion['canary']!.invocations);
      expect(sum(results.get('errCanary')?.Values)).toBe(byVersion['canary']!.errors);
      expect(sum(results.get('perInstance')?.Values)).toBeCloseTo(byVersion['stable']!.invocations / 2, 6);
      expect(sum(results.get('all')?.Values)).toBe(total);
      // HEALTHY's p99 is 250 ms: published in microseconds.
      for (const p99 of results.get('latency')?.Values ?? []) expect(p99).toBeGreaterThan(150_000);
      expect(results.get('latency')?.Values).toHaveLength(10);
    });

    it('keeps serving the current weights while a weights update is in progress, the new ones once it completes', async () => {
      const traffic = sim.startEndpointTraffic({ endpointName: 'churn-endpoint', requestsPerMinute: 6_000, seed: 4 });
      await sagemaker.send(new UpdateEndpointWeightsAndCapacitiesCommand({ EndpointName: 'churn-endpoint', DesiredWeightsAndCapacities: [{ VariantName: 'idle', DesiredWeight: 4 }] }));
      await clock.sleep(20 * SECOND);
      expect(traffic.tally.byVersion['idle']).toBeUndefined();
      await clock.sleep(60 * SECOND);
      // The update ended 30 s after the call: the last 50 s of the jump went half to `idle`.
      const idle = traffic.tally.byVersion['idle']!.invocations;
      expect(idle).toBeGreaterThan(0.5 * 5_000 * 0.85);
      expect(idle).toBeLessThan(0.5 * 5_000 * 1.15);
    });

    it('is reproducible: the same seed sends the same traffic', async () => {
      const tallies = [];
      for (let run = 0; run < 2; run++) {
        const traffic = sim.startEndpointTraffic({ endpointName: 'churn-endpoint', requestsPerMinute: 300, seed: 99 });
        sim.setModelBehaviour('churn-model-v2', { errorRate: 0.2, latencyMs: { p50: 80, p99: 250 } });
        await clock.sleep(5 * MINUTE);
        sim.stopTraffic();
        tallies.push(traffic.tally);
      }
      expect(tallies[0]).toEqual(tallies[1]);
    });
  });

  describe('shadow variants', () => {
    beforeEach(async () => {
      await start();
      sim.createEndpoint({
        name: 'fraud-endpoint',
        variants: [{ variantName: 'production', modelName: 'fraud-model-v1', weight: 1 }],
        shadowVariants: [{ variantName: 'shadow', modelName: 'fraud-model-v2', weight: 0.25 }],
      });
    });

    it('mirrors weight(shadow) / weight(production) of the requests to the shadow, which the client never sees', async () => {
      sim.setModelBehaviour('fraud-model-v2', { errorRate: 1, latencyMs: { p50: 80, p99: 250 } });
      const traffic = sim.startEndpointTraffic({ endpointName: 'fraud-endpoint', requestsPerMinute: 2_000, seed: 8 });
      const out = await invoke({ EndpointName: 'fraud-endpoint' });
      expect(out.InvokedProductionVariant).toBe('production');
      await clock.sleep(5 * MINUTE);
      sim.stopTraffic();
      await clock.sleep(2 * MINUTE);
      expect(Object.keys(traffic.tally.byVersion)).toEqual(['production']);
      expect(traffic.tally.byVersion['production']!.errors).toBe(0);
      expect(sim.getEndpointState('fraud-endpoint').shadowVariants).toEqual([{ variantName: 'shadow', modelName: 'fraud-model-v2', weight: 0.25, desiredWeight: 0.25, instanceCount: 1 }]);

      const results = await metricData(
        [
          variantQuery('prod', 'Invocations', 'Sum', 'production', 'fraud-endpoint'),
          variantQuery('shadow', 'Invocations', 'Sum', 'shadow', 'fraud-endpoint'),
          variantQuery('shadowErrors', 'Invocation5XXErrors', 'Sum', 'shadow', 'fraud-endpoint'),
        ],
        T0,
        T0 + 7 * MINUTE,
      );
      const production = sum(results.get('prod')?.Values);
      const shadow = sum(results.get('shadow')?.Values);
      expect(production).toBe(traffic.tally.byVersion['production']!.invocations + 1);
      expect(shadow / production).toBeGreaterThan(0.22);
      expect(shadow / production).toBeLessThan(0.28);
      expect(sum(results.get('shadowErrors')?.Values)).toBe(shadow);
    });

    it('samples every request at a shadow weight at or above the production weight', async () => {
      await sagemaker.send(new UpdateEndpointWeightsAndCapacitiesCommand({ EndpointName: 'fraud-endpoint', DesiredWeightsAndCapacities: [{ VariantName: 'shadow', DesiredWeight: 2 }] }));
      await clock.sleep(30 * SECOND);
      for (let i = 0; i < 10; i++) await invoke({ EndpointName: 'fraud-endpoint' });
      await clock.sleep(2 * MINUTE);
      const results = await metricData([variantQuery('shadow', 'Invocations', 'Sum', 'shadow', 'fraud-endpoint')], T0, T0 + 3 * MINUTE);
      expect(sum(results.get('shadow')?.Values)).toBe(10);
    });
  });
});
