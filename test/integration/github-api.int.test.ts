import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGitHubCommitApi, GitHubApiError } from '../../src/platform/github-api.js';

const OWNER = 'acme-ml';
const REPO = 'churn-model-api';
const TOKEN = 'ghs_test0123456789abcdefABCDEF';
const BASE = 'e1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5e';
const HEAD = 'c94b6e27f1a3d5b8e0c2f4a6b8d0e2f4a6c8e0b2';
const EVEN_HEAD = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

function sha(n: number): string {
  return n.toString(16).padStart(40, '0');
}

/** A commit as the REST API returns it (trimmed to the fields that vary). */
function restCommit(index: number, origin: string) {
  const id = sha(index + 1);
  return {
    sha: id,
    node_id: `C_kwDO${index}`,
    url: `https://api.github.com/repos/${OWNER}/${REPO}/commits/${id}`,
    html_url: `https://github.com/${OWNER}/${REPO}/commit/${id}`,
    commit: {
      author: { name: 'Maria Lopez', email: 'maria@example.com', date: '2026-03-02T10:00:00Z' },
      committer: { name: 'Maria Lopez', email: 'maria@example.com', date: '2026-03-02T10:00:00Z' },
      message: `chore(${origin}): step ${index + 1}\n\nbody ${index + 1}`,
      tree: { sha: sha(90000 + index), url: '' },
      comment_count: 0,
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
    },
    author: null,
    committer: null,
    parents: index === 0 ? [] : [{ sha: sha(index), url: '', html_url: '' }],
  };
}

const compareCommits = Array.from({ length: 257 }, (_, i) => restCommit(i, 'compare'));
const evenCompareCommits = Array.from({ length: 200 }, (_, i) => restCommit(i, 'even'));
const pullCommits = Array.from({ length: 130 }, (_, i) => restCommit(i, 'pr'));

interface Seen {
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
}

/**
 * A local stand-in for api.github.com: the compare and pull request commits endpoints, paged
 * with `page`/`per_page` and `Link` headers as GitHub pages them, behind token auth.
 */
function startFakeGitHub(): Promise<{ server: Server; baseUrl: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    seen.push({
      path: decodeURIComponent(url.pathname),
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
    });
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `token ${TOKEN}`) {
      return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    }

    const page = Number(url.searchParams.get('page') ?? '1');
    const perPage = Number(url.searchParams.get('per_page') ?? '30');
    const linkFor = (total: number): Record<string, string> => {
      const last = Math.max(1, Math.ceil(total / perPage));
      const at = (p: number) => {
        const next = new URL(url);
        next.searchParams.set('page', String(p));
        return `<${next}>`;
      };
      const links: string[] = [];
      if (page > 1) links.push(`${at(page - 1)}; rel="prev"`, `${at(1)}; rel="first"`);
      if (page < last) links.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
      return links.length > 0 ? { link: links.join(', ') } : {};
    };

    const path = decodeURIComponent(url.pathname);
    const compare = path.match(new RegExp(`^/repos/${OWNER}/${REPO}/compare/([^/]+)\\.\\.\\.([^/]+)$`));
    if (compare) {
      const [, base, head] = compare;
      const all = base === BASE && head === HEAD ? compareCommits : base === BASE && head === EVEN_HEAD ? evenCompareCommits : undefined;
      if (!all) {
        return send(404, {
          message: 'Not Found',
          documentation_url: 'https://docs.github.com/rest/commits/commits#compare-two-commits',
          status: '404',
        });
      }
      return send(
        200,
        {
          url: `https://api.github.com/repos/${OWNER}/${REPO}/compare/${base}...${head}`,
          html_url: `https://github.com/${OWNER}/${REPO}/compare/${base}...${head}`,
          permalink_url: `https://github.com/${OWNER}/${REPO}/compare/${OWNER}:${base}...${OWNER}:${head}`,
          diff_url: `https://github.com/${OWNER}/${REPO}/compare/${base}...${head}.diff`,
          patch_url: `https://github.com/${OWNER}/${REPO}/compare/${base}...${head}.patch`,
          base_commit: restCommit(9999, 'base'),
          merge_base_commit: restCommit(9999, 'base'),
          status: 'ahead',
          ahead_by: all.length,
          behind_by: 0,
          total_commits: all.length,
          commits: all.slice((page - 1) * perPage, page * perPage),
          files: page === 1 ? [{ filename: 'api/predict.py', status: 'modified', additions: 3, deletions: 1, changes: 4 }] : [],
        },
        linkFor(all.length),
      );
    }
    if (path === `/repos/${OWNER}/${REPO}/pulls/42/commits`) {
      return send(200, pullCommits.slice((page - 1) * perPage, page * perPage), linkFor(pullCommits.length));
    }
    return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, baseUrl: `http://127.0.0.1:${port}`, seen });
    });
  });
}

describe('createGitHubCommitApi against a local GitHub', () => {
  let server: Server;
  let baseUrl: string;
  let seen: Seen[];

  beforeAll(async () => {
    ({ server, baseUrl, seen } = await startFakeGitHub());
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
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
