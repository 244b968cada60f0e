/**
 * A local stand-in for api.github.com over real HTTP: the compare and pull request commits
 * endpoints, paged with `page`/`per_page` and `Link` headers as GitHub pages them, behind token
 * auth; and the release records endpoints: tags (list, create a ref, read a ref), releases
 * (create, which creates a missing tag at `target_commitish` and answers 422 `already_exists`
 * for a tag that has a release; read by tag), deployments and their statuses, with GitHub's
 * `auto_inactive` rule (it only reaches prior non-transient,
 * NON-PRODUCTION deployments that had `success`) and a token whose permissions can be narrowed
 * (`permissions`: a missing write permission answers 403 "Resource not accessible by
 * integration", as GitHub does for GITHUB_TOKEN), and one-shot `faults` (an error status
 * instead of the request, or the request done and its reply lost). The commit API client tests call it
 * in-process; the bundle tests point a spawned `dist/main.js` at it through `GITHUB_API_URL`.
 * Every request is recorded in `seen`, with its JSON body.
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
  /** The parsed JSON body, when the request had one. */
  body?: Record<string, unknown>;
}

/** A tag as the fake stores it: a lightweight ref at a commit. */
export interface FakeTag {
  name: string;
  sha: string;
}

/** A release as the fake stores it. */
export interface FakeRelease {
  id: number;
  tag_name: string;
  target_commitish: string;
  name: string | null;
  body: string | null;
}

/**
 * A one-shot fault on the next request matching `method` and `path` (after `/repos/{owner}/{repo}`):
 * `lose-reply` does the request and then drops the connection, as when a reply is lost after the
 * write landed; a number answers that HTTP status without doing anything.
 */
export interface FakeFault {
  method: string;
  path: string;
  kind: 'lose-reply' | number;
}

export interface FakeDeploymentStatus {
  id: number;
  state: string;
  description: string;
  log_url: string;
  /** Who set it: `api` (a request) or `auto_inactive` (GitHub, on a newer success). */
  by: 'api' | 'auto_inactive';
}

export interface FakeDeployment {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  description: string | null;
  payload: unknown;
  production_environment: boolean;
  transient_environment: boolean;
  /** Oldest first. */
  statuses: FakeDeploymentStatus[];
}

/** GitHub App installation token permissions (GITHUB_TOKEN): absent means none. */
export interface FakePermissions {
  contents?: 'read' | 'write';
  deployments?: 'read' | 'write';
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
  /** Existing tags, in the order GitHub lists them. */
  tags?: FakeTag[];
  /** Default: contents and deployments write. */
  permissions?: FakePermissions;
}

export interface FakeGitHub {
  /** Give this to the client as `baseUrl`, or to a spawned bundle as `GITHUB_API_URL`. */
  baseUrl: string;
  /** Every request received, in order. Clear it with `seen.length = 0`. */
  seen: SeenRequest[];
  /** Mutable: tests may add comparisons and pull requests after the server started. */
  comparisons: Map<string, RestCommit[]>;
  pulls: Map<number, RestCommit[]>;
  /** Mutable: tests may add tags; the fake adds those created through the API. */
  tags: FakeTag[];
  /** Oldest first. Tests may add earlier deployments with `addDeployment`. */
  deployments: FakeDeployment[];
  /** Releases, oldest first; the fake adds those created through the API. */
  releases: FakeRelease[];
  /** Push a fault to have the next matching request fail; each fault fires once. */
  faults: FakeFault[];
  /** Mutable: narrow the token's permissions for a test. */
  permissions: FakePermissions;
  /** Records a deployment made before the test (e.g. the release being replaced), with its statuses. */
  addDeployment(deployment: { sha: string; environment: string; states: string[]; production_environment?: boolean }): FakeDeployment;
  /** The states of a deployment's statuses, oldest first. */
  statesOf(id: number): string[];
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
  const tags: FakeTag[] = [...(options.tags ?? [])];
  const deployments: FakeDeployment[] = [];
  const releases: FakeRelease[] = [];
  const faults: FakeFault[] = [];
  const permissions: FakePermissions = { ...(options.permissions ?? { contents: 'write', deployments: 'write' }) };
  const repository = `${owner}/${repo}`;
  let nextId = 1000;

  const addDeployment = (d: { sha: string; environment: string; states: string[]; production_environment?: boolean; description?: string | null; payload?: unknown; transient_environment?: boolean }): FakeDeployment => {
    const deployment: FakeDeployment = {
      id: nextId++,
      sha: d.sha,
      ref: d.sha,
      environment: d.environment,
      description: d.description ?? null,
      payload: d.payload ?? {},
      // GitHub's default: an environment named production is a production environment.
      production_environment: d.production_environment ?? d.environment === 'production',
      transient_environment: d.transient_environment ?? false,
      statuses: d.states.map((state) => ({ id: nextId++, state, description: '', log_url: '', by: 'api' as const })),
    };
    deployments.push(deployment);
    return deployment;
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });

  function handle(req: IncomingMessage, res: ServerResponse, text: string): void {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const path = decodeURIComponent(url.pathname);
    const method = req.method ?? 'GET';
    const body = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
    seen.push({ method, path, query: Object.fromEntries(url.searchParams), authorization: req.headers.authorization, ...(body !== undefined ? { body } : {}) });
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `token ${token}`) {
      return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    }
    const faultAt = faults.findIndex((f) => f.method === method && `/repos/${repository}${f.path}` === path);
    const fault = faultAt >= 0 ? faults.splice(faultAt, 1)[0] : undefined;
    if (typeof fault?.kind === 'number') return send(fault.kind, { message: 'Server Error', status: String(fault.kind) });
    if (fault?.kind === 'lose-reply') {
      // Do the request, then drop the connection instead of answering.
      res.writeHead = (() => res) as unknown as typeof res.writeHead;
      res.end = (() => {
        req.socket.destroy();
        return res;
      }) as unknown as typeof res.end;
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
    const records = releaseRecordsRoute(method, path, url, body);
    if (records) return send(records.status, records.body, records.paged !== undefined ? linkFor(records.paged) : {});
    return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });

    // The tag and deployment endpoints; undefined for any other route.
    function releaseRecordsRoute(method: string, path: string, url: URL, body: Record<string, unknown> | undefined): { status: number; body: unknown; paged?: number } | undefined {
      const forbidden = { status: 403, body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest', status: '403' } };
      const can = (scope: keyof FakePermissions, level: 'read' | 'write') => permissions[scope] === 'write' || (level === 'read' && permissions[scope] === 'read');
      const base = `/repos/${repository}`;
      if (method === 'GET' && path === `${base}/tags`) {
        if (!can('contents', 'read')) return forbidden;
        const all = tags.map((t) => ({ name: t.name, commit: { sha: t.sha, url: '' }, zipball_url: '', tarball_url: '', node_id: `REF_${t.name}` }));
        return { status: 200, body: slice(all), paged: all.length };
      }
      if (method === 'POST' && path === `${base}/git/refs`) {
        if (!can('contents', 'write')) return forbidden;
        const ref = String(body?.['ref'] ?? '');
        const sha = String(body?.['sha'] ?? '');
        if (!ref.startsWith('refs/') || !/^[0-9a-f]{40}$/.test(sha)) return { status: 422, body: { message: 'Invalid request.', status: '422' } };
        const name = ref.replace(/^refs\/tags\//, '');
        if (tags.some((t) => t.name === name)) return { status: 422, body: { message: 'Reference already exists', status: '422' } };
        tags.push({ name, sha });
        return { status: 201, body: { ref, node_id: `REF_${name}`, url: '', object: { type: 'commit', sha, url: '' } } };
      }
      if (method === 'POST' && path === `${base}/releases`) {
        if (!can('contents', 'write')) return forbidden;
        const tagName = String(body?.['tag_name'] ?? '');
        const target = String(body?.['target_commitish'] ?? '');
        if (tagName === '') return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'Release', code: 'missing_field', field: 'tag_name' }], status: '422' } };
        if (releases.some((r) => r.tag_name === tagName)) {
          return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }], documentation_url: 'https://docs.github.com/rest/releases/releases#create-a-release', status: '422' } };
        }
        // A missing tag is created at target_commitish (here always a full SHA); an existing one is used as it is.
        if (!tags.some((t) => t.name === tagName)) {
          if (!/^[0-9a-f]{40}$/.test(target)) return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'Release', code: 'invalid', field: 'target_commitish' }], status: '422' } };
          tags.push({ name: tagName, sha: target });
        }
        const release: FakeRelease = { id: nextId++, tag_name: tagName, target_commitish: target, name: (body?.['name'] as string | undefined) ?? null, body: (body?.['body'] as string | undefined) ?? null };
        releases.push(release);
        return { status: 201, body: releaseJson(release) };
      }
      const releaseByTag = new RegExp(`^${base}/releases/tags/(.+)$`).exec(path);
      if (method === 'GET' && releaseByTag) {
        if (!can('contents', 'read')) return forbidden;
        const release = releases.find((r) => r.tag_name === releaseByTag[1]);
        return release ? { status: 200, body: releaseJson(release) } : { status: 404, body: { message: 'Not Found', status: '404' } };
      }
      const tagRef = new RegExp(`^${base}/git/ref/tags/(.+)$`).exec(path);
      if (method === 'GET' && tagRef) {
        if (!can('contents', 'read')) return forbidden;
        const tag = tags.find((t) => t.name === tagRef[1]);
        return tag ? { status: 200, body: { ref: `refs/tags/${tag.name}`, node_id: `REF_${tag.name}`, url: '', object: { type: 'commit', sha: tag.sha, url: '' } } } : { status: 404, body: { message: 'Not Found', status: '404' } };
      }
      if (method === 'POST' && path === `${base}/deployments`) {
        if (!can('deployments', 'write')) return forbidden;
        const d = addDeployment({
          sha: String(body?.['ref'] ?? ''),
          environment: String(body?.['environment'] ?? 'production'),
          states: [],
          description: (body?.['description'] as string | undefined) ?? null,
          payload: body?.['payload'] ?? {},
          ...(typeof body?.['production_environment'] === 'boolean' ? { production_environment: body['production_environment'] } : {}),
          ...(typeof body?.['transient_environment'] === 'boolean' ? { transient_environment: body['transient_environment'] } : {}),
        });
        return { status: 201, body: deploymentJson(d) };
      }
      if (method === 'GET' && path === `${base}/deployments`) {
        if (!can('deployments', 'read')) return forbidden;
        const environment = url.searchParams.get('environment');
        const all = deployments.filter((d) => environment === null || d.environment === environment).reverse().map(deploymentJson);
        return { status: 200, body: slice(all), paged: all.length };
      }
      const statusRoute = new RegExp(`^${base}/deployments/(\\d+)/statuses$`).exec(path);
      const deployment = statusRoute ? deployments.find((d) => d.id === Number(statusRoute[1])) : undefined;
      if (statusRoute && !deployment) return { status: 404, body: { message: 'Not Found', status: '404' } };
      if (deployment && method === 'GET') {
        if (!can('deployments', 'read')) return forbidden;
        const all = [...deployment.statuses].reverse().map((s) => statusJson(deployment, s));
        return { status: 200, body: slice(all), paged: all.length };
      }
      if (deployment && method === 'POST') {
        if (!can('deployments', 'write')) return forbidden;
        const state = String(body?.['state'] ?? '');
        if (!['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'].includes(state)) return { status: 422, body: { message: 'Validation Failed', status: '422' } };
        const status: FakeDeploymentStatus = { id: nextId++, state, description: String(body?.['description'] ?? ''), log_url: String(body?.['log_url'] ?? ''), by: 'api' };
        deployment.statuses.push(status);
        // auto_inactive (default true): prior non-transient, non-production deployments of the
        // same environment that had a success state get an inactive status.
        if (state === 'success' && body?.['auto_inactive'] !== false) {
          for (const prior of deployments) {
            if (prior === deployment || prior.environment !== deployment.environment || prior.transient_environment || prior.production_environment) continue;
            if (prior.statuses.at(-1)?.state !== 'success') continue;
            prior.statuses.push({ id: nextId++, state: 'inactive', description: '', log_url: '', by: 'auto_inactive' });
          }
        }
        return { status: 201, body: statusJson(deployment, status) };
      }
      return undefined;
    }
  }

  function releaseJson(r: FakeRelease): Record<string, unknown> {
    return {
      url: `https://api.github.com/repos/${repository}/releases/${r.id}`,
      html_url: `https://github.com/${repository}/releases/tag/${r.tag_name}`,
      id: r.id,
      node_id: `RE_${r.id}`,
      tag_name: r.tag_name,
      target_commitish: r.target_commitish,
      name: r.name,
      body: r.body,
      draft: false,
      prerelease: false,
      created_at: '2026-03-02T10:00:00Z',
      published_at: '2026-03-02T10:00:00Z',
      author: null,
      assets: [],
    };
  }

  function deploymentJson(d: FakeDeployment): Record<string, unknown> {
    return {
      url: `https://api.github.com/repos/${repository}/deployments/${d.id}`,
      id: d.id,
      node_id: `DE_${d.id}`,
      sha: d.sha,
      ref: d.ref,
      task: 'deploy',
      payload: d.payload,
      original_environment: d.environment,
      environment: d.environment,
      description: d.description,
      creator: null,
      created_at: '2026-03-02T10:00:00Z',
      updated_at: '2026-03-02T10:00:00Z',
      statuses_url: `https://api.github.com/repos/${repository}/deployments/${d.id}/statuses`,
      repository_url: `https://api.github.com/repos/${repository}`,
      transient_environment: d.transient_environment,
      production_environment: d.production_environment,
    };
  }

  function statusJson(d: FakeDeployment, s: FakeDeploymentStatus): Record<string, unknown> {
    return {
      url: `https://api.github.com/repos/${repository}/deployments/${d.id}/statuses/${s.id}`,
      id: s.id,
      node_id: `DES_${s.id}`,
      state: s.state,
      creator: null,
      description: s.description,
      environment: d.environment,
      target_url: s.log_url,
      log_url: s.log_url,
      created_at: '2026-03-02T10:00:00Z',
      updated_at: '2026-03-02T10:00:00Z',
      deployment_url: `https://api.github.com/repos/${repository}/deployments/${d.id}`,
      repository_url: `https://api.github.com/repos/${repository}`,
    };
  }

  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        baseUrl: `http://127.0.0.1:${port}`,
        seen,
        comparisons,
        pulls,
        tags,
        deployments,
        releases,
        faults,
        permissions,
        addDeployment,
        statesOf: (id) => deployments.find((d) => d.id === id)?.statuses.map((s) => s.state) ?? [],
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
