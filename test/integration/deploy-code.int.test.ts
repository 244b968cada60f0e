/**
 * Deploying new code before the canary (issue #13): `target.code` (zip, S3, image) and
 * `target.configuration` through the real pipeline, the real Lambda target and the real SDK
 * clients over HTTP against the simulator, on one shared virtual clock. Covers the happy paths,
 * Lambda's failure modes (Failed, stuck InProgress, throttling), lost replies, concurrent
 * deploys by someone else, a re-release of unchanged code (version reused, tag still
 * resolvable for rollback), and bad local input (exit 2, zero AWS calls).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TagResourceCommand } from '@aws-sdk/client-lambda';
import { defaultTargetFactory } from '../../src/app.js';
import { packageSha256 } from '../../src/deploy/code.js';
import { runManualRollback } from '../../src/rollback/rollback.js';
import type { Simulator, VirtualClock } from '../sim/index.js';
import { releaseWith, simulatorPerTest, updateAliasCalls } from '../support/sim-release.js';
import { storedZip } from '../support/zip.js';
import { sdkClients } from '../sim/test-clients.js';

const MINUTE = 60_000;
const FN = 'churn-model';
const ALIAS = 'prod';
const START_MS = Date.UTC(2026, 11, 3, 9, 0, 20);

const rollout = `rollout:
  strategy: steps
  steps:
    - { percent: 50, duration: 1m }
  poll: 15s
  final-bake: 1m
  metric-delay: 1m
  min-invocations: 10
`;

function config(code: string, extraTarget = ''): string {
  return `target:
  function-name: ${FN}
  alias: ${ALIAS}
  region: us-east-1
  code:
${code}
${extraTarget}${rollout}`;
}

const ZIP_V4 = storedZip({ 'app.py': 'def handler(event, context):\n    return {"model": "v4"}\n' });
const ZIP_V5 = storedZip({ 'app.py': 'def handler(event, context):\n    return {"model": "v5"}\n' });

describe('target.code: new code is deployed, waited for, verified and published before traffic moves', () => {
  const run = simulatorPerTest(START_MS, MINUTE);
  let sim: Simulator;
  let clock: VirtualClock;
  let workspace: string;
  let lines: string[];
  beforeEach(() => {
    ({ sim, clock } = run);
    lines = [];
    workspace = mkdtempSync(join(tmpdir(), 'mrg-deploy-'));
    writeFileSync(join(workspace, 'v4.zip'), ZIP_V4);
    writeFileSync(join(workspace, 'v5.zip'), ZIP_V5);
    sim.createFunction({ name: FN, versions: 3, aliases: [{ name: ALIAS, version: '3' }] });
    sim.startTraffic({ functionName: FN, alias: ALIAS, requestsPerMinute: 600, seed: 11 });
  });
  afterEach(() => rmSync(workspace, { recursive: true, force: true }));

  const release = (text: string, tag?: string) =>
    releaseWith(text, { clock, workspace, log: (line) => lines.push(line), createTarget: defaultTargetFactory(process.env, (line) => lines.push(line)), ...(tag ? { tag } : {}) });
  const operations = () => sim.requestLog.map((e) => e.operation);
  const writeOperations = () => sim.writes().map((e) => `${e.operation} ${e.status}`);
  const bodyOf = (operation: string) => sim.requestLog.find((e) => e.operation === operation && e.status < 300)?.body as Record<string, unknown> | undefined;

  it('zip: UpdateFunctionCode (RevisionId, Publish false), waits for Successful, publishes exactly that code, promotes it', async () => {
    sim.scenarios.functionUpdates({ durationMs: 20_000 });
    const before = sim.getLatest(FN).revisionId;
    const report = await release(config('    zip: v4.zip', `  configuration:\n    memory: 2048\n    environment: { MODEL_VERSION: v4 }\n`));

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'promoted', exitCode: 0 });
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: '4', weights: {} });
    expect(sim.versionCodeSha(FN, '4')).toBe(packageSha256(ZIP_V4));
    expect(sim.getLatest(FN)).toMatchObject({ memoryMb: 2048, environment: { MODEL_VERSION: 'v4' }, lastUpdateStatus: 'Successful' });
    // Code, then configuration, then the publish: all before the first alias write.
    expect(writeOperations().slice(0, 4)).toEqual(['UpdateFunctionCode 200', 'UpdateFunctionConfiguration 200', 'PublishVersion 201', 'UpdateAlias 200']);
    expect(bodyOf('UpdateFunctionCode')).toMatchObject({ RevisionId: before, Publish: false, ZipFile: `<${ZIP_V4.length} bytes, sha256 ${packageSha256(ZIP_V4)}>` });
    expect(bodyOf('PublishVersion')).toMatchObject({ CodeSha256: packageSha256(ZIP_V4), RevisionId: sim.getLatest(FN).revisionId });
    // The update stayed InProgress for 20 s: the gate polled until it was Successful.
    expect(operations().filter((o) => o === 'GetFunctionConfiguration').length).toBeGreaterThanOrEqual(3);
    const deploy = report.results.find((r) => r.id === 'rollout.deploy');
    expect(deploy).toMatchObject({ status: 'pass', observed: packageSha256(ZIP_V4) });
    expect(deploy?.message).toContain('code updated to zip v4.zip');
  });

  it('S3: S3Bucket, S3Key and S3ObjectVersion are sent; the version holds that object', async () => {
    sim.putS3Object('models-bucket', 'churn/v4.zip', ZIP_V5, 'old');
    sim.putS3Object('models-bucket', 'churn/v4.zip', ZIP_V4, 'v-4');
    const report = await release(config('    s3: { bucket: models-bucket, key: churn/v4.zip, version: v-4 }'));

    expect(report.outcome).toBe('promoted');
    expect(bodyOf('UpdateFunctionCode')).toMatchObject({ S3Bucket: 'models-bucket', S3Key: 'churn/v4.zip', S3ObjectVersion: 'v-4', Publish: false });
    expect(sim.versionCodeSha(FN, '4')).toBe(packageSha256(ZIP_V4));
  });

  it('S3: an object that does not exist fails the release with Lambda’s message, before anything is published', async () => {
    const report = await release(config('    s3: { bucket: models-bucket, key: churn/missing.zip }'));
    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'aborted', exitCode: 1 });
    expect(report.headline).toMatch(/NoSuchKey/);
    expect(writeOperations()).toEqual(['UpdateFunctionCode 400']);
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: '3', weights: {} });
  });

  it('image: ImageUri is sent to an image function and the new version runs that image', async () => {
    await run.restart();
    ({ sim, clock } = run);
    sim.createFunction({ name: FN, versions: 3, aliases: [{ name: ALIAS, version: '3' }], packageType: 'Image' });
    sim.startTraffic({ functionName: FN, alias: ALIAS, requestsPerMinute: 600, seed: 11 });
    const uri = '123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1.4.0';
    const report = await release(config(`    image: ${uri}`));

    expect(report.outcome).toBe('promoted');
    expect(bodyOf('UpdateFunctionCode')).toMatchObject({ ImageUri: uri, Publish: false });
    expect(sim.getAliasState(FN, ALIAS).version).toBe('4');
  });

  it('a Failed update stops the release with Lambda’s reason and code: nothing published, no alias change', async () => {
    sim.scenarios.functionUpdates({ durationMs: 10_000, fail: { reason: 'Unzipped size must be smaller than 262144000 bytes', reasonCode: 'InvalidZipFileException' } });
    const report = await release(config('    zip: v4.zip'));

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'aborted', exitCode: 1 });
    expect(report.headline).toContain('Deploy failed before any traffic moved (no alias was changed)');
    expect(report.headline).toContain('UpdateFunctionCode on \'churn-model\' failed: Unzipped size must be smaller than 262144000 bytes (InvalidZipFileException)');
    expect(writeOperations()).toEqual(['UpdateFunctionCode 200']);
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: '3', weights: {} });
    expect(sim.listVersions(FN)).toEqual(['1', '2', '3']);
  });

  it('an update stuck InProgress times out with a clear error (never hangs): nothing published, no alias change', async () => {
    sim.scenarios.functionUpdates({ stuck: true });
    const startedAt = clock.now();
    const report = await release(config('    zip: v4.zip'));

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'aborted', exitCode: 1 });
    expect(report.headline).toMatch(/UpdateFunctionCode on 'churn-model' was still InProgress after 600s; nothing was published and no alias was changed/);
    // Bounded: the timeout (10 min of the injected clock) plus at most one poll interval.
    expect(clock.now() - startedAt).toBeLessThanOrEqual(10 * MINUTE + 15_000);
    expect(writeOperations()).toEqual(['UpdateFunctionCode 200']);
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: '3', weights: {} });
  });

  it('throttled UpdateFunctionCode calls are retried by the SDK and the release goes on', async () => {
    sim.scenarios.throttleControlPlane({ operations: ['UpdateFunctionCode'], count: 2, status: 429 });
    const report = await release(config('    zip: v4.zip'));
    expect(report.outcome).toBe('promoted');
    expect(writeOperations().slice(0, 4)).toEqual(['UpdateFunctionCode 429', 'UpdateFunctionCode 429', 'UpdateFunctionCode 200', 'PublishVersion 201']);
  });

  it.each([
    ['a 503 after the update was applied', 503 as const],
    ['a reset connection', 'reset' as const],
  ])('lost reply on UpdateFunctionCode (%s): the retry meets a stale RevisionId, the read-back shows our code, the release goes on', async (_what, reply) => {
    sim.scenarios.lostReply({ operations: ['UpdateFunctionCode'], reply });
    const report = await release(config('    zip: v4.zip'));

    expect(report.outcome).toBe('promoted');
    const updates = sim.requestLog.filter((e) => e.operation === 'UpdateFunctionCode').map((e) => e.status);
    expect(updates).toEqual([reply === 'reset' ? 0 : 503, 412]);
    expect(lines.some((l) => /UpdateFunctionCode failed on its way back .* the update landed/.test(l))).toBe(true);
    expect(sim.versionCodeSha(FN, '4')).toBe(packageSha256(ZIP_V4));
  });

  it('lost replies on UpdateFunctionConfiguration and PublishVersion are recognised too', async () => {
    sim.scenarios.lostReply({ operations: ['UpdateFunctionConfiguration', 'PublishVersion'], count: 2, reply: 503 });
    const report = await release(config('    zip: v4.zip', '  configuration:\n    timeout: 60\n'));

    expect(report.outcome).toBe('promoted');
    const statuses = (operation: string) => sim.requestLog.filter((e) => e.operation === operation).map((e) => e.status);
    // The configuration retry meets the stale RevisionId; the publish retry is answered with the version the lost one created.
    expect(statuses('UpdateFunctionConfiguration')).toEqual([503, 412]);
    expect(statuses('PublishVersion')).toEqual([503, 201]);
    expect(lines.some((l) => /UpdateFunctionConfiguration failed on its way back .* the update landed/.test(l))).toBe(true);
    expect(sim.listVersions(FN)).toEqual(['1', '2', '3', '4']);
    expect(sim.getLatest(FN).timeoutSeconds).toBe(60);
    expect(sim.getAliasState(FN, ALIAS).version).toBe('4');
  });

  it('someone else deploys between our read and our update: refused, nothing published, no alias change', async () => {
    sim.scenarios.concurrentCodeChange({ afterOperation: 'GetFunction', codeSha256: 'someone-elses-code' });
    const report = await release(config('    zip: v4.zip'));

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'aborted', exitCode: 1 });
    expect(report.headline).toMatch(/was changed by someone else since it was read .* did not overwrite it and published nothing/);
    expect(writeOperations()).toEqual(['UpdateFunctionCode 412']);
    expect(sim.injectedEvents.map((e) => e.kind)).toEqual(['concurrentCodeChange']);
    expect(sim.getLatest(FN).codeSha256).toBe('someone-elses-code');
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: '3', weights: {} });
  });

  it('someone else deploys after our update finished: PublishVersion with our CodeSha256 is refused, nothing published', async () => {
    sim.scenarios.concurrentCodeChange({ afterOperation: 'GetFunctionConfiguration', codeSha256: 'someone-elses-code' });
    const report = await release(config('    zip: v4.zip'));

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'aborted', exitCode: 1 });
    expect(report.headline).toMatch(/changed after the gate deployed to it: its code was replaced .* Nothing was published/);
    expect(writeOperations()).toEqual(['UpdateFunctionCode 200', 'PublishVersion 412']);
    expect(sim.listVersions(FN)).toEqual(['1', '2', '3']);
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: '3', weights: {} });
  });

  it('a re-release of unchanged code reuses the version, says so, and records the new tag so rollback --to it works', async () => {
    const first = await release(config('    zip: v4.zip'), 'model-v1.0.0');
    expect(first.outcome).toBe('promoted');
    expect(sim.getTags(FN)).toEqual({});

    const again = await release(config('    zip: v4.zip'), 'model-v1.1.0');
    expect(again.exitCode).toBe(0);
    expect(again.results.find((r) => r.id === 'rollout.candidate')?.message).toMatch(/unchanged, so Lambda reused version 4 \(no new version was published\)/);
    expect(again.results.find((r) => r.id === 'rollout.deploy')?.message).toContain('already holds zip v4.zip');
    expect(sim.listVersions(FN)).toEqual(['1', '2', '3', '4']);
    expect(sim.getTags(FN)).toEqual({ 'model-release-gate:tag:model-v1.1.0': '4 sha=abc123' });

    const next = await release(config('    zip: v5.zip'), 'model-v1.2.0');
    expect(next.outcome).toBe('promoted');
    expect(sim.getAliasState(FN, ALIAS).version).toBe('5');
    expect(Object.keys(sim.getTags(FN))).toEqual(['model-release-gate:tag:model-v1.1.0']); // v5's description names its release

    const target = defaultTargetFactory(process.env)({ type: 'lambda', functionName: FN, alias: ALIAS, region: 'us-east-1', publish: true });
    const rollback = await runManualRollback({ to: 'model-v1.1.0', force: false, dryRun: false }, { target, clock, log: () => undefined });
    expect({ outcome: rollback.outcome, exitCode: rollback.exitCode }).toEqual({ outcome: 'rolled-back-manually', exitCode: 0 });
    expect(sim.getAliasState(FN, ALIAS).version).toBe('4');
  });

  it('a release tag that cannot be recorded (the function holds 50 tags) stops the release before any traffic moves', async () => {
    const first = await release(config('    zip: v4.zip'), 'model-v1.0.0');
    expect(first.outcome).toBe('promoted');
    const { lambda } = sdkClients(sim.endpoint);
    await lambda.send(new TagResourceCommand({ Resource: `arn:aws:lambda:us-east-1:123456789012:function:${FN}`, Tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`team:${i}`, 'x'])) }));
    lambda.destroy();
    const aliasBefore = sim.getAliasState(FN, ALIAS);
    sim.setAlias(FN, ALIAS, { version: '3' }); // so the reused version 4 would be canaried again

    const again = await release(config('    zip: v4.zip'), 'model-v1.1.0');
    expect({ outcome: again.outcome, exitCode: again.exitCode }).toEqual({ outcome: 'aborted', exitCode: 1 });
    expect(again.headline).toMatch(/Could not tag lambda:churn-model:prod with model-release-gate:tag:model-v1\.1\.0=4 sha=abc123 .*at most 50 tags/);
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: '3', weights: {} });
    expect(aliasBefore.version).toBe('4');
  });

  it('an explicit version (no code) whose description names no release gets its tag recorded too', async () => {
    const text = `target:
  function-name: ${FN}
  alias: ${ALIAS}
  region: us-east-1
  version: "2"
${rollout}`;
    const report = await release(text, 'model-v0.9.1');
    expect(report.outcome).toBe('promoted');
    expect(sim.getTags(FN)).toEqual({ 'model-release-gate:tag:model-v0.9.1': '2 sha=abc123' });
    expect(sim.requestLog.some((e) => e.operation === 'UpdateFunctionCode')).toBe(false);
  });

  it.each([
    ['a zip that does not exist', 'missing.zip', /target\.code\.zip 'missing\.zip' does not exist/],
    ['a file that is not a zip', 'notes.zip', /target\.code\.zip 'notes\.zip' is not a zip archive/],
    ['a path outside the workspace', '../elsewhere.zip', /is outside the workspace/],
  ])('%s: input error, exit 2, before any AWS call', async (_what, path, message) => {
    writeFileSync(join(workspace, 'notes.zip'), 'just text\n');
    const report = await release(config(`    zip: ${path}`));

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'aborted', exitCode: 2 });
    expect(report.headline).toMatch(message);
    expect(report.headline).toMatch(/nothing was changed/);
    expect(sim.requestLog).toEqual([]);
    expect(updateAliasCalls(sim)).toEqual([]);
  });

  it('dry run: the zip is checked and the deploy is described, nothing is written', async () => {
    const report = await release(`dry-run: true\n${config('    zip: v4.zip')}`);
    expect(report.outcome).toBe('planned');
    expect(report.results.find((r) => r.id === 'rollout.deploy')?.message).toMatch(/dry run: would deploy zip v4\.zip .* nothing was written/);
    expect(sim.writes()).toEqual([]);
  });
});
