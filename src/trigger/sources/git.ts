/**
 * Commits from the local clone, read with `git log`. Used by the GitLab adapter and the local
 * CLI; the GitHub adapter prefers the event payload and the API because Actions checkouts are
 * shallow by default.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { CommitCollection, CommitInput } from '../types.js';
import { plural } from '../../core/plural.js';

const execFileAsync = promisify(execFile);

/** Why the start of a range cannot be used; the caller decides how to fall back. */
export type UnusableBaseReason = 'zero-sha' | 'not-in-history';

/**
 * The range's `from` cannot be read: it is the all-zeros SHA that CI systems send for a new
 * branch, or the commit is not in this (possibly shallow) clone. Thrown as a typed error so
 * callers can fall back to a single commit instead of failing the job.
 */
export class UnusableBaseError extends Error {
  constructor(
    readonly reason: UnusableBaseReason,
    readonly base: string,
    /** The clone is shallow, so a deeper fetch (e.g. GitLab `GIT_DEPTH`) may bring the base in. */
    readonly shallow: boolean,
  ) {
    super(
      reason === 'zero-sha'
        ? `range start ${base} is the zero SHA (new branch or no previous push)`
        : `range start ${base} is not in the history of this ${shallow ? 'shallow ' : ''}clone`,
    );
    this.name = 'UnusableBaseError';
  }
}

/** Both SHA-1 and SHA-256 repositories send all zeros for "no previous commit". */
const ZERO_SHA = /^(?:0{40}|0{64})$/;

/**
 * A revision we are willing to pass to git: branch, tag, SHA, `HEAD~2`, `origin/main`.
 * Anything else (spaces, `..`, `:`, a leading `-` that git would read as an option) is refused,
 * because these values come from CI variables and event payloads.
 */
const REVISION = /^[A-Za-z0-9_@][A-Za-z0-9._/@{}~^+-]*$/;

/** Git's log output: SHA, NUL, raw body, then a record separator, one commit per record. */
const LOG_FORMAT = '--format=%H%x00%B%x1e';

/** Large merges can carry megabytes of messages; the default 1 MiB buffer is too small. */
const MAX_GIT_OUTPUT_BYTES = 256 * 1024 * 1024;

/** True for the all-zeros SHA that GitHub and GitLab use for "no such commit". */
export function isZeroSha(sha: string): boolean {
  return ZERO_SHA.test(sha);
}

/**
 * Reads the commits in `from..to`, oldest first, from the repository at `cwd`. Without `from`,
 * only the commit `to` names. Throws UnusableBaseError when `from` is the zero SHA or not in the
 * clone, and a plain Error for invalid revisions or when `to` itself is missing.
 */
export async function readGitRange(options: { cwd: string; from?: string; to: string }): Promise<CommitCollection> {
  const { cwd, from, to } = options;
  assertRevision('to', to);
  if (from !== undefined) assertRevision('from', from);

  if (!(await commitExists(cwd, to))) {
    throw new Error(`git: commit ${to} is not in the repository at ${cwd}`);
  }

  if (from === undefined) {
    const commits = parseLog(await git(cwd, ['log', '-1', LOG_FORMAT, '--end-of-options', to, '--']));
    return { commits, source: `git log -1 ${to}`, warnings: [] };
  }

  if (isZeroSha(from)) throw new UnusableBaseError('zero-sha', from, await isShallow(cwd));
  if (!(await commitExists(cwd, from))) throw new UnusableBaseError('not-in-history', from, await isShallow(cwd));

  const range = `${from}..${to}`;
  const commits = parseLog(await git(cwd, ['log', '--reverse', LOG_FORMAT, '--end-of-options', range, '--']));
  return { commits, source: `git log ${range} (${plural(commits.length, 'commit')})`, warnings: [] };
}

function assertRevision(name: 'from' | 'to', value: string): void {
  if (!REVISION.test(value) || value.includes('..')) {
    throw new Error(`git: '${name}' must be a commit SHA or ref name, got ${JSON.stringify(value)}`);
  }
}

async function commitExists(cwd: string, revision: string): Promise<boolean> {
  try {
    await git(cwd, ['cat-file', '-e', `${revision}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

async function isShallow(cwd: string): Promise<boolean> {
  const output = await git(cwd, ['rev-parse', '--is-shallow-repository']);
  return output.trim() === 'true';
}

function parseLog(output: string): CommitInput[] {
  const commits: CommitInput[] = [];
  for (const record of output.split('\x1e')) {
    // Each record after the first starts with the newline git prints after the previous one.
    const trimmed = record.replace(/^\n+/, '');
    if (trimmed === '') continue;
    const nul = trimmed.indexOf('\0');
    if (nul < 0) throw new Error(`git: unexpected log output: ${JSON.stringify(trimmed.slice(0, 80))}`);
    commits.push({ sha: trimmed.slice(0, nul), message: trimmed.slice(nul + 1).replace(/\s+$/, '') });
  }
  return commits;
}

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    // A user's log.showSignature would print GPG output into our records.
    const { stdout } = await execFileAsync('git', ['-c', 'log.showSignature=false', ...args], {
      cwd,
      encoding: 'utf8',
      maxBuffer: MAX_GIT_OUTPUT_BYTES,
    });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`git ${args[0] ?? ''} failed in ${cwd}: ${stderr || (error as Error).message}`, { cause: error });
  }
}

