/** A commit as every commit source delivers it: the full message, header first. */
export interface CommitInput {
  /** Full SHA when known; empty for messages given on the command line or from CI_COMMIT_MESSAGE. */
  sha: string;
  message: string;
}

/** Where the commits came from, and anything a person should know about how they were found. */
export interface CommitCollection {
  commits: CommitInput[];
  /** e.g. `push payload (3 commits)`, `compare API abc123...def456`, `git log A..B`. */
  source: string;
  /** e.g. "history too shallow to contain CI_COMMIT_BEFORE_SHA; used CI_COMMIT_MESSAGE only". */
  warnings: string[];
  /** workflow_dispatch and similar: no commit filter, release only when forced. */
  manual?: boolean;
}

export type Bump = 'major' | 'minor' | 'patch' | 'none';

/** A commit that targets the API scope with a releasing type (the `commits` output). */
export interface MatchedCommit {
  sha: string;
  header: string;
  type: string;
  /** The in-scope scope as written in the commit (e.g. `Api`); for a git `Revert "…"`, the reverted header's. null is reserved for sources without scopes. */
  scope: string | null;
  breaking: boolean;
}

export interface ReleaseDecision {
  release: boolean;
  bump: Bump;
  /** One sentence a person understands. */
  reason: string;
  matched: MatchedCommit[];
  /** How many commits were looked at. */
  considered: number;
}
