/**
 * The pure parts of deploying new code (issue #13): the local check and hash of a zip, the poll
 * schedule, the configuration comparison, release tags as Lambda function tags and their use by
 * rollback, and the config rules for target.code / target.configuration.
 */
import { LambdaClient, PreconditionFailedException } from '@aws-sdk/client-lambda';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigText } from '../../src/config/load.js';
import { CodeInputError, looksLikeZip, packageSha256, prepareCode } from '../../src/deploy/code.js';
import { holdsConfiguration, MAX_POLL_MS, pollDelayMs } from '../../src/deploy/lambda-code.js';
import { parseRollbackTo, resolveRollbackTarget } from '../../src/rollback/resolve.js';
import { LambdaAliasTarget } from '../../src/targets/lambda.js';
import { parseReleaseTags, releaseTagEntry } from '../../src/targets/lambda-release-tags.js';
import { FakeTarget } from '../support/fake-target.js';
import { VirtualClock } from '../support/virtual-clock.js';
import { releaseWith } from '../support/sim-release.js';
import { storedZip } from '../support/zip.js';

describe('prepareCode: the zip is checked and hashed before any AWS call', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mrg-code-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a zip and computes the CodeSha256 Lambda reports: base64 of its SHA-256', () => {
    const zip = storedZip({ 'app.py': 'def handler(e, c): return 1\n' });
    writeFileSync(join(dir, 'model.zip'), zip);
    const code = prepareCode({ kind: 'zip', path: 'model.zip' }, dir);
    expect(code).toMatchObject({ kind: 'zip', path: 'model.zip', sha256: createHash('sha256').update(zip).digest('base64') });
    expect(packageSha256(zip)).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it.each([
    ['missing', 'nope.zip', /does not exist/],
    ['a directory', 'dir.zip', /is not a file/],
    ['empty', 'empty.zip', /is empty/],
    ['not a zip', 'text.zip', /is not a zip archive/],
    ['outside the workspace', '../x.zip', /outside the workspace/],
  ])('refuses a zip that is %s with a CodeInputError naming the key and path', (_what, path, message) => {
    mkdirSync(join(dir, 'dir.zip'));
    writeFileSync(join(dir, 'empty.zip'), '');
    writeFileSync(join(dir, 'text.zip'), 'PK? not really\n');
    const attempt = () => prepareCode({ kind: 'zip', path }, dir);
    expect(attempt).toThrow(CodeInputError);
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(`target.code.zip '${path}'`);
  });

  it('recognises zip headers, including an empty archive', () => {
    expect(looksLikeZip(storedZip({}))).toBe(true);
    expect(looksLikeZip(Buffer.from('PK\x03\x04rest'))).toBe(true);
    expect(looksLikeZip(Buffer.from('\x1f\x8b gzip'))).toBe(false);
  });

  it('passes S3 and image references through (they can only be checked by Lambda)', () => {
    expect(prepareCode({ kind: 's3', bucket: 'b', key: 'k.zip', objectVersion: 'v1' }, dir)).toEqual({ kind: 's3', bucket: 'b', key: 'k.zip', objectVersion: 'v1' });
    expect(prepareCode({ kind: 'image', uri: 'repo/churn:1' }, dir)).toEqual({ kind: 'image', uri: 'repo/churn:1' });
  });
});

describe('waiting for an update', () => {
  it('polls 1 s, 2 s, 4 s, 8 s, then every 15 s', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(pollDelayMs)).toEqual([1_000, 2_000, 4_000, 8_000, 15_000, 15_000, MAX_POLL_MS]);
  });

  it('compares only the configuration keys asked for; environment as a whole set', () => {
    const fn = { MemorySize: 1024, Timeout: 30, Environment: { Variables: { A: '1' } } };
    expect(holdsConfiguration(fn, { memoryMb: 1024 })).toBe(true);
    expect(holdsConfiguration(fn, { memoryMb: 2048 })).toBe(false);
    expect(holdsConfiguration(fn, { environment: { A: '1' } })).toBe(true);
    expect(holdsConfiguration(fn, { environment: { A: '1', B: '2' } })).toBe(false);
    expect(holdsConfiguration({ MemorySize: 128 }, { environment: {} })).toBe(true);
  });
});

describe('release tags as Lambda function tags', () => {
  it('writes one tag per release: key model-release-gate:tag:<tag>, value "<version> sha=<sha>"', () => {
    expect(releaseTagEntry({ tag: 'model-v1.4.0', version: '7', sha: 'abc123' })).toEqual({ key: 'model-release-gate:tag:model-v1.4.0', value: '7 sha=abc123' });
    expect(releaseTagEntry({ tag: 'release/2026-03-01', version: '12' })).toEqual({ key: 'model-release-gate:tag:release/2026-03-01', value: '12' });
  });

  it('refuses a tag too long for a Lambda tag key (128 characters)', () => {
    expect(releaseTagEntry({ tag: 'v'.repeat(105), version: '1' })).not.toHaveProperty('error');
    expect(releaseTagEntry({ tag: 'v'.repeat(106), version: '1' })).toEqual({ error: expect.stringMatching(/longer than 105 characters/) });
  });

  it('reads its own tags back and ignores everyone else’s', () => {
    expect(
      parseReleaseTags({
        team: 'ml',
        'model-release-gate:tag:model-v1.1.0': '4 sha=ABC123',
        'model-release-gate:tag:model-v1.2.0': '5',
        'model-release-gate:tag:broken': 'not a version',
      }),
    ).toEqual([
      { tag: 'model-v1.1.0', version: '4', sha: 'abc123' },
      { tag: 'model-v1.2.0', version: '5' },
    ]);
  });

  it('rollback --to a tag finds a reused version through its tag record (and by the recorded SHA)', () => {
    const versions = [
      { version: '4', description: 'model-release-gate sha=aaa1111 tag=model-v1.0.0' },
      { version: '5', description: 'model-release-gate sha=ccc3333 tag=model-v1.2.0' },
    ];
    const tagged = [
      { tag: 'model-v1.1.0', version: '4', sha: 'bbb2222' },
      { tag: 'model-v0.9.0', version: '2' }, // version 2 was deleted: not offered
    ];
    const to = (value: string) => {
      const parsed = parseRollbackTo(value);
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.target;
    };
    expect(resolveRollbackTarget(to('model-v1.1.0'), versions, '5', undefined, tagged)).toMatchObject({ ok: true, version: '4', rule: 'tag model-v1.1.0' });
    expect(resolveRollbackTarget(to('bbb2222'), versions, '5', undefined, tagged)).toMatchObject({ ok: true, version: '4' });
    expect(resolveRollbackTarget(to('model-v1.1.0'), versions, '5')).toMatchObject({ ok: false, reason: 'not-found' });
    expect(resolveRollbackTarget(to('model-v0.9.0'), versions, '5', undefined, tagged)).toMatchObject({ ok: false, reason: 'not-found' });
  });
});

describe('config: target.code and target.configuration', () => {
  const target = (extra: string) => `target:\n  function-name: churn-model\n  alias: prod\n${extra}`;
  const errors = (text: string) => {
    const loaded = parseConfigText(text, 'model-release.yml');
    return loaded.ok ? [] : loaded.errors.map((e) => `${e.path}: ${e.message}`);
  };

  it('reads each source and the configuration', () => {
    const loaded = parseConfigText(target('  code:\n    s3: { bucket: artifacts, key: churn.zip, version: "3" }\n  configuration:\n    memory: 2048\n    timeout: 60\n    environment: { MODEL: v2 }\n'), 'f.yml');
    expect(loaded.ok && loaded.config.target).toMatchObject({
      publish: true,
      code: { kind: 's3', bucket: 'artifacts', key: 'churn.zip', objectVersion: '3' },
      configuration: { memoryMb: 2048, timeoutSeconds: 60, environment: { MODEL: 'v2' } },
    });
  });

  it('needs exactly one source', () => {
    expect(errors(target('  code:\n    zip: a.zip\n    image: repo/churn:1\n'))).toEqual(['target.code: must give exactly one of zip: <path to a .zip>, s3: { bucket, key } or image: <container image URI>']);
    expect(errors(target('  code: {}\n'))).toHaveLength(1);
    expect(errors(target('  code:\n    zip: model.tar.gz\n'))).toEqual(['target.code.zip: must be the path of a .zip file, like build/model.zip']);
  });

  it('refuses code or configuration with version or publish: false', () => {
    expect(errors(target('  code:\n    zip: a.zip\n  version: 7\n'))).toEqual([expect.stringMatching(/^target\.version: cannot be combined with target\.code/)]);
    expect(errors(target('  code:\n    zip: a.zip\n  publish: false\n'))).toEqual([expect.stringMatching(/^target\.publish: cannot be false with target\.code/)]);
    expect(errors(target('  configuration:\n    timeout: 10\n  version: "3"\n'))).toEqual([expect.stringMatching(/^target\.version: cannot be combined with target\.configuration/)]);
    expect(errors(target('  code:\n    zip: a.zip\n  publish: true\n'))).toEqual([]);
  });
});

describe('pipeline: a target that cannot deploy code', () => {
  it('is an input error (exit 2) before anything is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mrg-code-'));
    writeFileSync(join(dir, 'model.zip'), storedZip({ 'app.py': 'x = 1\n' }));
    const clock = new VirtualClock(Date.UTC(2026, 11, 3));
    const target = new FakeTarget({ clock, version: '3' });
    const report = await releaseWith(`target:\n  function-name: churn-model\n  alias: prod\n  code:\n    zip: model.zip\nrollout: {}\n`, { clock, workspace: dir, createTarget: () => target });
    rmSync(dir, { recursive: true, force: true });
    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'aborted', exitCode: 2 });
    expect(report.headline).toMatch(/cannot deploy code: remove target\.code and target\.configuration/);
  });
});

describe('PublishVersion after a deploy answered 412', () => {
  /** A Lambda client that answers each command by name from `replies` (an Error is thrown). */
  function stubLambda(replies: Record<string, Array<unknown>>): LambdaClient {
    // A real client (the paginator checks its class) that never reaches the network.
    const client = new LambdaClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    client.send = ((command: { constructor: { name: string } }) => {
      const reply = replies[command.constructor.name.replace(/Command$/, '')]?.shift();
      return reply instanceof Error ? Promise.reject(reply) : Promise.resolve(reply);
    }) as LambdaClient['send'];
    return client;
  }
  const deployed = { codeSha256: 'ours', revisionId: 'r2', codeUnchanged: false, configurationUnchanged: true, notes: [] };
  const stale = () => new PreconditionFailedException({ message: 'The Revision Id provided does not match', $metadata: { httpStatusCode: 412 } });
  const versions = (extra: object[]) => ({ Versions: [{ Version: '$LATEST' }, { Version: '3', CodeSha256: 'old', Description: 'v3' }, ...extra] });

  it('recognises its own publish (a retry after a lost reply, if publishing changed the RevisionId)', async () => {
    const lines: string[] = [];
    const lambda = stubLambda({
      ListVersionsByFunction: [versions([]), versions([{ Version: '4', CodeSha256: 'ours', Description: 'model-release-gate tag=v1' }])],
      PublishVersion: [stale()],
      GetFunction: [{ Configuration: { CodeSha256: 'ours' } }],
    });
    const target = new LambdaAliasTarget(lambda, {} as CloudWatchClient, { functionName: 'churn-model', alias: 'prod', log: (l) => lines.push(l) });
    await expect(target.resolveCandidate({ description: 'model-release-gate tag=v1', deployed })).resolves.toEqual({ version: '4', published: true, description: 'model-release-gate tag=v1' });
    expect(lines.join('\n')).toMatch(/version 4 holds exactly the deployed code: the publish landed/);
  });

  it('refuses when $LATEST now holds someone else’s code', async () => {
    const lambda = stubLambda({
      ListVersionsByFunction: [versions([]), versions([])],
      PublishVersion: [stale()],
      GetFunction: [{ Configuration: { CodeSha256: 'theirs' } }],
    });
    const target = new LambdaAliasTarget(lambda, {} as CloudWatchClient, { functionName: 'churn-model', alias: 'prod' });
    await expect(target.resolveCandidate({ description: 'd', deployed })).rejects.toThrow(/its code was replaced \(CodeSha256 theirs, the gate deployed ours\)\. Nothing was published/);
  });
});
