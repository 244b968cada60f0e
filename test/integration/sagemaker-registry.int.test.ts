/**
 * The SageMaker Model Registry end to end: model package groups in the AWS simulator, their
 * metrics JSON in a real S3-compatible server (moto, test/support/moto.ts), the real pipeline
 * with its Lambda target; the SDK reaches SageMaker and Lambda through AWS_ENDPOINT_URL and S3
 * through AWS_ENDPOINT_URL_S3. The candidate is the newest package awaiting approval; the
 * baseline the newest Approved one; the outcome becomes its approval status.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../src/report/result.js';
import type { Simulator, VirtualClock } from '../sim/index.js';
import { describeWithMoto, putObjects, startMotoServer, stopMotoServer, type MotoServer } from '../support/moto.js';
import { runCli } from '../support/run-bundle.js';
import { releaseWith, simulatorPerTest } from '../support/sim-release.js';

const FN = 'churn-model';
const GROUP = 'churn-models';
const BUCKET = 'churn-model-metrics';
const START_MS = Date.UTC(2026, 2, 2, 9, 0, 20);

const statistics = (auc: number) => JSON.stringify({ version: 0.0, binary_classification_metrics: { auc: { value: auc, standard_deviation: 0.004 }, accuracy: { value: 0.88 } } });

describeWithMoto('model.registry type sagemaker: model packages (simulator) with their metrics in S3 (moto)', () => {
  let s3: MotoServer;
  beforeAll(async () => {
    s3 = await startMotoServer();
    await putObjects(s3.endpoint, BUCKET, {
      'v1/statistics.json': statistics(0.9),
      'v2/statistics.json': statistics(0.92),
      'v3/evaluation.json': JSON.stringify({ metrics: { auc: 0.8 } }),
      'broken/statistics.json': '{"binary_classification_metrics": ',
    });
  }, 90_000);
  afterAll(() => stopMotoServer(s3), 30_000);

  const run = simulatorPerTest(START_MS, 60_000);
  let sim: Simulator;
  let clock: VirtualClock;
  beforeEach(() => {
    ({ sim, clock } = run);
    process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
    sim.createFunction({ name: FN, versions: 3, aliases: [{ name: 'prod', version: '3' }], latestCodeSha: 'sha-of-the-new-model' });
    sim.startTraffic({ functionName: FN, alias: 'prod', requestsPerMinute: 600, seed: 5 });
    // Production: package 1, Approved, released earlier as Lambda version 3.
    sim.createModelPackage({
      group: GROUP,
      approval: 'Approved',
      metricsS3Uri: `s3://${BUCKET}/v1/statistics.json`,
      customerMetadata: { 'model-release-gate:outcome': 'promoted', 'model-release-gate:target': `lambda:${FN}:prod`, 'model-release-gate:target-version': '3' },
    });
  });

  const config = (registry = `{ type: sagemaker, model-package-group: ${GROUP} }`) => `
target: { function-name: ${FN}, alias: prod, region: us-east-1 }
rollout: { strategy: linear, step: 50, interval: 1m, poll: 15s }
model:
  registry: ${registry}
  checks:
    - { type: metric, metric: auc, min: 0.85 }
    - { type: baseline, metric: auc, margin: 0.01 }
`;
  const release = (text = config()): Promise<Report> => releaseWith(text, { clock, tag: 'model-v1.4.0' });
  const candidate = (metrics = 'v2/statistics.json') => sim.createModelPackage({ group: GROUP, metricsS3Uri: `s3://${BUCKET}/${metrics}` });
  const published = () => sim.requestLog.filter((e) => e.operation === 'PublishVersion' || e.operation === 'UpdateAlias');

  it('releases the package awaiting approval, judged on its S3 metrics against the Approved one, and approves it', async () => {
    const { arn } = candidate();
    const report = await release();

    expect(report.outcome).toBe('promoted');
    expect(report.results.find((r) => r.id === 'model.registry')?.message).toBe(
      `Candidate SageMaker model package ${GROUP}/2 from SageMaker model package group ${GROUP}: 2 metrics; baseline: package ${GROUP}/1 (the newest Approved).`,
    );
    expect(report.results.find((r) => r.details?.type === 'baseline')).toMatchObject({ status: 'pass' });
    const state = sim.getModelPackage(arn);
    expect(state.approval).toBe('Approved');
    expect(state.approvalDescription).toBe(`model-release-gate: promoted to lambda:${FN}:prod version 4 (model-v1.4.0)`);
    expect(state.customerMetadata).toMatchObject({ 'model-release-gate:outcome': 'promoted', 'model-release-gate:release-tag': 'model-v1.4.0', 'model-release-gate:target-version': '4' });
    expect(report.results.find((r) => r.id === 'release.registry')).toMatchObject({ status: 'pass', message: `Recorded promoted on model package ${GROUP}/2; status Approved.` });
  });

  it('approves once when the reply to UpdateModelPackage is lost after it landed (the SDK retries an idempotent write)', async () => {
    const { arn } = candidate();
    sim.scenarios.lostReply({ operations: ['UpdateModelPackage'], reply: 503 });
    const report = await release();

    expect(report.outcome).toBe('promoted');
    expect(sim.getModelPackage(arn).approval).toBe('Approved');
    expect(report.results.find((r) => r.id === 'release.registry')?.status).toBe('pass');
    expect(sim.requestLog.filter((e) => e.operation === 'UpdateModelPackage').map((e) => e.status)).toEqual([503, 200]);
  });

  it('a registry that keeps failing after promotion is a warning: the promotion stands', async () => {
    const { arn } = candidate();
    sim.scenarios.throttleControlPlane({ operations: ['UpdateModelPackage'], count: 20, status: 503 });
    const report = await release();

    expect(report).toMatchObject({ outcome: 'promoted', exitCode: 0 });
    expect(sim.getAliasState(FN, 'prod')).toMatchObject({ version: '4', weights: {} });
    expect(report.results.find((r) => r.id === 'release.registry')).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(new RegExp(`^Could not record the outcome on model package ${GROUP}/2: .*Traffic was not affected\\.$`)),
    });
    expect(sim.getModelPackage(arn).approval).toBe('PendingManualApproval');
  });

  it('rejects the package when its canary is rolled back, with the reason as its ApprovalDescription', async () => {
    const { arn } = candidate();
    sim.setVersionBehaviour(FN, '4', { errorRate: 0.3, latencyMs: { p50: 50, p99: 100 } });
    const report = await release();

    expect(report.outcome).toBe('rolled-back');
    const state = sim.getModelPackage(arn);
    expect(state.approval).toBe('Rejected');
    expect(state.approvalDescription).toMatch(/^model-release-gate: rolled-back: .*error/);
    expect(sim.getModelPackage(`${GROUP}/1`).approval).toBe('Approved');
  });

  it('stops on model checks that fail on the package\'s metrics (an evaluation report): nothing published, status untouched', async () => {
    const { arn } = candidate('v3/evaluation.json');
    const report = await release();

    expect(report).toMatchObject({ outcome: 'aborted', exitCode: 1 });
    expect(report.results.find((r) => r.details?.type === 'metric')).toMatchObject({ status: 'fail', message: expect.stringMatching(/0\.8/) });
    expect(published()).toHaveLength(0);
    expect(sim.getModelPackage(arn).approval).toBe('PendingManualApproval');
  });

  describe('bad input: exit 2 before anything is published', () => {
    it('no package awaiting approval', async () => {
      const report = await release();
      expect(report).toMatchObject({ outcome: 'aborted', exitCode: 2 });
      expect(report.headline).toMatch(new RegExp(`model package group ${GROUP} has no package awaiting approval \\(PendingManualApproval\\) to release \\(it has 1 Approved\\); name one with model.registry.version`));
      expect(published()).toHaveLength(0);
    });

    it('a version that does not exist', async () => {
      candidate();
      const report = await release(config(`{ type: sagemaker, model-package-group: ${GROUP}, version: 9 }`));
      expect(report).toMatchObject({ outcome: 'aborted', exitCode: 2 });
      expect(report.headline).toMatch(new RegExp(`model package group ${GROUP} has no version 9 \\(it has 1 Approved, 1 PendingManualApproval\\)`));
    });

    it('metrics that are not in S3: the URI is named', async () => {
      candidate('v9/missing.json');
      const missing = await release();
      expect(missing).toMatchObject({ outcome: 'aborted', exitCode: 2 });
      expect(missing.headline).toMatch(new RegExp(`s3://${BUCKET}/v9/missing\\.json \\(the metrics of SageMaker model package ${GROUP}/2\\) does not exist \\(NoSuchKey`));
    });

    it('metrics that are not JSON', async () => {
      candidate('broken/statistics.json');
      const broken = await release();
      expect(broken).toMatchObject({ outcome: 'aborted', exitCode: 2 });
      expect(broken.headline).toMatch(new RegExp(`s3://${BUCKET}/broken/statistics\\.json \\(the metrics of SageMaker model package ${GROUP}/2\\) is not valid JSON`));
      expect(published()).toHaveLength(0);
    });
  });

  it('a manual rollback (dist/cli.js) rejects the package production moved away from, and the earlier one is production again', async () => {
    const { arn } = candidate();
    expect((await release()).outcome).toBe('promoted');
    sim.stopTraffic();

    const dir = mkdtempSync(join(tmpdir(), 'mrg-sm-registry-rollback-'));
    writeFileSync(join(dir, 'model-release.yml'), config());
    const result = await runCli(['rollback', '--config', 'model-release.yml', '--to', 'previous', '--reason', 'scores look off'], {
      cwd: dir,
      env: { AWS_ENDPOINT_URL: sim.endpoint, AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1', USER: 'maria' },
    });
    expect(result.code).toBe(0);
    expect(sim.getAliasState(FN, 'prod')).toMatchObject({ version: '3', weights: {} });
    expect(result.stdout).toContain(`SageMaker model package group ${GROUP}: production is package ${GROUP}/1 again; Rejected ${GROUP}/2.`);
    expect(sim.getModelPackage(arn)).toMatchObject({ approval: 'Rejected', approvalDescription: expect.stringMatching(/^model-release-gate: manual rollback to version 3 .* by maria: scores look off$/) });
    expect(sim.getModelPackage(`${GROUP}/1`).approval).toBe('Approved');
  }, 60_000);
});
