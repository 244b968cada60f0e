import { CloudWatchClient, DescribeAlarmsCommand, paginateDescribeAlarms } from '@aws-sdk/client-cloudwatch';
import { VirtualClock } from './clock.js';
import { startSimulator, type Simulator } from './simulator.js';
import { rejectionOf, useTestCredentials } from './test-clients.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const MINUTE = 60_000;

describe('simulated CloudWatch DescribeAlarms through the real SDK', () => {
  let clock: VirtualClock;
  let sim: Simulator;
  let cloudWatch: CloudWatchClient;

  beforeEach(async () => {
    useTestCredentials();
    clock = new VirtualClock(T0);
    sim = await startSimulator({ clock });
    cloudWatch = new CloudWatchClient({ endpoint: sim.endpoint, maxAttempts: 1 });
  });

  afterEach(async () => {
    cloudWatch.destroy();
    await sim.close();
  });

  it('reports metric and composite alarms with their state, reason and timestamps as Dates', async () => {
    sim.setAlarm({ name: 'churn-5xx', state: 'OK' });
    sim.setAlarm({ name: 'churn-health', state: 'ALARM', reason: 'ALARM(churn-5xx) OR ALARM(churn-p99)', type: 'composite' });

    const both = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['churn-5xx', 'churn-health', 'nope'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
    expect(both.MetricAlarms).toEqual([
      expect.objectContaining({
        AlarmName: 'churn-5xx',
        AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:churn-5xx',
        StateValue: 'OK',
        StateReason: expect.stringMatching(/^Threshold Crossed/),
        StateUpdatedTimestamp: new Date(T0),
        StateTransitionedTimestamp: new Date(T0),
      }),
    ]);
    expect(both.CompositeAlarms).toEqual([expect.objectContaining({ AlarmName: 'churn-health', StateValue: 'ALARM', StateReason: 'ALARM(churn-5xx) OR ALARM(churn-p99)' })]);
    expect(both.NextToken).toBeUndefined();

    // Like CloudWatch: without AlarmTypes, only metric alarms come back.
    const metricOnly = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['churn-health'] }));
    expect(metricOnly.MetricAlarms).toEqual([]);
    expect(metricOnly.CompositeAlarms).toEqual([]);
  });

  it('changes state in clock time (alarmAt) and keeps the transition time apart from the update time', async () => {
    sim.setAlarm({ name: 'churn-5xx', state: 'OK' });
    sim.scenarios.alarmAt({ name: 'churn-5xx', state: 'ALARM', atMs: T0 + 3 * MINUTE, reason: '5xx > 1%' });
    sim.scenarios.alarmAt({ name: 'churn-5xx', state: 'ALARM', atMs: T0 + 4 * MINUTE, reason: '5xx > 2%' });
    const read = async () => (await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['churn-5xx'] }))).MetricAlarms?.[0];

    await clock.sleep(3 * MINUTE - 1);
    expect(await read()).toMatchObject({ StateValue: 'OK' });
    await clock.sleep(1);
    expect(await read()).toMatchObject({ StateValue: 'ALARM', StateReason: '5xx > 1%', StateTransitionedTimestamp: new Date(T0 + 3 * MINUTE) });
    await clock.sleep(MINUTE);
    expect(await read()).toMatchObject({
      StateValue: 'ALARM',
      StateReason: '5xx > 2%',
      StateUpdatedTimestamp: new Date(T0 + 4 * MINUTE),
      StateTransitionedTimestamp: new Date(T0 + 3 * MINUTE),
    });
    sim.setAlarm({ name: 'churn-5xx', state: 'INSUFFICIENT_DATA' });
    expect(await read()).toMatchObject({ StateValue: 'INSUFFICIENT_DATA', StateReason: expect.stringMatching(/^Insufficient Data/) });
    // Setting up alarms is not an API request.
    expect(sim.requestLog.map((e) => e.operation)).toEqual(['DescribeAlarms', 'DescribeAlarms', 'DescribeAlarms', 'DescribeAlarms']);
  });

  it('pages with MaxRecords and NextToken, metric alarms first, each by name', async () => {
    for (const name of ['c', 'a', 'b']) sim.setAlarm({ name, state: 'OK' });
    sim.setAlarm({ name: 'z', state: 'OK', type: 'composite' });
    const names: string[] = [];
    for await (const page of paginateDescribeAlarms({ client: cloudWatch, pageSize: 2 }, { AlarmNames: ['a', 'b', 'c', 'z'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] })) {
      names.push(...(page.MetricAlarms ?? []).map((a) => a.AlarmName ?? ''), ...(page.CompositeAlarms ?? []).map((a) => `composite:${a.AlarmName ?? ''}`));
    }
    expect(names).toEqual(['a', 'b', 'c', 'composite:z']);
    expect(sim.requestLog).toHaveLength(2);
  });

  it('rejects what CloudWatch rejects, with its query-compatible codes', async () => {
    const tooMany = await rejectionOf(cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: Array.from({ length: 101 }, (_, i) => `a${i}`) })));
    expect(tooMany.message).toMatch(/less than or equal to 100/);
    expect(tooMany.$metadata?.httpStatusCode).toBe(400);
    const both = await rejectionOf(cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['a'], AlarmNamePrefix: 'a' })));
    expect(both.name).toBe('InvalidParameterCombinationException');
  });

  it('throttles DescribeAlarms as CloudWatch does (400 Throttling, retried by the SDK)', async () => {
    sim.setAlarm({ name: 'churn-5xx', state: 'OK' });
    sim.scenarios.throttleControlPlane({ operations: ['DescribeAlarms'], count: 1, status: 429 });
    const failed = await rejectionOf(cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['churn-5xx'] })));
    expect(failed.name).toBe('Throttling');
    expect(failed.$metadata?.httpStatusCode).toBe(400);

    sim.scenarios.throttleControlPlane({ operations: ['DescribeAlarms'], count: 1, status: 429 });
    const patient = new CloudWatchClient({ endpoint: sim.endpoint, maxAttempts: 3 });
    try {
      const answer = await patient.send(new DescribeAlarmsCommand({ AlarmNames: ['churn-5xx'] }));
      expect(answer.MetricAlarms?.[0]?.StateValue).toBe('OK');
    } finally {
      patient.destroy();
    }
  });

  it('refuses alarmAt on an alarm that does not exist', () => {
    expect(() => sim.scenarios.alarmAt({ name: 'ghost', state: 'ALARM', atMs: T0 })).toThrow(/setAlarm first/);
  });
});
