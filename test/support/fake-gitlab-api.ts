/**
 * A local stand-in for GitLab's REST API v4 over real HTTP (loopback), for release records: the
 * repository tags of one project (listed with GitLab's offset pagination: `page`/`per_page` and
 * the `X-Next-Page` header, empty on the last page; created with `tag_name`/`ref`) and its
 * releases (created with `tag_name`, `ref`, `name`, `description`; the tag is created at `ref`
 * when missing; a second release of a tag is 409 "Release already exists").
 *
 * Authentication as GitLab does it: `PRIVATE-TOKEN` (a project access token whose scope can be
 * narrowed to `read_api`, which answers 403 on writes) or `JOB-TOKEN` (CI_JOB_TOKEN: may list
 * tags and create releases, but the Tags API refuses it for creating a tag, 403). Anything else
 * is 401. Modelled on test/support/fake-github-api.ts; every request is recorded in `seen`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGitLabRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Which token header came: `private-token`, `job-token`, or none. */
  auth: 'private-token' | 'job-token' | 'none';
  body?: Record<string, unknown>;
}

export interface FakeGitLabRelease {
  tag_name: string;
  name: string;
  description: string;
  sha: string;
}

export interface FakeGitLabOptions {
  projectId?: string;
  /** A project access token; `scope: 'read_api'` may read but not write. */
  privateToken?: { token: string; scope: 'api' | 'read_api' };
  /** The job's CI_JOB_TOKEN. */
  jobToken?: string;
  /** Initial tags (name → commit SHA). */
  tags?: Record<string, string>;
}

export interface FakeGitLabApi {
  /** CI_API_V4_URL of the fake, e.g. `http://127.0.0.1:40123/api/v4`. */
  apiUrl: string;
  projectId: string;
  tags: Map<string, string>;
  releases: Map<string, FakeGitLabRelease>;
  seen: FakeGitLabRequest[];
  /** Answer the next request matching `method` and `path` (a suffix of the project path) with `status`, without acting. */
  failNext(method: string, pathSuffix: string, status: number): void;
  /** Act on the next matching request, then drop the connection (a lost reply). */
  loseReplyOfNext(method: string, pathSuffix: string): void;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
}

export async function startFakeGitLabApi(options: FakeGitLabOptions = {}): Promise<FakeGitLabApi> {
  const projectId = options.projectId ?? '4242';
  const tags = new Map(Object.entries(options.tags ?? {}));
  const releases = new Map<string, FakeGitLabRelease>();
  const seen: FakeGitLabRequest[] = [];
  const failures: Array<{ method: string; pathSuffix: string; status?: number }> = [];

  const takeFailure = (method: string, path: string): { status?: number } | undefined => {
    const i = failures.findIndex((f) => f.method === method && path.endsWith(f.pathSuffix));
    return i >= 0 ? failures.splice(i, 1)[0] : undefined;
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = req.method ?? 'GET';
      const privateToken = req.headers['private-token'];
      const jobToken = req.headers['job-token'];
      const auth: FakeGitLabRequest['auth'] = privateToken !== undefined ? 'private-token' : jobToken !== undefined ? 'job-token' : 'none';
      const body = method === 'POST' ? await readJson(req) : undefined;
      seen.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), auth, ...(body ? { body } : {}) });

      const valid =
        (auth === 'private-token' && options.privateToken !== undefined && privateToken === options.privateToken.token) ||
        (auth === 'job-token' && options.jobToken !== undefined && jobToken === options.jobToken);
      if (!valid) return send(res, 401, { message: '401 Unauthorized' });

      const prefix = `/api/v4/projects/${encodeURIComponent(projectId)}`;
      if (!url.pathname.startsWith(`${prefix}/`)) return send(res, 404, { message: '404 Project Not Found' });
      const path = url.pathname.slice(prefix.length);

      const failure = takeFailure(method, path);
      if (failure?.status !== undefined) return send(res, failure.status, { message: `${failure.status} injected` });
      const lose = failure !== undefined;
      const reply = (status: number, payload: unknown, headers?: Record<string, string>): void => {
        if (lose) {
          req.socket.destroy();
          return;
        }
        send(res, status, payload, headers);
      };
      const mayWrite = auth === 'job-token' || options.privateToken?.scope === 'api';

      if (method === 'GET' && path === '/repository/tags') {
        const perPage = Math.min(Number(url.searchParams.get('per_page') ?? '20'), 100);
        const page = Number(url.searchParams.get('page') ?? '1');
        const names = [...tags.keys()].sort();
        const slice = names.slice((page - 1) * perPage, page * perPage);
        const next = page * perPage < names.length ? String(page + 1) : '';
        return reply(200, slice.map((name) => ({ name, target: tags.get(name), commit: { id: tags.get(name) } })), {
          'x-page': String(page),
          'x-per-page': String(perPage),
          'x-next-page': next,
        });
      }
      if (method === 'POST' && path === '/repository/tags') {
        // GitLab's Tags API does not accept CI_JOB_TOKEN for writes.
        if (auth === 'job-token' || !mayWrite) return send(res, 403, { message: '403 Forbidden' });
        const name = String(body?.['tag_name'] ?? '');
        if (tags.has(name)) return send(res, 400, { message: `Tag ${name} already exists` });
        tags.set(name, String(body?.['ref'] ?? ''));
        return reply(201, { name, target: tags.get(name), commit: { id: tags.get(name) } });
      }
      if (method === 'POST' && path === '/releases') {
        if (!mayWrite) return send(res, 403, { message: '403 Forbidden' });
        const tag = String(body?.['tag_name'] ?? '');
        if (releases.has(tag)) return send(res, 409, { message: 'Release already exists' });
        if (!tags.has(tag)) {
          if (!body?.['ref']) return send(res, 422, { message: 'Ref is not specified' });
          tags.set(tag, String(body['ref']));
        }
        const release = { tag_name: tag, name: String(body?.['name'] ?? tag), description: String(body?.['description'] ?? ''), sha: tags.get(tag) ?? '' };
        releases.set(tag, release);
        return reply(201, { tag_name: tag, name: release.name, description: release.description, commit: { id: release.sha } });
      }
      const releaseMatch = /^\/releases\/([^/]+)$/.exec(path);
      if (method === 'GET' && releaseMatch) {
        const release = releases.get(decodeURIComponent(releaseMatch[1] ?? ''));
        if (!release) return send(res, 404, { message: '404 Not found' });
        return send(res, 200, { tag_name: release.tag_name, name: release.name, description: release.description, commit: { id: release.sha } });
      }
      return send(res, 404, { message: '404 Not Found' });
    })().catch((error: unknown) => send(res, 500, { message: String(error) }));
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/v4`,
    projectId,
    tags,
    releases,
    seen,
    failNext: (method, pathSuffix, status) => failures.push({ method, pathSuffix, status }),
    loseReplyOfNext: (method, pathSuffix) => failures.push({ method, pathSuffix }),
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
