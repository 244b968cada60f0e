/**
 * SageMaker's Model Registry (model package groups) as the source of the candidate and the record
 * of every outcome (`model.registry: { type: sagemaker, model-package-group, version? }`).
 *
 * In: the candidate is a model package of the group (a version number, or by default the newest
 * package awaiting approval: `PendingManualApproval`); its metrics are the JSON its
 * `ModelMetrics.ModelQuality.Statistics` points to in S3 (SageMaker's model-quality statistics,
 * `{"binary_classification_metrics": {"auc": {"value": 0.92}}}`, or an evaluation report
 * `{"metrics": {"auc": 0.92}}`); production's baseline is the newest `Approved` package, the
 * one SageMaker projects deploy.
 *
 * Out, once the traffic decision is settled: on promotion the candidate is `Approved`; after a
 * rollback caused by the candidate (its canary, its pre-traffic tests, its shadow phase) it is
 * `Rejected`; either way with an ApprovalDescription saying why and customer metadata naming the
 * release tag, the target and its version and the CI run. An abort that is not the candidate's
 * fault (a cancelled job, someone else's change) records the outcome and leaves its status alone.
 * Failures here are warnings that name the missing permission; traffic is never touched for them.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { AwsConfigError, createAwsClients } from '../aws/clients.js';
import {
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  type SageMakerClient,
  UpdateModelPackageCommand,
  type DescribeModelPackageCommandOutput,
  type ModelApprovalStatus,
  type ModelPackageSummary,
} from '@aws-sdk/client-sagemaker';
import type { MetricsFile } from '../model/io/metrics-file.js';
import type { CheckResult } from '../report/result.js';
import { nothingToRecord, RegistryError, type HistoryNeeds, type ManualRollbackRecord, type ModelRegistry, type RegistryCandidate, type RegistryOutcome } from './registry.js';

export interface SageMakerRegistryConfig {
  type: 'sagemaker';
  /** The model package group. */
  group: string;
  /** The candidate's package version; default the newest PendingManualApproval package. */
  version?: number;
  /** Default: AWS_REGION from the environment. */
  region?: string;
}

/** Customer metadata keys written on a model package. */
export const PACKAGE_METADATA = {
  outcome: 'model-release-gate:outcome',
  releaseTag: 'model-release-gate:release-tag',
  target: 'model-release-gate:target',
  targetVersion: 'model-release-gate:target-version',
  ciRun: 'model-release-gate:ci-run',
} as const;

/** SageMaker's limits: ApprovalDescription 1024 characters, a metadata value 256. */
const DESCRIPTION_LIMIT = 1024;
const METADATA_VALUE_LIMIT = 256;
/** How many of the newest packages a manual rollback looks through for its release. */
const ROLLBACK_SEARCH_LIMIT = 100;

interface PackageCandidate extends RegistryCandidate {
  version: number;
}

/** Clients the registry talks through; tests and the simulator pass their own. */
export interface SageMakerRegistryClients {
  sagemaker: SageMakerClient;
  s3: S3Client;
}

export class SageMakerRegistry implements ModelRegistry {
  private readonly clients: SageMakerRegistryClients;

  constructor(
    private readonly config: SageMakerRegistryConfig,
    env: NodeJS.ProcessEnv,
    private readonly signal?: AbortSignal,
    clients?: SageMakerRegistryClients,
  ) {
    if (clients !== undefined) {
      this.clients = clients;
      return;
    }
    // The product's clients: per-request timeouts (a reply that never comes must not hang the
    // gate), adaptive retries, and the product's user agent in CloudTrail.
    try {
      const aws = createAwsClients({ ...(config.region !== undefined ? { region: config.region } : {}), env });
      this.clients = { sagemaker: aws.sagemaker, s3: aws.s3 };
    } catch (error) {
      if (error instanceof AwsConfigError) throw new RegistryError('invalid', `model.registry: ${error.message.replace('target.region', 'model.registry.region')}`);
      throw error;
    }
  }

  describe(): string {
    return `SageMaker model package group ${this.config.group}`;
  }

  async resolveCandidate(needs: HistoryNeeds): Promise<RegistryCandidate> {
    void needs; // SageMaker keeps no metric histories: stability and overfitting checks say what is missing.
    const { group } = this.config;
    const packages = await this.listPackages();
    const chosen =
      this.config.version !== undefined
        ? packages.find((p) => p.ModelPackageVersion === this.config.version)
        : packages.filter((p) => p.ModelApprovalStatus === 'PendingManualApproval').sort(byNewest)[0];
    if (chosen?.ModelPackageArn === undefined) {
      const statuses = summarize(packages);
      throw new RegistryError(
        'not-found',
        this.config.version !== undefined
          ? `model package group ${group} has no version ${this.config.version} (${statuses})`
          : `model package group ${group} has no package awaiting approval (PendingManualApproval) to release (${statuses}); name one with model.registry.version`,
      );
    }
    const candidate = await this.describePackage(chosen.ModelPackageArn);
    const version = candidate.ModelPackageVersion ?? 0;
    const label = `SageMaker model package ${group}/${version}`;
    const metrics = await this.packageMetrics(candidate, label);
    const production = packages.filter((p) => p.ModelApprovalStatus === 'Approved' && p.ModelPackageArn !== chosen.ModelPackageArn).sort(byNewest)[0];
    let baseline: RegistryCandidate['baseline'];
    if (production?.ModelPackageArn === undefined) {
      baseline = { ok: false, message: `model package group ${group} has no Approved package, so there is no production baseline (a first release?)` };
    } else {
      const described = await this.describePackage(production.ModelPackageArn);
      const productionLabel = `SageMaker model package ${group}/${production.ModelPackageVersion} (Approved)`;
      baseline = { ok: true, label: `package ${group}/${production.ModelPackageVersion} (the newest Approved)`, file: await this.packageMetrics(described, productionLabel) };
    }
    const result: PackageCandidate = {
      label,
      id: chosen.ModelPackageArn,
      version,
      metrics,
      baseline,
      artifact: () => Promise.reject(new RegistryError('invalid', `registry:<path> reads an artifact of an MLflow run; a SageMaker model package has none: name the predictions file in model.predictions.path`)),
      dispose: () => undefined,
    };
    return result;
  }

  async recordOutcome(registryCandidate: RegistryCandidate, finish: RegistryOutcome): Promise<CheckResult[]> {
    if (nothingToRecord(finish.outcome)) return [];
    const candidate = registryCandidate as PackageCandidate;
    const where = `model package ${this.config.group}/${candidate.version}`;
    const status: ModelApprovalStatus | undefined = finish.outcome === 'promoted' ? 'Approved' : finish.candidateAtFault ? 'Rejected' : undefined;
    const description =
      finish.outcome === 'promoted'
        ? `model-release-gate: promoted to ${finish.target} version ${finish.targetVersion}${finish.releaseTag !== undefined ? ` (${finish.releaseTag})` : ''}${finish.ciRun !== undefined ? `; ${finish.ciRun}` : ''}`
        : `model-release-gate: ${finish.outcome}: ${finish.reason}`;
    const metadata: Record<string, string> = {
      [PACKAGE_METADATA.outcome]: finish.outcome,
      [PACKAGE_METADATA.target]: finish.target,
      [PACKAGE_METADATA.targetVersion]: finish.targetVersion,
      ...(finish.releaseTag !== undefined && finish.outcome === 'promoted' ? { [PACKAGE_METADATA.releaseTag]: finish.releaseTag } : {}),
      ...(finish.ciRun !== undefined ? { [PACKAGE_METADATA.ciRun]: finish.ciRun } : {}),
    };
    try {
      await this.update(candidate.id, status, description, metadata);
    } catch (error) {
      return [{ id: 'release.registry', gate: 'release', status: 'warn', message: `Could not record the outcome on ${where}: ${registryMessage(error, 'sagemaker:UpdateModelPackage')}. Traffic was not affected.` }];
    }
    const set = status !== undefined ? `; status ${status}` : '; its approval status left as it was (the candidate was not judged)';
    return [{ id: 'release.registry', gate: 'release', status: 'pass', message: `Recorded ${finish.outcome} on ${where}${set}.` }];
  }

  /**
   * A manual rollback: production (the newest Approved package) must become the package of the
   * release rolled back to. Every Approved package newer than it is Rejected with the reason, and
   * it is Approved if it was not. Never throws (warnings).
   */
  async recordManualRollback(rollback: ManualRollbackRecord): Promise<CheckResult[]> {
    const { group } = this.config;
    const warn = (message: string): CheckResult[] => [{ id: 'rollback.registry', gate: 'rollback', status: 'warn', message: `${message} Traffic was not affected.` }];
    try {
      const newest = (await this.listPackages()).sort(byNewest).slice(0, ROLLBACK_SEARCH_LIMIT);
      let to: { summary: ModelPackageSummary; described: DescribeModelPackageCommandOutput } | undefined;
      for (const summary of newest) {
        const described = await this.describePackage(summary.ModelPackageArn as string);
        const meta = described.CustomerMetadataProperties ?? {};
        const byTag = rollback.releaseTag !== undefined && meta[PACKAGE_METADATA.releaseTag] === rollback.releaseTag;
        const byTarget = meta[PACKAGE_METADATA.target] === rollback.target && meta[PACKAGE_METADATA.targetVersion] === rollback.targetVersion && meta[PACKAGE_METADATA.outcome] === 'promoted';
        if (byTag || byTarget) {
          to = { summary, described };
          break;
        }
      }
      if (to === undefined) {
        return warn(`Model package group ${group} has no package recorded for ${rollback.releaseTag ?? `${rollback.target} version ${rollback.targetVersion}`} among its ${newest.length} newest (customer metadata ${PACKAGE_METADATA.releaseTag} or ${PACKAGE_METADATA.targetVersion}), so no approval status was changed.`);
      }
      const target = to.summary;
      const newer = newest.filter((p) => p.ModelApprovalStatus === 'Approved' && byNewest(p, target) < 0);
      for (const p of newer) await this.update(p.ModelPackageArn as string, 'Rejected', `model-release-gate: ${rollback.reason}`, { [PACKAGE_METADATA.outcome]: 'rolled-back' });
      if (target.ModelApprovalStatus !== 'Approved') await this.update(target.ModelPackageArn as string, 'Approved', `model-release-gate: ${rollback.reason}`, {});
      const rejected = newer.length > 0 ? `; Rejected ${newer.map((p) => `${group}/${p.ModelPackageVersion}`).join(', ')}` : '';
      return [{ id: 'rollback.registry', gate: 'rollback', status: 'pass', message: `SageMaker model package group ${group}: production is package ${group}/${target.ModelPackageVersion} again${rejected}.` }];
    } catch (error) {
      return warn(`Could not record the rollback on model package group ${group}: ${registryMessage(error, 'sagemaker:ListModelPackages, DescribeModelPackage and UpdateModelPackage')}.`);
    }
  }

  /** Every package of the group (all pages). */
  private async listPackages(): Promise<ModelPackageSummary[]> {
    const all: ModelPackageSummary[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.clients.sagemaker.send(
          new ListModelPackagesCommand({ ModelPackageGroupName: this.config.group, ModelPackageType: 'Versioned', MaxResults: 100, ...(token ? { NextToken: token } : {}) }),
          this.options(),
        );
        all.push(...(page.ModelPackageSummaryList ?? []));
        token = page.NextToken;
      } while (token);
    } catch (error) {
      throw asRegistryError(error, `model package group ${this.config.group}`, 'sagemaker:ListModelPackages');
    }
    return all;
  }

  private async describePackage(arn: string): Promise<DescribeModelPackageCommandOutput> {
    try {
      return await this.clients.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }), this.options());
    } catch (error) {
      throw asRegistryError(error, `model package ${arn}`, 'sagemaker:DescribeModelPackage');
    }
  }

  private async update(arn: string, status: ModelApprovalStatus | undefined, description: string, metadata: Record<string, string>): Promise<void> {
    const properties = Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, v.slice(0, METADATA_VALUE_LIMIT)]));
    await this.clients.sagemaker.send(
      new UpdateModelPackageCommand({
        ModelPackageArn: arn,
        ...(status !== undefined ? { ModelApprovalStatus: status, ApprovalDescription: description.slice(0, DESCRIPTION_LIMIT) } : {}),
        ...(Object.keys(properties).length > 0 ? { CustomerMetadataProperties: properties } : {}),
      }),
      this.options(),
    );
  }

  /** The metrics JSON the package's ModelMetrics.ModelQuality.Statistics names, read from S3. */
  private async packageMetrics(described: DescribeModelPackageCommandOutput, label: string): Promise<MetricsFile> {
    const uri = described.ModelMetrics?.ModelQuality?.Statistics?.S3Uri;
    if (uri === undefined) {
      throw new RegistryError('invalid', `${label} has no ModelMetrics.ModelQuality.Statistics, so it has no metrics to check (register it with model_metrics=ModelMetrics(model_statistics=MetricsSource(s3_uri=..., content_type="application/json")))`);
    }
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
    if (!match) throw new RegistryError('invalid', `${label}: its ModelQuality statistics are at ${uri}, which is not an s3:// URI`);
    let text: string;
    try {
      const object = await this.clients.s3.send(new GetObjectCommand({ Bucket: match[1], Key: match[2] }), this.options());
      text = (await object.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      throw asRegistryError(error, `${uri} (the metrics of ${label})`, 's3:GetObject');
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new RegistryError('invalid', `${uri} (the metrics of ${label}) is not valid JSON: ${(error as Error).message}`);
    }
    const metrics = metricsFromStatistics(json);
    if (Object.keys(metrics).length === 0) {
      throw new RegistryError('invalid', `${uri} (the metrics of ${label}) holds no metric: expected {"<kind>_metrics": {"auc": {"value": 0.92}}} as SageMaker writes model-quality statistics, or {"metrics": {"auc": 0.92}}`);
    }
    return { path: `${label} (${uri})`, metrics, folds: {}, curves: {} };
  }

  private options(): { abortSignal?: AbortSignal } {
    return this.signal ? { abortSignal: this.signal } : {};
  }
}

/**
 * Metric values from a model-quality statistics file: every `{"value": n}` under a
 * `*_metrics` section (SageMaker Model Monitor's format), and `{"metrics": {name: n | {"value": n}}}`
 * (an evaluation report written by a training or processing step).
 */
export function metricsFromStatistics(json: unknown): Record<string, number> {
  const metrics: Record<string, number> = {};
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return metrics;
  for (const [section, content] of Object.entries(json as Record<string, unknown>)) {
    if (section !== 'metrics' && !section.endsWith('_metrics')) continue;
    if (typeof content !== 'object' || content === null || Array.isArray(content)) continue;
    for (const [name, value] of Object.entries(content as Record<string, unknown>)) {
      const number = typeof value === 'number' ? value : typeof value === 'object' && value !== null ? (value as { value?: unknown }).value : undefined;
      if (typeof number === 'number' && Number.isFinite(number)) metrics[name] = number;
    }
  }
  return metrics;
}

function byNewest(a: ModelPackageSummary, b: ModelPackageSummary): number {
  return (b.CreationTime?.getTime() ?? 0) - (a.CreationTime?.getTime() ?? 0) || (b.ModelPackageVersion ?? 0) - (a.ModelPackageVersion ?? 0);
}

function summarize(packages: ModelPackageSummary[]): string {
  if (packages.length === 0) return 'it has no packages, or does not exist';
  const counts = new Map<string, number>();
  for (const p of packages) counts.set(p.ModelApprovalStatus ?? 'unknown', (counts.get(p.ModelApprovalStatus ?? 'unknown') ?? 0) + 1);
  return `it has ${[...counts].map(([status, n]) => `${n} ${status}`).join(', ')}`;
}

/** An SDK error as a RegistryError: what was asked and, for a refusal, the action the role lacks. */
function asRegistryError(error: unknown, what: string, action: string): RegistryError {
  if (error instanceof RegistryError) return error;
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  if (/AccessDenied|NotAuthorized|Forbidden/i.test(name) || status === 403) return new RegistryError('permission', `${what}: access denied (${name}): the role needs ${action}`, status);
  if (/NoSuchKey|NoSuchBucket|NotFound|ResourceNotFound/i.test(name) || /does not exist|not found/i.test(e.message ?? '')) return new RegistryError('not-found', `${what} does not exist (${name}: ${e.message ?? ''})`, status);
  if (name === 'ValidationException') return new RegistryError('invalid', `${what}: ${e.message ?? name}`, status);
  return new RegistryError('unavailable', `${what} could not be read: ${name}: ${e.message ?? ''}`, status);
}

function registryMessage(error: unknown, action: string): string {
  return asRegistryError(error, 'the registry', action).message;
}
