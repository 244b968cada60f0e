/** Where a CI run can be looked at, from the variables the CI platform sets. */

/** This GitHub Actions workflow run's page, whose job summary is the release report. */
export function githubRunUrl(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
  return server && repository && runId ? `${server}/${repository}/actions/runs/${runId}` : undefined;
}

/** The CI run's page on either platform: a GitHub Actions run, or a GitLab job. */
export function ciRunUrl(env: NodeJS.ProcessEnv): string | undefined {
  return githubRunUrl(env) ?? (env.CI_JOB_URL || undefined);
}
