/**
 * The GitHub REST side of commit collection: GitHubCommitApi backed by the Actions toolkit's
 * Octokit, so proxies, GHES base URLs and the user agent behave as in every other action.
 */
import type { GitHubCommitApi } from '../trigger/sources/github.js';
import type { CommitInput } from '../trigger/types.js';
import { createOctokit, type Octokit } from './github-octokit.js';
import { unreachableGitHub } from './github-unreachable.js';

/** Commits per request; GitHub allows up to 100 on both endpoints. */
const PER_PAGE = 100;

/** A backstop against a server that never returns a short page: 1000 pages is 100,000 commits. */
const MAX_COMPARE_PAGES = 1000;

/** An HTTP failure from the GitHub API, with a message that says what to fix. Never holds the token. */
export class GitHubApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'GitHubApiError';
  }
}

/**
 * Creates the GitHub commit API for one repository. `baseUrl` defaults to `GITHUB_API_URL`
 * (set on GitHub Enterprise Server runners), then to https://api.github.com.
 */
export function createGitHubCommitApi(options: {
  token: string;
  owner: string;
  repo: string;
  baseUrl?: string;
  /** Per request (default GITHUB_REQUEST_TIMEOUT_MS). */
  timeoutMs?: number;
}): GitHubCommitApi {
  const { token, owner, repo } = options;
  if (!token) throw new Error('a GitHub token is required to read commits from the API (input `github-token`)');
  const baseUrl = options.baseUrl || process.env['GITHUB_API_URL'] || 'https://api.github.com';
  const octokit = createOctokit(token, baseUrl, options.timeoutMs);
  const repository = `${owner}/${repo}`;

  return {
    async compareCommits(base, head) {
      try {
        return await compareAllPages(octokit, owner, repo, `${base}...${head}`);
      } catch (error) {
        throw describeFailure(error, `comparing ${base}...${head} in ${repository}`, {
          notFound: `base commit ${base} or head ${head} not found in ${repository} (force-push or rebase removed it?), or the token cannot read the repository`,
        });
      }
    },

    async listPullRequestCommits(pullNumber) {
      try {
        const commits = await octokit.paginate('GET /repos/{owner}/{repo}/pulls/{pull_number}/commits', {
          owner,
          repo,
          pull_number: pullNumber,
          per_page: PER_PAGE,
        });
        return commits.map(toCommitInput);
      } catch (error) {
        throw describeFailure(error, `listing commits of pull request #${pullNumber} in ${repository}`, {
          notFound: `pull request #${pullNumber} not found in ${repository}`,
        });
      }
    },
  };
}

/**
 * Reads every page of a comparison. We page by hand rather than with `octokit.paginate`: the
 * compare response is an object (`{ url, total_commits, commits, files, ... }`), and because it
 * has a `url` field, plugin-paginate-rest does not unwrap it, so `paginate` would return the
 * page objects instead of commits. GitHub returns the commits oldest first across pages.
 */
async function compareAllPages(octokit: Octokit, owner: string, repo: string, basehead: string): Promise<CommitInput[]> {
  const commits: CommitInput[] = [];
  for (let page = 1; page <= MAX_COMPARE_PAGES; page++) {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', {
      owner,
      repo,
      basehead,
      per_page: PER_PAGE,
      page,
    });
    commits.push(...data.commits.map(toCommitInput));
    const done = data.commits.length < PER_PAGE || commits.length >= data.total_commits;
    if (done) return commits;
  }
  throw new Error(`the comparison has more than ${MAX_COMPARE_PAGES * PER_PAGE} commits`);
}

function toCommitInput(commit: { sha: string; commit: { message: string } }): CommitInput {
  return { sha: commit.sha, message: commit.commit.message };
}

/** Turns an Octokit RequestError into a GitHubApiError that says what to fix. */
function describeFailure(error: unknown, doing: string, messages: { notFound: string }): Error {
  const status = (error as { status?: unknown }).status;
  // Octokit's RequestError message is GitHub's own `message` (plus a docs link); it never
  // contains request headers, so it is safe to show. We do not chain the error as `cause`
  // because it carries the request object.
  const detail = error instanceof Error ? error.message : String(error);
  const unreachable = unreachableGitHub(error, doing);
  if (unreachable) return unreachable;
  if (typeof status !== 'number') return new Error(`GitHub API failed while ${doing}: ${detail}`);

  switch (status) {
    case 401:
      return new GitHubApiError(
        `GitHub API rejected the token (HTTP 401) while ${doing}: pass a valid token with 'contents: read' permission`,
        status,
      );
    case 403:
    case 429:
      if (status === 429 || /rate limit/i.test(detail)) {
        return new GitHubApiError(`GitHub API rate limit exceeded (HTTP ${status}) while ${doing}: ${detail}`, status);
      }
      return new GitHubApiError(
        `GitHub API refused access (HTTP 403) while ${doing}: the token lacks 'contents: read' ` +
          "(and 'pull-requests: read' for pull request commits); add them under `permissions:` in the workflow",
        status,
      );
    case 404:
      return new GitHubApiError(`${messages.notFound} (HTTP 404 while ${doing})`, status);
    default:
      return new GitHubApiError(`GitHub API failed (HTTP ${status}) while ${doing}: ${detail}`, status);
  }
}
