/**
 * The model gate: read the inputs the configured checks need (metrics files once, the
 * predictions once, only the columns used: one file, or the candidate's and production's files
 * paired by id), run every check, settle the segment comparisons together (Holm), and return
 * one CheckResult per check. Input problems become input errors (`error` results with
 * `cause: 'input'`) that name the check and its config line; nothing here throws for bad input.
 */
import { isAbsolute, resolve } from 'node:path';
import { isS3Url } from '../data/engine/duckdb-s3.js';
import { inputError } from '../report/input-error.js';
import type { CheckResult, SourceLocation } from '../report/result.js';
import { CheckInputError, evaluateCheck, settleSegmentFamily } from './checks.js';
import type { CheckInputs, Verdict } from './checks.js';
import type { ModelCheck, ModelConfig } from './config.js';
import { MetricsFileError, readMetricsFile } from './io/metrics-file.js';
import type { MetricsFile } from './io/metrics-file.js';
import { loadPredictions, PredictionsError } from './io/predictions.js';
import type { Predictions } from './io/predictions.js';
import { isKnownMetric } from './stats/metrics.js';
import { REGISTRY_ARTIFACT_PREFIX, RegistryError, type RegistryCandidate } from '../registry/registry.js';

export interface ModelGateDeps {
  /** Relative paths in the config are resolved against this directory (the workspace). */
  cwd: string;
  log?: (line: string) => void;
  /** The candidate read from the model registry (model.registry): its run's metrics, production's, its artifacts. */
  registry?: RegistryCandidate;
}

/** `model-release.yml:14 model.checks.2 (segment precision where tier = VIP)`: how a message names a check. */
export function describeCheck(check: Pick<ModelCheck, 'path' | 'title' | 'location'>): string {
  const where = check.location ? `${check.location.file}${check.location.line !== undefined ? `:${check.location.line}` : ''} ` : '';
  return `${where}${check.path} (${check.title})`;
}

type Loaded<T> = { ok: true; value: T | undefined } | { ok: false; message: string };

export async function runModelGate(config: ModelConfig, deps: ModelGateDeps): Promise<CheckResult[]> {
  // s3:// predictions are read from S3 as they are (src/data/engine/duckdb-s3.ts).
  const path = (p: string) => (isAbsolute(p) || isS3Url(p) ? p : resolve(deps.cwd, p));
  const registry = deps.registry;
  // A file named in the config wins over the registry: it is what the user pointed at.
  const metrics = config.metricsPath === undefined && registry ? ({ ok: true, value: registry.metrics } as const) : loadMetrics(config.metricsPath, path);
  const baseline =
    config.baselinePath === undefined && registry
      ? registry.baseline.ok
        ? ({ ok: true, value: registry.baseline.file } as const)
        : ({ ok: false, message: registry.baseline.message } as const)
      : loadMetrics(config.baselinePath, path);
  let predictions: Loaded<Predictions> = { ok: true, value: undefined };
  if (config.predictions) {
    const segments = [...new Set(config.checks.flatMap((c) => (c.type === 'segment' ? Object.keys(c.where) : [])))];
    try {
      const started = performance.now();
      const p = config.predictions;
      const columns = {
        label: p.label,
        candidate: p.candidate,
        segments,
        ...(p.production ? { production: p.production } : {}),
        ...(p.productionPath !== undefined && p.id !== undefined ? { pairing: { productionPath: path(p.productionPath), id: p.id } } : {}),
      };
      const file = p.path.startsWith(REGISTRY_ARTIFACT_PREFIX) ? await registryArtifact(registry, p.path.slice(REGISTRY_ARTIFACT_PREFIX.length)) : path(p.path);
      predictions = { ok: true, value: await loadPredictions(file, columns) };
      const from = p.productionPath !== undefined ? `${p.path} and ${p.productionPath} (paired by ${p.id ?? 'id'})` : p.path;
      deps.log?.(`Read ${predictions.value?.rows ?? 0} predictions from ${from} in ${((performance.now() - started) / 1000).toFixed(2)} s.`);
    } catch (error) {
      if (!(error instanceof PredictionsError) && !(error instanceof RegistryError)) throw error;
      predictions = { ok: false, message: error.message };
    }
  }
  const inputs: CheckInputs = {
    ...(metrics.ok && metrics.value ? { metrics: metrics.value } : {}),
    ...(baseline.ok && baseline.value ? { baseline: baseline.value } : {}),
    ...(predictions.ok && predictions.value ? { predictions: predictions.value, predictionsPath: predictionsName(config) } : {}),
    columns: { label: config.predictions?.label ?? 'label', candidate: config.predictions?.candidate ?? 'candidate', ...(config.predictions?.production ? { production: config.predictions.production } : {}) },
    threshold: config.predictions?.threshold ?? 0.5,
  };

  if (config.checks.length === 0) {
    return [{ id: 'model.checks', gate: 'model', status: 'skip', message: "model gate has no checks (add them under 'model.checks')." }];
  }
  // One check at a time: the bootstraps let the event loop run between resamples, and the
  // segment comparisons are settled together (Holm) once all have run.
  const evaluated: Array<Verdict | CheckResult> = [];
  for (const check of config.checks) {
    // An unreadable input is the error of every check that reads it, named at that check.
    const broken = [
      usesMetrics(check, config) && !metrics.ok ? metrics.message : undefined,
      usesBaseline(check, config) && !baseline.ok ? baseline.message : undefined,
      usesPredictions(check, config) && !predictions.ok ? predictions.message : undefined,
    ].find((m) => m !== undefined);
    if (broken) {
      evaluated.push(errorResult(check, broken));
      continue;
    }
    try {
      evaluated.push(await evaluateCheck(check, inputs));
    } catch (error) {
      if (error instanceof CheckInputError) evaluated.push(errorResult(check, error.message));
      else throw error;
    }
  }
  const verdicts = settleSegmentFamily(evaluated.map((e) => (isVerdict(e) ? e : undefined)));
  return config.checks.map((check, index) => {
    const verdict = verdicts[index];
    if (!verdict) return evaluated[index] as CheckResult;
    const failed = verdict.outcome !== 'pass';
    const warnOnly = check.severity === 'warn' || (verdict.outcome === 'inconclusive' && (check.type === 'non-inferiority' || check.type === 'segment') && check.onInconclusive === 'warn');
    const result: CheckResult = {
      id: check.id,
      gate: 'model',
      status: failed ? (warnOnly ? 'warn' : 'fail') : 'pass',
      observed: verdict.observed,
      expected: verdict.expected,
      message: verdict.message,
      details: { check: check.path, type: check.type, outcome: verdict.outcome, severity: check.severity, ...verdict.details },
    };
    if (check.location) result.location = check.location;
    return result;
  });
}

function isVerdict(value: Verdict | CheckResult): value is Verdict {
  return 'outcome' in value;
}

/** The predictions as messages name them: the file, or both files when production's are apart. */
function predictionsName(config: ModelConfig): string | undefined {
  const p = config.predictions;
  if (!p) return undefined;
  return p.productionPath !== undefined ? `${p.path} + ${p.productionPath} paired by ${p.id ?? 'id'}` : p.path;
}

function loadMetrics(path: string | undefined, resolvePath: (p: string) => string): Loaded<MetricsFile> {
  if (path === undefined) return { ok: true, value: undefined };
  try {
    const file = readMetricsFile(resolvePath(path));
    return { ok: true, value: { ...file, path } };
  } catch (error) {
    if (error instanceof MetricsFileError) return { ok: false, message: error.message };
    throw error;
  }
}

/** A check its input does not let run (a missing or malformed file, a column or metric it lacks): an input error. */
function errorResult(check: ModelCheck, message: string): CheckResult {
  const result = inputError({ id: check.id, gate: 'model', message: `${describeCheck(check)}: ${message}`, details: { check: check.path, type: check.type } });
  if (check.location) result.location = check.location as SourceLocation;
  return result;
}

const FROM_PREDICTIONS = new Set(['non-inferiority', 'segment', 'agreement']);

function usesPredictions(check: ModelCheck, config: ModelConfig): boolean {
  return FROM_PREDICTIONS.has(check.type) || ((check.type === 'metric' || check.type === 'baseline') && config.predictions !== undefined && isKnownMetric(check.metric));
}

function usesMetrics(check: ModelCheck, config: ModelConfig): boolean {
  const source = config.metricsPath !== undefined || config.registry !== undefined;
  return check.type === 'stability' || check.type === 'overfitting' || ((check.type === 'metric' || check.type === 'baseline') && source && !usesPredictions(check, config));
}

function usesBaseline(check: ModelCheck, config: ModelConfig): boolean {
  const source = config.baselinePath !== undefined || config.registry !== undefined;
  return check.type === 'baseline' && source && !usesPredictions(check, config);
}

async function registryArtifact(registry: RegistryCandidate | undefined, artifactPath: string): Promise<string> {
  // The config build refuses registry: without model.registry; this guards a caller that skipped it.
  if (registry === undefined) throw new PredictionsError(`${REGISTRY_ARTIFACT_PREFIX}${artifactPath} names an artifact of the registry's candidate, but no model.registry was read`);
  return registry.artifact(artifactPath);
}
