import { GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { PublishVersionCommand, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { RealClock, VirtualClock } from './clock.js';
import { codeShaOf } from './lambda-model.js';
import { startSimulator, type Simulator } from './simulator.js';
import { sdkClients, useTestCredentials } from './test-clients.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const MINUTE = 60_000;

function errorsOf(version: string): MetricDataQuery {
  return {
    Id: `errors${version}`,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [
          { Name: 'FunctionName', Value: 'churn-model' },
          { Name: 'Resource', Value: 'churn-model:prod' },
          { Name: 'ExecutedVersion', Value: version },
        ],
      },
      Period: 60,
      Stat: 'Average',
    },
  };
}

describe('scenarios', () => {
  let sims: Simulator[] = [];

  async function simulator(clock: VirtualClock | RealClock): Promise<Simulator> {
    const sim = await startSimulator({ clock });
    sim.createFunction({ name: 'churn-model', versions: 1, aliases: [{ name: 'prod', version: '1' }] });
    sims.push(sim);
    return sim;
  }

  beforeEach(() => useTestCredentials());
  afterEach(async () => {
    await Promise.all(sims.map((s) => s.close()));
    sims = [];
  });

  it('gives canary errors to a version published after the scenario, from the given time on', async () => {
    const clock = new VirtualClock(T0);
    const sim = await simulator(clock);
    sim.scenarios.canaryErrors({ rate: 0.5, fromMs: T0 + 3 * MINUTE });
    sim.setLatestCode('churn-model', codeShaOf('churn-model:v2'));
    const { lambda, cloudWatch } = sdkClients(sim.endpoint);
    const published = await lambda.send(new PublishVersionCommand({ FunctionName: 'churn-model' }));
    await lambda.send(new UpdateAliasCommand({ FunctionName: 'churn-model', Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { [published.Version!]: 0.5 } } }));
    sim.startTraffic({ functionName: 'churn-model', alias: 'prod', requestsPerMinute: 2_000, seed: 5 });
    await clock.sleep(8 * MINUTE);

    const out = await cloudWatch.send(
      new GetMetricDataCommand({ MetricDataQueries: [errorsOf('1'), errorsOf('2')], StartTime: new Date(T0), EndTime: new Date(T0 + 6 * MINUTE), ScanBy: 'TimestampAscending' }),
    );
    const [stable, canary] = out.MetricDataResults ?? [];
    expect(stable?.Values).toEqual([0, 0, 0, 0, 0, 0]);
    const canaryRates = canary?.Values ?? [];
    expect(canaryRates.slice(0, 3)).toEqual([0, 0, 0]);
    for (const rate of canaryRates.slice(3)) expect(Math.abs(rate - 0.5)).toBeLessThan(0.1);
    lambda.destroy();
    cloudWatch.destroy();
  });

  it('makes the primary version of the alias fail with stableErrors', async () => {
    const clock = new VirtualClock(T0);
    const sim = await simulator(clock);
    sim.createFunction({ name: 'other-model', versions: 1 });
    sim.scenarios.stableErrors({ rate: 1 });
    const traffic = sim.startTraffic({ functionName: 'churn-model', alias: 'prod', requestsPerMinute: 600 });
    await clock.sleep(MINUTE);
    const stable = traffic.tally.byVersion['1']!;
    expect(stable.invocations).toBeGreaterThan(0);
    expect(stable.errors).toBe(stable.invocations);
  });

  it('is reproducible: the same seed sends the same traffic', async () => {
    const tallies = [];
    for (let run = 0; run < 2; run++) {
      const clock = new VirtualClock(T0);
      const sim = await simulator(clock);
      sim.createFunction({ name: 'fraud-model', versions: 2, aliases: [{ name: 'live', version: '1', weights: { '2': 0.25 } }] });
      sim.scenarios.canaryErrors({ rate: 0.1, target: { functionName: 'fraud-model', alias: 'live' } });
      const traffic = sim.startTraffic({ functionName: 'fraud-model', alias: 'live', requestsPerMinute: 300, seed: 99 });
      await clock.sleep(10 * MINUTE);
      tallies.push(traffic.tally);
    }
    expect(tallies[0]).toEqual(tallies[1]);
    expect(tallies[0]?.byVersion['2']?.errors).toBeGreaterThan(0);
  });

  it('refuses to guess the target when several aliases exist and no traffic runs', async () => {
    const sim = await simulator(new VirtualClock(T0));
    sim.createFunction({ name: 'fraud-model', versions: 1, aliases: [{ name: 'live', version: '1' }] });
    expect(() => sim.scenarios.canaryErrors({ rate: 1 })).toThrow(/ambiguous/);
  });

  it('drives traffic from a timer with a real clock', async () => {
    const sim = await simulator(new RealClock());
    const traffic = sim.startTraffic({ functionName: 'churn-model', alias: 'prod', requestsPerMinute: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    sim.stopTraffic();
    const sent = traffic.tally.total;
    expect(sent).toBeGreaterThan(100);
    expect(sent).toBeLessThan(1_000);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(traffic.tally.total).toBe(sent);
  });
});
