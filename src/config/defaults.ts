/**
 * Defaults of every optional key, in the units core code uses. The JSON Schema repeats the
 * user-facing ones as `default` annotations for editors; a test keeps the two equal.
 */
import type { CompareJudgeConfig, ReleaseConfig, ReportConfig, ThresholdJudgeConfig, TriggerConfig } from './types.js';

/** The plan used when `rollout:` names neither a preset nor a strategy. */
export const DEFAULT_PRESET = 'Linear10PercentEvery1Minute';

export const DEFAULT_TRIGGER: Readonly<TriggerConfig> = {
  types: ['feat', 'fix', 'perf', 'revert'],
  scopes: ['api'],
};

export const DEFAULT_REPORT: Readonly<ReportConfig> = {};

export const DEFAULT_DRY_RUN = false;

/** No tag unless asked for; when asked, a release with notes, tagged like model-v0.1.0, model-v0.2.0, ... */
export const DEFAULT_RELEASE: Readonly<ReleaseConfig> = {
  tag: false,
  notes: true,
  tagPattern: 'model-v{version}',
  initialVersion: '0.1.0',
};

/** Publish $LATEST unless an explicit version is given. */
export const DEFAULT_PUBLISH = true;

export const DEFAULT_ROLLOUT = {
  pollMs: 15_000,
  finalBakeMs: 60_000,
  metricDelayMs: 60_000,
  minInvocations: 10,
  onInconclusive: 'rollback',
  onExistingCanary: 'refuse',
} as const;

export const DEFAULT_JUDGE: Readonly<ThresholdJudgeConfig> = {
  type: 'threshold',
  windowMs: 5 * 60_000,
  maxErrors: 0,
};

/** Defaults of `type: compare`; docs/judge.md explains how to choose them. */
export const DEFAULT_COMPARE_JUDGE: Readonly<CompareJudgeConfig> = {
  type: 'compare',
  alpha: 0.05,
  beta: 0.1,
  minEffect: { ratio: 2, absolute: 0.005 },
  p99Tolerance: 0.2,
  finalLookShare: 0.5,
  dispersion: 'auto',
};

/**
 * Values of a strategy's keys the user left out. They match the CodeDeploy presets of the same
 * shape (Linear10PercentEvery1Minute, Canary10Percent5Minutes) so `strategy: canary` alone is
 * as predictable as its preset.
 */
export const DEFAULT_STRATEGY_KEYS = {
  linear: { stepPercent: 10, intervalMs: 60_000 },
  canary: { percent: 10, intervalMs: 5 * 60_000 },
  'all-at-once': { bakeMs: 0 },
  /**
   * An even split gives the compare judge the most evidence per minute (docs/judge.md), and an
   * hour holds the split long enough for a decision at modest traffic.
   */
  ab: { percent: 50, intervalMs: 60 * 60_000 },
} as const;
