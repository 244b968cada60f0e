/**
 * The typed configuration, after YAML parsing, schema validation, defaults and overrides.
 * The JSON Schema (schema/model-release.schema.json) is the user-facing contract; this is
 * what core code receives. Durations are already milliseconds here.
 */
import type { DataGateConfig } from './data-types.js';
import type { ModelConfig } from '../model/config.js';
import type { PretrafficConfig } from '../pretraffic/config.js';

export type * from './data-types.js';

export interface TriggerConfig {
  /** Commit types that release (case-insensitive). Default feat, fix, perf, revert. */
  types: string[];
  /** Scopes that count as the API (case-insensitive). Default api. */
  scopes: string[];
}

export interface LambdaTargetConfig {
  type: 'lambda';
  functionName: string;
  alias: string;
  region?: string;
  /** Publish $LATEST as the candidate version (default true); or deploy `version`. */
  publish: boolean;
  version?: string;
  /** New code to put on the function before publishing (UpdateFunctionCode); absent: publish what $LATEST holds. */
  code?: CodeSourceConfig;
  /** Function configuration to apply before publishing (UpdateFunctionConfiguration). */
  configuration?: FunctionConfigurationChange;
}

/** Where the new code comes from: exactly one of a zip in the workspace, an S3 object, a container image. */
export type CodeSourceConfig =
  | { kind: 'zip'; /** Relative to the workspace. */ path: string }
  | { kind: 's3'; bucket: string; key: string; /** S3ObjectVersion. */ objectVersion?: string }
  | { kind: 'image'; uri: string };

/** Configuration keys to set; absent keys are left as the function has them. */
export interface FunctionConfigurationChange {
  memoryMb?: number;
  timeoutSeconds?: number;
  /** Replaces the function's whole set of environment variables. */
  environment?: Record<string, string>;
}

/** Production variants of a SageMaker real-time endpoint (src/targets/sagemaker.ts). */
export interface SageMakerTargetConfig {
  type: 'sagemaker';
  endpointName: string;
  region?: string;
  /** The candidate model to create; absent when `version` names an existing model. */
  model?: { image: string; modelData?: string; executionRole: string; environment?: Record<string, string> };
  /** An existing SageMaker model to deploy instead of creating one. */
  version?: string;
  /** Candidate variant instance count: `match` the stable variant's (default), `auto` scales with its share, or fixed. */
  instances: 'match' | 'auto' | number;
  modelNamePrefix?: string;
}

export type TargetConfig = LambdaTargetConfig | SageMakerTargetConfig;

export type PlanConfig =
  | { strategy: 'linear'; stepPercent: number; intervalMs: number }
  | { strategy: 'canary'; percent: number; intervalMs: number }
  | { strategy: 'all-at-once'; bakeMs: number }
  | { strategy: 'steps'; steps: Array<{ percent: number; durationMs: number }> }
  /** A/B test: `percent` on the candidate for `intervalMs`, then promote or roll back (no final bake; compare judge only). */
  | { strategy: 'ab'; percent: number; intervalMs: number };

export interface ThresholdJudgeConfig {
  type: 'threshold';
  /** Errors summed per minute over the last `windowMs`. Default 5 minutes. */
  windowMs: number;
  /** Max errors of the new version in the window. Default 0 (the seed rule: any error fails). */
  maxErrors: number;
  /** Max error rate (0..1) of the new version in the window; unset = not checked. */
  maxErrorRate?: number;
  /** Max p99 duration in ms; unset = not checked. */
  p99Ms?: number;
  /** Max throttles in the window; unset = not checked. */
  maxThrottles?: number;
}

/** The canary against the stable version, as a sequential test (docs/judge.md). */
export interface CompareJudgeConfig {
  type: 'compare';
  /** Highest chance of rolling back a release no worse than stable, over all polls. Default 0.05. */
  alpha: number;
  /** Highest chance of promoting a regression of exactly min-effect (1 − power). Default 0.1. */
  beta: number;
  /** The smallest regression to catch: canary rate ≥ ratio × stable AND ≥ stable + absolute. */
  minEffect: { ratio: number; absolute: number };
  /** Canary p99 may be up to (1 + this) × stable p99. Default 0.2. */
  p99Tolerance: number;
  /**
   * Share of alpha and of beta kept for one fixed-sample test at the decisive step's last look
   * (0 = every look anytime-valid at the full alpha); the rest goes to the looks at every poll.
   */
  finalLookShare: number;
  /**
   * Overdispersion of the error counts: every log-likelihood ratio is divided by it. 'auto'
   * (default when absent) estimates it from the per-minute split of the errors (never below
   * 1); a number ≥ 1 fixes it; 1 is the independent-errors (binomial) assumption.
   */
  dispersion?: 'auto' | number;
}

export type JudgeConfig = ThresholdJudgeConfig | CompareJudgeConfig;

export interface RolloutConfig {
  plan: PlanConfig;
  /** Name of the preset the plan came from, if any (for the report). */
  preset?: string;
  /** How often metrics are polled during a bake. Default 15 s. */
  pollMs: number;
  /** Bake at 100% (still routed through the weight) before promotion. Default 1 minute. */
  finalBakeMs: number;
  /**
   * How long CloudWatch takes to publish a minute's datapoints after the minute ends. Default
   * 1 minute. The last step is judged until one metric period plus this delay after it ends,
   * so errors in its final minute are seen before promotion, not after.
   */
  metricDelayMs: number;
  /**
   * The key metricDelayMs comes from, for messages, when a rollout.metrics query's `delay` is
   * longer than metric-delay (e.g. `rollout.metrics 'score' delay`); unset: metric-delay.
   */
  metricDelayKey?: string;
  judge: JudgeConfig;
  /** Minimum invocations of the new version per step before it may pass. Default 10. */
  minInvocations: number;
  /**
   * Requests per minute expected on the alias, for the offline check of the plan (`validate`,
   * dry run): a step expected to collect fewer than `minInvocations` before its deadline is a
   * warning. Unset: the check says how much traffic each step needs instead.
   */
  expectedRpm?: number;
  /** How long a step may be extended waiting for min-invocations. Default = one step interval. */
  maxExtensionMs: number;
  /** What an inconclusive run does. Default rollback. */
  onInconclusive: 'rollback' | 'promote';
  /** An alias that already has additional weights: refuse (default) or roll it back first. */
  onExistingCanary: 'refuse' | 'rollback';
  /**
   * Post-promotion watch (src/rollout/watch.ts): how long the promoted version keeps being judged
   * after the promotion; a failure points the alias back at the previous version. Unset: off.
   */
  watchMs?: number;
  /** Shadow phase before the canary (SageMaker only, src/rollout/shadow.ts). */
  shadow?: { percent: number; durationMs: number };
  /** CloudWatch alarms watched at every poll after the first shift (src/signals/alarms.ts). */
  alarms?: AlarmsConfig;
  /** CloudWatch metric queries judged per version at every poll after the first shift (src/signals/metrics.ts). */
  metrics?: MetricQueryConfig[];
}

/** Placeholders a `rollout.metrics` dimension value may hold, per target type. */
export const METRIC_PLACEHOLDERS = {
  lambda: ['version', 'alias', 'function'],
  sagemaker: ['version', 'endpoint', 'variant'],
} as const;

/** One `rollout.metrics` entry. */
export interface MetricQueryConfig {
  /** Unique; names the query in reasons and in another query's `calls`. */
  name: string;
  namespace: string;
  metric: string;
  /** Dimension name → value template (`{version}`, `{alias}`... substituted per version). */
  dimensions: Record<string, string>;
  /** Sum, Average, Minimum, Maximum, SampleCount or pNN; `distribution` for the distribution judge, which reads its own statistics. */
  stat: string;
  /**
   * threshold: the canary's value over the window within [min, max]; compare: this metric's Sum
   * per minute as events over `calls` per minute (the target's invocations, or another query's
   * Sum), canary against stable by the compare judge's test; distribution: the canary's values
   * against stable's, binned at stable's quantiles (src/signals/score-distribution.ts). Absent:
   * only another query's calls.
   */
  judge?: { type: 'threshold'; max?: number; min?: number } | { type: 'compare'; calls: string } | { type: 'distribution'; maxPsi: number; bins: number; minSamples: number };
  /**
   * How long after a minute ends its datapoint of this metric is published (`delay`), when that is
   * later than rollout.metric-delay (EMF metrics extracted from logs often are). The rollout's
   * metricDelayMs is already the largest of these (buildGateConfig), so every deadline waits for it.
   */
  delayMs?: number;
}

/** `rollout.alarms` and `rollout.alarms-ignore-initial`. */
export interface AlarmsConfig {
  /** 1..100 unique alarm names, metric or composite. */
  names: string[];
  /** An alarm already in ALARM before the rollout: refuse to start (false, default), or count it only once it has left ALARM (true). */
  ignoreInitial: boolean;
}

/** Release records (src/release/records.ts); the GitHub Action creates them, the CLI does not. */
export interface ReleaseConfig {
  /** Create the release tag at the released commit on promotion. Default false. */
  tag: boolean;
  /** With `tag`: create it as a release whose description is the release notes (default true), or as a plain tag (false). */
  notes: boolean;
  /** Tag name with `{version}` for major.minor.patch. Default `model-v{version}`. */
  tagPattern: string;
  /** Version of the first release, when no tag matches the pattern. Default 0.1.0. */
  initialVersion: string;
}

export interface ReportConfig {
  /** Write the JSON report here. */
  jsonPath?: string;
  /** Write JUnit XML here (GitLab artifacts:reports:junit). */
  junitPath?: string;
  /** Write the outputs as a dotenv file here (GitLab artifacts:reports:dotenv). */
  dotenvPath?: string;
  /** Keep the SQL text and drift vectors in the JSON report (src/report/json.ts). Unset means false. */
  verbose?: boolean;
  /** Write the rollout chart here as SVG (src/report/chart-svg.ts), when a rollout ran. */
  chartPath?: string;
  /** Write the data drift report here as one self-contained HTML file (src/report/drift-html.ts), after the data gate. */
  htmlPath?: string;
}

/** What a notification webhook can be told (src/notify). */
export type NotifyEventName = 'start' | 'step' | 'rollback' | 'promotion' | 'finish';

/** One notification webhook. Header values and the URL may hold `${ENV_NAME}` references, resolved at run time. */
export interface WebhookConfig {
  url: string;
  format: 'json' | 'slack';
  events: NotifyEventName[];
  timeoutMs: number;
  retries: number;
  headers: Record<string, string>;
}

/** Flagger's confirm-promotion: a webhook that must answer 2xx before the promotion write. */
export interface ConfirmPromotionConfig {
  url: string;
  timeoutMs: number;
  headers: Record<string, string>;
}

/** Webhooks that hear about the rollout, and the optional promotion gate (src/notify). */
export interface NotifyConfig {
  webhooks: WebhookConfig[];
  confirmPromotion?: ConfirmPromotionConfig;
}

export interface GateConfig {
  /** The file the config came from, for messages; undefined when no file was used. */
  file?: string;
  trigger: TriggerConfig;
  target?: TargetConfig;
  rollout?: RolloutConfig;
  /** Release tag and its naming; always present (defaults applied). */
  release: ReleaseConfig;
  /** Data checks on the training set and a production sample (src/data/gate.ts). */
  data?: DataGateConfig;
  /** The model gate (src/model/config.ts). */
  model?: ModelConfig;
  /** The pre-traffic smoke and stress test (src/pretraffic/config.ts). */
  pretraffic?: PretrafficConfig;
  report: ReportConfig;
  /** Notification webhooks and confirm-promotion (src/notify). */
  notify?: NotifyConfig;
  dryRun: boolean;
}
