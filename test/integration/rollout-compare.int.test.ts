/**
 * The compare judge on the whole release path: the real pipeline, the real Lambda target and the
 * real SDK clients over HTTP against the AWS simulator, on one VirtualClock shared with it. The
 * judge sees exactly what CloudWatch serves: per-version, per-minute Invocations and Errors,
 * published a minute late.
 */
import type { Report } from '../../src/report/result.js';
import { releaseWith, simulatorPerTest, updateAliasCalls, writtenRouting } from '../support/sim-release.js';

const MINUTE = 60_000;
const FN = 'churn-model';
const ALIAS = 'prod';
/** 20 s into a minute, so step boundaries never coincide with datapoint publication. */
const START_MS = Date.UTC(2026, 2, 2, 9, 0, 20);
const STABLE = '3';
const CANDIDATE = '4';
const BASELINE = 0.02;

/** 25% for 5 minutes, then 50% for 5 (the decisive step), a 1-minute final bake; 2-minute extensions. */
function config(judge: string): string {
  return `
target:
  function-name: ${FN}
  alias: ${ALIAS}
  region: us-east-1
rollout:
  steps:
    - { percent: 25, duration: 5m }
    - { percent: 50, duration: 5m }
  poll: 15s
  final-bake: 1m
  metric-delay: 1m
  min-invocations: 10
  max-extension: 2m
  judge:
${judge}
`;
}
const COMPARE = config('    type: compare');
const SEED_RULE = config('    type: threshold');

describe('judge: compare against the AWS simulator (in process, simulated time)', () => {
  const run = simulatorPerTest(START_MS, MINUTE);

  /** Stable version 3 at `rate` errors, candidate 4 at `canaryRate`, `requestsPerMinute` through the alias. */
  function setUp(options: { rate: number | ((tMs: number) => number); canaryRate?: number | ((tMs: number) => number); requestsPerMinute: number; seed?: number }): void {
    const { sim } = run;
    sim.createFunction({ name: FN, versions: 3, aliases: [{ name: ALIAS, version: STABLE }], latestCodeSha: 'sha-of-the-new-model' });
    sim.startTraffic({ functionName: FN, alias: ALIAS, requestsPerMinute: options.requestsPerMinute, seed: options.seed ?? 11 });
    run.sim.scenarios.stableErrors({ rate: options.rate });
    run.sim.scenarios.canaryErrors({ rate: options.canaryRate ?? options.rate });
  }

  function release(configText: string): Promise<Report> {
    return releaseWith(configText, { clock: run.clock });
  }

  const observations = (report: Report) => (report.timeline ?? []).filter((r) => r.event === 'observe');

  it('promotes a healthy version at a 2% baseline that the seed rule rolls back', async () => {
    setUp({ rate: BASELINE, requestsPerMinute: 1200 });
    const report = await release(COMPARE);

    expect(report.outcome).toBe('promoted');
    expect(run.sim.getAliasState(FN, ALIAS)).toMatchObject({ version: CANDIDATE, weights: {} });
    expect(writtenRouting(run.sim).map((w) => w.weights[CANDIDATE] ?? (w.version === CANDIDATE ? 'promoted' : 0))).toEqual([0.25, 0.5, 1, 'promoted']);
    // The candidate did err, as often as stable: the decisive step passed on evidence against a
    // 2× regression, computed from the per-minute datapoints CloudWatch served.
    const decisive = observations(report).filter((r) => r.step === 2 && r.verdict === 'pass').at(-1);
    expect(decisive?.canary?.errors).toBeGreaterThan(20);
    expect(decisive?.reason).toMatch(/^Canary [\d.]+% vs stable [\d.]+% errors: enough calls to rule out a 2× regression; ready to promote — /);

    // Same traffic, same seed, the seed rule: any canary error rolls back.
    await run.restart();
    setUp({ rate: BASELINE, requestsPerMinute: 1200 });
    expect((await release(SEED_RULE)).outcome).toBe('rolled-back');
  });

  it('rolls back a 2× regression within minutes, before the decisive step ends', async () => {
    setUp({ rate: BASELINE, canaryRate: 2 * BASELINE, requestsPerMinute: 1200 });
    const report = await release(COMPARE);

    expect(report.outcome).toBe('rolled-back');
    expect(run.sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
    expect(report.headline).toMatch(/a regression of at least 2×; the step fails — .*evidence [\d.]+ ≥ 1\/0\.025 = 40 \(α 0\.05 less the final look's 50%\)/);
    const [firstShift] = updateAliasCalls(run.sim, 200);
    const rollback = updateAliasCalls(run.sim, 200).at(-1)!;
    expect(rollback.body.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
    expect(rollback.atMs - firstShift!.atMs).toBeLessThan(10 * MINUTE);
  });

  it('does not roll back a healthy version for an error spike both versions share', async () => {
    // Both versions fail 5× as often for two minutes inside the 50% step (a dependency outage).
    const spikeFrom = START_MS + 6 * MINUTE;
    const spike = (tMs: number) => (tMs >= spikeFrom && tMs < spikeFrom + 2 * MINUTE ? 5 * BASELINE : BASELINE);
    setUp({ rate: spike, requestsPerMinute: 1200 });
    const report = await release(COMPARE);

    expect(report.outcome).toBe('promoted');
    // The spike was there in the data the judge read: stable's per-minute error rate jumped.
    const last = observations(report).filter((r) => r.step === 2).at(-1);
    expect(last?.stable?.errors).toBeGreaterThan(0);
    expect(observations(report).every((r) => r.verdict !== 'fail')).toBe(true);
  });

  it("a minute whose Errors are not published yet is left out, never read as zero errors", async () => {
    // CloudWatch publishes stable's Errors 45 s after its Invocations: for three polls a minute
    // the newest stable minute has calls and no error count. Read as 0 errors, stable looked
    // clean and the healthy canary worse by comparison (about half of such rollouts failed).
    const outcomes: string[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      if (seed > 1) await run.restart();
      setUp({ rate: 0.05, requestsPerMinute: 1000, seed });
      run.sim.scenarios.lateSeries({ metric: 'Errors', version: STABLE, extraMs: 45_000 });
      const report = await release(COMPARE);
      outcomes.push(report.outcome);
      // Every minute the judge counted had both counts: no observation saw stable error-free.
      for (const row of observations(report)) {
        if ((row.stable?.invocations ?? 0) >= 1000) expect(row.stable?.errors).toBeGreaterThan(0);
      }
    }
    expect(outcomes).toEqual(Array(6).fill('promoted'));
  }, 60_000);

  it('a shared incident that starts at the shift into the final bake is not held against the canary (the straddling minute is left out)', async () => {
    // Both versions fail 5× as often from the moment the final bake's shift lands. In the minute
    // of that shift, stable's calls all came before it and the canary's mostly after: compared,
    // that minute alone looked like a regression (about a quarter of such rollouts failed).
    // dispersion 1: the binomial assumption, so the estimated overdispersion cannot absorb it.
    const config = COMPARE.replace('    type: compare', '    type: compare\n    dispersion: 1');
    const outcomes: string[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      if (seed > 1) await run.restart();
      const { sim } = run;
      const inFinalBake = () => sim.getAliasState(FN, ALIAS).weights[CANDIDATE] === 1;
      setUp({ rate: () => (inFinalBake() ? 5 * 0.05 : 0.05), requestsPerMinute: 1000, seed });
      const report = await release(config);
      outcomes.push(report.outcome);
    }
    expect(outcomes).toEqual(Array(6).fill('promoted'));
  }, 60_000);

  it('gives the final look exactly once, at the decisive step’s deadline, through the real metrics path', async () => {
    // 40 req/min at 2%: under one error a minute in all. The likelihood ratio cannot fall to
    // β/2 on so few errors (each moves it by about −0.06 nats at 50%), nor can the absolute
    // route's ~4,000 clean canary calls arrive, so the run goes on to its final look.
    setUp({ rate: BASELINE, requestsPerMinute: 40 });
    const report = await release(COMPARE);

    const finalLooks = observations(report).filter((r) => /final look: /i.test(r.reason));
    expect(finalLooks).toHaveLength(1);
    expect(finalLooks[0]).toMatchObject({ step: 2 });
    expect(report.timeline?.some((r) => r.event === 'extend' && r.step === 2)).toBe(true);
    // Whatever it decided, it was the decisive step's last word and the alias is safe.
    const afterFinal = (report.timeline ?? []).slice((report.timeline ?? []).indexOf(finalLooks[0]!) + 1);
    expect(afterFinal.filter((r) => r.event === 'observe' && r.step === 2)).toEqual([]);
    expect(['promoted', 'rolled-back']).toContain(report.outcome);
    expect(run.sim.getAliasState(FN, ALIAS)).toMatchObject({ version: report.outcome === 'promoted' ? CANDIDATE : STABLE, weights: {} });
  });
});
