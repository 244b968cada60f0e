/**
 * CloudWatch alarms as a rollout signal (rollout.alarms), end to end: the real pipeline, the
 * real Lambda and SageMaker targets and the product's own SDK clients (DescribeAlarms and
 * GetMetricData, adaptive retries) over HTTP against the simulator, on one VirtualClock. The
 * canary is healthy by its own metrics in every test: only the alarm can stop it.
 */
import type { Report } from '../../src/report/result.js';
import type { Simulator, VirtualClock } from '../sim/index.js';
import { lastRollbackWrite, releaseWith, simulatorPerTest, writtenRouting, sageMakerTargetYaml } from '../support/sim-release.js';

const MINUTE = 60_000;
const FN = 'churn-model';
const ALIAS = 'prod';
/** 20 s into a minute, so alarm changes and polls never share an instant by accident. */
const START_MS = Date.UTC(2026, 2, 2, 9, 0, 20);
const STABLE = '3';
const CANDIDATE = '4';
const POLL_MS = 15_000;

const HEALTHY_PLAN = [
  { weights: { [CANDIDATE]: 0.25 } },
  { weights: { [CANDIDATE]: 0.5 } },
  { weights: { [CANDIDATE]: 0.75 } },
  { weights: { [CANDIDATE]: 1 } },
  { version: CANDIDATE, weights: {} },
];

/** linear 25 % every minute (about 9 minutes to promotion), watching `alarms`. */
function config(alarms: string[], extra = ''): string {
  return `
target:
  function-name: ${FN}
  alias: ${ALIAS}
  region: us-east-1
rollout:
  strategy: linear
  step: 25
  interval: 1m
  poll: ${POLL_MS / 1000}s
  final-bake: 1m
  min-invocations: 10
  alarms: [${alarms.join(', ')}]
${extra}`;
}

const alarmsRow = (report: Report) => report.results.find((r) => r.id === 'rollout.alarms');
const describeAlarmsCalls = (sim: Simulator) => sim.requestLog.filter((e) => e.operation === 'DescribeAlarms');

describe('rollout.alarms on a Lambda alias (simulator, simulated time)', () => {
  const run = simulatorPerTest(START_MS, MINUTE);
  let sim: Simulator;
  let clock: VirtualClock;
  beforeEach(() => {
    ({ sim, clock } = run);
    sim.createFunction({ name: FN, versions: 3, aliases: [{ name: ALIAS, version: STABLE }], latestCodeSha: 'sha-of-the-new-model' });
    sim.startTraffic({ functionName: FN, alias: ALIAS, requestsPerMinute: 600, seed: 7 });
  });
  const release = (text: string) => releaseWith(text, { clock });

  it('reads the alarms at every poll and promotes while they stay OK', async () => {
    sim.setAlarm({ name: 'churn-5xx', state: 'OK' });
    sim.setAlarm({ name: 'churn-health', state: 'OK', type: 'composite' });
    const report = await release(config(['churn-5xx', 'churn-health']));

    expect(report.outcome).toBe('promoted');
    expect(writtenRouting(sim)).toEqual(HEALTHY_PLAN);
    const observations = (report.timeline ?? []).filter((r) => r.event === 'observe');
    // One read before anything was written, then one per poll.
    expect(describeAlarmsCalls(sim)).toHaveLength(1 + observations.length);
    expect(sim.requestLog.indexOf(describeAlarmsCalls(sim)[0]!)).toBeLessThan(sim.requestLog.indexOf(sim.writes()[0]!));
    expect(describeAlarmsCalls(sim)[0]!.body).toMatchObject({ AlarmNames: ['churn-5xx', 'churn-health'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
    expect(alarmsRow(report)).toMatchObject({ status: 'pass', observed: 'churn-5xx OK, churn-health OK', message: expect.stringMatching(/^No watched alarm went to ALARM in \d+ polls/) });
  });

  it('rolls back within one poll when an alarm goes to ALARM mid-rollout, the canary healthy by its own metrics', async () => {
    sim.setAlarm({ name: 'churn-5xx', state: 'OK' });
    const firedAtMs = START_MS + 3 * MINUTE + 7_000;
    sim.scenarios.alarmAt({ name: 'churn-5xx', state: 'ALARM', atMs: firedAtMs, reason: 'Threshold Crossed: 5xx rate 4.2% > 1% in the proxy responses.' });
    const report = await release(config(['churn-5xx']));

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'rolled-back', exitCode: 1 });
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
    const rollbackAtMs = lastRollbackWrite(sim)!.atMs;
    expect(rollbackAtMs).toBeGreaterThanOrEqual(firedAtMs);
    expect(rollbackAtMs - firedAtMs).toBeLessThanOrEqual(POLL_MS);
    const failing = (report.timeline ?? []).filter((r) => r.verdict === 'fail');
    expect(failing).toHaveLength(1);
    expect(failing[0]).toMatchObject({ reason: 'CloudWatch alarm churn-5xx is in ALARM (Threshold Crossed: 5xx rate 4.2% > 1% in the proxy responses).', canary: { errors: 0 } });
    expect(report.headline).toMatch(/failed: CloudWatch alarm churn-5xx is in ALARM/);
    expect(alarmsRow(report)).toMatchObject({ status: 'fail', observed: 'churn-5xx ALARM', message: expect.stringMatching(/^CloudWatch alarm churn-5xx is in ALARM/) });
  });

  it('refuses to start, with zero writes, when an alarm is already in ALARM', async () => {
    sim.setAlarm({ name: 'churn-5xx', state: 'OK' });
    sim.setAlarm({ name: 'churn-p99', state: 'ALARM', reason: 'Threshold Crossed: p99 1830 ms > 800 ms' });
    const report = await release(config(['churn-5xx', 'churn-p99']));

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'aborted', exitCode: 1 });
    expect(sim.writes()).toEqual([]);
    expect(sim.listVersions(FN)).toEqual(['1', '2', '3']);
    expect(report.headline).toMatch(/^CloudWatch alarm churn-p99 is already in ALARM before the rollout \(Threshold Crossed: p99 1830 ms > 800 ms\), so it did not start and nothing was written/);
    expect(report.headline).toMatch(/set rollout\.alarms-ignore-initial: true to start anyway/);
    expect(alarmsRow(report)).toMatchObject({ status: 'fail', observed: 'churn-p99 ALARM' });
  });

  it('with alarms-ignore-initial, starts despite an alarm in ALARM and says it did not protect the release', async () => {
    sim.setAlarm({ name: 'churn-p99', state: 'ALARM', reason: 'Threshold Crossed: p99 1830 ms > 800 ms' });
    const report = await release(config(['churn-p99'], '  alarms-ignore-initial: true\n'));

    expect(report.outcome).toBe('promoted');
    expect(writtenRouting(sim)).toEqual(HEALTHY_PLAN);
    expect(alarmsRow(report)).toMatchObject({ status: 'warn', message: expect.stringMatching(/churn-p99 was already in ALARM before the rollout and never left it, so it was ignored throughout \(alarms-ignore-initial: true\)/) });
    expect((report.timeline ?? []).find((r) => r.event === 'observe')?.reason).toMatch(/churn-p99 is still in ALARM from before the rollout \(ignored: alarms-ignore-initial\)/);
  });

  it('with alarms-ignore-initial, rolls back once the alarm has recovered and fires again', async () => {
    sim.setAlarm({ name: 'churn-p99', state: 'ALARM', reason: 'Threshold Crossed: p99 1830 ms > 800 ms' });
    sim.scenarios.alarmAt({ name: 'churn-p99', state: 'OK', atMs: START_MS + 2 * MINUTE });
    const firedAtMs = START_MS + 4 * MINUTE + 3_000;
    sim.scenarios.alarmAt({ name: 'churn-p99', state: 'ALARM', atMs: firedAtMs, reason: 'Threshold Crossed: p99 2100 ms > 800 ms' });
    const report = await release(config(['churn-p99'], '  alarms-ignore-initial: true\n'));

    expect(report.outcome).toBe('rolled-back');
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
    expect(lastRollbackWrite(sim)!.atMs - firedAtMs).toBeLessThanOrEqual(POLL_MS);
    expect((report.timeline ?? []).some((r) => /churn-p99 left ALARM \(now OK\) and counts from now on/.test(r.reason))).toBe(true);
    expect(report.headline).toMatch(/CloudWatch alarm churn-p99 is in ALARM \(Threshold Crossed: p99 2100 ms > 800 ms\)/);
    expect(alarmsRow(report)).toMatchObject({ status: 'fail', message: expect.stringMatching(/counted once it left ALARM/) });
  });

  it('with alarms-ignore-initial, catches an alarm that recovered and fired again between two polls', async () => {
    sim.setAlarm({ name: 'churn-p99', state: 'ALARM' });
    // OK for 3 seconds only: no poll sees it, but the newer transition time gives it away.
    sim.scenarios.alarmAt({ name: 'churn-p99', state: 'OK', atMs: START_MS + 2 * MINUTE + 1_000 });
    sim.scenarios.alarmAt({ name: 'churn-p99', state: 'ALARM', atMs: START_MS + 2 * MINUTE + 4_000, reason: 'fired again' });
    const report = await release(config(['churn-p99'], '  alarms-ignore-initial: true\n'));

    expect(report.outcome).toBe('rolled-back');
    expect(report.headline).toMatch(/CloudWatch alarm churn-p99 is in ALARM \(fired again\)/);
    expect(lastRollbackWrite(sim)!.atMs - (START_MS + 2 * MINUTE + 4_000)).toBeLessThanOrEqual(POLL_MS);
  });

  it('stops with exit 2 and zero writes when an alarm name does not exist, naming every missing one', async () => {
    sim.setAlarm({ name: 'churn-5xx', state: 'OK' });
    sim.setAlarm({ name: 'churn-health', state: 'OK', type: 'composite' });
    const report = await release(config(['churn-5xx', 'churn-5XX', 'churn-health', 'churn-latency']));

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'aborted', exitCode: 2 });
    expect(sim.writes()).toEqual([]);
    expect(report.headline).toMatch(/^Input error: rollout\.alarms names 2 CloudWatch alarms that do not exist in this account and region: churn-5XX, churn-latency \(metric and composite alarms were searched; names are case-sensitive\)/);
    expect(alarmsRow(report)).toMatchObject({ status: 'error', cause: 'input' });
  });

  it('does not fail on INSUFFICIENT_DATA, and reports it', async () => {
    sim.setAlarm({ name: 'churn-5xx', state: 'INSUFFICIENT_DATA' });
    sim.scenarios.alarmAt({ name: 'churn-5xx', state: 'OK', atMs: START_MS + 5 * MINUTE });
    const report = await release(config(['churn-5xx']));

    expect(report.outcome).toBe('promoted');
    expect(writtenRouting(sim)).toEqual(HEALTHY_PLAN);
    expect((report.timeline ?? []).find((r) => r.event === 'observe')?.reason).toMatch(/Alarms: churn-5xx has INSUFFICIENT_DATA \(not a failure\)\.$/);
    expect(alarmsRow(report)).toMatchObject({ status: 'warn', observed: 'churn-5xx OK', message: expect.stringMatching(/churn-5xx had INSUFFICIENT_DATA at some polls: not a failure/) });
  });

  it('rides out throttled DescribeAlarms calls through the SDK retries', async () => {
    sim.setAlarm({ name: 'churn-5xx', state: 'OK' });
    sim.scenarios.throttleControlPlane({ operations: ['DescribeAlarms'], count: 3, status: 429 });
    const report = await release(config(['churn-5xx']));

    expect(report.outcome).toBe('promoted');
    expect(writtenRouting(sim)).toEqual(HEALTHY_PLAN);
    expect(describeAlarmsCalls(sim).filter((e) => e.status === 400)).toHaveLength(3);
    expect(alarmsRow(report)?.status).toBe('pass');
  }, 60_000);

  it('rolls back like a failed metrics read when DescribeAlarms fails after the retries', async () => {
    sim.setAlarm({ name: 'churn-5xx', state: 'OK' });
    // CloudWatch's alarms go down two minutes in: after the preflight, during the rollout.
    const stop = clock.onAdvance((_from, to) => {
      if (to < START_MS + 2 * MINUTE) return;
      stop();
      sim.scenarios.throttleControlPlane({ operations: ['DescribeAlarms'], count: 1_000_000, status: 503 });
    });
    const report = await release(config(['churn-5xx']));

    expect(report.outcome).toBe('rolled-back');
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
    expect(report.headline).toMatch(/^Failed while reading the metrics of versions 4 and 3 and the CloudWatch alarm churn-5xx: Simulated CloudWatch outage/);
    expect(describeAlarmsCalls(sim).filter((e) => e.status === 503)).toHaveLength(6);
  }, 75_000);
});

describe('rollout.alarms on a SageMaker endpoint (the signal does not know the target)', () => {
  const ENDPOINT = 'churn-endpoint';
  const STABLE_MODEL = 'churn-model-v1';
  const env = simulatorPerTest(Date.UTC(2026, 0, 5, 9, 0, 0));
  beforeEach(() => {
    env.sim.createEndpoint({ name: ENDPOINT, variants: [{ variantName: 'AllTraffic', modelName: STABLE_MODEL, instanceCount: 2, instanceType: 'ml.m5.large' }] });
    env.sim.startEndpointTraffic({ endpointName: ENDPOINT, requestsPerMinute: 600, seed: 5 });
  });

  it('rolls the candidate variant back when its alarm fires mid-rollout', async () => {
    const startMs = env.clock.now();
    env.sim.setAlarm({ name: 'churn-endpoint-model-drift', state: 'OK' });
    const firedAtMs = startMs + 6 * MINUTE;
    env.sim.scenarios.alarmAt({ name: 'churn-endpoint-model-drift', state: 'ALARM', atMs: firedAtMs, reason: 'score mean 0.02 < 0.1' });
    const report = await releaseWith(
      `
${sageMakerTargetYaml(ENDPOINT)}rollout:
  strategy: steps
  steps:
    - { percent: 25, duration: 2m }
    - { percent: 50, duration: 2m }
  final-bake: 2m
  poll: 30s
  min-invocations: 50
  judge: { type: compare }
  alarms: [churn-endpoint-model-drift]
`,
      { clock: env.clock },
    );

    expect(report.outcome).toBe('rolled-back');
    const serving = env.sim.getEndpointState(ENDPOINT).variants.filter((v) => v.weight > 0);
    expect(serving.map((v) => v.modelName)).toEqual([STABLE_MODEL]);
    expect(report.headline).toMatch(/CloudWatch alarm churn-endpoint-model-drift is in ALARM \(score mean 0\.02 < 0\.1\)/);
    const weights = env.sim.requestLog.filter((e) => e.operation === 'UpdateEndpointWeightsAndCapacities');
    const firstAfter = weights.find((e) => e.atMs >= firedAtMs);
    // The rollback is the first weights update after the alarm fired, within one poll (30 s).
    expect(firstAfter!.atMs - firedAtMs).toBeLessThanOrEqual(30_000);
    expect(alarmsRow(report)).toMatchObject({ status: 'fail' });
  });
});
