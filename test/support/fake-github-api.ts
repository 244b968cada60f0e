/**
 * A local stand-in for api.github.com over real HTTP: the compare and pull request commits
 * endpoints, paged with `page`/`per_page` and `Link` headers as GitHub pages them, behind token
 * auth. The commit API client tests call it in-process; the bundle tests point a spawned
 * `dist/main.js` at it through `GITHUB_API_URL`. Every request is recorded in `seen`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A commit as the REST API returns it (trimmed to the fields that vary). */
export interface RestCommit {
  sha: string;
  node_id: string;
  url: string;
  html_url: string;
  commit: {
    author: { name: string; email: string; date: string };
    committer: { name: string; email: string; date: string };
    message: string;
    tree: { sha: string; url: string };
    comment_count: number;
    verification: { verified: boolean; reason: string; signature: null; payload: null };
  };
  author: null;
  committer: null;
  parents: Array<{ sha: string; url: string; html_url: string }>;
}

export interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
}

export interface FakeGitHubOptions {
  owner: string;
  repo: string;
  /** The only token the server accepts (`Authorization: token <token>`); others get a 401. */
  token: string;
  /** Comparisons by `base...head`, commits oldest first. */
  comparisons?: Record<string, RestCommit[]>;
  /** Pull request commits by pull request number, oldest first. */
  pulls?: Record<number, RestCommit[]>;
}

export interface FakeGitHub {
  /** Give this to the client as `baseUrl`, or to a spawned bundle as `GITHUB_API_URL`. */
  baseUrl: string;
  /** Every request received, in order. Clear it with `seen.length = 0`. */
  seen: SeenRequest[];
  /** Mutable: tests may add comparisons and pull requests after the server started. */
  comparisons: Map<string, RestCommit[]>;
  pulls: Map<number, RestCommit[]>;
  close(): Promise<void>;
}

/** A 40-hex SHA from a number, so tests can name commits. */
export function shaOf(n: number): string {
  return n.toString(16).padStart(40, '0');
}

/** A REST commit object with the given SHA and message, owned by `owner/repo`. */
export function restCommit(sha: string, message: string, repository = 'acme-ml/churn-model-api', parent?: string): RestCommit {
  return {
    sha,
    node_id: `C_kwDO${sha.slice(0, 12)}`,
    url: `https://api.github.com/repos/${repository}/commits/${sha}`,
    html_url: `https://github.com/${repository}/commit/${sha}`,
    commit: {
      author: { name: 'Maria Lopez', email: 'maria@example.com', date: '2026-03-02T10:00:00Z' },
      committer: { name: 'Maria Lopez', email: 'maria@example.com', date: '2026-03-02T10:00:00Z' },
      message,
      tree: { sha: sha.split('').reverse().join(''), url: '' },
      comment_count: 0,
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
    },
    author: null,
    committer: null,
    parents: parent ? [{ sha: parent, url: '', html_url: '' }] : [],
  };
}

/** Start the fake on 127.0.0.1 at a free port. */
export function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const { owner, repo, token } = options;
  const seen: SeenRequest[] = [];
  const comparisons = new Map(Object.entries(options.comparisons ?? {}));
  const pulls = new Map(Object.entries(options.pulls ?? {}).map(([n, commits]) => [Number(n), commits]));
  const repository = `${owner}/${repo}`;

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const path = decodeURIComponent(url.pathname);
    seen.push({ method: req.method ?? 'GET', path, query: Object.fromEntries(url.searchParams), authorization: req.headers.authorization });
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `token ${token}`) {
      return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    }

    const page = Number(url.searchParams.get('page') ?? '1');
    const perPage = Number(url.searchParams.get('per_page') ?? '30');
    const slice = <T>(all: T[]): T[] => all.slice((page - 1) * perPage, page * perPage);
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

    const compare = new RegExp(`^/repos/${repository}/compare/([^/]+)\\.\\.\\.([^/]+)$`).exec(path);
    if (compare) {
      const [, base, head] = compare as unknown as [string, string, string];
      const all = comparisons.get(`${base}...${head}`);
      if (!all) {
        return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/commits/commits#compare-two-commits', status: '404' });
      }
      const baseCommit = restCommit(base.padEnd(40, '0').slice(0, 40), 'base', repository);
      return send(
        200,
        {
          url: `https://api.github.com/repos/${repository}/compare/${base}...${head}`,
          html_url: `https://github.com/${repository}/compare/${base}...${head}`,
          permalink_url: `https://github.com/${repository}/compare/${owner}:${base}...${owner}:${head}`,
          diff_url: `https://github.com/${repository}/compare/${base}...${head}.diff`,
          patch_url: `https://github.com/${repository}/compare/${base}...${head}.patch`,
          base_commit: baseCommit,
          merge_base_commit: baseCommit,
          status: 'ahead',
          ahead_by: all.length,
          behind_by: 0,
          total_commits: all.length,
          commits: slice(all),
          files: page === 1 ? [{ filename: 'api/predict.py', status: 'modified', additions: 3, deletions: 1, changes: 4 }] : [],
        },
        linkFor(all.length),
      );
    }
    const pull = new RegExp(`^/repos/${repository}/pulls/(\\d+)/commits$`).exec(path);
    const pullCommits = pull ? pulls.get(Number(pull[1])) : undefined;
    if (pullCommits) return send(200, slice(pullCommits), linkFor(pullCommits.length));
    return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
  });

  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        baseUrl: `http://127.0.0.1:${port}`,
        seen,
        comparisons,
        pulls,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
