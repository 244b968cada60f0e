/**
 * The `model:` section: typed configuration of the model gate, and the build step from the
 * schema-valid YAML (kebab-case) to it, with the rules the schema cannot say (which keys each
 * check type reads, min ≤ max...). Every check keeps its place in the file, so an error found
 * later, while reading the data, still names the check and its line.
 */
import type { ConfigIssue } from '../config/issues.js';
import { didYouMean } from '../config/suggest.js';
import type { SourceLocation } from '../report/result.js';
import { KNOWN_METRICS, isKnownMetric } from './stats/metrics.js';
import { MLFLOW_DEFAULTS } from '../registry/mlflow.js';
import { REGISTRY_ARTIFACT_PREFIX } from '../registry/registry.js';
import type { RegistryConfig } from '../registry/create.js';
import type { Direction } from './stats/metrics.js';

export const MODEL_DEFAULTS = {
  alpha: 0.05,
  power: 0.8,
  threshold: 0.5,
  resamples: 2000,
  seed: 1,
  segmentMinSize: 30,
  lastEpochs: 5,
  psiBins: 10,
} as const;

interface CheckBase {
  /** `model.checks.<index>`: the dotted config path. */
  path: string;
  /** Stable id in the report: `model.<name>` or `model.<type>-<index>`. */
  id: string;
  /** Short description for messages, e.g. `segment precision where tier = VIP`. */
  title: string;
  severity: 'error' | 'warn';
  location?: SourceLocation;
}

export interface MetricCheck extends CheckBase {
  type: 'metric';
  metric: string;
  min?: number;
  max?: number;
}

export interface BaselineCheck extends CheckBase {
  type: 'baseline';
  metric: string;
  /** Allowed shortfall of the candidate against production. */
  margin: number;
  /** The margin is a fraction of production's value rather than absolute. */
  relative: boolean;
  direction?: Direction;
}

export interface NonInferiorityCheck extends CheckBase {
  type: 'non-inferiority';
  metric: string;
  /** Absolute margin on the metric's scale. */
  margin: number;
  method?: 'mcnemar' | 'bootstrap' | 'delong';
  alpha: number;
  power: number;
  resamples: number;
  seed: number;
  onInconclusive: 'fail' | 'warn';
  direction?: Direction;
}

export interface SegmentCheck extends CheckBase {
  type: 'segment';
  metric: string;
  /** Column → accepted values (rows matching every column). */
  where: Record<string, string[]>;
  min?: number;
  max?: number;
  /** Compare with production on the segment's rows too: the candidate at most this much worse (Holm across segments). */
  margin?: number;
  /** The floor's interval; the comparison with production uses the non-inferiority method of the metric. */
  method?: 'wilson' | 'bootstrap';
  alpha: number;
  power: number;
  /** Fewest units in what the metric divides by (predicted positives for precision...). */
  minSize: number;
  resamples: number;
  seed: number;
  onInconclusive: 'fail' | 'warn';
  direction?: Direction;
}

export interface StabilityCheck extends CheckBase {
  type: 'stability';
  metric: string;
  maxStd: number;
}

export interface OverfittingCheck extends CheckBase {
  type: 'overfitting';
  lastEpochs: number;
  alpha: number;
  maxGap?: number;
}

export interface AgreementCheck extends CheckBase {
  type: 'agreement';
  minPearson?: number;
  minSpearman?: number;
  minKappa?: number;
  maxPsi?: number;
  bins: number;
}

export type ModelCheck = MetricCheck | BaselineCheck | NonInferiorityCheck | SegmentCheck | StabilityCheck | OverfittingCheck | AgreementCheck;

export interface PredictionsConfig {
  /** The candidate's predictions (label, score, segment columns), or both models' on the same rows. */
  path: string;
  label: string;
  candidate: string;
  /** Production's column: in `path`, or in `productionPath` when that is set. */
  production?: string;
  /** Production's predictions in a file of their own, paired with `path` by `id`. */
  productionPath?: string;
  /** The column that pairs the rows of `path` and `productionPath` (one row per id on each side). */
  id?: string;
  /** score ≥ threshold predicts 1 for label metrics. */
  threshold: number;
}

export interface ModelConfig {
  /** The config file, for messages. */
  file?: string;
  /** The candidate from a model registry (src/registry/mlflow.ts): metrics, baseline, artifacts, and where outcomes are recorded. */
  registry?: RegistryConfig;
  metricsPath?: string;
  baselinePath?: string;
  predictions?: PredictionsConfig;
  checks: ModelCheck[];
}

/** As written in the YAML (schema-valid). */
export interface RawModelCheck {
  type: ModelCheck['type'];
  name?: string;
  severity?: 'error' | 'warn';
  metric?: string;
  min?: number;
  max?: number;
  margin?: number;
  relative?: boolean;
  direction?: Direction;
  method?: 'mcnemar' | 'bootstrap' | 'delong' | 'wilson';
  alpha?: number;
  power?: number;
  resamples?: number;
  seed?: number;
  'on-inconclusive'?: 'fail' | 'warn';
  where?: Record<string, string | number | boolean | Array<string | number | boolean>>;
  'min-size'?: number;
  'max-std'?: number;
  'last-epochs'?: number;
  'max-gap'?: number;
  'min-pearson'?: number;
  'min-spearman'?: number;
  'min-kappa'?: number;
  'max-psi'?: number;
  bins?: number;
}

export interface RawModel {
  registry?: { type: 'mlflow' | 'sagemaker'; uri?: string; name?: string; version?: string | number; alias?: string; 'production-alias'?: string; 'model-package-group'?: string; region?: string };
  metrics?: string;
  baseline?: string;
  predictions?: { path: string; label: string; candidate: string; production?: string; 'production-path'?: string; id?: string; threshold?: number };
  alpha?: number;
  power?: number;
  seed?: number;
  resamples?: number;
  checks?: RawModelCheck[];
}

/** Keys each check type reads besides type, name and severity; any other key is an error. */
const CHECK_KEYS: Record<ModelCheck['type'], ReadonlyArray<keyof RawModelCheck>> = {
  metric: ['metric', 'min', 'max'],
  baseline: ['metric', 'margin', 'relative', 'direction'],
  'non-inferiority': ['metric', 'margin', 'method', 'alpha', 'power', 'resamples', 'seed', 'on-inconclusive', 'direction'],
  segment: ['metric', 'where', 'min', 'max', 'margin', 'method', 'alpha', 'power', 'min-size', 'resamples', 'seed', 'on-inconclusive', 'direction'],
  stability: ['metric', 'max-std'],
  overfitting: ['last-epochs', 'alpha', 'max-gap'],
  agreement: ['min-pearson', 'min-spearman', 'min-kappa', 'max-psi', 'bins'],
};
const COMMON_KEYS = new Set(['type', 'name', 'severity']);

/** Keys a check type cannot do without. */
const REQUIRED_KEYS: Record<ModelCheck['type'], ReadonlyArray<keyof RawModelCheck>> = {
  metric: ['metric'],
  baseline: ['metric'],
  'non-inferiority': ['metric', 'margin'],
  segment: ['metric', 'where'],
  stability: ['metric', 'max-std'],
  overfitting: [],
  agreement: [],
};

export interface BuildContext {
  file?: string;
  locate: (path: string[]) => SourceLocation | undefined;
}

export function buildModelConfig(raw: RawModel, context: BuildContext, issues: ConfigIssue[]): ModelConfig {
  const alpha = raw.alpha ?? MODEL_DEFAULTS.alpha;
  const power = raw.power ?? MODEL_DEFAULTS.power;
  const seed = raw.seed ?? MODEL_DEFAULTS.seed;
  const resamples = raw.resamples ?? MODEL_DEFAULTS.resamples;
  const config: ModelConfig = { checks: [] };
  if (context.file !== undefined) config.file = context.file;
  if (raw.registry?.type === 'sagemaker') {
    const r = raw.registry;
    // The schema requires model-package-group for type sagemaker.
    config.registry = { type: 'sagemaker', group: r['model-package-group'] as string };
    if (r.version !== undefined) config.registry.version = Number(r.version);
    if (r.region !== undefined) config.registry.region = r.region;
    if (raw.predictions?.path.startsWith(REGISTRY_ARTIFACT_PREFIX)) {
      issues.push({ path: ['model', 'predictions', 'path'], message: `reads an artifact of an MLflow run (${REGISTRY_ARTIFACT_PREFIX}…); a SageMaker model package has none: name the predictions file` });
    }
  } else if (raw.registry !== undefined) {
    const r = raw.registry;
    // The schema requires name for type mlflow.
    config.registry = { type: 'mlflow', name: r.name as string, productionAlias: r['production-alias'] ?? MLFLOW_DEFAULTS.productionAlias };
    if (r.uri !== undefined) config.registry.uri = r.uri;
    if (r.version !== undefined) config.registry.version = String(r.version);
    if (r.alias !== undefined) config.registry.alias = r.alias;
    if (r.alias !== undefined && r.alias === config.registry.productionAlias) {
      issues.push({ path: ['model', 'registry', 'alias'], message: `is the production alias '${r.alias}' itself: the candidate is the version production does not serve yet (e.g. alias: challenger), or set production-alias` });
    }
  }
  if (raw.predictions?.path.startsWith(REGISTRY_ARTIFACT_PREFIX) && raw.registry === undefined) {
    issues.push({ path: ['model', 'predictions', 'path'], message: `reads an artifact of the registry's candidate (${REGISTRY_ARTIFACT_PREFIX}…), which needs model.registry` });
  }
  if (raw.metrics !== undefined) config.metricsPath = raw.metrics;
  if (raw.baseline !== undefined) config.baselinePath = raw.baseline;
  if (raw.predictions !== undefined) {
    const p = raw.predictions;
    config.predictions = { path: p.path, label: p.label, candidate: p.candidate, threshold: p.threshold ?? MODEL_DEFAULTS.threshold };
    if (p.production !== undefined) config.predictions.production = p.production;
    if (p['production-path'] !== undefined) config.predictions.productionPath = p['production-path'];
    if (p.id !== undefined) config.predictions.id = p.id;
    const at = ['model', 'predictions'];
    // Two files are paired by id, never by position: the two scoring jobs need not keep one order.
    if (p['production-path'] !== undefined && p.id === undefined) {
      issues.push({ path: [...at, 'production-path'], message: "pairs production's rows with the candidate's by id: set model.predictions.id (the column both files share)" });
    }
    if (p['production-path'] !== undefined && p.production === undefined) {
      issues.push({ path: [...at, 'production-path'], message: "needs model.predictions.production: production's score column in that file" });
    }
    if (p.id !== undefined && p['production-path'] === undefined) {
      issues.push({ path: [...at, 'id'], message: "pairs two files: set model.predictions.production-path (production's predictions), or remove id to pair the columns of one file by row" });
    }
  }
  const usedIds = new Set<string>();
  (raw.checks ?? []).forEach((check, index) => {
    const path = ['model', 'checks', String(index)];
    for (const key of Object.keys(check)) {
      if (!COMMON_KEYS.has(key) && !CHECK_KEYS[check.type].includes(key as keyof RawModelCheck)) {
        issues.push({ path: [...path, key], message: `does not apply to a '${check.type}' check (its keys: ${CHECK_KEYS[check.type].join(', ')})`, at: 'key' });
      }
    }
    for (const key of REQUIRED_KEYS[check.type]) {
      if (check[key] === undefined) issues.push({ path, message: `a '${check.type}' check needs '${key}'` });
    }
    if (check.min !== undefined && check.max !== undefined && check.min > check.max) {
      issues.push({ path: [...path, 'min'], message: `is greater than max (${check.max})` });
    }
    if (check.type === 'metric' && check.min === undefined && check.max === undefined) {
      issues.push({ path, message: "a 'metric' check needs min or max" });
    }
    if (check.type === 'segment' && check.min === undefined && check.max === undefined && check.margin === undefined) {
      issues.push({ path, message: "a 'segment' check needs min or max (a floor), margin (a comparison with production), or both" });
    }
    if (check.type === 'segment' && check.margin === undefined) {
      for (const key of ['on-inconclusive', 'power', 'direction'] as const) {
        if (check[key] !== undefined) issues.push({ path: [...path, key], message: "applies to a segment's comparison with production: set margin too", at: 'key' });
      }
    }
    if (check.type === 'agreement' && ['min-pearson', 'min-spearman', 'min-kappa', 'max-psi'].every((k) => check[k as keyof RawModelCheck] === undefined)) {
      issues.push({ path, message: "an 'agreement' check needs at least one of min-pearson, min-spearman, min-kappa, max-psi" });
    }
    if (check.type === 'non-inferiority' && check.method === 'wilson') {
      issues.push({ path: [...path, 'method'], message: 'must be mcnemar, bootstrap or delong for a non-inferiority check' });
    }
    if ((check.type === 'non-inferiority' || check.type === 'segment') && check.metric !== undefined && !isKnownMetric(check.metric)) {
      issues.push({ path: [...path, 'metric'], message: `a '${check.type}' check computes the metric from predictions: use one of ${KNOWN_METRICS.join(', ')}${didYouMean(check.metric, KNOWN_METRICS)}` });
    }
    if (check.type === 'non-inferiority' && check.method === 'mcnemar' && check.metric !== 'accuracy') {
      issues.push({ path: [...path, 'method'], message: `mcnemar compares paired accuracy; for ${check.metric ?? 'this metric'} use bootstrap${check.metric === 'auc' ? ' or delong' : ''}` });
    }
    if (check.type === 'non-inferiority' && check.method === 'delong' && check.metric !== 'auc') {
      issues.push({ path: [...path, 'method'], message: `delong compares AUCs; for ${check.metric ?? 'this metric'} use bootstrap${check.metric === 'accuracy' ? ' or mcnemar' : ''}` });
    }
    if (check.type === 'segment' && check.method === 'wilson' && check.metric !== undefined && !['accuracy', 'precision', 'recall'].includes(check.metric)) {
      issues.push({ path: [...path, 'method'], message: `wilson bounds a proportion (accuracy, precision, recall); for ${check.metric} use bootstrap` });
    }
    if (check.type === 'segment' && check.method !== undefined && check.method !== 'wilson' && check.method !== 'bootstrap') {
      issues.push({ path: [...path, 'method'], message: 'must be wilson or bootstrap for a segment check' });
    }
    const needs = check.type === 'overfitting' || check.type === 'stability' ? 'metrics' : undefined;
    if (needs && raw.metrics === undefined && raw.registry === undefined) issues.push({ path, message: `a '${check.type}' check reads the metrics file: set model.metrics, or model.registry (the candidate's run)` });
    if ((check.type === 'non-inferiority' || check.type === 'segment' || check.type === 'agreement') && raw.predictions === undefined) {
      issues.push({ path, message: `a '${check.type}' check reads predictions: set model.predictions` });
    }
    if ((check.type === 'non-inferiority' || check.type === 'agreement') && raw.predictions !== undefined && raw.predictions.production === undefined) {
      issues.push({ path, message: `a '${check.type}' check compares with production: set model.predictions.production (the production model's column)` });
    }
    if (check.type === 'segment' && check.margin !== undefined && raw.predictions !== undefined && raw.predictions.production === undefined) {
      issues.push({ path: [...path, 'margin'], message: "compares the segment with production: set model.predictions.production (the production model's column)" });
    }
    const title = titleOf(check);
    let id = `model.${check.name ?? `${check.type}-${index + 1}`}`;
    if (usedIds.has(id)) {
      issues.push({ path: [...path, 'name'], message: `'${check.name ?? ''}' names another check too; names must be unique` });
      id = `${id}-${index + 1}`;
    }
    usedIds.add(id);
    const base = { path: path.join('.'), id, title, severity: check.severity ?? 'error' } as const;
    const location = context.locate(path);
    const withLocation = location ? { ...base, location } : base;
    const built = buildCheck(check, withLocation, { alpha, power, seed, resamples });
    if (built) config.checks.push(built);
  });
  return config;
}

function titleOf(check: RawModelCheck): string {
  switch (check.type) {
    case 'segment':
      return `segment ${check.metric ?? '?'} where ${Object.entries(check.where ?? {})
        .map(([k, v]) => `${k} = ${Array.isArray(v) ? v.join('|') : String(v)}`)
        .join(' and ')}`;
    case 'overfitting':
    case 'agreement':
      return check.type;
    default:
      return `${check.type} ${check.metric ?? '?'}`;
  }
}

type Base = Pick<CheckBase, 'path' | 'id' | 'title' | 'severity' | 'location'>;

function buildCheck(raw: RawModelCheck, base: Base, defaults: { alpha: number; power: number; seed: number; resamples: number }): ModelCheck | undefined {
  const optional = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
  switch (raw.type) {
    case 'metric':
      return optional({ ...base, type: 'metric' as const, metric: raw.metric ?? '', min: raw.min, max: raw.max });
    case 'baseline':
      return optional({ ...base, type: 'baseline' as const, metric: raw.metric ?? '', margin: raw.margin ?? 0, relative: raw.relative ?? false, direction: raw.direction });
    case 'non-inferiority':
      return optional({
        ...base,
        type: 'non-inferiority' as const,
        metric: raw.metric ?? '',
        margin: raw.margin ?? 0,
        method: raw.method === 'wilson' ? undefined : raw.method,
        alpha: raw.alpha ?? defaults.alpha,
        power: raw.power ?? defaults.power,
        resamples: raw.resamples ?? defaults.resamples,
        seed: raw.seed ?? defaults.seed,
        onInconclusive: raw['on-inconclusive'] ?? 'fail',
        direction: raw.direction,
      });
    case 'segment':
      return optional({
        ...base,
        type: 'segment' as const,
        metric: raw.metric ?? '',
        where: Object.fromEntries(Object.entries(raw.where ?? {}).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map(String)])),
        min: raw.min,
        max: raw.max,
        margin: raw.margin,
        method: raw.method === 'wilson' || raw.method === 'bootstrap' ? raw.method : undefined,
        alpha: raw.alpha ?? defaults.alpha,
        power: raw.power ?? defaults.power,
        minSize: raw['min-size'] ?? MODEL_DEFAULTS.segmentMinSize,
        resamples: raw.resamples ?? defaults.resamples,
        seed: raw.seed ?? defaults.seed,
        onInconclusive: raw['on-inconclusive'] ?? 'fail',
        direction: raw.direction,
      });
    case 'stability':
      return { ...base, type: 'stability', metric: raw.metric ?? '', maxStd: raw['max-std'] ?? 0 };
    case 'overfitting':
      return optional({ ...base, type: 'overfitting' as const, lastEpochs: raw['last-epochs'] ?? MODEL_DEFAULTS.lastEpochs, alpha: raw.alpha ?? defaults.alpha, maxGap: raw['max-gap'] });
    case 'agreement':
      return optional({
        ...base,
        type: 'agreement' as const,
        minPearson: raw['min-pearson'],
        minSpearman: raw['min-spearman'],
        minKappa: raw['min-kappa'],
        maxPsi: raw['max-psi'],
        bins: raw.bins ?? MODEL_DEFAULTS.psiBins,
      });
  }
}
