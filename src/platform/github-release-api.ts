/**
 * The GitHub REST side of release records (releases, tags and Deployments), backed by the
 * Actions toolkit's Octokit like the commit API. Failures become errors that name the permission the
 * workflow's token needs; the token itself never appears in them.
 */
import type { ReleaseRecordsApi } from '../release/recorder.js';
import { GitHubApiError } from './github-api.js';
import { createOctokit } from './github-octokit.js';
import { unreachableGitHub } from './github-unreachable.js';

/** Tags per page; GitHub allows up to 100. */
const PER_PAGE = 100;

/**
 * How many of the environment's newest deployments are checked for a stale `success`. The one a
 * release replaces is the newest before its own; a few more cover runs that never cleaned up.
 */
const ACTIVE_SCAN = 10;

export function createGitHubReleaseApi(options: { token: string; owner: string; repo: string; baseUrl?: string; timeoutMs?: number }): ReleaseRecordsApi {
  const { token, owner, repo } = options;
  if (!token) throw new Error('a GitHub token is required to create release records (input `github-token`)');
  const baseUrl = options.baseUrl || process.env['GITHUB_API_URL'] || 'https://api.github.com';
  const octokit = createOctokit(token, baseUrl, options.timeoutMs);
  const repository = `${owner}/${repo}`;

  /** Whether release `tag` exists and its tag points at `sha`; false when either cannot be read. */
  async function releaseTaggedAt(tag: string, sha: string): Promise<boolean> {
    try {
      await octokit.request('GET /repos/{owner}/{repo}/releases/tags/{tag}', { owner, repo, tag });
      const { data } = await octokit.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { owner, repo, ref: `tags/${tag}` });
      // A release creates a lightweight tag: the ref names the commit itself.
      return data.object.type === 'commit' && data.object.sha === sha;
    } catch {
      return false;
    }
  }

  return {
    async listTags() {
      try {
        const tags = await octokit.paginate('GET /repos/{owner}/{repo}/tags', { owner, repo, per_page: PER_PAGE });
        return tags.map((t) => t.name);
      } catch (error) {
        throw describeFailure(error, `listing the tags of ${repository}`, 'contents: read');
      }
    },

    async createTag(name, sha) {
      try {
        await octokit.request('POST /repos/{owner}/{repo}/git/refs', { owner, repo, ref: `refs/tags/${name}`, sha });
      } catch (error) {
        throw describeFailure(error, `creating tag ${name} in ${repository}`, 'contents: write');
      }
    },

    async createRelease({ tag, sha, name, notes }) {
      try {
        // Creates the tag at `target_commitish` too (a lightweight tag), in one request.
        await octokit.request('POST /repos/{owner}/{repo}/releases', { owner, repo, tag_name: tag, target_commitish: sha, name, body: notes });
      } catch (error) {
        // No answer, a server error, or 422 "already_exists" (a retry of a request that landed):
        // the release may be there. Ours if its tag points at our commit: then it is done.
        const status = (error as { status?: unknown }).status;
        const maybeLanded = typeof status !== 'number' || status === 422 || status >= 500;
        if (maybeLanded && (await releaseTaggedAt(tag, sha))) return;
        throw describeFailure(error, `creating release ${tag} in ${repository}`, 'contents: write');
      }
    },

    async createDeployment({ sha, environment, description, payload }) {
      try {
        const response = await octokit.request('POST /repos/{owner}/{repo}/deployments', {
          owner,
          repo,
          ref: sha,
          environment,
          description,
          payload,
          // The gate already decided; GitHub must neither merge branches nor wait for checks.
          auto_merge: false,
          required_contexts: [],
        });
        const id = (response.data as { id?: unknown }).id;
        if (typeof id !== 'number') throw new Error(`GitHub did not create the deployment (HTTP ${response.status}): ${JSON.stringify(response.data).slice(0, 200)}`);
        return { id };
      } catch (error) {
        throw describeFailure(error, `creating a deployment in ${environment}`, 'deployments: write');
      }
    },

    async setDeploymentStatus(id, { state, description, logUrl, autoInactive }) {
      try {
        await octokit.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
          owner,
          repo,
          deployment_id: id,
          state,
          description,
          ...(logUrl !== undefined ? { log_url: logUrl } : {}),
          ...(autoInactive !== undefined ? { auto_inactive: autoInactive } : {}),
        });
      } catch (error) {
        throw describeFailure(error, `setting deployment ${id} to ${state}`, 'deployments: write');
      }
    },

    async listActiveDeployments(environment) {
      try {
        const { data: deployments } = await octokit.request('GET /repos/{owner}/{repo}/deployments', { owner, repo, environment, per_page: ACTIVE_SCAN });
        const active: Array<{ id: number }> = [];
        for (const deployment of deployments) {
          const id = Number(deployment.id);
          // Statuses come newest first: the first one is the deployment's current state.
          const { data: statuses } = await octokit.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { owner, repo, deployment_id: id, per_page: 1 });
          if (statuses[0]?.state === 'success') active.push({ id });
        }
        return active;
      } catch (error) {
        throw describeFailure(error, `listing the deployments in ${environment}`, 'deployments: read');
      }
    },
  };
}

/** Turns an Octokit RequestError into an error that names the missing permission. */
function describeFailure(error: unknown, doing: string, permission: string): Error {
  const status = (error as { status?: unknown }).status;
  // Octokit's message is GitHub's own (plus a docs link) and never holds request headers.
  const detail = error instanceof Error ? error.message : String(error);
  const unreachable = unreachableGitHub(error, doing);
  if (unreachable) return unreachable;
  if (typeof status !== 'number') return new Error(`GitHub API failed while ${doing}: ${detail}`);
  if (status === 401) return new GitHubApiError(`GitHub API rejected the token (HTTP 401) while ${doing}: pass a valid token with '${permission}' permission`, status);
  if ((status === 403 || status === 429) && (status === 429 || /rate limit/i.test(detail))) {
    return new GitHubApiError(`GitHub API rate limit exceeded (HTTP ${status}) while ${doing}: ${detail}`, status);
  }
  // A token without the permission gets 403 "Resource not accessible by integration" (404 for
  // a repository it cannot see at all).
  if (status === 403 || status === 404) {
    return new GitHubApiError(`GitHub API refused access (HTTP ${status}) while ${doing}: the token lacks '${permission}'; add it under \`permissions:\` in the workflow`, status);
  }
  if (status === 422) return new GitHubApiError(`GitHub API rejected the request (HTTP 422) while ${doing}: ${detail}`, status);
  return new GitHubApiError(`GitHub API failed (HTTP ${status}) while ${doing}: ${detail}`, status);
}
