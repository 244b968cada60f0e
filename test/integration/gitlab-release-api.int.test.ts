/**
 * GitLab release records over real HTTP: the GitLab API port (src/platform/gitlab-release-api.ts)
 * against the local GitLab API stand-in, alone (paging, auth, lost replies) and under the real
 * pipeline, Lambda target and SDK clients against the AWS simulator (simulated time), wired the
 * way the CLI wires it in a GitLab job (CliPlatform.releaseRecords from the job's variables).
 */
import { CliPlatform } from '../../src/platform/cli.js';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createGitLabReleaseApi, GitLabApiError } from '../../src/platform/gitlab-release-api.js';
import { UsageError, type GateInputs } from '../../src/platform/types.js';
import type { ReleaseRecords } from '../../src/release/records.js';
import type { Report } from '../../src/report/result.js';
import type { CommitInput } from '../../src/trigger/types.js';
import { VirtualClock, startSimulator, type Simulator } from '../sim/index.js';
import { startFakeGitLabApi, type FakeGitLabApi } from '../support/fake-gitlab-api.js';
import { loadTestConfig, pointSdkAt, releaseWith } from '../support/sim-release.js';

const MINUTE = 60_000;
const FN = 'churn-model';
const ALIAS = 'prod';
const SHA = '5e1ea5e0000000000000000000000000000000aa';
const FEAT_SHA = 'f0000000000000000000000000000000000000f1';
const PROJECT_URL = 'https://gitlab.example.com/acme-ml/churn-model-api';
const PRIVATE = 'glpat-records-test-token';
const JOB = 'glcbt-job-token';
const COMMITS: CommitInput[] = [{ sha: FEAT_SHA, message: 'Feat (Api): score churn with the gradient-boosted model' }];

const CONFIG = `
target:
  function-name: ${FN}
  alias: ${ALIAS}
  region: us-east-1
rollout:
  strategy: linear
  step: 50
  interval: 1m
  poll: 15s
  final-bake: 1m
  metric-delay: 1m
  min-invocations: 10
release:
  tag: true
`;

/** The variables of a GitLab job pointed at the fake. */
function jobEnv(gitlab: FakeGitLabApi, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { GITLAB_CI: 'true', CI_API_V4_URL: gitlab.apiUrl, CI_PROJECT_ID: gitlab.projectId, CI_PROJECT_URL: PROJECT_URL, CI_COMMIT_SHA: SHA, CI_JOB_TOKEN: JOB, CI_PROJECT_DIR: process.cwd(), ...extra };
}

/** The records a `release` in a GitLab job with `env` gets, exactly as the CLI builds them. */
function cliRecords(env: NodeJS.ProcessEnv): (config: ReturnType<typeof loadTestConfig>) => ReleaseRecords {
  return (config) => {
    const platform = new CliPlatform('release', {}, env);
    const inputs: GateInputs = platform.readInputs();
    const records = platform.releaseRecords(inputs, config.release);
    if (!records) throw new Error('no GitLab records were set up');
    return records;
  };
}

describe('GitLab release API port against the local GitLab API', () => {
  let gitlab: FakeGitLabApi;
  afterEach(() => gitlab.close());

  it('lists every tag, page by page (X-Next-Page), with PRIVATE-TOKEN or JOB-TOKEN', async () => {
    const tags = Object.fromEntries(Array.from({ length: 230 }, (_, i) => [`model-v1.${i}.0`, 'a'.repeat(40)]));
    gitlab = await startFakeGitLabApi({ privateToken: { token: PRIVATE, scope: 'api' }, jobToken: JOB, tags });
    for (const auth of [{ kind: 'private-token', token: PRIVATE }, { kind: 'job-token', token: JOB }] as const) {
      gitlab.seen.length = 0;
      const api = createGitLabReleaseApi({ apiUrl: gitlab.apiUrl, projectId: gitlab.projectId, auth });
      expect((await api.listTags()).length).toBe(230);
      expect(gitlab.seen.map((r) => [r.auth, r.query['page'], r.query['per_page']])).toEqual([
        [auth.kind, '1', '100'],
        [auth.kind, '2', '100'],
        [auth.kind, '3', '100'],
      ]);
    }
  });

  it('401: the token is named, with the scope and role it needs; the token itself never appears', async () => {
    gitlab = await startFakeGitLabApi({ privateToken: { token: PRIVATE, scope: 'api' } });
    const api = createGitLabReleaseApi({ apiUrl: gitlab.apiUrl, projectId: gitlab.projectId, auth: { kind: 'private-token', token: 'glpat-expired' } });
    const error = await api.listTags().catch((e: unknown) => e as Error & { status?: number });
    expect(error).toMatchObject({
      status: 401,
      message: 'GitLab API rejected the gitlab-token (HTTP 401) while listing the repository tags: pass a valid, unexpired token with the `read_api` (or `api`) scope and at least the Reporter role',
    });
    expect(String(error)).not.toContain('glpat-expired');
  });

  it('403: a read_api token may list tags, but creating the tag or the release names the missing `api` scope and Developer role', async () => {
    gitlab = await startFakeGitLabApi({ privateToken: { token: PRIVATE, scope: 'read_api' } });
    const api = createGitLabReleaseApi({ apiUrl: gitlab.apiUrl, projectId: gitlab.projectId, auth: { kind: 'private-token', token: PRIVATE } });
    await expect(api.listTags()).resolves.toEqual([]);
    await expect(api.createTag('model-v1.0.0', SHA)).rejects.toMatchObject({
      status: 403,
      message: expect.stringMatching(/^GitLab API refused access \(HTTP 403\) while creating tag model-v1\.0\.0 at 5e1ea5e00000: the gitlab-token lacks the `api` scope and the Developer role/),
    });
    await expect(api.createRelease({ tag: 'model-v1.0.0', sha: SHA, name: 'model-v1.0.0', notes: '' })).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining('the gitlab-token lacks the `api` scope and the Developer role'),
    });
    expect(gitlab.tags.size).toBe(0);
  });

  it('with CI_JOB_TOKEN, which the Tags API refuses for writes, a plain tag is created as a release of that tag', async () => {
    gitlab = await startFakeGitLabApi({ jobToken: JOB });
    const api = createGitLabReleaseApi({ apiUrl: gitlab.apiUrl, projectId: gitlab.projectId, auth: { kind: 'job-token', token: JOB } });
    await api.createTag('model-v1.0.0', SHA);
    expect(gitlab.seen.filter((r) => r.method === 'POST').map((r) => [r.auth, r.path.replace(/^.*\/projects\/4242/, ''), r.body])).toEqual([
      ['job-token', '/releases', { tag_name: 'model-v1.0.0', ref: SHA, name: 'model-v1.0.0', description: '' }],
    ]);
    expect(gitlab.tags.get('model-v1.0.0')).toBe(SHA);
  });

  it('a lost reply after the release landed: the 409 of the retry is read back, and a release at our commit counts as created', async () => {
    gitlab = await startFakeGitLabApi({ jobToken: JOB });
    const api = createGitLabReleaseApi({ apiUrl: gitlab.apiUrl, projectId: gitlab.projectId, auth: { kind: 'job-token', token: JOB } });
    gitlab.loseReplyOfNext('POST', '/releases');
    // The port reads back after no answer at all; the recorder's retry would meet 409 and read back too.
    await api.createRelease({ tag: 'model-v1.1.0', sha: SHA, name: 'model-v1.1.0', notes: '### Features' });
    await api.createRelease({ tag: 'model-v1.1.0', sha: SHA, name: 'model-v1.1.0', notes: '### Features' });
    expect([...gitlab.releases.values()]).toEqual([{ tag_name: 'model-v1.1.0', name: 'model-v1.1.0', description: '### Features', sha: SHA }]);
    // Someone else's release of that tag at another commit is not ours.
    await expect(api.createRelease({ tag: 'model-v1.1.0', sha: 'b'.repeat(40), name: 'model-v1.1.0', notes: '' })).rejects.toMatchObject({ status: 409 });
  });

  it('a GitLab that accepts the connection and never answers cannot hold the job: each request times out with a clear error', async () => {
    // Accepts every connection and never writes a byte back.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((listening) => silent.listen(0, '127.0.0.1', listening));
    try {
      const { port } = silent.address() as AddressInfo;
      const api = createGitLabReleaseApi({ apiUrl: `http://127.0.0.1:${port}/api/v4`, projectId: '42', auth: { kind: 'job-token', token: JOB }, requestTimeoutMs: 300 });
      const error = await api.listTags().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(GitLabApiError);
      expect((error as GitLabApiError).status).toBeUndefined();
      expect((error as Error).message).toBe(`GitLab API at http://127.0.0.1:${port}/api/v4 could not be reached while listing the repository tags: no reply within 300 ms`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((closed) => silent.close(() => closed()));
    }
  });
});

describe('GitLab release records: CLI wiring × pipeline × AWS simulator × local GitLab API', () => {
  let sim: Simulator;
  let clock: VirtualClock;
  let gitlab: FakeGitLabApi;
  const savedEnv = { ...process.env };

  beforeEach(async () => {
    clock = new VirtualClock(Date.UTC(2026, 2, 2, 9, 0, 20));
    sim = await startSimulator({ clock, metricDelayMs: MINUTE });
    pointSdkAt(sim.endpoint);
    sim.createFunction({ name: FN, versions: 3, aliases: [{ name: ALIAS, version: '3' }], latestCodeSha: 'sha-of-the-new-model' });
    sim.startTraffic({ functionName: FN, alias: ALIAS, requestsPerMinute: 600, seed: 7 });
    gitlab = await startFakeGitLabApi({ jobToken: JOB, privateToken: { token: PRIVATE, scope: 'api' }, tags: { 'model-v1.1.0': 'a'.repeat(40), 'model-v1.2.0': 'c'.repeat(40) } });
  });
  afterEach(async () => {
    await sim.close();
    await gitlab.close();
    process.env = { ...savedEnv };
  });

  function release(env: NodeJS.ProcessEnv, tag?: string): Promise<Report> {
    return releaseWith(CONFIG, { clock, sha: SHA, commits: COMMITS, records: cliRecords(env), ...(tag !== undefined ? { tag } : {}) });
  }

  it('promoted: the next tag is named before publishing, then created on promotion as a GitLab release with its notes (CI_JOB_TOKEN)', async () => {
    const report = await release(jobEnv(gitlab));

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'promoted', exitCode: 0 });
    const publish = sim.requestLog.find((e) => e.operation === 'PublishVersion');
    expect(publish?.body).toMatchObject({ Description: `model-release-gate sha=${SHA} tag=model-v1.3.0` });
    const writes = gitlab.seen.filter((r) => r.method === 'POST');
    expect(writes.map((r) => [r.auth, r.path.replace(/^.*\/projects\/4242/, '')])).toEqual([['job-token', '/releases']]);
    expect(writes[0]?.body).toMatchObject({ tag_name: 'model-v1.3.0', ref: SHA, name: 'model-v1.3.0' });
    const release130 = gitlab.releases.get('model-v1.3.0');
    expect(release130?.sha).toBe(SHA);
    // The notes link the commit and the comparison on the project's GitLab pages.
    expect(release130?.description).toContain(`${PROJECT_URL}/-/commit/${FEAT_SHA}`);
    expect(release130?.description).toContain(`${PROJECT_URL}/-/compare/model-v1.2.0...model-v1.3.0`);
    // No deployment calls exist on this port: GitLab records the job's environment itself.
    expect(report.results.filter((r) => r.gate === 'release').map((r) => [r.id, r.status])).toEqual([
      ['release.tag-plan', 'pass'],
      ['release.tag', 'pass'],
      ['release.notes', 'pass'],
    ]);
  });

  it('rolled back: the tag is planned and recorded in the version, but no tag or release is created', async () => {
    sim.scenarios.canaryErrors({ rate: 0.3, fromMs: Date.UTC(2026, 2, 2, 9, 1, 0) });
    const report = await release(jobEnv(gitlab));

    expect(report.outcome).toBe('rolled-back');
    expect(gitlab.seen.filter((r) => r.method === 'POST')).toEqual([]);
    expect(gitlab.tags.has('model-v1.3.0')).toBe(false);
    expect(report.results.find((r) => r.id === 'release.tag')).toMatchObject({ status: 'skip', message: 'Release model-v1.3.0 not created: the release was not promoted (rolled-back).' });
  });

  it('an existing tag stops the release before PublishVersion: nothing published, nothing written on either side', async () => {
    const report = await release(jobEnv(gitlab), 'model-v1.2.0');

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'aborted', exitCode: 1 });
    expect(sim.writes()).toEqual([]);
    expect(gitlab.seen.filter((r) => r.method === 'POST')).toEqual([]);
    expect(report.results.find((r) => r.id === 'release.tag')).toMatchObject({ status: 'error', message: expect.stringMatching(/^Tag model-v1\.2\.0 already exists/) });
  });

  it('a gitlab-token without write access still promotes: one warning naming the missing scope and role', async () => {
    await gitlab.close();
    gitlab = await startFakeGitLabApi({ privateToken: { token: PRIVATE, scope: 'read_api' }, tags: { 'model-v1.2.0': 'c'.repeat(40) } });
    const report = await release(jobEnv(gitlab, { MODEL_RELEASE_GATE_GITLAB_TOKEN: PRIVATE }));

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'promoted', exitCode: 0 });
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: '4', weights: {} });
    expect(gitlab.seen.every((r) => r.auth === 'private-token')).toBe(true);
    expect(report.results.find((r) => r.id === 'release.tag')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('HTTP 403) while creating release model-v1.3.0 at 5e1ea5e00000: the gitlab-token lacks the `api` scope and the Developer role'),
    });
  });

  it('outside GitLab, without release.tag or without a token the CLI sets up no records; a token without the API variables is refused clearly', () => {
    const config = loadTestConfig(CONFIG);
    const records = (env: NodeJS.ProcessEnv, release = config.release): ReleaseRecords | undefined => {
      const platform = new CliPlatform('release', {}, env);
      return platform.releaseRecords(platform.readInputs(), release);
    };
    expect(records({ CI_PROJECT_DIR: process.cwd(), CI_JOB_TOKEN: JOB })).toBeUndefined();
    expect(records(jobEnv(gitlab), { ...config.release, tag: false })).toBeUndefined();
    // gitlab-ci-local has no job token: nothing to authenticate with, so no records (the report says the tag was not created).
    expect(records({ ...jobEnv(gitlab), CI_JOB_TOKEN: '' })).toBeUndefined();
    const bare = { GITLAB_CI: 'true', CI_PROJECT_DIR: process.cwd(), CI_JOB_TOKEN: JOB };
    expect(() => records(bare)).toThrow(UsageError);
    expect(() => records(bare)).toThrow('release.tag needs the GitLab API, but CI_API_V4_URL or CI_PROJECT_ID is not set');
  });
});
