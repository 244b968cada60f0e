import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetAliasCommand, GetFunctionCommand, InvokeCommand, LambdaClient, PublishVersionCommand, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { VirtualClock } from './clock.js';
import { startSimulator, type Simulator } from './simulator.js';
import { rejectionOf, sdkClients, useTestCredentials } from './test-clients.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('fault injection and the request log', () => {
  let clock: VirtualClock;
  let sim: Simulator;
  const clients: Array<{ destroy(): void }> = [];

  function clientsWith(maxAttempts: number) {
    const created = sdkClients(sim.endpoint, maxAttempts);
    clients.push(created.lambda, created.cloudWatch);
    return created;
  }

  beforeEach(async () => {
    useTestCredentials();
    clock = new VirtualClock(T0);
    sim = await startSimulator({ clock });
    sim.createFunction({ name: 'churn-model', versions: 3, aliases: [{ name: 'prod', version: '1' }] });
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await sim.close();
  });

  const getAlias = new GetAliasCommand({ FunctionName: 'churn-model', Name: 'prod' });

  it('lets the SDK retry through two 429s and succeed on the third attempt', async () => {
    sim.scenarios.throttleControlPlane({ operations: ['GetAlias'], count: 2, status: 429 });
    const { lambda } = clientsWith(3);
    const out = await lambda.send(getAlias);
    expect(out.FunctionVersion).toBe('1');
    expect(out.$metadata.attempts).toBe(3);
    expect(sim.requestLog.map((e) => [e.operation, e.status])).toEqual([
      ['GetAlias', 429],
      ['GetAlias', 429],
      ['GetAlias', 200],
    ]);
  });

  it.each([
    [429, 'TooManyRequestsException', 'client'],
    [500, 'ServiceException', 'server'],
    [503, 'ServiceException', 'server'],
  ] as const)('fails with %i %s without retries, then recovers', async (status, name, fault) => {
    sim.scenarios.throttleControlPlane({ count: 1, status });
    const { lambda } = clientsWith(1);
    const error = await rejectionOf(lambda.send(getAlias));
    expect(error.name).toBe(name);
    expect(error.$metadata?.httpStatusCode).toBe(status);
    expect(error.$fault).toBe(fault);
    expect((await lambda.send(getAlias)).FunctionVersion).toBe('1');
  });

  it('only fails the listed operations and leaves Invoke alone by default', async () => {
    sim.scenarios.throttleControlPlane({ operations: ['UpdateAlias'], count: 1, status: 429 });
    sim.scenarios.throttleControlPlane({ count: 1, status: 500 });
    const { lambda } = clientsWith(1);
    expect((await lambda.send(new InvokeCommand({ FunctionName: 'churn-model', Qualifier: 'prod' }))).StatusCode).toBe(200);
    expect((await rejectionOf(lambda.send(new GetFunctionCommand({ FunctionName: 'churn-model' })))).name).toBe('ServiceException');
    const update = new UpdateAliasCommand({ FunctionName: 'churn-model', Name: 'prod', FunctionVersion: '2' });
    expect((await rejectionOf(lambda.send(update))).name).toBe('TooManyRequestsException');
    expect((await lambda.send(update)).FunctionVersion).toBe('2');
  });

  it('throttles CloudWatch with its query-compatible Throttling error, which the SDK retries', async () => {
    sim.scenarios.throttleControlPlane({ operations: ['GetMetricData'], count: 1, status: 429 });
    const request = {
      MetricDataQueries: [
        { Id: 'inv', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: 'churn-model' }] }, Period: 60, Stat: 'Sum' } },
      ],
      StartTime: new Date(T0),
      EndTime: new Date(T0 + 60_000),
    };
    const error = await rejectionOf(clientsWith(1).cloudWatch.send(new GetMetricDataCommand(request)));
    expect(error.name).toBe('Throttling');
    expect(error.$metadata?.httpStatusCode).toBe(400);

    sim.scenarios.throttleControlPlane({ operations: ['GetMetricData'], count: 1, status: 429 });
    const out = await clientsWith(2).cloudWatch.send(new GetMetricDataCommand(request));
    expect(out.$metadata.attempts).toBe(2);
    expect(out.MetricDataResults?.[0]?.StatusCode).toBe('Complete');
  });

  it('changes the alias behind our back after our n-th UpdateAlias, so the next write gets 412', async () => {
    sim.scenarios.concurrentAliasChange({ afterUpdateAliasCalls: 2, change: { version: '1', weights: {} } });
    const { lambda } = clientsWith(1);
    const first = await lambda.send(
      new UpdateAliasCommand({ FunctionName: 'churn-model', Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '3': 0.1 } }, RevisionId: sim.getAliasState('churn-model', 'prod').revisionId }),
    );
    const second = await lambda.send(
      new UpdateAliasCommand({ FunctionName: 'churn-model', Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '3': 0.3 } }, RevisionId: first.RevisionId }),
    );
    expect(second.RoutingConfig?.AdditionalVersionWeights).toEqual({ '3': 0.3 });
    // Someone else rolled the alias back right after our second write.
    const now = sim.getAliasState('churn-model', 'prod');
    expect(now.weights).toEqual({});
    expect(now.revisionId).not.toBe(second.RevisionId);
    expect(sim.injectedEvents).toHaveLength(1);

    const third = await rejectionOf(
      lambda.send(new UpdateAliasCommand({ FunctionName: 'churn-model', Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '3': 0.5 } }, RevisionId: second.RevisionId })),
    );
    expect(third.name).toBe('PreconditionFailedException');
    expect(third.$metadata?.httpStatusCode).toBe(412);
    expect(sim.getAliasState('churn-model', 'prod')).toEqual(now);
  });

  it('logs every request with time, service, operation, status and body; writes() keeps the mutating ones', async () => {
    const { lambda, cloudWatch } = clientsWith(1);
    await lambda.send(getAlias);
    clock.advance(5_000);
    await cloudWatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: [{ Id: 'inv', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations' }, Period: 60, Stat: 'Sum' } }],
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 60_000),
      }),
    );
    await lambda.send(new InvokeCommand({ FunctionName: 'churn-model', Qualifier: 'prod' }));
    expect(sim.writes()).toEqual([]);

    await lambda.send(new UpdateAliasCommand({ FunctionName: 'churn-model', Name: 'prod', FunctionVersion: '2', RevisionId: 'stale' })).catch(() => undefined);
    await lambda.send(new PublishVersionCommand({ FunctionName: 'churn-model', Description: 'noop' }));

    expect(sim.requestLog[0]).toEqual({ atMs: T0, service: 'lambda', operation: 'GetAlias', method: 'GET', path: '/2015-03-31/functions/churn-model/aliases/prod', status: 200 });
    expect(sim.requestLog[1]).toMatchObject({ atMs: T0 + 5_000, service: 'cloudwatch', operation: 'GetMetricData', method: 'POST', path: '/', status: 200 });
    expect(sim.requestLog[1]?.body).toMatchObject({ StartTime: T0 / 1000 });
    expect(sim.requestLog.map((e) => e.operation)).toEqual(['GetAlias', 'GetMetricData', 'Invoke', 'UpdateAlias', 'PublishVersion']);
    expect(sim.writes().map((e) => [e.operation, e.status, e.body])).toEqual([
      ['UpdateAlias', 412, { FunctionVersion: '2', RevisionId: 'stale' }],
      ['PublishVersion', 201, { Description: 'noop' }],
    ]);
  });
  it.each([503, 'reset'] as const)('a lost reply (%s): the write is applied, the client sees a failure, and its retry with the same RevisionId gets 412', async (reply) => {
    sim.scenarios.lostReply({ operations: ['UpdateAlias'], reply });
    const { lambda } = clientsWith(2);
    const { RevisionId } = await lambda.send(getAlias);
    const update = new UpdateAliasCommand({ FunctionName: 'churn-model', Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '2': 0.2 } }, RevisionId });
    const error = await rejectionOf(lambda.send(update));
    expect(error.name).toBe('PreconditionFailedException');
    expect(sim.getAliasState('churn-model', 'prod')).toMatchObject({ version: '1', weights: { '2': 0.2 } });
    const updates = sim.requestLog.filter((e) => e.operation === 'UpdateAlias');
    expect(updates.map((e) => [e.status, e.lostReply])).toEqual([
      [reply === 'reset' ? 0 : 503, reply],
      [412, undefined],
    ]);
    // Only the one call lost its reply: the next write is answered.
    const fresh = await lambda.send(getAlias);
    const out = await lambda.send(new UpdateAliasCommand({ FunctionName: 'churn-model', Name: 'prod', RoutingConfig: { AdditionalVersionWeights: {} }, RevisionId: fresh.RevisionId }));
    expect(out.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
  });

  it('a lost reply can skip calls (nth) and hold a reply past the client timeout', async () => {
    sim.scenarios.lostReply({ operations: ['GetAlias'], nth: 2, reply: 'timeout', holdMs: 1_500 });
    const lambda = new LambdaClient({ endpoint: sim.endpoint, maxAttempts: 1, requestHandler: { requestTimeout: 200, throwOnRequestTimeout: true } });
    clients.push(lambda);
    expect((await lambda.send(getAlias)).FunctionVersion).toBe('1');
    const error = await rejectionOf(lambda.send(getAlias));
    expect(error.name).toBe('TimeoutError');
    expect((await lambda.send(getAlias)).FunctionVersion).toBe('1');
    expect(sim.requestLog.map((e) => e.lostReply)).toEqual([undefined, 'timeout', undefined]);
  });
});
