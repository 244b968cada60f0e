/**
 * Commits of a GitHub Actions run, from the event payload and, where the payload cannot be
 * trusted to be complete, from the REST API. The API is injected so this stays pure logic;
 * `src/platform/github-api.ts` provides the Octokit-backed implementation.
 */
import type { CommitCollection, CommitInput } from '../types.js';
import { isZeroSha } from './git.js';
import { plural } from '../../core/plural.js';

/** The two GitHub REST calls commit collection needs; both return commits oldest first. */
export interface GitHubCommitApi {
  /** Commits reachable from `head` but not from `base` (`GET /compare/{base}...{head}`), all pages. */
  compareCommits(base: string, head: string): Promise<CommitInput[]>;
  /** A pull request's commits; GitHub lists at most 250. */
  listPullRequestCommits(pullNumber: number): Promise<CommitInput[]>;
}

/** Events the gate knows how to read commits from. */
export const SUPPORTED_GITHUB_EVENTS = [
  'push',
  'pull_request',
  'pull_request_target',
  'merge_group',
  'workflow_dispatch',
] as const;

/** GitHub puts at most this many commits in a push payload and silently drops the rest. */
export const PUSH_PAYLOAD_COMMIT_LIMIT = 2048;

/** The pull request commits endpoint stops at this many commits. */
export const PULL_REQUEST_COMMIT_LIMIT = 250;

type JsonObject = Record<string, unknown>;

/**
 * Collects the commits that an Actions event brings, oldest first. Push payloads are used as
 * they are unless they may be incomplete (truncated, empty, new branch, force-push), in which
 * case the compare API fills in. Pull requests add their title as a pseudo-commit because
 * squash merges use it as the commit message. workflow_dispatch has no commits and is manual.
 * Throws with a message naming the missing field when the payload does not have the expected shape.
 */
export async function collectGitHubCommits(
  eventName: string,
  payload: unknown,
  api: GitHubCommitApi,
): Promise<CommitCollection> {
  switch (eventName) {
    case 'push':
      return collectPush(requireObject(payload, `push event payload`), api);
    case 'pull_request':
    case 'pull_request_target':
      return collectPullRequest(eventName, requireObject(payload, `${eventName} event payload`), api);
    case 'merge_group':
      return collectMergeGroup(requireObject(payload, 'merge_group event payload'), api);
    case 'workflow_dispatch':
      return { commits: [], source: 'workflow_dispatch (manual run, no commits)', warnings: [], manual: true };
    default:
      throw new Error(
        `unsupported GitHub event '${eventName}': model-release-gate reads commits from ${SUPPORTED_GITHUB_EVENTS.join(', ')}`,
      );
  }
}

async function collectPush(payload: JsonObject, api: GitHubCommitApi): Promise<CommitCollection> {
  const ref = optionalString(payload, 'ref');
  if (payload['deleted'] === true) {
    return { commits: [], source: `push deleted ${ref ?? 'a branch'} (branch deleted, no commits)`, warnings: [] };
  }
  const after = requireString(payload, 'after', "push event payload has no 'after' SHA");
  const before = requireString(payload, 'before', "push event payload has no 'before' SHA");
  const listed = readPushCommits(payload);
  const headCommit = readHeadCommit(payload);

  if (isZeroSha(before)) {
    const repository = requireObject(payload['repository'], "push event payload's 'repository'");
    const defaultBranch = requireString(
      repository,
      'default_branch',
      "push event payload has no 'repository.default_branch' to compare a new branch with",
    );
    const fallback = listed !== undefined && listed.length > 0 ? listed : headCommit ? [headCommit] : [];
    if (ref === `refs/heads/${defaultBranch}`) {
      // The first push to a repository's default branch: there is nothing to compare with.
      return {
        commits: fallback,
        source: `push payload (${plural(fallback.length, 'commit')})`,
        warnings: [
          `first push to the default branch '${defaultBranch}': no earlier commit to compare with, ` +
            `so only the ${plural(fallback.length, 'commit')} in the event payload were checked`,
        ],
      };
    }
    return compareForPush(api, defaultBranch, after, `new ref ${ref ?? after}`, fallback);
  }

  if (payload['forced'] === true) {
    // After a force-push the payload lists commits relative to the rewritten history; the
    // compare API gives what the new head has that the old one did not.
    return compareForPush(api, before, after, 'forced push', listed ?? []);
  }
  if (listed === undefined || listed.length === 0) {
    if (before === after) return { commits: [], source: 'push payload (0 commits)', warnings: [] };
    return compareForPush(api, before, after, 'push payload lists no commits', []);
  }
  if (listed.length >= PUSH_PAYLOAD_COMMIT_LIMIT) {
    return compareForPush(api, before, after, `push payload truncated at ${PUSH_PAYLOAD_COMMIT_LIMIT} commits`, listed);
  }
  return { commits: listed, source: `push payload (${plural(listed.length, 'commit')})`, warnings: [] };
}

/**
 * Asks the compare API for the push's commits. If it fails and the payload had commits, those
 * are used with a warning (a partial list beats failing the job); with nothing to fall back on,
 * the API's error is rethrown with the reason the API was needed.
 */
async function compareForPush(
  api: GitHubCommitApi,
  base: string,
  head: string,
  why: string,
  fallback: CommitInput[],
): Promise<CommitCollection> {
  try {
    const commits = await api.compareCommits(base, head);
    return {
      commits,
      source: `compare API ${shortRef(base)}...${shortRef(head)} (${plural(commits.length, 'commit')}; ${why})`,
      warnings: [],
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (fallback.length === 0) {
      throw new Error(`${why}, so the compare API was needed, and it failed: ${reason}`, { cause: error });
    }
    return {
      commits: fallback,
      source: `push payload (${plural(fallback.length, 'commit')})`,
      warnings: [
        `${why}; the compare API failed (${reason}), so only the ${plural(fallback.length, 'commit')} ` +
          'in the event payload were checked and the list may be incomplete',
      ],
    };
  }
}

async function collectPullRequest(
  eventName: string,
  payload: JsonObject,
  api: GitHubCommitApi,
): Promise<CommitCollection> {
  const pull = requireObject(payload['pull_request'], `${eventName} event payload's 'pull_request'`);
  const number = pull['number'] ?? payload['number'];
  if (typeof number !== 'number' || !Number.isInteger(number) || number <= 0) {
    throw new Error(`${eventName} event payload has no pull request 'number'`);
  }
  const title = requireString(pull, 'title', `${eventName} event payload has no pull request 'title'`);
  const titleCommit: CommitInput = { sha: '', message: title };
  const warnings: string[] = [];

  let commits: CommitInput[];
  let listedFrom: string;
  const count = pull['commits'];
  const baseSha = optionalString(optionalObject(pull['base']) ?? {}, 'sha');
  const headSha = optionalString(optionalObject(pull['head']) ?? {}, 'sha');
  if (typeof count === 'number' && count > PULL_REQUEST_COMMIT_LIMIT && baseSha && headSha) {
    // The pull request commits endpoint would stop at 250; compare has no such cap.
    commits = await api.compareCommits(baseSha, headSha);
    listedFrom = `compare API ${shortRef(baseSha)}...${shortRef(headSha)}`;
  } else {
    commits = await api.listPullRequestCommits(number);
    listedFrom = 'pull request commits API';
    if (commits.length >= PULL_REQUEST_COMMIT_LIMIT) {
      warnings.push(
        `pull request #${number} has ${PULL_REQUEST_COMMIT_LIMIT} or more commits; GitHub lists only the first ` +
          `${PULL_REQUEST_COMMIT_LIMIT}, so later ones were not checked`,
      );
    }
  }
  return {
    commits: [...commits, titleCommit],
    source: `pull request #${number}: ${listedFrom} (${plural(commits.length, 'commit')}) + PR title (squash merges use it)`,
    warnings,
  };
}

async function collectMergeGroup(payload: JsonObject, api: GitHubCommitApi): Promise<CommitCollection> {
  const group = requireObject(payload['merge_group'], "merge_group event payload's 'merge_group'");
  const base = requireString(group, 'base_sha', "merge_group event payload has no 'merge_group.base_sha'");
  const head = requireString(group, 'head_sha', "merge_group event payload has no 'merge_group.head_sha'");
  const commits = await api.compareCommits(base, head);
  return {
    commits,
    source: `merge group: compare API ${shortRef(base)}...${shortRef(head)} (${plural(commits.length, 'commit')})`,
    warnings: [],
  };
}

/** The payload's `commits`, or undefined when the field is absent. */
function readPushCommits(payload: JsonObject): CommitInput[] | undefined {
  const raw = payload['commits'];
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw new Error("push event payload's 'commits' is not an array");
  return raw.map((entry: unknown, index) => {
    const commit = requireObject(entry, `push event payload commit #${index + 1}`);
    const message = commit['message'];
    // An empty message is legal in git (--allow-empty-message); a missing one is a broken payload.
    if (typeof message !== 'string') throw new Error(`push event payload commit #${index + 1} has no 'message'`);
    return { sha: requireString(commit, 'id', `push event payload commit #${index + 1} has no 'id'`), message };
  });
}

function readHeadCommit(payload: JsonObject): CommitInput | undefined {
  const head = optionalObject(payload['head_commit']);
  if (!head) return undefined;
  const sha = optionalString(head, 'id');
  const message = optionalString(head, 'message');
  return sha !== undefined && message !== undefined ? { sha, message } : undefined;
}

function requireObject(value: unknown, what: string): JsonObject {
  const object = optionalObject(value);
  if (!object) throw new Error(`${what} is not a JSON object`);
  return object;
}

function optionalObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

function requireString(object: JsonObject, key: string, error: string): string {
  const value = optionalString(object, key);
  if (value === undefined) throw new Error(error);
  return value;
}

/** A non-empty string field, or undefined. */
function optionalString(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** SHAs shortened as GitHub shows them; branch names kept whole. */
function shortRef(ref: string): string {
  return /^[0-9a-f]{40,64}$/.test(ref) ? ref.slice(0, 7) : ref;
}

