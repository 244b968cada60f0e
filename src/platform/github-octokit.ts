/**
 * The Octokit both GitHub APIs use (commits, release records): the Actions toolkit's, so
 * proxies, GHES base URLs and the user agent behave as in every other action, plus a timeout on
 * every request. Octokit has none of its own: a GitHub that accepts the connection and never
 * answers would hold the job until the runner kills it.
 */
import { getOctokit } from '@actions/github';

/** Per request; a timed-out request is reported as one that got no HTTP response. */
export const GITHUB_REQUEST_TIMEOUT_MS = 30_000;

export type Octokit = ReturnType<typeof getOctokit>;

export function createOctokit(token: string, baseUrl: string, timeoutMs: number = GITHUB_REQUEST_TIMEOUT_MS): Octokit {
  const octokit = getOctokit(token, { baseUrl, userAgent: 'model-release-gate' });
  // A hook rather than our own `request.fetch`: the toolkit's fetch is the one that honours the
  // runner's proxy settings, and it must stay.
  octokit.hook.wrap('request', (request, options) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const given = options.request?.signal;
    options.request = { ...options.request, signal: given ? AbortSignal.any([given, timeout]) : timeout };
    return request(options);
  });
  return octokit;
}
