/**
 * Commits of a GitLab CI pipeline. GitLab has no push payload in the job; it gives SHAs in
 * predefined variables, and the job's clone (often shallow, `GIT_DEPTH`) holds the history.
 */
import type { CommitCollection } from '../types.js';
import { readGitRange, UnusableBaseError } from './git.js';

type BaseVariable = 'CI_MERGE_REQUEST_DIFF_BASE_SHA' | 'CI_COMMIT_BEFORE_SHA';

/**
 * Collects the commits of the pipeline described by GitLab's predefined variables in `env`,
 * reading history from the clone at `cwd`. Branch pipelines read `CI_COMMIT_BEFORE_SHA..CI_COMMIT_SHA`;
 * merge request pipelines read `CI_MERGE_REQUEST_DIFF_BASE_SHA..CI_COMMIT_SHA` and add the merge
 * request title, which squash merges use as the commit message. When the base is the zero SHA,
 * unset, or deeper than the clone, only `CI_COMMIT_SHA`'s own message is used, with a warning.
 */
export async function collectGitLabCommits(env: NodeJS.ProcessEnv, cwd: string): Promise<CommitCollection> {
  const head = env['CI_COMMIT_SHA']?.trim();
  if (!head) {
    throw new Error(
      'CI_COMMIT_SHA is not set: run inside a GitLab CI job, or pass commit messages on standard input',
    );
  }

  const mergeRequest = isMergeRequestPipeline(env);
  const baseVariable: BaseVariable = mergeRequest ? 'CI_MERGE_REQUEST_DIFF_BASE_SHA' : 'CI_COMMIT_BEFORE_SHA';
  const collection = await readPipelineRange(env, cwd, baseVariable, head);

  const title = env['CI_MERGE_REQUEST_TITLE']?.trim();
  if (mergeRequest && title) {
    return {
      ...collection,
      commits: [...collection.commits, { sha: '', message: title }],
      source: `${collection.source} + merge request title (squash merges use it)`,
    };
  }
  return collection;
}

async function readPipelineRange(
  env: NodeJS.ProcessEnv,
  cwd: string,
  baseVariable: BaseVariable,
  head: string,
): Promise<CommitCollection> {
  const base = env[baseVariable]?.trim();
  if (!base) {
    return headCommitOnly(env, cwd, head, `${baseVariable} is not set, so only CI_COMMIT_SHA ${head} was checked`);
  }
  try {
    const range = await readGitRange({ cwd, from: base, to: head });
    return { ...range, source: `${range.source}, from ${baseVariable}` };
  } catch (error) {
    if (!(error instanceof UnusableBaseError)) throw error;
    return headCommitOnly(env, cwd, head, explainUnusableBase(error, baseVariable, head));
  }
}

function explainUnusableBase(error: UnusableBaseError, baseVariable: BaseVariable, head: string): string {
  if (error.reason === 'zero-sha') {
    // GitLab sends zeros for a new branch, a tag, and pipelines not started by a push
    // (schedules, web, API); there is no earlier commit to compare with.
    return (
      `${baseVariable} is the zero SHA (new branch, tag, or a pipeline not started by a push), ` +
      `so only CI_COMMIT_SHA ${head} was checked; other commits pushed with it were not`
    );
  }
  const depthHint = error.shallow
    ? 'history too shallow to contain it; raise GIT_DEPTH (e.g. `variables: { GIT_DEPTH: 0 }` for full history) ' +
      'so the whole push is checked'
    : 'it is not in this clone (force-push or rebase?)';
  return `${baseVariable} ${error.base}: ${depthHint}. Only CI_COMMIT_SHA ${head} was checked`;
}

/** The fallback: one commit, its message from CI_COMMIT_MESSAGE (or the clone when unset). */
async function headCommitOnly(
  env: NodeJS.ProcessEnv,
  cwd: string,
  head: string,
  warning: string,
): Promise<CommitCollection> {
  const message = env['CI_COMMIT_MESSAGE'];
  if (message !== undefined && message.trim() !== '') {
    return {
      commits: [{ sha: head, message: message.replace(/\s+$/, '') }],
      source: 'CI_COMMIT_MESSAGE (1 commit)',
      warnings: [`${warning} (used CI_COMMIT_MESSAGE)`],
    };
  }
  const single = await readGitRange({ cwd, to: head });
  return { ...single, warnings: [...single.warnings, warning] };
}

function isMergeRequestPipeline(env: NodeJS.ProcessEnv): boolean {
  return env['CI_PIPELINE_SOURCE'] === 'merge_request_event' || Boolean(env['CI_MERGE_REQUEST_IID']);
}
