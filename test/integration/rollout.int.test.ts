/**
 * The whole release path in one process: the real pipeline, the real Lambda target and the real
 * SDK clients (adaptive retry, maxAttempts 6) over HTTP against the AWS simulator, which shares
 * ONE VirtualClock with the product. The product finds the simulator only through
 * AWS_ENDPOINT_URL. Each test asserts the outcome, the final alias in the simulator, the
 * report's timeline and the API requests the simulator received.
 */
import type { Report } from '../../src/report/result.js';
import { buildSteps } from '../../src/rollout/plan.js';
import { METRIC_PERIOD_MS, timeToInconclusiveMs } from '../../src/rollout/timing.js';
import type { Simulator, VirtualClock } from '../sim/index.js';
import { runCli } from '../support/run-bundle.js';
import { lastRollbackWrite, loadTestConfig, releaseWith, simulatorPerTest, updateAliasCalls, writtenRouting } from '../support/sim-release.js';

const MINUTE = 60_000;
const FN = 'churn-model';
const ALIAS = 'prod';
/** 20 s into a minute, so step boundaries never coincide with datapoint publication. */
const START_MS = Date.UTC(2026, 2, 2, 9, 0, 20);
const STABLE = '3';
const CANDIDATE = '4';
const POLL_MS = 15_000;

/** linear 25 % every minute: 0.25, 0.5, 0.75, then the 1.0 final bake, then promote. */
const BASE_CONFIG = `
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
  metric-delay: 1m
  min-invocations: 10
`;

const HEALTHY_PLAN = [
  { weights: { [CANDIDATE]: 0.25 } },
  { weights: { [CANDIDATE]: 0.5 } },
  { weights: { [CANDIDATE]: 0.75 } },
  { weights: { [CANDIDATE]: 1 } },
  { version: CANDIDATE, weights: {} },
];

describe('release pipeline against the AWS simulator (in process, simulated time)', () => {
  const run = simulatorPerTest(START_MS, MINUTE);
  // Read through the getters in each test: every test gets its own simulator and clock.
  let sim: Simulator;
  let clock: VirtualClock;
  beforeEach(() => {
    ({ sim, clock } = run);
  });

  function setUp(options: { weights?: Record<string, number>; requestsPerMinute?: number } = {}): void {
    sim.createFunction({
      name: FN,
      versions: 3,
      aliases: [{ name: ALIAS, version: STABLE, ...(options.weights ? { weights: options.weights } : {}) }],
      latestCodeSha: 'sha-of-the-new-model',
    });
    sim.startTraffic({ functionName: FN, alias: ALIAS, requestsPerMinute: options.requestsPerMinute ?? 600, seed: 7 });
  }

  function release(configText = BASE_CONFIG): Promise<Report> {
    return releaseWith(configText, { clock });
  }

  it('promotes a healthy version, writing exactly the planned weights in order', async () => {
    setUp();
    const report = await release();

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'promoted', exitCode: 0 });
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: CANDIDATE, weights: {} });
    expect(writtenRouting(sim)).toEqual(HEALTHY_PLAN);
    expect(sim.writes().map((w) => [w.operation, w.status])).toEqual([['PublishVersion', 201], ...HEALTHY_PLAN.map(() => ['UpdateAlias', 200])]);
    // Every write was conditional on the revision the previous write returned.
    const revisions = updateAliasCalls(sim).map((e) => e.body.RevisionId);
    expect(revisions.every((r) => typeof r === 'string' && r.length > 0)).toBe(true);
    expect(new Set(revisions).size).toBe(revisions.length);

    const timeline = report.timeline ?? [];
    expect(timeline.filter((r) => r.event === 'shift').map((r) => r.weight)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(timeline.at(-1)).toMatchObject({ event: 'promote' });
    // No step passed without a verdict on real data: each step's last observation passes on
    // at least min-invocations of the candidate, and no observation ever failed.
    for (const step of [1, 2, 3, 4]) {
      const last = timeline.filter((r) => r.step === step && r.event === 'observe').at(-1);
      expect(last).toMatchObject({ verdict: 'pass', canary: { version: CANDIDATE, errors: 0 } });
      expect(last?.canary?.invocations).toBeGreaterThanOrEqual(10);
    }
    expect(timeline.some((r) => r.verdict === 'fail' || r.verdict === 'inconclusive')).toBe(false);
    // The final bake settles: promotion comes at least one period + metric delay after the 100 % shift.
    const finalShift = updateAliasCalls(sim, 200)[3];
    const promote = updateAliasCalls(sim, 200)[4];
    expect(promote!.atMs - finalShift!.atMs).toBeGreaterThanOrEqual(MINUTE + MINUTE + MINUTE);
  });

  it('rolls back within one poll of the first faulty datapoint being published', async () => {
    setUp();
    // Fault from the top of the minute 3 min after start (weight is 0.5 or more by then).
    const onsetMs = Date.UTC(2026, 2, 2, 9, 3, 0);
    sim.scenarios.canaryErrors({ rate: 0.3, fromMs: onsetMs });
    const report = await release();

    expect(report.outcome).toBe('rolled-back');
    expect(report.exitCode).toBe(1);
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
    const writes = writtenRouting(sim);
    expect(writes.at(-1)).toEqual({ weights: {} });
    expect(writes.some((w) => w.version === CANDIDATE)).toBe(false);

    const publishedAtMs = Math.floor(onsetMs / METRIC_PERIOD_MS) * METRIC_PERIOD_MS + METRIC_PERIOD_MS + MINUTE;
    const rollbackAtMs = lastRollbackWrite(sim)!.atMs;
    expect(rollbackAtMs).toBeGreaterThanOrEqual(publishedAtMs);
    expect(rollbackAtMs - publishedAtMs).toBeLessThanOrEqual(POLL_MS);
    // The failing observation names the errors; the last row is the rollback.
    const timeline = report.timeline ?? [];
    const failing = timeline.find((r) => r.verdict === 'fail');
    expect(failing?.canary?.errors).toBeGreaterThan(0);
    expect(failing?.reason).toMatch(/errors? in \d+ invocations of version 4/);
    expect(timeline.at(-1)).toMatchObject({ event: 'rollback', weight: 0 });
    // No observation before publication could have seen the fault, and none did.
    expect(timeline.filter((r) => r.verdict === 'fail')).toHaveLength(1);
    // The chart's per-minute counts: whole minutes as CloudWatch published them, healthy before
    // the onset and about 30% errors from it on.
    const minutes = report.minutes ?? [];
    const startedAtMs = Date.parse(report.startedAt);
    expect(minutes.length).toBeGreaterThan(2);
    for (const minute of minutes) expect((startedAtMs + minute.atMs) % MINUTE).toBe(0);
    const rateFrom = (fromMs: number, toMs: number) => {
      const inRange = minutes.filter((m) => startedAtMs + m.atMs >= fromMs && startedAtMs + m.atMs < toMs && (m.canary?.invocations ?? 0) > 0);
      const sum = inRange.reduce((a, m) => ({ inv: a.inv + m.canary!.invocations, err: a.err + m.canary!.errors }), { inv: 0, err: 0 });
      return sum.err / sum.inv;
    };
    expect(rateFrom(0, onsetMs)).toBe(0);
    expect(rateFrom(onsetMs, Number.POSITIVE_INFINITY)).toBeGreaterThan(0.2);
  });

  it('promotes when only the stable version has errors (they are never held against the candidate)', async () => {
    setUp();
    sim.scenarios.stableErrors({ rate: 0.2 });
    const report = await release();

    expect(report.outcome).toBe('promoted');
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: CANDIDATE, weights: {} });
    expect(writtenRouting(sim)).toEqual(HEALTHY_PLAN);
    const observed = (report.timeline ?? []).filter((r) => r.event === 'observe' && r.verdict === 'pass');
    expect(observed.some((r) => (r.stable?.errors ?? 0) > 0)).toBe(true);
    expect(observed.every((r) => r.canary?.errors === 0)).toBe(true);
    expect(observed.find((r) => (r.stable?.errors ?? 0) > 0)?.reason).toMatch(/not held against the candidate/);
  });

  it('never promotes without traffic: inconclusive, rolled back at the extension deadline', async () => {
    setUp();
    sim.scenarios.zeroTraffic();
    const report = await release();

    expect(report.outcome).toBe('rolled-back');
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
    expect(writtenRouting(sim)).toEqual([{ weights: { [CANDIDATE]: 0.25 } }, { weights: {} }]);
    const timeline = report.timeline ?? [];
    expect(timeline.map((r) => r.event)).toContain('extend');
    expect(timeline.find((r) => r.verdict === 'inconclusive')).toBeDefined();
    expect(report.headline).toMatch(/inconclusive/);
    // Measured exactly against the documented budget (API calls take no simulated time): the
    // step counts from its first whole minute (40 s after the shift at :20), then 1m + 1m extension.
    const [shift, rollback] = updateAliasCalls(sim, 200);
    const rollout = loadTestConfig(BASE_CONFIG).rollout!;
    const steps = buildSteps(rollout.plan, rollout.finalBakeMs);
    expect(rollback!.atMs - shift!.atMs).toBe(timeToInconclusiveMs(steps, rollout, { apiCallMs: 0 }, shift!.atMs));
    expect(rollback!.atMs - shift!.atMs).toBe(40_000 + 2 * MINUTE);
  });

  it("never passes a step on the previous step's traffic: a step without calls of its own is inconclusive", async () => {
    setUp();
    // Step 1 (25 %) counts from 09:01 and passes at 09:03, when its own minute is published;
    // from step 2's shift at 09:03 on, nobody calls the alias. The old loop passed step 2 (and
    // every later one) on step 1's minutes still in the 5m window, and promoted.
    const silentFromMs = Date.UTC(2026, 2, 2, 9, 3, 0);
    clock.onAdvance((_from, to) => {
      if (to >= silentFromMs) sim.scenarios.zeroTraffic();
    });
    const report = await release();

    expect(report.outcome).toBe('rolled-back');
    expect(writtenRouting(sim)).toEqual([{ weights: { [CANDIDATE]: 0.25 } }, { weights: { [CANDIDATE]: 0.5 } }, { weights: {} }]);
    expect(updateAliasCalls(sim, 200)[1]!.atMs).toBe(silentFromMs);
    const step2 = (report.timeline ?? []).filter((r) => r.step === 2 && r.event === 'observe');
    expect(step2.some((r) => r.verdict === 'pass')).toBe(false);
    expect(step2.at(-1)).toMatchObject({ verdict: 'inconclusive', reason: expect.stringMatching(/^Only 0 invocations of version 4 in the 1 published whole minute of step 2's own traffic/) });
    expect(step2.at(-1)?.canary?.invocations).toBeGreaterThanOrEqual(100);
    expect(report.headline).toMatch(/^Step 2 \(50%\) inconclusive/);
  });

  it('rides out a few 429s on UpdateAlias and 500s on GetMetricData through the SDK retries, then promotes', async () => {
    setUp();
    sim.scenarios.throttleControlPlane({ operations: ['UpdateAlias'], count: 2, status: 429 });
    sim.scenarios.throttleControlPlane({ operations: ['GetMetricData'], count: 2, status: 500 });
    const report = await release();

    expect(report.outcome).toBe('promoted');
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: CANDIDATE, weights: {} });
    expect(writtenRouting(sim)).toEqual(HEALTHY_PLAN);
    // The first shift was answered 429 twice, then accepted: the same request, retried by the SDK.
    const first = updateAliasCalls(sim).slice(0, 3);
    expect(first.map((e) => e.status)).toEqual([429, 429, 200]);
    expect(new Set(first.map((e) => JSON.stringify(e.body))).size).toBe(1);
    const metricStatuses = sim.requestLog.filter((e) => e.operation === 'GetMetricData').map((e) => e.status);
    expect(metricStatuses.filter((s) => s === 500)).toHaveLength(2);
  }, 60_000);

  it('rolls back when GetMetricData is throttled without end (retries exhausted)', async () => {
    setUp();
    sim.scenarios.throttleControlPlane({ operations: ['GetMetricData'], count: 1_000_000, status: 429 });
    const report = await release();

    expect(report.outcome).toBe('rolled-back');
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
    expect(writtenRouting(sim)).toEqual([{ weights: { [CANDIDATE]: 0.25 } }, { weights: {} }]);
    // The canary and stable reads run in parallel; the rollout rolls back as soon as the first one
    // has given up after the SDK's 6 attempts, and the other read is cancelled with it: no
    // GetMetricData request reaches the simulator after the rollback (waited for in real time).
    const attemptsOf = (version: string) =>
      sim.requestLog.filter((e) => e.operation === 'GetMetricData' && JSON.stringify(e.body).includes(`"ExecutedVersion","Value":"${version}"`));
    await new Promise((r) => setTimeout(r, 3_000));
    const attempts = [attemptsOf(CANDIDATE).length, attemptsOf(STABLE).length];
    expect(Math.max(...attempts)).toBe(6);
    const reads = sim.requestLog.filter((e) => e.operation === 'GetMetricData');
    expect(reads.every((e) => e.status === 400)).toBe(true);
    const rollback = lastRollbackWrite(sim)!;
    expect(sim.requestLog.indexOf(rollback)).toBeGreaterThan(sim.requestLog.indexOf(reads.at(-1)!));
    expect(report.headline).toMatch(/Rate exceeded|Throttling/);
  }, 75_000);

  it("stops on a concurrent alias change, leaves that change intact and never writes after it", async () => {
    setUp();
    // Right after our 2nd UpdateAlias (the 50 % shift), an operator points prod at version 1.
    sim.scenarios.concurrentAliasChange({ afterUpdateAliasCalls: 2, change: { version: '1', weights: {} } });
    const report = await release();

    // The change lands between our write and its read-back: the read-back shows a revision
    // that is not the one our write produced, which is a conflict: stop, never overwrite.
    expect(report.outcome).toBe('aborted');
    expect(report.exitCode).toBe(1);
    expect(report.headline).toMatch(/was changed by someone else while .*found version 1, no additional weights/);
    expect(report.headline).toMatch(/Stopped without overwriting it\.$/);
    expect(sim.injectedEvents).toHaveLength(1);
    const theirs = sim.getAliasState(FN, ALIAS);
    expect(theirs).toMatchObject({ version: '1', weights: {} });
    // Not one UpdateAlias (not even a refused one) after our 2nd: theirs is the last change.
    const calls = updateAliasCalls(sim);
    expect(calls.map((e) => e.status)).toEqual([200, 200]);
    expect(writtenRouting(sim)).toEqual(HEALTHY_PLAN.slice(0, 2));
    expect(sim.writes()).toHaveLength(3); // PublishVersion + our two shifts
    expect(report.timeline?.at(-1)).toMatchObject({ event: 'abort' });
  });

  it('dry run: reads only, prints the plan, writes nothing', async () => {
    setUp();
    const report = await release(`${BASE_CONFIG}\ndry-run: true\n`);

    expect(report.outcome).toBe('planned');
    expect(report.exitCode).toBe(0);
    expect(sim.writes()).toEqual([]);
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
    const timeline = report.timeline ?? [];
    expect(timeline[0]).toMatchObject({ event: 'preflight', reason: expect.stringMatching(/version 3, no additional weights/) });
    // The schedule the run keeps: each 1m step is judged on its own first minute, published 2m
    // after it starts; the final bake (1m) settles 1m + 1m. (The old plan said 1m a step and
    // promoted at 4m, without the settling: a schedule no run could keep.)
    expect(timeline.slice(1).map((r) => [r.event, r.weight, r.atMs])).toEqual([
      ['shift', 0.25, 0],
      ['shift', 0.5, 2 * MINUTE],
      ['shift', 0.75, 4 * MINUTE],
      ['shift', 1, 6 * MINUTE],
      ['promote', 1, 9 * MINUTE],
    ]);
    expect(report.headline).toMatch(/Dry run: would roll .* on lambda:churn-model:prod/);
    expect(report.headline).toContain('expected duration 9m');
    // The feasibility of the plan is in the report: every step can be judged.
    expect(report.results.find((r) => r.id === 'rollout.plan')).toMatchObject({ status: 'pass', message: expect.stringContaining('Needs at least 40 req/min on the alias (step 1, 25%)') });
  });

  it('dry run of a plan that can never pass: an error with the numbers, exit 2, nothing written', async () => {
    setUp();
    const report = await release(`${BASE_CONFIG}  max-extension: 30s
dry-run: true
`);

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'planned', exitCode: 2 });
    expect(sim.writes()).toEqual([]);
    expect(report.headline).toMatch(/^Dry run: the plan can never pass as configured: Step 1 \(25%\) can never be judged: it lasts 1m with up to 30s of extension, but the first whole minute of its own traffic is published only 2m after it starts/);
    expect(report.results.filter((r) => r.id.startsWith('rollout.plan.')).map((r) => [r.id, r.status])).toEqual([
      ['rollout.plan.step-1', 'error'],
      ['rollout.plan.step-2', 'error'],
      ['rollout.plan.step-3', 'error'],
    ]);
  });

  it('dry run with rollout.expected-rpm: a warning with the numbers for a step that depends on more traffic, exit 0', async () => {
    setUp();
    const report = await release(`${BASE_CONFIG}  expected-rpm: 30
dry-run: true
`);

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'planned', exitCode: 0 });
    // 30 req/min × 25 % = 7.5 a minute, one minute readable by step 1's deadline: < 10.
    expect(report.results.find((r) => r.id === 'rollout.plan.step-1')).toMatchObject({
      status: 'warn',
      observed: 7.5,
      expected: 10,
      message: expect.stringContaining('at the expected 30 req/min, 25% is about 7.5 invocations a minute'),
    });
    expect(report.results.find((r) => r.id === 'rollout.plan.step-2')).toBeUndefined();
  });

  it.each([
    ['function name', 'no-such-model', ALIAS, /no-such-model/],
    ['alias name', FN, 'staging', /Alias 'staging' of Lambda function 'churn-model' was not found/],
  ])('a bad %s is an input error (exit 2), naming it, with zero writes', async (_what, functionName, alias, message) => {
    setUp();
    const config = BASE_CONFIG.replace(`function-name: ${FN}`, `function-name: ${functionName}`).replace(`alias: ${ALIAS}`, `alias: ${alias}`);
    const report = await release(config);

    expect(report.outcome).toBe('aborted');
    expect(report.exitCode).toBe(2);
    expect(report.headline).toMatch(/^Input error: /);
    expect(report.headline).toMatch(message);
    expect(report.headline).toMatch(/nothing was changed\.$/);
    expect(report.results.find((r) => r.id === 'rollout.preflight')).toMatchObject({ status: 'error', cause: 'input', message: expect.stringMatching(message) });
    expect(sim.writes()).toEqual([]);
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
  });

  it.each([
    ['a release', ''],
    ['a dry run', 'dry-run: true\n'],
  ])('an unknown target.version is an input error (exit 2) in %s, with zero writes', async (_what, extra) => {
    setUp();
    const config = `${BASE_CONFIG.replace(`alias: ${ALIAS}`, `alias: ${ALIAS}\n  version: '42'`)}\n${extra}`;
    const report = await release(config);

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'aborted', exitCode: 2 });
    expect(report.headline).toMatch(/^Input error: .*version '42'.*; nothing was changed\.$/);
    expect(report.results.find((r) => r.id === 'rollout.candidate')).toMatchObject({ status: 'error', cause: 'input' });
    expect(sim.writes()).toEqual([]);
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
  });

  it('refuses an alias that already has additional weights, with zero writes (default policy)', async () => {
    setUp({ weights: { '2': 0.3 } });
    const before = sim.getAliasState(FN, ALIAS);
    const report = await release();

    expect(report.outcome).toBe('aborted');
    expect(report.headline).toMatch(/already routes traffic to another version .*30% on version 2/);
    expect(report.headline).toMatch(/on-existing-canary/);
    expect(sim.writes()).toEqual([]);
    expect(sim.getAliasState(FN, ALIAS)).toEqual(before);
    expect(sim.listVersions(FN)).toEqual(['1', '2', '3']);
  });

  it('clears existing weights first with on-existing-canary: rollback, then rolls out', async () => {
    setUp({ weights: { '2': 0.3 } });
    const report = await release(`${BASE_CONFIG}  on-existing-canary: rollback\n`);

    expect(report.outcome).toBe('promoted');
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: CANDIDATE, weights: {} });
    expect(writtenRouting(sim)).toEqual([{ weights: {} }, ...HEALTHY_PLAN]);
    expect((report.timeline ?? []).some((r) => r.event === 'preflight' && /Cleared the existing canary/.test(r.reason))).toBe(true);
  });

  it("remembers promotions on the alias, so `rollback --to previous` skips a release that was rolled back", async () => {
    setUp();
    // 4 promoted over 3; 5 fails and is rolled back automatically; 6 promoted over 4.
    expect((await releaseWith(BASE_CONFIG, { clock, sha: 'a'.repeat(40) })).outcome).toBe('promoted');
    sim.setLatestCode(FN, 'sha-of-a-broken-model');
    sim.scenarios.canaryErrors({ rate: 0.3 });
    expect((await releaseWith(BASE_CONFIG, { clock, sha: 'b'.repeat(40) })).outcome).toBe('rolled-back');
    sim.setLatestCode(FN, 'sha-of-the-fixed-model');
    sim.scenarios.healthy();
    expect((await releaseWith(BASE_CONFIG, { clock, sha: 'c'.repeat(40) })).outcome).toBe('promoted');
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: '6', weights: {}, description: 'model-release-gate promoted=6,4,3' });
    // The promotion wrote the history; the shifts and the automatic rollback left it alone.
    expect(updateAliasCalls(sim, 200).filter((c) => c.body.Description !== undefined).map((c) => c.body.Description)).toEqual([
      'model-release-gate promoted=4,3',
      'model-release-gate promoted=6,4,3',
    ]);

    // A person rolls back with the committed CLI bundle, over HTTP, as a GitLab job would.
    const rollback = await runCli(['rollback', '--function-name', FN, '--alias', ALIAS, '--to', 'previous', '--reason', 'tickets'], {
      env: { AWS_ENDPOINT_URL: sim.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' },
    });
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toContain("by the alias's promotion history (version 4 was promoted before 6)");
    // The rollback took 6 out of the history in the same write: the next `previous` goes on to 3.
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: '4', weights: {}, description: 'model-release-gate promoted=4,3' });
  });
});

describe('a rollout that starts late in a minute (in process, simulated time)', () => {
  /** 55 s into a minute: the shift's own minute holds only 5 s of the first step's traffic. */
  const LATE_START_MS = Date.UTC(2026, 2, 2, 9, 0, 55);
  const run = simulatorPerTest(LATE_START_MS, MINUTE);

  it('counts the first step from its first whole minute, so a healthy release is promoted, not inconclusive', async () => {
    const { sim, clock } = run;
    sim.createFunction({ name: FN, versions: 3, aliases: [{ name: ALIAS, version: STABLE }], latestCodeSha: 'sha-of-the-new-model' });
    sim.startTraffic({ functionName: FN, alias: ALIAS, requestsPerMinute: 600, seed: 11 });
    // 600 req/min × 25 % × 5 s ≈ 12 calls in the shift's minute: under 30. The next minute is
    // published at 09:03, after the 1m step + 1m extension the old loop counted from 09:00:55.
    const report = await releaseWith(BASE_CONFIG.replace('min-invocations: 10', 'min-invocations: 30'), { clock });

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'promoted', exitCode: 0 });
    const timeline = report.timeline ?? [];
    expect(timeline.some((r) => r.verdict === 'inconclusive')).toBe(false);
    const step1 = timeline.filter((r) => r.step === 1 && r.event === 'observe').at(-1);
    expect(step1).toMatchObject({ verdict: 'pass', atMs: 5_000 + 2 * MINUTE });
    expect(step1?.reason).toMatch(/in step 1's own 1 minute/);
    // Later shifts land on minute boundaries: 09:03, 09:05, 09:07.
    expect(updateAliasCalls(sim, 200).slice(1, 4).map((c) => new Date(c.atMs).toISOString().slice(11, 19))).toEqual(['09:03:00', '09:05:00', '09:07:00']);
  });
});
