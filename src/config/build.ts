/**
 * From the validated file (kebab-case, durations as text) to the GateConfig core code receives
 * (camelCase, milliseconds, defaults applied), checking the rules that span several keys.
 */
import { buildDataConfig } from './data.js';
import type { LineOf } from './data.js';
import { buildModelConfig } from '../model/config.js';
import { buildPretrafficConfig } from '../pretraffic/config.js';
import { CONFIRM_PROMOTION_DEFAULTS, WEBHOOK_DEFAULTS, envReferences, webhookUrlProblem } from '../notify/endpoint.js';
import { DEFAULT_COMPARE_JUDGE, DEFAULT_DRY_RUN, DEFAULT_JUDGE, DEFAULT_RELEASE, DEFAULT_PUBLISH, DEFAULT_ROLLOUT, DEFAULT_TRIGGER } from './defaults.js';
import { parseDuration } from './duration.js';
import type { ConfigIssue } from './issues.js';
import { defaultMaxExtensionMs, resolvePlan } from './plan.js';
import type { RawConfig, RawJudge, RawMetricQuery, RawNotify, RawRollout, RawTarget } from './raw.js';
import { METRIC_PLACEHOLDERS } from './types.js';
import { OUTPUT_DRIFT_DEFAULTS } from '../signals/score-distribution.js';
import type { CompareJudgeConfig, GateConfig, JudgeConfig, LambdaTargetConfig, MetricQueryConfig, NotifyConfig, RolloutConfig, SageMakerTargetConfig, TargetConfig, ThresholdJudgeConfig } from './types.js';

export interface BuildResult {
  config: GateConfig;
  /** Cross-key problems; the config must not be used when there are any. */
  issues: ConfigIssue[];
}

function buildTarget(raw: RawTarget): TargetConfig {
  return raw.type === 'sagemaker' ? buildSageMakerTarget(raw) : buildLambdaTarget(raw);
}

function buildSageMakerTarget(raw: RawTarget): SageMakerTargetConfig {
  // The schema requires endpoint-name and exactly one of model and version here.
  const target: SageMakerTargetConfig = { type: 'sagemaker', endpointName: raw['endpoint-name'] ?? '', instances: raw.instances ?? 'match' };
  if (raw.region !== undefined) target.region = raw.region;
  if (raw.version !== undefined) target.version = String(raw.version);
  if (raw['model-name-prefix'] !== undefined) target.modelNamePrefix = raw['model-name-prefix'];
  if (raw.model !== undefined) {
    target.model = {
      image: raw.model.image,
      executionRole: raw.model['execution-role'],
      ...(raw.model['model-data'] !== undefined ? { modelData: raw.model['model-data'] } : {}),
      ...(raw.model.environment !== undefined ? { environment: { ...raw.model.environment } } : {}),
    };
  }
  return target;
}

function buildLambdaTarget(raw: RawTarget): LambdaTargetConfig {
  // The schema refuses version with publish: true, and requires function-name and alias here.
  const version = raw.version === undefined ? undefined : String(raw.version);
  const target: LambdaTargetConfig = {
    type: 'lambda',
    functionName: raw['function-name'] ?? '',
    alias: raw.alias ?? '',
    // An explicit version is the candidate; publishing $LATEST as well would deploy something else.
    publish: raw.publish ?? (version === undefined ? DEFAULT_PUBLISH : false),
  };
  if (raw.region !== undefined) target.region = raw.region;
  if (version !== undefined) target.version = version;
  // The schema admits exactly one source and refuses code or configuration with version or publish: false.
  const code = raw.code;
  if (code?.zip !== undefined) target.code = { kind: 'zip', path: code.zip };
  else if (code?.s3 !== undefined) target.code = { kind: 's3', bucket: code.s3.bucket, key: code.s3.key, ...(code.s3.version !== undefined ? { objectVersion: code.s3.version } : {}) };
  else if (code?.image !== undefined) target.code = { kind: 'image', uri: code.image };
  const settings = raw.configuration;
  if (settings !== undefined) {
    target.configuration = {
      ...(settings.memory !== undefined ? { memoryMb: settings.memory } : {}),
      ...(settings.timeout !== undefined ? { timeoutSeconds: settings.timeout } : {}),
      ...(settings.environment !== undefined ? { environment: { ...settings.environment } } : {}),
    };
  }
  return target;
}

/** A schema-valid duration key (the schema refuses 0s where time must pass), or its default. */
function ms(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : (parseDuration(text) ?? fallback);
}

/** The judge keys each type reads (the schema refuses the other type's; a test keeps the two in step). */
export const JUDGE_KEYS = {
  threshold: ['window', 'max-errors', 'max-error-rate', 'p99-ms', 'max-throttles'],
  compare: ['alpha', 'beta', 'min-effect', 'p99-tolerance', 'final-look-share', 'dispersion'],
} as const satisfies Record<JudgeConfig['type'], ReadonlyArray<keyof RawJudge>>;

function buildJudge(raw: RawJudge | undefined): JudgeConfig {
  const type = raw?.type ?? DEFAULT_JUDGE.type;
  if (type === 'compare') return buildCompareJudge(raw ?? {});
  const judge: ThresholdJudgeConfig = {
    type: 'threshold',
    windowMs: ms(raw?.window, DEFAULT_JUDGE.windowMs),
    maxErrors: raw?.['max-errors'] ?? DEFAULT_JUDGE.maxErrors,
  };
  if (raw?.['max-error-rate'] !== undefined) judge.maxErrorRate = raw['max-error-rate'];
  if (raw?.['p99-ms'] !== undefined) judge.p99Ms = raw['p99-ms'];
  if (raw?.['max-throttles'] !== undefined) judge.maxThrottles = raw['max-throttles'];
  return judge;
}

function buildCompareJudge(raw: RawJudge): CompareJudgeConfig {
  return {
    type: 'compare',
    alpha: raw.alpha ?? DEFAULT_COMPARE_JUDGE.alpha,
    beta: raw.beta ?? DEFAULT_COMPARE_JUDGE.beta,
    minEffect: {
      ratio: raw['min-effect']?.ratio ?? DEFAULT_COMPARE_JUDGE.minEffect.ratio,
      absolute: raw['min-effect']?.absolute ?? DEFAULT_COMPARE_JUDGE.minEffect.absolute,
    },
    p99Tolerance: raw['p99-tolerance'] ?? DEFAULT_COMPARE_JUDGE.p99Tolerance,
    finalLookShare: raw['final-look-share'] ?? DEFAULT_COMPARE_JUDGE.finalLookShare,
    dispersion: raw.dispersion ?? DEFAULT_COMPARE_JUDGE.dispersion ?? 'auto',
  };
}

function buildRollout(raw: RawRollout, issues: ConfigIssue[]): RolloutConfig {
  const { plan, preset, issues: planIssues } = resolvePlan(raw);
  issues.push(...planIssues);
  const maxExtension = raw['max-extension'] === undefined ? undefined : parseDuration(raw['max-extension']);
  const rollout: RolloutConfig = {
    plan,
    pollMs: ms(raw.poll, DEFAULT_ROLLOUT.pollMs),
    finalBakeMs: ms(raw['final-bake'], DEFAULT_ROLLOUT.finalBakeMs),
    metricDelayMs: ms(raw['metric-delay'], DEFAULT_ROLLOUT.metricDelayMs),
    judge: buildJudge(raw.judge),
    minInvocations: raw['min-invocations'] ?? DEFAULT_ROLLOUT.minInvocations,
    maxExtensionMs: maxExtension ?? defaultMaxExtensionMs(plan),
    onInconclusive: raw['on-inconclusive'] ?? DEFAULT_ROLLOUT.onInconclusive,
    onExistingCanary: raw['on-existing-canary'] ?? DEFAULT_ROLLOUT.onExistingCanary,
  };
  if (preset !== undefined) rollout.preset = preset;
  if (raw['expected-rpm'] !== undefined) rollout.expectedRpm = raw['expected-rpm'];
  if (raw.shadow !== undefined) {
    const durationMs = ms(raw.shadow.duration, 10 * 60_000);
    if (durationMs % 60_000 !== 0) {
      issues.push({ path: ['rollout', 'shadow', 'duration'], message: `must be whole minutes (like 10m): CloudWatch publishes one datapoint a minute, and the phase is judged on whole minutes` });
    }
    rollout.shadow = { percent: raw.shadow.percent ?? 100, durationMs };
  }
  if (raw.watch !== undefined) {
    const watchMs = parseDuration(raw.watch);
    if (watchMs !== undefined && (watchMs < 60_000 || watchMs % 60_000 !== 0)) {
      issues.push({ path: ['rollout', 'watch'], message: 'must be whole minutes, at least 1m (like 30m): CloudWatch publishes one datapoint a minute, and the watch is judged on whole minutes' });
    } else if (watchMs !== undefined) {
      rollout.watchMs = watchMs;
    }
  }
  if (raw.alarms !== undefined) {
    rollout.alarms = { names: [...raw.alarms], ignoreInitial: raw['alarms-ignore-initial'] ?? false };
  } else if (raw['alarms-ignore-initial'] !== undefined) {
    issues.push({ path: ['rollout', 'alarms-ignore-initial'], message: 'applies only with rollout.alarms (the alarms to watch); add rollout.alarms, or remove this key' });
  }
  return rollout;
}

/** A URL written without `${ENV}` references is checked now; one with them, once resolved (src/notify). */
function checkUrl(url: string, path: string[], issues: ConfigIssue[]): void {
  if (envReferences(url).length > 0) return;
  const problem = webhookUrlProblem(url);
  if (problem !== undefined) issues.push({ path, message: problem });
}

function buildNotify(raw: RawNotify, issues: ConfigIssue[]): NotifyConfig {
  const webhooks = (raw.webhooks ?? []).map((hook, i) => {
    checkUrl(hook.url, ['notify', 'webhooks', String(i), 'url'], issues);
    return {
      url: hook.url,
      format: hook.format ?? WEBHOOK_DEFAULTS.format,
      events: [...(hook.events ?? WEBHOOK_DEFAULTS.events)],
      timeoutMs: ms(hook.timeout, WEBHOOK_DEFAULTS.timeoutMs),
      retries: hook.retries ?? WEBHOOK_DEFAULTS.retries,
      headers: { ...hook.headers },
    };
  });
  const notify: NotifyConfig = { webhooks };
  const confirm = raw['confirm-promotion'];
  if (confirm !== undefined) {
    checkUrl(confirm.url, ['notify', 'confirm-promotion', 'url'], issues);
    notify.confirmPromotion = { url: confirm.url, timeoutMs: ms(confirm.timeout, CONFIRM_PROMOTION_DEFAULTS.timeoutMs), headers: { ...confirm.headers } };
  }
  return notify;
}

/** Statistics whose per-minute values can be summed into calls or events. */
const COUNT_STATS = new Set(['Sum', 'SampleCount']);

/**
 * `rollout.metrics`, checking what the schema cannot: unique names, placeholders the target
 * substitutes, a compare query that counts (Sum) over calls that exist and count too.
 */
function buildMetricQueries(raw: RawMetricQuery[], targetType: TargetConfig['type'], issues: ConfigIssue[]): MetricQueryConfig[] {
  const allowed: readonly string[] = METRIC_PLACEHOLDERS[targetType];
  const byName = new Map(raw.map((q) => [q.name, q]));
  const seen = new Set<string>();
  const referenced = new Set(raw.map((q) => q.judge?.compare?.calls).filter((c): c is string => c !== undefined));
  return raw.map((query, i) => {
    const at = (...path: string[]) => ['rollout', 'metrics', String(i), ...path];
    if (seen.has(query.name)) issues.push({ path: at('name'), message: `names query '${query.name}' a second time: each rollout.metrics name must be unique (reasons and compare.calls refer to it)` });
    seen.add(query.name);
    const dimensions = { ...(query.dimensions ?? {}) };
    for (const [dimension, value] of Object.entries(dimensions)) {
      for (const match of value.matchAll(/\{([^{}]*)\}/g)) {
        const placeholder = match[1] ?? '';
        if (!allowed.includes(placeholder)) {
          issues.push({
            path: at('dimensions', dimension),
            message: `has an unknown placeholder {${placeholder}}: a ${targetType === 'sagemaker' ? 'SageMaker' : 'Lambda'} target substitutes ${allowed.map((p) => `{${p}}`).join(', ')}`,
          });
        }
      }
    }
    const built: MetricQueryConfig = { name: query.name, namespace: query.namespace, metric: query.metric, dimensions, stat: query.stat ?? 'distribution' };
    const delayMs = query.delay === undefined ? undefined : parseDuration(query.delay);
    if (delayMs !== undefined) built.delayMs = delayMs;
    const judge = query.judge;
    if (judge?.distribution !== undefined) {
      const d = judge.distribution;
      built.judge = {
        type: 'distribution',
        maxPsi: d['max-psi'] ?? OUTPUT_DRIFT_DEFAULTS.maxPsi,
        bins: d.bins ?? OUTPUT_DRIFT_DEFAULTS.bins,
        minSamples: d['min-samples'] ?? OUTPUT_DRIFT_DEFAULTS.minSamples,
      };
      if (built.judge.minSamples < 5 * built.judge.bins) {
        issues.push({ path: at('judge', 'distribution', 'min-samples'), message: `is ${built.judge.minSamples}, fewer than 5 per bin (${built.judge.bins} bins need at least ${5 * built.judge.bins}): a pass on fewer would rest on a table the chi-square test cannot read` });
      }
    } else if (judge?.compare !== undefined) {
      const calls = judge.compare.calls;
      built.judge = { type: 'compare', calls };
      if (query.stat !== 'Sum') {
        issues.push({ path: at('stat'), message: `is ${query.stat}, but judge.compare compares rates: events counted per minute, so the stat must be Sum (a mean or a percentile cannot be compared as a rate)` });
      }
      const callsQuery = byName.get(calls);
      if (calls === query.name) {
        issues.push({ path: at('judge', 'compare', 'calls'), message: `names the query itself: the calls must be invocations or another query's name` });
      } else if (calls !== 'invocations' && callsQuery === undefined) {
        issues.push({ path: at('judge', 'compare', 'calls'), message: `is '${calls}', which is neither invocations nor the name of another rollout.metrics query (${[...byName.keys()].filter((n) => n !== query.name).join(', ') || 'there is none'})` });
      } else if (callsQuery !== undefined && !COUNT_STATS.has(callsQuery.stat ?? 'distribution')) {
        issues.push({ path: at('judge', 'compare', 'calls'), message: `names query '${calls}', whose stat is ${callsQuery.stat ?? 'a distribution'}: calls are counted per minute, so its stat must be Sum or SampleCount` });
      }
    } else if (judge !== undefined) {
      built.judge = { type: 'threshold', ...(judge.max !== undefined ? { max: judge.max } : {}), ...(judge.min !== undefined ? { min: judge.min } : {}) };
      if (judge.max !== undefined && judge.min !== undefined && judge.min > judge.max) {
        issues.push({ path: at('judge'), message: `has min ${judge.min} above max ${judge.max}: no value could pass` });
      }
    } else if (!referenced.has(query.name)) {
      issues.push({ path: at(), message: `'${query.name}' has no judge and no other query uses it as compare.calls, so it would judge nothing: add judge: { max: N }, { min: N }, { compare: { calls: invocations } } or { distribution: {} }` });
    }
    return built;
  });
}

/**
 * Map a schema-valid config to GateConfig, applying defaults. `file` is recorded for messages.
 * Returns the issues the schema cannot express (steps that do not increase, min above max...).
 * `lineOf` places data checks in the file, so data errors found later can name their line.
 */
export function buildGateConfig(raw: RawConfig, file: string | undefined, lineOf: LineOf = () => undefined): BuildResult {
  const issues: ConfigIssue[] = [];
  const config: GateConfig = {
    trigger: {
      types: raw.trigger?.types ?? [...DEFAULT_TRIGGER.types],
      scopes: raw.trigger?.scopes ?? [...DEFAULT_TRIGGER.scopes],
    },
    release: {
      tag: raw.release?.tag ?? DEFAULT_RELEASE.tag,
      notes: raw.release?.notes ?? DEFAULT_RELEASE.notes,
      tagPattern: raw.release?.['tag-pattern'] ?? DEFAULT_RELEASE.tagPattern,
      initialVersion: raw.release?.['initial-version'] ?? DEFAULT_RELEASE.initialVersion,
    },
    report: {},
    dryRun: raw['dry-run'] ?? DEFAULT_DRY_RUN,
  };
  if (file !== undefined) config.file = file;
  if (raw.target !== undefined) config.target = buildTarget(raw.target);
  if (raw.rollout !== undefined) config.rollout = buildRollout(raw.rollout, issues);
  if (config.rollout !== undefined && raw.rollout?.metrics !== undefined) {
    config.rollout.metrics = buildMetricQueries(raw.rollout.metrics, config.target?.type ?? 'lambda', issues);
    // A minute is judged once every signal has published it: the step deadlines, the extension
    // and the plan's feasibility all count from the latest publication (src/rollout/timing.ts).
    for (const query of config.rollout.metrics) {
      if (query.delayMs !== undefined && query.delayMs > config.rollout.metricDelayMs) {
        config.rollout.metricDelayMs = query.delayMs;
        config.rollout.metricDelayKey = `rollout.metrics '${query.name}' delay`;
      }
    }
  }
  if (config.rollout?.shadow !== undefined && config.target?.type !== 'sagemaker') {
    issues.push({
      path: ['rollout', 'shadow'],
      message: `needs target.type: sagemaker: only a SageMaker endpoint can mirror production's requests to a shadow variant (${config.target === undefined ? 'there is no target' : 'a Lambda alias routes each request to one version'}); remove rollout.shadow, or use pretraffic tests before the canary`,
    });
  }
  if (raw.report?.json !== undefined) config.report.jsonPath = raw.report.json;
  if (raw.report?.junit !== undefined) config.report.junitPath = raw.report.junit;
  if (raw.report?.dotenv !== undefined) config.report.dotenvPath = raw.report.dotenv;
  if (raw.report?.verbose !== undefined) config.report.verbose = raw.report.verbose;
  if (raw.report?.chart !== undefined) config.report.chartPath = raw.report.chart;
  if (raw.report?.html !== undefined) config.report.htmlPath = raw.report.html;
  if (raw.data !== undefined) config.data = buildDataConfig(raw.data, lineOf, issues);
  // Model and pretraffic checks keep their config line, so errors found while reading data name it.
  const locate = (path: string[]) => (file === undefined ? undefined : { file, ...withDefinedLine(lineOf(path)) });
  if (raw.model !== undefined) config.model = buildModelConfig(raw.model, { ...(file !== undefined ? { file } : {}), locate }, issues);
  if (raw.pretraffic !== undefined) config.pretraffic = buildPretrafficConfig(raw.pretraffic, { ...(file !== undefined ? { file } : {}), locate }, issues);
  if (raw.notify !== undefined) config.notify = buildNotify(raw.notify, issues);
  return { config, issues };
}

function withDefinedLine(line: number | undefined): { line?: number } {
  return line === undefined ? {} : { line };
}
