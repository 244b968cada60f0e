import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGitHubCommitApi, GitHubApiError } from '../../src/platform/github-api.js';
import { createGitHubReleaseApi } from '../../src/platform/github-release-api.js';
import { restCommit as restCommitOf, shaOf, startFakeGitHub, type FakeGitHub, type SeenRequest } from '../support/fake-github-api.js';

const OWNER = 'acme-ml';
const REPO = 'churn-model-api';
const TOKEN = 'ghs_test0123456789abcdefABCDEF';
const BASE = 'e1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5e';
const HEAD = 'c94b6e27f1a3d5b8e0c2f4a6b8d0e2f4a6c8e0b2';
const EVEN_HEAD = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

/** The index-th commit of a numbered series, with a multi-line message. */
function restCommit(index: number, origin: string) {
  const message = `chore(${origin}): step ${index + 1}\n\nbody ${index + 1}`;
  return restCommitOf(shaOf(index + 1), message, `${OWNER}/${REPO}`, index === 0 ? undefined : shaOf(index));
}

const compareCommits = Array.from({ length: 257 }, (_, i) => restCommit(i, 'compare'));
const evenCompareCommits = Array.from({ length: 200 }, (_, i) => restCommit(i, 'even'));
const pullCommits = Array.from({ length: 130 }, (_, i) => restCommit(i, 'pr'));

describe('createGitHubCommitApi against a local GitHub', () => {
  let fake: FakeGitHub;
  let baseUrl: string;
  let seen: SeenRequest[];

  beforeAll(async () => {
    fake = await startFakeGitHub({
      owner: OWNER,
      repo: REPO,
      token: TOKEN,
      comparisons: { [`${BASE}...${HEAD}`]: compareCommits, [`${BASE}...${EVEN_HEAD}`]: evenCompareCommits },
      pulls: { 42: pullCommits },
    });
    ({ baseUrl, seen } = fake);
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    seen.length = 0;
  });

  const api = () => createGitHubCommitApi({ token: TOKEN, owner: OWNER, repo: REPO, baseUrl });

  it('pages through a comparison of 257 commits and returns them all, in order', async () => {
    const commits = await api().compareCommits(BASE, HEAD);
    expect(commits).toHaveLength(257);
    expect(commits).toEqual(compareCommits.map((c) => ({ sha: c.sha, message: c.commit.message })));
    expect(seen.map((s) => [s.path, s.query['page'], s.query['per_page']])).toEqual([
      [`/repos/${OWNER}/${REPO}/compare/${BASE}...${HEAD}`, '1', '100'],
      [`/repos/${OWNER}/${REPO}/compare/${BASE}...${HEAD}`, '2', '100'],
      [`/repos/${OWNER}/${REPO}/compare/${BASE}...${HEAD}`, '3', '100'],
    ]);
  });

  it('stops at total_commits when the last page is full, without asking for an empty page', async () => {
    const commits = await api().compareCommits(BASE, EVEN_HEAD);
    expect(commits.map((c) => c.sha)).toEqual(evenCompareCommits.map((c) => c.sha));
    expect(seen.map((s) => s.query['page'])).toEqual(['1', '2']);
  });

  it('sends the token in the Authorization header on every request', async () => {
    await api().compareCommits(BASE, HEAD);
    await api().listPullRequestCommits(42);
    expect(seen.length).toBeGreaterThan(3);
    for (const request of seen) expect(request.authorization).toBe(`token ${TOKEN}`);
  });

  it('lists all commits of a pull request across pages, in order', async () => {
    const commits = await api().listPullRequestCommits(42);
    expect(commits).toEqual(pullCommits.map((c) => ({ sha: c.sha, message: c.commit.message })));
    expect(seen.map((s) => [s.path, s.query['page'] ?? '1', s.query['per_page']])).toEqual([
      [`/repos/${OWNER}/${REPO}/pulls/42/commits`, '1', '100'],
      [`/repos/${OWNER}/${REPO}/pulls/42/commits`, '2', '100'],
    ]);
  });

  it('explains a 404 on compare as a missing base commit', async () => {
    const missing = 'f'.repeat(40);
    const failure = api().compareCommits(missing, HEAD);
    await expect(failure).rejects.toBeInstanceOf(GitHubApiError);
    await expect(failure).rejects.toMatchObject({ status: 404 });
    await expect(failure).rejects.toThrow(
      `base commit ${missing} or head ${HEAD} not found in ${OWNER}/${REPO} (force-push or rebase removed it?)`,
    );
  });

  it('explains a 404 on pull request commits as a missing pull request', async () => {
    await expect(api().listPullRequestCommits(7)).rejects.toThrow(`pull request #7 not found in ${OWNER}/${REPO}`);
  });

  it('explains a rejected token without ever showing it', async () => {
    const badToken = 'ghs_leaked_if_you_can_read_this';
    const failing = createGitHubCommitApi({ token: badToken, owner: OWNER, repo: REPO, baseUrl });
    const error = await failing.compareCommits(BASE, HEAD).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(GitHubApiError);
    expect(error?.message).toContain('HTTP 401');
    expect(error?.message).toContain("'contents: read'");
    expect(error?.message).not.toContain(badToken);
    expect(JSON.stringify(error)).not.toContain(badToken);
    expect(String(error?.stack)).not.toContain(badToken);
    expect(seen[0]?.authorization).toBe(`token ${badToken}`);
  });

  it('names a GitHub API it cannot reach as unreachable, not as an HTTP 500 from GitHub', async () => {
    // A port nothing listens on: the connection is refused before any HTTP response exists.
    const closed = await startFakeGitHub({ owner: OWNER, repo: REPO, token: TOKEN });
    const deadUrl = closed.baseUrl;
    await closed.close();
    const error = await createGitHubCommitApi({ token: TOKEN, owner: OWNER, repo: REPO, baseUrl: deadUrl })
      .compareCommits(BASE, HEAD)
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(error?.message).toMatch(/^GitHub API could not be reached while .*\(ECONNREFUSED; no HTTP response\)/);
    expect(error?.message).not.toMatch(/HTTP 500/);
    expect(error?.message).not.toContain(TOKEN);
  });

  it('defaults the base URL to GITHUB_API_URL', async () => {
    const saved = process.env['GITHUB_API_URL'];
    process.env['GITHUB_API_URL'] = baseUrl;
    try {
      const fromEnv = createGitHubCommitApi({ token: TOKEN, owner: OWNER, repo: REPO });
      expect(await fromEnv.listPullRequestCommits(42)).toHaveLength(130);
    } finally {
      if (saved === undefined) delete process.env['GITHUB_API_URL'];
      else process.env['GITHUB_API_URL'] = saved;
    }
  });

  it('refuses to start without a token', () => {
    expect(() => createGitHubCommitApi({ token: '', owner: OWNER, repo: REPO, baseUrl })).toThrow(/token is required/);
  });
});

describe('a GitHub that accepts the connection and never answers', () => {
  let server: Server;
  let silentUrl: string;
  beforeAll(async () => {
    server = createServer(() => undefined); // reads the request, never writes a response
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    silentUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('times the commit API out with a clear error instead of hanging the job', async () => {
    const api = createGitHubCommitApi({ token: TOKEN, owner: OWNER, repo: REPO, baseUrl: silentUrl, timeoutMs: 300 });
    await expect(api.compareCommits(BASE, HEAD)).rejects.toThrow(/GitHub API could not be reached while comparing .* \(.*timeout.*; no HTTP response\)/);
  });

  it('times the release-records API out too', async () => {
    const api = createGitHubReleaseApi({ token: TOKEN, owner: OWNER, repo: REPO, baseUrl: silentUrl, timeoutMs: 300 });
    await expect(api.listTags()).rejects.toThrow(/GitHub API could not be reached while .*timeout/);
  });
});
