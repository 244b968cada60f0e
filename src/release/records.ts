/**
 * Release records: the release (its tag and release notes) and the deployment history a
 * release leaves behind on its forge (GitHub releases, tags and Deployments). The pipeline calls
 * them at three moments: `plan` before anything is published (the tag name goes into the version
 * description, an existing tag stops the release), `started` just before traffic first moves, and `finished` once the rollout's
 * outcome is settled. Records never decide anything about traffic: after `plan`, their failures
 * are reported as warnings and the alias is never touched because of them.
 */
import type { Outcome, CheckResult } from '../report/result.js';
import type { Bump, CommitInput, MatchedCommit } from '../trigger/types.js';

export interface ReleasePlanRequest {
  bump: Bump;
  /** The commits that released (the trigger's `matched`): the release notes list them. */
  matched?: readonly MatchedCommit[];
  /** Every commit the trigger looked at, full messages: the notes read breaking-change footers there. */
  commits?: readonly CommitInput[];
  /** A tag named by the user (action input `tag`, `--tag`); it wins over the computed one. */
  explicitTag?: string;
  /** Dry run: compute and report, create nothing. */
  dryRun: boolean;
}

export interface ReleasePlan {
  /** The release's tag, recorded in the version description; undefined when there is none. */
  tag?: string;
  /** What was planned (e.g. `release.tag` with the computed name), for the report. */
  results: CheckResult[];
}

export interface ReleaseStart {
  /** The version traffic is moving to. */
  version: string;
  /** The version it replaces (the alias's primary before the rollout). */
  previousVersion?: string;
  /** Human-readable target, e.g. `lambda:churn-model:prod`. */
  target: string;
}

export interface ReleaseFinish {
  outcome: Outcome;
  /** One sentence: why the rollout ended so. */
  reason: string;
}

export interface ReleaseRecords {
  /**
   * Before publishing: the tag of this release. Throws `ReleaseRecordsError` when the release
   * must not go on (the tag already exists, the tags cannot be read): nothing is published.
   */
  plan(request: ReleasePlanRequest): Promise<ReleasePlan>;
  /** Traffic is about to move. Never throws and is not awaited by the rollout; `finished` waits for it. */
  started(start: ReleaseStart): Promise<void>;
  /** The outcome is settled: record it. Never throws; failures come back as `warn` results. */
  finished(finish: ReleaseFinish): Promise<CheckResult[]>;
}

/** A release record problem that stops the release before anything is published. */
export class ReleaseRecordsError extends Error {
  constructor(
    message: string,
    readonly id: string,
  ) {
    super(message);
    this.name = 'ReleaseRecordsError';
  }
}
