/**
 * The one result model every gate returns and every reporter renders.
 * Gates never format output; reporters never compute verdicts.
 */

export type Gate = 'config' | 'trigger' | 'data' | 'model' | 'pretraffic' | 'rollout' | 'release' | 'rollback';

/**
 * pass/fail/warn/skip/error/info: `error` means the check could not be evaluated (bad input, AWS
 * error); `info` is not a check at all but something the run reports (what ran, how), so it never
 * passes, fails or decides anything.
 */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip' | 'error' | 'info';

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
  /**
   * How a person reads `observed` and `expected` when the bare value would not say what it
   * measures (a range check's 3 is "3 values outside [0, 120] (min -4, max 130)", its limit
   * "all within [0, 120]"). Reporters show these in place of the values; the values stay for
   * machines.
   */
  observedText?: string;
  expectedText?: string;
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

/**
 * One minute of both versions' traffic as CloudWatch last published it during the rollout, for
 * the chart's per-minute error rates (the timeline's samples are sums over the judge's window).
 */
export interface MinuteRow {
  /** The minute's start in ms since the rollout started; negative for the minute the rollout started in. */
  atMs: number;
  canary?: { invocations: number; errors: number };
  stable?: { invocations: number; errors: number };
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
  /** Per-minute counts of both versions, oldest first, when a rollout read metrics. */
  minutes?: MinuteRow[];
}
