/**
 * The one result model every gate returns and every reporter renders.
 * Gates never format output; reporters never compute verdicts.
 */

export type Gate = 'config' | 'trigger' | 'data' | 'model' | 'pretraffic' | 'rollout' | 'release' | 'rollback';

/** pass/fail/warn/skip/error: `error` means the check could not be evaluated (bad input, AWS error). */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip' | 'error';

/** A scalar a person can read in a table cell. Structured detail goes in `details`. */
export type Observation = string | number | boolean | null;

/** Where a result points in the user's repository (config line, data file), for annotations. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

export interface CheckResult {
  /** Stable, unique within a report, e.g. `trigger.release`, `rollout.step-3`, `data.missing.age`. */
  id: string;
  gate: Gate;
  status: CheckStatus;
  observed?: Observation;
  expected?: Observation;
  /** One sentence a person understands. */
  message: string;
  location?: SourceLocation;
  /** Machine-readable extras (p-values, offending values...), rendered only in the JSON report. */
  details?: Record<string, unknown>;
  /**
   * Set on an `error` result when the user's input is at fault (a data file that is missing or
   * malformed, a column a check names that does not exist, a target or version that does not
   * exist or cannot be used): the run stops before any change and exits 2. Absent on an `error`,
   * the tool or a service failed (exit 1). See input-error.ts.
   */
  cause?: 'input';
}

/** What happened to the release as a whole. */
export type Outcome =
  | 'promoted' // traffic fully moved to the new version
  | 'rolled-back' // traffic moved back to the stable version after a failed verdict
  | 'aborted' // stopped before or during rollout without overwriting anyone (bad input, conflict)
  | 'skipped' // nothing to release (no commit in scope), or stages not configured
  | 'checked' // `check` and `validate` commands: gates ran, no traffic moved
  | 'planned' // dry run: plan printed, nothing written
  | 'rolled-back-manually'; // `rollback` command succeeded

/** One row of the rollout timeline (one observation or transition of the step loop). */
export interface TimelineRow {
  /** Milliseconds since the rollout started (on the injected clock). */
  atMs: number;
  /** 1-based step index in the plan; 0 before the first shift. */
  step: number;
  /** Share of traffic on the new version, 0..1. */
  weight: number;
  event: 'preflight' | 'shift' | 'observe' | 'extend' | 'promote' | 'rollback' | 'abort';
  canary?: VersionSample;
  stable?: VersionSample;
  verdict?: 'pass' | 'fail' | 'continue' | 'inconclusive';
  reason: string;
}

export interface VersionSample {
  version: string;
  invocations: number;
  errors: number;
  throttles: number;
  /** p99 duration in ms over the window, null when no datapoint. */
  p99Ms: number | null;
}

export interface Report {
  tool: 'model-release-gate';
  toolVersion: string;
  command: 'release' | 'check' | 'trigger' | 'rollback' | 'validate';
  outcome: Outcome;
  /** 0 released/nothing to release, 1 a gate judged and failed the release or it rolled back, 2 usage, config or input error (nothing changed). */
  exitCode: 0 | 1 | 2;
  /** One headline sentence for the top of every rendering. */
  headline: string;
  startedAt: string;
  finishedAt: string;
  results: CheckResult[];
  /** Step outputs (GitHub `GITHUB_OUTPUT`, GitLab dotenv): release, bump, reason, commits, outcome, version, previous-version... */
  outputs: Record<string, string>;
  timeline?: TimelineRow[];
}
