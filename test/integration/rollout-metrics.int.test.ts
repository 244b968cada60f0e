/**
 * CloudWatch metric queries as a rollout signal (rollout.metrics), end to end: the real pipeline,
 * the real Lambda and SageMaker targets and the product's own SDK clients (GetMetricData) over
 * HTTP against the simulator, on one VirtualClock. The function model publishes custom metrics
 * per invocation as an Embedded Metric Format line would (`sim.emitMetrics`). The canary is
 * healthy by AWS/Lambda (or AWS/SageMaker) metrics in every test: only the custom metric can stop it.
 */
import type { Report } from '../../src/report/result.js';
import type { Simulator, VirtualClock } from '../sim/index.js';
import { SeededRandom } from '../sim/random.js';
import { releaseWith, simulatorPerTest, writtenRouting, sageMakerTargetYaml } from '../support/sim-release.js';

const MINUTE = 60_000;
const FN = 'churn-model';
const ALIAS = 'prod';
const START_MS = Date.UTC(2026, 2, 2, 9, 0, 20);
const STABLE = '3';
const CANDIDATE = '4';

/** Every `every`-th call of a version counts 1, the others 0: a deterministic rate of 1/every. */
function everyNth(rates: Record<string, number>): (version: string) => number {
  const counts = new Map<string, number>();
  return (version) => {
    const n = (counts.get(version) ?? 0) + 1;
    counts.set(version, n);
    const every = rates[version] ?? rates.default ?? 0;
    return every > 0 && n % every === 0 ? 1 : 0;
  };
}

/** The Lambda handler's EMF line: ProxyErrors (5xx in the proxy body) and FallbackAnswers per ModelVersion. */
function emitChurnMetrics(sim: Simulator, proxyEvery: Record<string, number>, fallbackEvery: Record<string, number>, only?: string): void {
  const proxy = everyNth(proxyEvery);
  const fallback = everyNth(fallbackEvery);
  const dimensions = (version: string) => ({ ModelVersion: version });
  const skip = (version: string) => only !== undefined && version !== only;
  sim.emitMetrics({ namespace: 'ChurnModel', metric: 'ProxyErrors', dimensions, value: (v) => (skip(v) ? undefined : proxy(v)) });
  sim.emitMetrics({ namespace: 'ChurnModel', metric: 'FallbackAnswers', dimensions, value: (v) => (skip(v) ? undefined : fallback(v)) });
}

function config(metrics: string, extra = ''): string {
  return `
target:
  function-name: ${FN}
  alias: ${ALIAS}
  region: us-east-1
rollout:
  strategy: steps
  steps:
    - { percent: 25, duration: 3m }
    - { percent: 50, duration: 3m }
  final-bake: 1m
  poll: 15s
  min-invocations: 50
${extra}  metrics:
${metrics}`;
}

const PROXY_ERRORS = `    - name: proxy-errors
      namespace: ChurnModel
      metric: ProxyErrors
      dimensions: { ModelVersion: "{version}" }
      stat: Sum
      judge: { compare: { calls: invocations } }
`;
const FALLBACK_SHARE = `    - name: fallback-share
      namespace: ChurnModel
      metric: FallbackAnswers
      dimensions: { ModelVersion: "{version}" }
      stat: Average
      judge: { max: 0.05 }
`;

const metricRows = (report: Report) => report.results.filter((r) => r.id.startsWith('rollout.metrics.'));
const metricReads = (sim: Simulator) => sim.requestLog.filter((e) => e.operation === 'GetMetricData');

describe('rollout.metrics on a Lambda alias (simulator, simulated time)', () => {
  const run = simulatorPerTest(START_MS, MINUTE);
  let sim: Simulator;
  let clock: VirtualClock;
  beforeEach(() => {
    ({ sim, clock } = run);
    sim.createFunction({ name: FN, versions: 3, aliases: [{ name: ALIAS, version: STABLE }], latestCodeSha: 'sha-of-the-new-model' });
    sim.startTraffic({ functionName: FN, alias: ALIAS, requestsPerMinute: 600, seed: 7 });
  });
  const release = (text: string) => releaseWith(text, { clock });

  it('promotes a canary whose custom metrics are as good as stable\'s', async () => {
    emitChurnMetrics(sim, { default: 50 }, { default: 100 });
    const report = await release(config(PROXY_ERRORS + FALLBACK_SHARE));

    expect(report.outcome).toBe('promoted');
    expect(writtenRouting(sim).at(-1)).toEqual({ version: CANDIDATE, weights: {} });
    expect(metricRows(report).map((r) => [r.id, r.status])).toEqual([
      ['rollout.metrics.proxy-errors', 'pass'],
      ['rollout.metrics.fallback-share', 'pass'],
    ]);
    const read = metricReads(sim).find((e) => JSON.stringify(e.body).includes('ProxyErrors'));
    expect(JSON.stringify(read?.body)).toContain('"Dimensions":[{"Name":"ModelVersion","Value":"4"}]');
  });

  it('rolls back a canary healthy by AWS/Lambda metrics whose ProxyErrors rate is 5× stable\'s', async () => {
    emitChurnMetrics(sim, { [STABLE]: 50, [CANDIDATE]: 10 }, { default: 100 });
    const report = await release(config(PROXY_ERRORS));

    expect(report.outcome).toBe('rolled-back');
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
    expect(report.headline).toMatch(/^Step \d \(\d+%\) failed: Metric proxy-errors \(ChurnModel ProxyErrors Sum, ModelVersion=4\) per invocations: Canary 9\.\d+% vs stable 1\.9\d% ProxyErrors: a regression of at least 2×; the step fails — canary \d+ of \d+, stable \d+ of \d+; evidence [\d.]+ ≥ 1\/0\.025 = 40/);
    // The Lambda metrics saw no error at all: only the custom metric caught it.
    const observe = (report.timeline ?? []).filter((r) => r.event === 'observe');
    expect(observe.every((r) => r.canary?.errors === 0)).toBe(true);
    expect(metricRows(report)[0]).toMatchObject({ status: 'fail', message: expect.stringMatching(/^Metric proxy-errors/) });
  });

  it('rolls back when a threshold query (fallback share) is breached', async () => {
    emitChurnMetrics(sim, { default: 50 }, { [STABLE]: 100, [CANDIDATE]: 5 });
    const report = await release(config(FALLBACK_SHARE));

    expect(report.outcome).toBe('rolled-back');
    expect(report.headline).toMatch(/failed: Metric fallback-share \(ChurnModel FallbackAnswers Average, ModelVersion=4\): 0\.2 for version 4 over the last [\dms]+ \(\d+ minutes?, \d+ samples\) is above max 0\.05 \(stable version 3: 0\.00\d+\)\./);
  });

  it('never promotes on a query without datapoints: the step is inconclusive and rolls back by default', async () => {
    // Only stable publishes the metric: the candidate's handler lacks the EMF line.
    emitChurnMetrics(sim, { default: 50 }, { default: 100 }, STABLE);
    const report = await release(config(FALLBACK_SHARE, '  max-extension: 1m\n'));

    expect(report.outcome).toBe('rolled-back');
    expect(writtenRouting(sim).some((w) => w.version === CANDIDATE)).toBe(false);
    expect(report.headline).toMatch(/^Step 1 \(25%\) inconclusive after 4m: .*Metric fallback-share .*: no datapoint for version 4 over the last .*; no data is never a pass\./s);
    expect(report.headline).toMatch(/^Step 1 \(25%\) inconclusive after 4m: not enough evidence to pass or fail it; rolling back, as on-inconclusive is 'rollback'\. Last look: /);
    expect(metricRows(report)[0]).toMatchObject({ status: 'warn' });
  });

  describe('a custom metric published 90 s after the Lambda metrics (EMF lag), and its delay', () => {
    const LATE_MS = 90_000;
    const plan = (delay: string) => `
target:
  function-name: ${FN}
  alias: ${ALIAS}
  region: us-east-1
rollout:
  strategy: steps
  steps:
    - { percent: 25, duration: 2m }
    - { percent: 50, duration: 2m }
  final-bake: 0s
  poll: 15s
  min-invocations: 50
  max-extension: 3m
  metrics:
    - name: proxy-errors
      namespace: ChurnModel
      metric: ProxyErrors
      dimensions: { ModelVersion: "{version}" }
      stat: Sum
${delay}      judge: { compare: { calls: invocations } }
`;
    /** No ProxyErrors, except on every call of the candidate from the last minute of its final (50%) step on. */
    function lastMinuteGoesBad(): void {
      let finalStepAtMs: number | undefined;
      sim.emitMetrics({
        namespace: 'ChurnModel',
        metric: 'ProxyErrors',
        dimensions: (version) => ({ ModelVersion: version }),
        value: (version) => {
          if (finalStepAtMs === undefined && sim.getAliasState(FN, ALIAS).weights[CANDIDATE] === 0.5) finalStepAtMs = clock.now();
          const bad = version === CANDIDATE && finalStepAtMs !== undefined && clock.now() >= finalStepAtMs + 90_000;
          return bad ? 1 : 0;
        },
      });
      sim.scenarios.lateCustomMetric({ namespace: 'ChurnModel', metric: 'ProxyErrors', extraMs: LATE_MS });
    }

    it('without delay, the last step is judged before its final minute of the late metric exists: the bad minute is missed', async () => {
      lastMinuteGoesBad();
      const report = await release(plan(''));
      expect(report.outcome).toBe('promoted');
    });

    it('with delay, the last step waits for that minute of the late metric and rolls the canary back', async () => {
      lastMinuteGoesBad();
      const report = await release(plan('      delay: 2m30s\n'));
      expect(report.outcome).toBe('rolled-back');
      expect(report.headline).toMatch(/^Step 2 \(50%\) failed: .*proxy-errors/s);
      expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
    });
  });

  describe('judge distribution: output drift of the canary (a score printed on every call)', () => {
    const SCORE = `    - name: score
      namespace: ChurnModel
      metric: Score
      dimensions: { ModelVersion: "{version}" }
      judge: { distribution: {} }
`;
    /** Each version's score per call, from its own seeded stream: stable's churn scores are skewed low (u²). */
    function emitScores(scoreOf: Record<string, (u: number) => number | undefined>): void {
      const random = new SeededRandom(11);
      sim.emitMetrics({ namespace: 'ChurnModel', metric: 'Score', dimensions: (version) => ({ ModelVersion: version }), value: (version) => (scoreOf[version] ?? scoreOf.default)?.(random.next()) });
    }

    it('promotes a retrained model whose scores moved a little (PSI under 0.2)', async () => {
      emitScores({ [STABLE]: (u) => u * u, [CANDIDATE]: (u) => u ** 2.15 });
      const report = await release(config(SCORE));

      expect(report.outcome).toBe('promoted');
      const row = metricRows(report)[0];
      expect(row).toMatchObject({ id: 'rollout.metrics.score', status: 'pass' });
      expect(row?.message).toMatch(/scores of version 4 are distributed like version 3's: PSI 0\.0\d+ \(max 0\.2\), chi² p [\d.e-]+, over 10 bins cut at version 3's quantiles; \d+ scores of version 4, \d+ of version 3 \(\d+ minutes\)\./);
      // The bins were counted by CloudWatch (TC over stable's percentiles), not from raw values.
      const bodies = metricReads(sim).map((e) => JSON.stringify(e.body));
      expect(bodies.some((b) => b.includes('"Stat":"p50"') && b.includes('"Value":"3"'))).toBe(true);
      expect(bodies.some((b) => /"Stat":"TC\(:0\.\d+\)"/.test(b) && /"Stat":"TC\(0\.\d+:\)"/.test(b))).toBe(true);
    });

    it('rolls back a canary that answers 200 with a constant score, healthy by every AWS/Lambda metric', async () => {
      emitScores({ [STABLE]: (u) => u * u, [CANDIDATE]: () => 0.42 });
      const report = await release(config(SCORE));

      expect(report.outcome).toBe('rolled-back');
      expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
      expect(report.headline).toMatch(
        /^Step 1 \(25%\) failed: Metric score \(ChurnModel Score distribution, ModelVersion=4\): scores of version 4 are distributed unlike version 3's: PSI \d+(\.\d+)? \(max 0\.2\), chi² p < 0\.001, .* All of its scores fall in one bin \(0\.\d+ < score ≤ 0\.\d+\), which holds (9|10|11)% of version 3's: a constant or stuck output\?/,
      );
      const observe = (report.timeline ?? []).filter((r) => r.event === 'observe');
      expect(observe.every((r) => r.canary?.errors === 0)).toBe(true);
      expect(metricRows(report)[0]?.details).toMatchObject({ table: { canary: expect.any(Array), stable: expect.any(Array), edges: expect.any(Array) } });
    });

    it('catches scores squeezed into a narrow band (a broken feature pipeline), not only a constant', async () => {
      emitScores({ [STABLE]: (u) => u * u, [CANDIDATE]: (u) => 0.3 + u * 0.1 });
      const report = await release(config(SCORE));

      expect(report.outcome).toBe('rolled-back');
      expect(report.headline).toMatch(/Metric score .*distributed unlike version 3's: PSI \d/);
    });

    it('never promotes when the stable version prints no score: nothing to compare with, inconclusive', async () => {
      emitScores({ [STABLE]: () => undefined, [CANDIDATE]: (u) => u * u });
      const report = await release(config(SCORE, '  max-extension: 1m\n'));

      expect(report.outcome).toBe('rolled-back');
      expect(writtenRouting(sim).some((w) => w.version === CANDIDATE && Object.keys(w.weights).length === 0)).toBe(false);
      expect(report.headline).toMatch(/inconclusive after .*Metric score .*: no minute since the first shift in which both version 4 and version 3 published Score; no data is never a pass\./s);
    });
  });
});

describe('rollout.metrics on a SageMaker endpoint ({variant}: the signal does not know the target)', () => {
  const ENDPOINT = 'churn-endpoint';
  const STABLE_MODEL = 'churn-model-v1';
  const env = simulatorPerTest(Date.UTC(2026, 0, 5, 9, 0, 0));
  beforeEach(() => {
    env.sim.createEndpoint({ name: ENDPOINT, variants: [{ variantName: 'AllTraffic', modelName: STABLE_MODEL, instanceCount: 2, instanceType: 'ml.m5.large' }] });
    env.sim.startEndpointTraffic({ endpointName: ENDPOINT, requestsPerMinute: 600, seed: 5 });
  });

  it('rolls the candidate variant back when its ProxyErrors rate per invocation is 5× stable\'s', async () => {
    const proxy = everyNth({ [STABLE_MODEL]: 50, default: 10 });
    env.sim.emitMetrics({
      namespace: 'ChurnInference',
      metric: 'ProxyErrors',
      dimensions: (_model, where) => ({ EndpointName: where.endpointName ?? '', VariantName: where.variantName ?? '' }),
      value: (model) => proxy(model),
    });
    const report = await releaseWith(
      `
${sageMakerTargetYaml(ENDPOINT)}rollout:
  strategy: steps
  steps:
    - { percent: 25, duration: 3m }
    - { percent: 50, duration: 3m }
  final-bake: 2m
  poll: 30s
  min-invocations: 50
  judge: { type: compare }
  metrics:
    - name: proxy-errors
      namespace: ChurnInference
      metric: ProxyErrors
      dimensions: { EndpointName: "{endpoint}", VariantName: "{variant}" }
      stat: Sum
      judge: { compare: { calls: invocations } }
`,
      { clock: env.clock },
    );

    expect(report.outcome).toBe('rolled-back');
    const serving = env.sim.getEndpointState(ENDPOINT).variants.filter((v) => v.weight > 0);
    expect(serving.map((v) => v.modelName)).toEqual([STABLE_MODEL]);
    expect(report.headline).toMatch(/failed: Metric proxy-errors \(ChurnInference ProxyErrors Sum, EndpointName=churn-endpoint, VariantName=\S+\) per invocations: Canary 9\.\d+% vs stable 1\.9\d% ProxyErrors: a regression of at least 2×; the step fails — canary \d+ of \d+, stable \d+ of \d+;/);
  });
});
