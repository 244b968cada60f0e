import type { Clock } from '../core/clock.js';
import type { DeployRequest } from '../deploy/code.js';

/**
 * A rollout target: something that serves two versions of a model behind one name and splits
 * traffic by weight. Lambda weighted aliases now; SageMaker production variants next.
 * Every write takes the revision read before it (optimistic concurrency) so a concurrent
 * change by someone else is detected, never overwritten.
 */

export interface AliasState {
  /** Version that receives the traffic not routed elsewhere (the stable version). */
  version: string;
  /** Additional versions and their share of traffic (0 < w <= 1). Empty when not shifting. */
  additionalWeights: Record<string, number>;
  /** Opaque token; a write with a stale one fails with RevisionConflictError. */
  revisionId: string;
  /** The alias description (it carries the promotion history, src/rollback/history.ts); absent when empty. */
  description?: string;
  /**
   * After a write that the service applies asynchronously (SageMaker: Updating, then the new
   * weights), when the new routing took effect: after `fromMs` (the last read that still showed
   * the old routing) and by `toMs` (the first that showed the new one). Absent: it took effect
   * during the write call (Lambda).
   */
  appliedWithin?: { fromMs: number; toMs: number };
}

/** Aggregated metrics of one version over a time window, as the judge sees them. */
export interface VersionMetrics {
  version: string;
  invocations: number;
  errors: number;
  throttles: number;
  /** p99 duration over the window in ms (max of the per-period p99s), null without datapoints. */
  p99Ms: number | null;
  /** Per-period datapoints, oldest first; periods with no datapoint are absent. */
  periods: Array<{ startMs: number; invocations: number; errors: number; throttles: number; p99Ms: number | null }>;
}

export interface MetricsWindow {
  startMs: number;
  endMs: number;
}

export interface CandidateVersion {
  version: string;
  /** True when this run published it; false when an identical version already existed. */
  published: boolean;
  description?: string;
}

/** A published version and the description it was published with (release records live there). */
export interface PublishedVersion {
  version: string;
  description: string;
  /** The version's code hash, when the service reports one (Lambda: CodeSha256). */
  codeSha256?: string;
}

/**
 * What a deploy step left on the target, unpublished: the publish that follows must take
 * exactly this code (Lambda: PublishVersion with this CodeSha256 and RevisionId), so a version
 * of someone else's code is never published.
 */
export interface DeployedCode {
  /** The code's content hash as the service computes it (Lambda: base64 SHA-256 of the package). */
  codeSha256: string;
  /** The revision the deploy left; the publish is conditional on it. */
  revisionId: string;
  /** The target already held exactly this code before the deploy (nothing new to publish). */
  codeUnchanged: boolean;
  /** The function already had the configuration asked for (or none was asked). */
  configurationUnchanged: boolean;
  /** What the deploy did, one sentence each, for the report. */
  notes: string[];
}

/** Time and cancellation for a deploy step, which waits for the service to finish the update. */
export interface DeployContext {
  clock: Clock;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Longest wait for the update to finish before giving up (nothing is published then). */
  timeoutMs?: number;
}

/** A release recorded apart from the version's (immutable) description: tag → version. */
export interface ReleaseTagRecord {
  tag: string;
  version: string;
  sha?: string;
}

export interface InvokeResult {
  statusCode: number;
  /** Set when the function raised (Lambda X-Amz-Function-Error). */
  functionError?: string;
  payload: string;
  durationMs: number;
}

export interface RolloutTarget {
  /** Human-readable name for reports, e.g. `lambda:my-fn:prod`. */
  describe(): string;
  readAlias(): Promise<AliasState>;
  /**
   * Put new code and configuration on the target, unpublished, and wait until the service has
   * finished applying them. A separate step from `resolveCandidate` (not an option of it)
   * because it is the only long-running write before traffic moves, with failures of its own
   * (update failed, timed out, conflicting change), and because a target may be deployed by
   * other means: without this method, `target.code` cannot be used with the target.
   */
  deploy?(request: DeployRequest, context: DeployContext): Promise<DeployedCode>;
  /**
   * Publish `$LATEST` as a version (reusing an identical one) or resolve an explicit version.
   * With `deployed`, the publish takes exactly the deployed code or fails.
   */
  resolveCandidate(request: { version?: string; description: string; deployed?: DeployedCode }): Promise<CandidateVersion>;
  /**
   * Record `tag` → `version` where rollback finds it, for a version whose description cannot
   * say so (a reused or explicitly named version: descriptions are immutable). Optional.
   */
  recordReleaseTag?(record: ReleaseTagRecord): Promise<void>;
  /** The records `recordReleaseTag` wrote. */
  listReleaseTags?(): Promise<ReleaseTagRecord[]>;
  /** Route `weight` (0 < w <= 1; 1 is the final bake, still instantly reversible) of traffic to `candidate`; returns the verified state after the write. */
  shiftTraffic(candidate: string, weight: number, expectedRevisionId: string): Promise<AliasState>;
  /** Point the alias at `candidate` with no additional weights. */
  /** Points the alias at `candidate` alone; `description`, when given, replaces the alias description. */
  promote(candidate: string, expectedRevisionId: string, description?: string): Promise<AliasState>;
  /** Send all traffic back to the alias's primary version (weights {}). */
  rollBack(expectedRevisionId: string): Promise<AliasState>;
  /** Point the alias at `version` with weights {} (manual rollback); `description`, when given, replaces the alias description. */
  pointTo(version: string, expectedRevisionId: string, description?: string): Promise<AliasState>;
  /** Every published version (not `$LATEST`) with its description, in the order the service lists them. */
  listVersions(): Promise<PublishedVersion[]>;
  /**
   * Undo what `resolveCandidate` put on the target besides a version, once the candidate no
   * longer has traffic (rolled back, or stopped before traffic moved): SageMaker removes the
   * candidate's variant so its instances stop running. Lambda versions cost nothing idle, so
   * Lambda has no such method. Returns one sentence for the report.
   */
  retireCandidate?(candidate: string): Promise<string>;
  /**
   * Serve `candidate` as a shadow variant: it answers `samplingPercent` of the stable version's
   * requests, mirrored, and no client sees its answers (SageMaker ShadowProductionVariants).
   * Optional: only a target that can mirror traffic has it (src/rollout/shadow.ts).
   */
  startShadow?(candidate: string, samplingPercent: number): Promise<void>;
  /** End the shadow: `keep` makes the candidate a variant at weight 0 for the canary, else it is removed. */
  endShadow?(candidate: string, keep: boolean): Promise<void>;
  /**
   * The values `rollout.metrics` substitutes in a query's dimensions for `version` (Lambda:
   * `version`, `alias`, `function`; SageMaker: `version` (the model), `endpoint`, `variant`).
   * Optional: a target without it cannot judge metric queries.
   */
  metricDimensions?(version: string): Promise<Record<string, string>>;
  /** `signal` cancels the read (and its retries). */
  readMetrics(version: string, window: MetricsWindow, signal?: AbortSignal): Promise<VersionMetrics>;
  invoke(version: string, payload: string): Promise<InvokeResult>;
}

/** Someone else changed the alias between our read and our write. We stop; we never overwrite. */
export class RevisionConflictError extends Error {
  constructor(
    message: string,
    readonly expectedRevisionId: string,
    readonly current?: AliasState,
  ) {
    super(message);
    this.name = 'RevisionConflictError';
  }
}

/** The target does not exist or is not usable (bad function name, missing alias, no permission). */
export class TargetNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetNotFoundError';
  }
}

/** A write was accepted but reading it back showed a different state. */
export class WriteVerificationError extends Error {
  constructor(
    message: string,
    readonly observed: AliasState,
  ) {
    super(message);
    this.name = 'WriteVerificationError';
  }
}
