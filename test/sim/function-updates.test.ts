/**
 * The simulator's UpdateFunctionCode, UpdateFunctionConfiguration, PublishVersion-after-update
 * and tag operations, through the real SDK: Lambda's RevisionId, LastUpdateStatus, CodeSha256
 * and version-reuse rules as model-release-gate relies on them.
 */
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  ListTagsCommand,
  PublishVersionCommand,
  TagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { createHash } from 'node:crypto';
import { storedZip } from '../support/zip.js';
import { VirtualClock } from './clock.js';
import { startSimulator, type Simulator } from './simulator.js';
import { rejectionOf, sdkClients, useTestCredentials } from './test-clients.js';

const FN = 'churn-model';
const ARN = `arn:aws:lambda:us-east-1:123456789012:function:${FN}`;
const ZIP = storedZip({ 'app.py': 'print(1)\n' });
const ZIP_SHA = createHash('sha256').update(ZIP).digest('base64');

describe('simulated function updates through the real SDK', () => {
  let sim: Simulator;
  let clock: VirtualClock;
  let lambda: LambdaClient;

  beforeEach(async () => {
    useTestCredentials();
    clock = new VirtualClock(Date.UTC(2026, 11, 3));
    sim = await startSimulator({ clock });
    sim.createFunction({ name: FN, versions: 2, aliases: [{ name: 'prod', version: '2' }] });
    lambda = sdkClients(sim.endpoint).lambda;
  });
  afterEach(async () => {
    lambda.destroy();
    await sim.close();
  });

  const latest = () => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: FN }));

  it('UpdateFunctionCode: CodeSha256 is the base64 SHA-256 of the zip; InProgress for the configured time, then Successful with the same RevisionId', async () => {
    sim.scenarios.functionUpdates({ durationMs: 5_000 });
    const { RevisionId } = await latest();
    const updated = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, ZipFile: ZIP, RevisionId, Publish: false }));
    expect(updated).toMatchObject({ CodeSha256: ZIP_SHA, LastUpdateStatus: 'InProgress', CodeSize: ZIP.length });
    expect(updated.RevisionId).not.toBe(RevisionId);
    expect((await latest()).LastUpdateStatus).toBe('InProgress');
    await clock.sleep(5_000);
    expect(await latest()).toMatchObject({ LastUpdateStatus: 'Successful', RevisionId: updated.RevisionId, CodeSha256: ZIP_SHA });
  });

  it('refuses a stale RevisionId (412), a second update while one is in progress (409), a file that is not a zip (400)', async () => {
    sim.scenarios.functionUpdates({ durationMs: 5_000 });
    expect((await rejectionOf(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, ZipFile: ZIP, RevisionId: 'stale' })))).name).toBe('PreconditionFailedException');
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, ZipFile: ZIP }));
    expect((await rejectionOf(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: FN, MemorySize: 2048 })))).name).toBe('ResourceConflictException');
    expect((await rejectionOf(lambda.send(new PublishVersionCommand({ FunctionName: FN, CodeSha256: ZIP_SHA })))).name).toBe('ResourceConflictException');
    await clock.sleep(5_000);
    expect((await rejectionOf(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, ZipFile: Buffer.from('not a zip') })))).name).toBe('InvalidParameterValueException');
  });

  it('a scenario makes the next update end Failed with a reason and reason code; stuck updates never finish', async () => {
    sim.scenarios.functionUpdates({ durationMs: 1_000, fail: { reason: 'Image not found', reasonCode: 'ImageNotFound' } });
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, ZipFile: ZIP }));
    await clock.sleep(1_000);
    expect(await latest()).toMatchObject({ LastUpdateStatus: 'Failed', LastUpdateStatusReason: 'Image not found', LastUpdateStatusReasonCode: 'ImageNotFound' });
    sim.scenarios.functionUpdates({ stuck: true });
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: FN, Timeout: 60 }));
    await clock.sleep(60 * 60_000);
    expect((await latest()).LastUpdateStatus).toBe('InProgress');
  });

  it('PublishVersion checks CodeSha256 and reuses the newest version only when code and configuration are unchanged', async () => {
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, ZipFile: ZIP }));
    expect((await rejectionOf(lambda.send(new PublishVersionCommand({ FunctionName: FN, CodeSha256: 'other' })))).name).toBe('PreconditionFailedException');
    const v3 = await lambda.send(new PublishVersionCommand({ FunctionName: FN, CodeSha256: ZIP_SHA, Description: 'first' }));
    expect(v3).toMatchObject({ Version: '3', CodeSha256: ZIP_SHA, Description: 'first' });
    expect(await lambda.send(new PublishVersionCommand({ FunctionName: FN, Description: 'second' }))).toMatchObject({ Version: '3', Description: 'first' });
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: FN, Environment: { Variables: { MODEL: 'v2' } } }));
    const v4 = await lambda.send(new PublishVersionCommand({ FunctionName: FN, CodeSha256: ZIP_SHA }));
    expect(v4).toMatchObject({ Version: '4', Environment: { Variables: { MODEL: 'v2' } } });
  });

  it('S3 code is read from the stored object (by version when given); an image function takes only ImageUri', async () => {
    sim.putS3Object('bkt', 'm.zip', ZIP, 'v1');
    expect(await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, S3Bucket: 'bkt', S3Key: 'm.zip', S3ObjectVersion: 'v1' }))).toMatchObject({ CodeSha256: ZIP_SHA });
    const missing = await rejectionOf(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, S3Bucket: 'bkt', S3Key: 'm.zip', S3ObjectVersion: 'v9' })));
    expect(missing.message).toMatch(/NoSuchVersion/);
    sim.createFunction({ name: 'image-fn', versions: 1, packageType: 'Image' });
    expect((await rejectionOf(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'image-fn', ZipFile: ZIP })))).name).toBe('InvalidParameterValueException');
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'image-fn', ImageUri: 'repo/churn:2' }));
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'image-fn' }))).Code).toMatchObject({ RepositoryType: 'ECR', ImageUri: 'repo/churn:2' });
  });

  it('TagResource and ListTags on the function ARN, with Lambda’s limit of 50 tags', async () => {
    await lambda.send(new TagResourceCommand({ Resource: ARN, Tags: { team: 'ml' } }));
    expect((await lambda.send(new ListTagsCommand({ Resource: ARN }))).Tags).toEqual({ team: 'ml' });
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    const refused = await rejectionOf(lambda.send(new TagResourceCommand({ Resource: ARN, Tags: many })));
    expect(refused.message).toMatch(/exceeds resource tag limit of 50/);
    expect((await rejectionOf(lambda.send(new TagResourceCommand({ Resource: `${ARN}:prod`, Tags: { a: 'b' } })))).name).toBe('InvalidParameterValueException');
  });
});
