import { GetMetricDataCommand, paginateGetMetricData, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { InvokeCommand, UpdateAliasCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { VirtualClock } from './clock.js';
import { startSimulator, type Simulator } from './simulator.js';
import { rejectionOf, sdkClients, useTestCredentials } from './test-clients.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const MINUTE = 60_000;

/** A per-version MetricStat query on the prod alias, as the Lambda target will send it. */
function versionQuery(id: string, metric: string, stat: string, version?: string, period = 60): MetricDataQuery {
  const dimensions = [
    { Name: 'FunctionName', Value: 'churn-model' },
    { Name: 'Resource', Value: 'churn-model:prod' },
    ...(version === undefined ? [] : [{ Name: 'ExecutedVersion', Value: version }]),
  ];
  return { Id: id, MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: metric, Dimensions: dimensions }, Period: period, Stat: stat } };
}

const sum = (values: number[] | undefined) => (values ?? []).reduce((a, b) => a + b, 0);

describe('simulated CloudWatch GetMetricData and traffic through the real SDK', () => {
  let clock: VirtualClock;
  let sim: Simulator;
  let cloudWatch: CloudWatchClient;
  let lambda: LambdaClient;

  beforeEach(async () => {
    useTestCredentials();
    clock = new VirtualClock(T0);
    sim = await startSimulator({ clock });
    sim.createFunction({ name: 'churn-model', versions: 2, aliases: [{ name: 'prod', version: '1', weights: { '2': 0.1 } }] });
    ({ cloudWatch, lambda } = sdkClients(sim.endpoint));
  });

  afterEach(async () => {
    cloudWatch.destroy();
    lambda.destroy();
    await sim.close();
  });

  async function metricData(queries: MetricDataQuery[], startMs: number, endMs: number) {
    const out = await cloudWatch.send(
      new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(startMs), EndTime: new Date(endMs) }),
    );
    return new Map((out.MetricDataResults ?? []).map((r) => [r.Id, r]));
  }

  it('routes traffic by the alias weights and reports per-version sums that match what was sent', async () => {
    sim.scenarios.canaryErrors({ rate: 0.05 });
    const traffic = sim.startTraffic({ functionName: 'churn-model', alias: 'prod', requestsPerMinute: 1000, seed: 7 });
    await clock.sleep(10 * MINUTE);
    sim.stopTraffic();
    await clock.sleep(2 * MINUTE); // let the last minute publish

    const { total, byVersion } = traffic.tally;
    expect(total).toBeGreaterThan(9_500);
    expect(total).toBeLessThan(10_500);
    const canaryShare = byVersion['2']!.invocations / (byVersion['1']!.invocations + byVersion['2']!.invocations);
    expect(canaryShare).toBeGreaterThan(0.09);
    expect(canaryShare).toBeLessThan(0.11);

    const results = await metricData(
      [
        versionQuery('inv1', 'Invocations', 'Sum', '1'),
        versionQuery('inv2', 'Invocations', 'Sum', '2'),
        versionQuery('err1', 'Errors', 'Sum', '1'),
        versionQuery('err2', 'Errors', 'Sum', '2'),
        versionQuery('all', 'Invocations', 'Sum'),
      ],
      T0,
      T0 + 12 * MINUTE,
    );
    expect(sum(results.get('inv1')?.Values)).toBe(byVersion['1']!.invocations);
    expect(sum(results.get('inv2')?.Values)).toBe(byVersion['2']!.invocations);
    expect(sum(results.get('err1')?.Values)).toBe(0);
    expect(sum(results.get('err2')?.Values)).toBe(byVersion['2']!.errors);
    expect(byVersion['2']!.errors / byVersion['2']!.invocations).toBeCloseTo(0.05, 1);
    expect(sum(results.get('all')?.Values)).toBe(total);
    expect(results.get('inv1')?.StatusCode).toBe('Complete');
    expect(results.get('inv1')?.Label).toBe('Invocations');
  });

  it('follows weight changes made through UpdateAlias while traffic runs', async () => {
    const traffic = sim.startTraffic({ functionName: 'churn-model', alias: 'prod', requestsPerMinute: 600, seed: 3 });
    await clock.sleep(5 * MINUTE);
    const stableBefore = traffic.tally.byVersion['1']!.invocations;
    const canaryBefore = traffic.tally.byVersion['2']!.invocations;
    expect(canaryBefore).toBeLessThan(stableBefore / 5);
    await lambda.send(new UpdateAliasCommand({ FunctionName: 'churn-model', Name: 'prod', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: {} } }));
    await clock.sleep(5 * MINUTE);
    // Promoted: every later request runs version 2.
    expect(traffic.tally.byVersion['1']!.invocations).toBe(stableBefore);
    expect(traffic.tally.byVersion['2']!.invocations - canaryBefore).toBeGreaterThan(2_500);
  });

  it('returns one datapoint per minute, newest first, with real timestamps', async () => {
    sim.startTraffic({ functionName: 'churn-model', alias: 'prod', requestsPerMinute: 600 });
    await clock.sleep(5 * MINUTE + MINUTE);
    const results = await metricData([versionQuery('inv', 'Invocations', 'Sum', '1')], T0, T0 + 5 * MINUTE);
    const timestamps = results.get('inv')?.Timestamps?.map((d) => d.getTime());
    expect(timestamps).toEqual([4, 3, 2, 1, 0].map((m) => T0 + m * MINUTE));
  });

  it('publishes a minute only after the CloudWatch delay', async () => {
    sim.scenarios.metricDelayMs(3 * MINUTE);
    sim.startTraffic({ functionName: 'churn-model', alias: 'prod', requestsPerMinute: 600 });
    await clock.sleep(MINUTE); // the first minute has ended...
    const query = [versionQuery('inv', 'Invocations', 'Sum', '1')];
    expect((await metricData(query, T0, T0 + MINUTE)).get('inv')?.Values).toEqual([]);
    await clock.sleep(3 * MINUTE - 1); // ...but needs 3 more minutes to appear
    expect((await metricData(query, T0, T0 + MINUTE)).get('inv')?.Values).toEqual([]);
    await clock.sleep(1);
    expect((await metricData(query, T0, T0 + MINUTE)).get('inv')?.Values).toHaveLength(1);
  });

  it('has no datapoints for minutes without invocations or inside a missing-data span', async () => {
    sim.scenarios.missingDatapoints({ fromMs: T0 + 2 * MINUTE, toMs: T0 + 4 * MINUTE });
    sim.startTraffic({ functionName: 'churn-model', alias: 'prod', requestsPerMinute: 600 });
    await clock.sleep(6 * MINUTE);
    sim.scenarios.zeroTraffic();
    await clock.sleep(4 * MINUTE);
    const results = await metricData([versionQuery('inv', 'Invocations', 'Sum', '1')], T0, T0 + 10 * MINUTE);
    const minutes = results.get('inv')?.Timestamps?.map((d) => (d.getTime() - T0) / MINUTE);
    expect(minutes).toEqual([5, 4, 1, 0]);
  });

  it('computes percentile latency per version from the configured behaviour', async () => {
    sim.scenarios.canaryLatency({ p99: 2_000, p50: 300 });
    sim.startTraffic({ functionName: 'churn-model', alias: 'prod', requestsPerMinute: 6_000, seed: 11 });
    await clock.sleep(12 * MINUTE);
    const results = await metricData(
      [
        versionQuery('stable', 'Duration', 'p99', '1', 600),
        versionQuery('canary', 'Duration', 'p99', '2', 600),
        versionQuery('canaryMedian', 'Duration', 'p50', '2'),
        versionQuery('count', 'Duration', 'SampleCount', '2'),
      ],
      T0,
      T0 + 10 * MINUTE,
    );
    const stableP99 = results.get('stable')!.Values![0]!;
    const canaryP99 = results.get('canary')!.Values![0]!;
    expect(stableP99).toBeGreaterThan(200);
    expect(stableP99).toBeLessThan(320);
    expect(canaryP99).toBeGreaterThan(1_600);
    expect(canaryP99).toBeLessThan(2_500);
    expect(results.get('canaryMedian')!.Values!.every((v) => v > 240 && v < 360)).toBe(true);
    expect(results.get('count')!.Values).toHaveLength(10);
  });

  it('records direct version invocations under the Resource fn:version and the function aggregate', async () => {
    sim.setVersionBehaviour('churn-model', '2', { errorRate: 1, latencyMs: { p50: 10, p99: 20 } });
    for (let i = 0; i < 3; i++) await lambda.send(new InvokeCommand({ FunctionName: 'churn-model', Qualifier: '2' }));
    clock.advance(2 * MINUTE);
    const fnOnly = { Name: 'FunctionName', Value: 'churn-model' };
    const results = await metricData(
      [
        { Id: 'direct', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [fnOnly, { Name: 'Resource', Value: 'churn-model:2' }] }, Period: 60, Stat: 'Sum' } },
        { Id: 'whole', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [fnOnly] }, Period: 60, Stat: 'Average' } },
        versionQuery('viaAlias', 'Errors', 'Sum', '2'),
      ],
      T0,
      T0 + MINUTE,
    );
    expect(results.get('direct')?.Values).toEqual([3]);
    expect(results.get('whole')?.Values).toEqual([1]);
    expect(results.get('viaAlias')?.Values).toEqual([]);
  });

  it('pages datapoints with NextToken when MaxDatapoints is small', async () => {
    sim.startTraffic({ functionName: 'churn-model', alias: 'prod', requestsPerMinute: 600 });
    await clock.sleep(8 * MINUTE);
    const timestamps: number[] = [];
    let pages = 0;
    for await (const page of paginateGetMetricData(
      { client: cloudWatch, pageSize: 3 },
      { MetricDataQueries: [versionQuery('inv', 'Invocations', 'Sum', '1')], StartTime: new Date(T0), EndTime: new Date(T0 + 7 * MINUTE) },
    )) {
      pages++;
      timestamps.push(...(page.MetricDataResults?.[0]?.Timestamps ?? []).map((d) => (d.getTime() - T0) / MINUTE));
    }
    expect(pages).toBe(3);
    expect(timestamps).toEqual([6, 5, 4, 3, 2, 1, 0]);
  });

  it('rejects an invalid query with InvalidParameterValueException and its query-compatible code', async () => {
    const bad = versionQuery('inv', 'Invocations', 'Sum', '1');
    bad.MetricStat!.Period = 61;
    const error = await rejectionOf(
      cloudWatch.send(new GetMetricDataCommand({ MetricDataQueries: [bad], StartTime: new Date(T0), EndTime: new Date(T0 + MINUTE) })),
    );
    expect(error.name).toBe('InvalidParameterValueException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect((error as unknown as { Error?: { Code?: string } }).Error?.Code).toBe('InvalidParameterValue');

    const reversed = await rejectionOf(
      cloudWatch.send(new GetMetricDataCommand({ MetricDataQueries: [versionQuery('inv', 'Invocations', 'Sum')], StartTime: new Date(T0 + MINUTE), EndTime: new Date(T0) })),
    );
    expect(reversed.name).toBe('InvalidParameterValueException');
  });
});
