/**
 * Octokit reports a request that never got an HTTP response (connection refused, DNS failure,
 * reset, timeout) as a RequestError with status 500 and no `response`. Saying "HTTP 500" would
 * blame GitHub for a network problem on our side, so such failures are named for what they are.
 */

/** The network code (ECONNREFUSED, ENOTFOUND, …) or message at the root of `error`'s cause chain. */
function rootCause(error: unknown): string {
  let current: unknown = error;
  let found = '';
  // Duck-typed, not `instanceof Error`: fetch's errors may come from another realm.
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string') found = code;
    else if (typeof message === 'string' && found === '') found = message;
    current = cause;
  }
  return found;
}

/**
 * An error saying GitHub could not be reached while `doing`, when `error` is a request that got
 * no HTTP response; undefined when GitHub did answer (its status is then the truth).
 */
export function unreachableGitHub(error: unknown, doing: string): Error | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, response } = error as { status?: unknown; response?: unknown };
  if (status !== 500 || response !== undefined) return undefined;
  const why = rootCause((error as { cause?: unknown }).cause ?? error) || 'no response';
  return new Error(`GitHub API could not be reached while ${doing} (${why}; no HTTP response): check GITHUB_API_URL and the runner's network`);
}
