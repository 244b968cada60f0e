/**
 * `npm run demo`: the whole gate end-to-end with no AWS account. It starts the local AWS
 * simulator (Lambda, SageMaker and CloudWatch over HTTP), points the real SDK clients at it through
 * AWS_ENDPOINT_URL, and runs the same code as the CLI three times on a simulated clock
 * (minutes of rollout in about a second):
 *   1. a docs-only push: nothing to release;
 *   2. `Feat (Api): …` with new code in a zip (demo/code/churn-model.zip): deployed with
 *      UpdateFunctionCode, waited for until Lambda reports it Successful, published with its
 *      CodeSha256, then promoted step by step (each step opens with
 *      "Waiting for CloudWatch: step N's first whole minute … is published at about …": a step
 *      passes only on its own minutes, and a minute's datapoint appears a minute after it ends);
 *   3. `Fix (Api): …` whose new version starts failing: rolled back automatically;
 * then the data gate (`check`) twice: training data that matches a recent production sample
 * passes, and a production sample that has drifted (new categories, shifted distributions) fails;
 * then the model gate (`check`) twice: a candidate better than production passes, and one worse
 * than production, which a naive point comparison would pass, is stopped by the paired test;
 * then, with a stable version that already fails 2% of its requests, a release judged by
 * `compare` (the new version against stable, minute by minute) is promoted where the seed rule
 * would have rolled it back;
 * then a SageMaker real-time endpoint (demo/sagemaker.yml): a new model first answers mirrored
 * requests as a shadow variant, then takes 20% and 50% of the traffic and is promoted to the
 * endpoint's only variant; the next model passes its shadow phase, fails once it serves clients,
 * and is rolled back in one weights call, its variant then removed;
 * finally a Lambda version healthy by every AWS/Lambda metric whose own business metric (the
 * share of fallback answers, emitted as Embedded Metric Format) breaks its limit: rolled back.
 * Exits non-zero if any run ends differently, so the demo doubles as a smoke test.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGate } from '../src/app.js';
import { packageSha256 } from '../src/deploy/code.js';
import { CliPlatform, consoleLogger } from '../src/platform/cli.js';
import type { Logger } from '../src/platform/types.js';
import { startSimulator, VirtualClock } from '../test/sim/index.js';

const MINUTE = 60_000;
const FUNCTION = 'churn-model';
const ALIAS = 'prod';
const ENDPOINT = 'churn-endpoint';

function banner(title: string): void {
  process.stdout.write(`\n${'='.repeat(78)}\n${title}\n${'='.repeat(78)}\n`);
}

const workdir = mkdtempSync(join(tmpdir(), 'mrg-demo-'));
const clock = new VirtualClock(Math.ceil(Date.now() / MINUTE) * MINUTE);
const sim = await startSimulator({ clock, metricDelayMs: MINUTE });
// The product finds the simulator exactly as it would find LocalStack: through the SDK's own
// endpoint and credential resolution.
Object.assign(process.env, {
  AWS_ENDPOINT_URL: sim.endpoint,
  AWS_ACCESS_KEY_ID: 'demo',
  AWS_SECRET_ACCESS_KEY: 'demo',
  AWS_REGION: 'us-east-1',
});
sim.createFunction({ name: FUNCTION, versions: 3, aliases: [{ name: ALIAS, version: '3' }], latestCodeSha: 'code-v4' });
sim.startTraffic({ functionName: FUNCTION, alias: ALIAS, requestsPerMinute: 600, seed: 42 });

/**
 * The console logger without the rollout's live log (the lines the pipeline folds into a group):
 * on the simulated clock it scrolls past in a second, and the report's timeline prints every row
 * of it again, so each rollout would read twice. Warnings and errors still show.
 */
let inRolloutGroup = false;
const demoLog: Logger = {
  ...consoleLogger,
  info: (m) => {
    if (!inRolloutGroup) consoleLogger.info(m);
  },
  startGroup: () => {
    inRolloutGroup = true;
  },
  endGroup: () => {
    inRolloutGroup = false;
  },
};

/** What the demo prints before and after a release: the Lambda alias, or the SageMaker endpoint's variants. */
const aliasState = (): string => `alias: ${JSON.stringify(sim.getAliasState(FUNCTION, ALIAS))}`;
const endpointState = (): string => {
  const state = sim.getEndpointState(ENDPOINT);
  return `endpoint: ${state.configName} ${state.variants.map((v) => `${v.variantName}(${v.modelName}) weight ${v.weight} × ${v.instanceCount}`).join(', ')}`;
};

async function release(
  title: string,
  message: string,
  config = 'demo/model-release.yml',
  state: () => string = aliasState,
  set: string[] = [],
): Promise<{ exitCode: number; outcome: string | undefined }> {
  banner(title);
  process.stdout.write(`commit: ${message}\nbefore: ${state()}\n\n`);
  const reportPath = join(workdir, 'report.json');
  rmSync(reportPath, { force: true });
  const platform = new CliPlatform('release', {
    message: [message],
    config,
    'report-path': reportPath,
    'state-file': join(workdir, 'state.json'),
    ...(set.length > 0 ? { set } : {}),
  }, process.env, undefined, demoLog);
  const started = performance.now();
  const simulatedStart = clock.now();
  const exitCode = await runGate(platform, { clock });
  const outcome = (JSON.parse(readFileSync(reportPath, 'utf8')) as { outcome?: string }).outcome;
  process.stdout.write(
    `\nafter: ${state()}\n` +
      `simulated ${((clock.now() - simulatedStart) / MINUTE).toFixed(1)} min of rollout in ${((performance.now() - started) / 1000).toFixed(2)} s of real time\n`,
  );
  return { exitCode, outcome };
}

/** `check` (a pull request) with a data- or model-gate config; the CLI report shows each result's numbers. Returns the exit code. */
async function check(title: string, config: string): Promise<number> {
  banner(title);
  const platform = new CliPlatform('check', { message: ['Feat (Api): retrained churn model'], config, 'state-file': join(workdir, 'state.json') }, process.env, undefined, demoLog);
  return runGate(platform, { clock });
}

const runs: Array<{ name: string; expected: string; actual: string | undefined }> = [];
try {
  const docs = await release('1. A docs-only push: nothing to release', 'docs: explain the scoring API in the README');
  runs.push({ name: 'docs-only push', expected: 'skipped', actual: docs.outcome });

  // The update takes 20 s of simulated time, as a real one does: the gate waits for Successful.
  sim.scenarios.functionUpdates({ durationMs: 20_000 });
  const healthy = await release(
    '2. Feat (Api): new code from a zip is deployed, published and promoted step by step',
    'Feat (Api): batch scoring endpoint',
    'demo/deploy.yml',
  );
  const deployed = sim.getAliasState(FUNCTION, ALIAS).version;
  const zipSha = packageSha256(readFileSync('demo/code/churn-model.zip'));
  process.stdout.write(`version ${deployed} CodeSha256 ${sim.versionCodeSha(FUNCTION, deployed)} (demo/code/churn-model.zip: ${zipSha})\n`);
  runs.push({ name: 'healthy release', expected: 'promoted', actual: healthy.outcome });
  runs.push({ name: 'deployed code is the zip', expected: zipSha, actual: sim.versionCodeSha(FUNCTION, deployed) });

  // The next version of the code fails 5% of its requests from its third minute on.
  sim.setLatestCode(FUNCTION, 'code-v5');
  sim.scenarios.canaryErrors({ rate: 0.05, fromMs: clock.now() + 3 * MINUTE });
  const regression = await release('3. Fix (Api): the new version starts failing and is rolled back', 'Fix (Api): null handling in the tenure feature');
  runs.push({ name: 'regression', expected: 'rolled-back', actual: regression.outcome });

  // The data gate on a pull request (`check`): demo/data/*.csv, written by demo/data/make-data.ts.
  const dataOk = await check('4. Data gate: training data that looks like production passes', 'demo/data/pass.yml');
  runs.push({ name: 'data gate, production sample like training', expected: 'exit 0', actual: `exit ${dataOk}` });
  const dataDrifted = await check('5. Data gate: production has drifted and sends categories training never saw', 'demo/data/fail.yml');
  runs.push({ name: 'data gate, drifted production sample', expected: 'exit 1', actual: `exit ${dataDrifted}` });

  // The model gate on a pull request (`check`): hold-out predictions of candidate and production.
  const better = await check('6. Model gate: a candidate that is better than production passes', 'demo/model/better.yml');
  runs.push({ name: 'model gate, better candidate', expected: 'exit 0', actual: `exit ${better}` });
  const worse = await check(
    '7. Model gate: a candidate worse than production that a point comparison would pass is stopped',
    'demo/model/worse.yml',
  );
  runs.push({ name: 'model gate, worse candidate', expected: 'exit 1', actual: `exit ${worse}` });

  // Both the stable version and the next one fail 2% of their requests: the seed rule would
  // roll back at the first error; compare sees the new version is no worse and promotes it.
  sim.setLatestCode(FUNCTION, 'code-v6');
  sim.scenarios.stableErrors({ rate: 0.02 });
  sim.scenarios.canaryErrors({ rate: 0.02 });
  const compared = await release(
    '8. Judge compare: stable already fails 2% of requests; a new version no worse is promoted',
    'Feat (Api): explain scores with SHAP values',
    'demo/compare.yml',
  );
  runs.push({ name: 'compare judge, 2% baseline errors', expected: 'promoted', actual: compared.outcome });

  // A SageMaker real-time endpoint: one variant serving churn-model-v1 on two instances.
  sim.scenarios.healthy();
  sim.createEndpoint({ name: ENDPOINT, variants: [{ variantName: 'AllTraffic', modelName: 'churn-model-v1', instanceCount: 2, instanceType: 'ml.m5.large' }] });
  sim.startEndpointTraffic({ endpointName: ENDPOINT, requestsPerMinute: 600, seed: 7 });
  const shadowed = await release(
    '9. SageMaker: the new model answers mirrored requests as a shadow variant, then takes traffic step by step',
    'Feat (Api): churn model 1.5 on the SageMaker endpoint',
    'demo/sagemaker.yml',
    endpointState,
  );
  runs.push({ name: 'SageMaker shadow phase, then canary', expected: 'promoted', actual: shadowed.outcome });

  // The next model passes its shadow phase, then fails 5% of its requests once it serves clients:
  // three endpoint updates of 5 simulated minutes each (add the variant, make it a shadow, make it
  // a variant again) and the 3-minute shadow phase come first, so it fails from minute 23 on.
  sim.scenarios.variantErrors({ endpointName: ENDPOINT, rate: 0.05, fromMs: clock.now() + 23 * MINUTE });
  const failing = await release(
    '10. SageMaker: the next model starts failing at 20% of the traffic and is rolled back in one weights call',
    'Fix (Api): churn model 1.6 with the new tenure buckets',
    'demo/sagemaker.yml',
    endpointState,
    ['target.model.image=123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-inference:1.6.0'],
  );
  runs.push({ name: 'SageMaker regression', expected: 'rolled-back', actual: failing.outcome });

  // Back on Lambda: the next version answers without errors and as fast as the stable one, but
  // falls back to the default score for 1 request in 5 (the stable version: 1 in 50). The model
  // reports it in an Embedded Metric Format line per request, with a ModelVersion dimension.
  const stableVersion = sim.getAliasState(FUNCTION, ALIAS).version;
  const served = new Map<string, number>();
  sim.emitMetrics({
    namespace: 'ChurnModel',
    metric: 'FallbackAnswers',
    source: FUNCTION,
    dimensions: (version) => ({ ModelVersion: version }),
    value: (version) => {
      const n = (served.get(version) ?? 0) + 1;
      served.set(version, n);
      return n % (version === stableVersion ? 50 : 5) === 0 ? 1 : 0;
    },
  });
  sim.scenarios.healthy();
  sim.setLatestCode(FUNCTION, 'code-v7');
  const business = await release(
    '11. A business metric Lambda does not see: the new version falls back to the default score 4× as often',
    'Feat (Api): churn model with the new tenure encoder',
    'demo/business-metric.yml',
  );
  runs.push({ name: 'business metric (fallback share)', expected: 'rolled-back', actual: business.outcome });
} finally {
  sim.stopTraffic();
  await sim.close();
  rmSync(workdir, { recursive: true, force: true });
}

banner('Summary');
for (const run of runs) {
  process.stdout.write(`${run.actual === run.expected ? 'ok  ' : 'FAIL'}  ${run.name}: ${run.actual} (expected ${run.expected})\n`);
}
if (runs.some((r) => r.actual !== r.expected)) process.exitCode = 1;
