/**
 * The GitLab REST API v4 side of release records: list tags (all pages), create a tag, create a
 * release (the Releases API, which creates its tag at `ref`). Deployments are not here: GitLab
 * records one for every job with `environment:`, so this is a `ReleaseTagsApi` and the GitLab
 * recorder has no environment.
 *
 * Authentication: a token given to the job (`gitlab-token` input, a masked CI/CD variable) is
 * sent as `PRIVATE-TOKEN`; without one, the job's own CI_JOB_TOKEN as `JOB-TOKEN`. GitLab lets a
 * job token list tags and create releases, but not create a bare tag through the Tags API, so
 * with a job token `createTag` creates a release of the tag with an empty description. Failures
 * become errors that name the permission the token needs (and carry the HTTP status, which the
 * recorder's retry reads); the token never appears in them.
 */
import type { ReleaseTagsApi } from '../release/recorder.js';
import { formatDuration } from '../report/format.js';
import type { ReleaseNotesLinks } from '../release/notes.js';

/** Tags per page; GitLab allows up to 100. */
const PER_PAGE = 100;

/** Longest wait for one reply: a GitLab that never answers must not hold the job (and the release record is a warning at worst). */
const REQUEST_TIMEOUT_MS = 30_000;

export type GitLabAuth = { kind: 'private-token'; token: string } | { kind: 'job-token'; token: string };

export interface GitLabReleaseApiOptions {
  /** CI_API_V4_URL, e.g. `https://gitlab.example.com/api/v4`. */
  apiUrl: string;
  /** CI_PROJECT_ID. */
  projectId: string;
  auth: GitLabAuth;
  fetch?: typeof fetch;
  /** Per-request timeout; default 30 s. A request that times out counts as one with no answer. */
  requestTimeoutMs?: number;
}

/** A GitLab API failure; `status` is the HTTP status, absent when no answer came. */
export class GitLabApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GitLabApiError';
  }
}

/** What each call needs, per kind of token, for the 401/403 message. */
const PERMISSION = {
  read: { 'private-token': 'the `read_api` (or `api`) scope and at least the Reporter role', 'job-token': 'access to the project (CI_JOB_TOKEN can list tags of its own project)' },
  tag: {
    'private-token': 'the `api` scope and the Developer role (Maintainer, or an allowed role, for a protected tag)',
    'job-token': 'more than CI_JOB_TOKEN has',
  },
  release: {
    'private-token': 'the `api` scope and the Developer role (Maintainer, or an allowed role, for a protected tag)',
    'job-token': 'a job running for a user with the Developer role who may create the tag (protected tags need an allowed role)',
  },
} as const;

export function createGitLabReleaseApi(options: GitLabReleaseApiOptions): ReleaseTagsApi {
  const { auth } = options;
  if (!auth.token) throw new Error('a GitLab token is required to create release records (the gitlab-token input, or CI_JOB_TOKEN)');
  const doFetch = options.fetch ?? fetch;
  const project = `${options.apiUrl.replace(/\/+$/, '')}/projects/${encodeURIComponent(options.projectId)}`;
  const header = auth.kind === 'private-token' ? 'PRIVATE-TOKEN' : 'JOB-TOKEN';
  const tokenName = auth.kind === 'private-token' ? 'the gitlab-token' : 'CI_JOB_TOKEN';

  async function call(method: 'GET' | 'POST', path: string, doing: string, need: keyof typeof PERMISSION, body?: Record<string, string>): Promise<Response> {
    let response: Response;
    try {
      response = await doFetch(`${project}${path}`, {
        method,
        headers: { [header]: auth.token, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = (error as Error).name === 'TimeoutError' ? `no reply within ${formatDuration(options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS)}` : (cause?.code ?? cause?.message ?? (error as Error).message);
      throw new GitLabApiError(`GitLab API at ${options.apiUrl} could not be reached while ${doing}: ${reason}`);
    }
    if (response.ok) return response;
    const detail = await gitLabMessage(response);
    const { status } = response;
    if (status === 401) throw new GitLabApiError(`GitLab API rejected ${tokenName} (HTTP 401) while ${doing}: pass a valid, unexpired token with ${PERMISSION[need][auth.kind]}`, status);
    if (status === 403) {
      const jobTokenHint = auth.kind === 'job-token' ? '; or give the gitlab-token input a project access token with the `api` scope' : '';
      throw new GitLabApiError(`GitLab API refused access (HTTP 403) while ${doing}: ${tokenName} lacks ${PERMISSION[need][auth.kind]}${jobTokenHint}${detail ? ` (${detail})` : ''}`, status);
    }
    if (status === 404) throw new GitLabApiError(`GitLab API found no project ${options.projectId} (HTTP 404) while ${doing}: check CI_PROJECT_ID, and that ${tokenName} can see the project${detail ? ` (${detail})` : ''}`, status);
    throw new GitLabApiError(`GitLab API failed (HTTP ${status}) while ${doing}${detail ? `: ${detail}` : ''}`, status);
  }

  /** Whether release `tag` exists with its tag at `sha` (a create whose reply was lost landed). */
  async function releaseAt(tag: string, sha: string): Promise<boolean> {
    try {
      const response = await call('GET', `/releases/${encodeURIComponent(tag)}`, `reading release ${tag}`, 'read');
      const release = (await response.json()) as { commit?: { id?: string } };
      return release.commit?.id === sha;
    } catch {
      return false;
    }
  }

  async function createRelease(tag: string, sha: string, name: string, description: string): Promise<void> {
    const doing = `creating release ${tag} at ${sha.slice(0, 12)}`;
    try {
      await call('POST', '/releases', doing, 'release', { tag_name: tag, ref: sha, name, description });
    } catch (error) {
      // No answer, a server error, or 409 "Release already exists" (a retry of a request that
      // landed): ours if the release's tag points at our commit.
      const status = error instanceof GitLabApiError ? error.status : undefined;
      if ((status === undefined || status === 409 || status >= 500) && (await releaseAt(tag, sha))) return;
      throw error;
    }
  }

  return {
    async listTags() {
      const names: string[] = [];
      for (let page = 1; ; ) {
        const response = await call('GET', `/repository/tags?per_page=${PER_PAGE}&page=${page}`, 'listing the repository tags', 'read');
        const tags = (await response.json()) as Array<{ name: string }>;
        names.push(...tags.map((t) => t.name));
        // GitLab's offset pagination: X-Next-Page is empty on the last page.
        const next = response.headers.get('x-next-page');
        if (next === null ? tags.length < PER_PAGE : next === '') return names;
        page = next === null ? page + 1 : Number(next);
      }
    },

    async createTag(name, sha) {
      if (auth.kind === 'job-token') {
        await createRelease(name, sha, name, '');
        return;
      }
      await call('POST', '/repository/tags', `creating tag ${name} at ${sha.slice(0, 12)}`, 'tag', { tag_name: name, ref: sha });
    },

    async createRelease({ tag, sha, name, notes }) {
      await createRelease(tag, sha, name, notes);
    },
  };
}

/** GitLab's `{"message": …}` (a string, a list or a field map), trimmed; empty when there is none. */
async function gitLabMessage(response: Response): Promise<string> {
  try {
    const text = await response.text();
    const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
    const message = parsed.message ?? parsed.error;
    return (typeof message === 'string' ? message : JSON.stringify(message)).slice(0, 300);
  } catch {
    return '';
  }
}

/**
 * The API port for a GitLab job, from its predefined variables: CI_API_V4_URL, CI_PROJECT_ID,
 * and MODEL_RELEASE_GATE_GITLAB_TOKEN (the component's `gitlab-token` input) else CI_JOB_TOKEN.
 * Undefined without any token (not a GitLab job, or a local runner such as gitlab-ci-local that
 * has no job token): there is nothing to authenticate with. Throws an Error when a token is
 * there but the API variables are not.
 */
export function gitLabReleaseApiFromEnv(env: NodeJS.ProcessEnv): ReleaseTagsApi | undefined {
  const given = env.MODEL_RELEASE_GATE_GITLAB_TOKEN;
  const auth: GitLabAuth | undefined = given ? { kind: 'private-token', token: given } : env.CI_JOB_TOKEN ? { kind: 'job-token', token: env.CI_JOB_TOKEN } : undefined;
  if (!auth) return undefined;
  const apiUrl = env.CI_API_V4_URL;
  const projectId = env.CI_PROJECT_ID;
  if (!apiUrl || !projectId) {
    throw new Error('release.tag needs the GitLab API, but CI_API_V4_URL or CI_PROJECT_ID is not set (GitLab sets both in every job)');
  }
  return createGitLabReleaseApi({ apiUrl, projectId, auth });
}

/** Commit and compare pages of the project (CI_PROJECT_URL), so the release notes link SHAs. */
export function gitLabNotesLinks(env: NodeJS.ProcessEnv): ReleaseNotesLinks | undefined {
  const project = env.CI_PROJECT_URL?.replace(/\/+$/, '');
  return project ? { commit: `${project}/-/commit/`, compare: `${project}/-/compare/` } : undefined;
}
