/**
 * The SageMaker real-time endpoint rollout target: traffic is split between production
 * variants by weight (UpdateEndpointWeightsAndCapacities), one variant per model. See
 * sagemaker-state.ts for how an endpoint maps onto the alias model the rollout engine drives.
 *
 * SageMaker has no RevisionId and applies every change asynchronously (`Updating`, then
 * `InService`), and a failed update can return to `InService` on the OLD state with nothing
 * but a FailureReason to show for it (the "silent rollback"). So every write here is:
 * read and compare with the revision the caller knows (never overwrite someone else's change),
 * write, wait until the endpoint settles, read back and compare with what was asked. A reply
 * lost after the write landed is recognised the same way: the settled endpoint holds exactly
 * what we asked for.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  AddTagsCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListTagsCommand,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  paginateListModels,
  type DescribeEndpointConfigCommandOutput,
  type DescribeModelCommandOutput,
  type ProductionVariant,
  type ProductionVariantSummary,
  type SageMakerClient,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, ModelError, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { awsErrorName } from '../aws/error-name.js';
import type { Clock } from '../core/clock.js';
import { parseReleaseTags, releaseTagEntry } from './lambda-release-tags.js';
import { readVariantMetrics } from './sagemaker-metrics.js';
import {
  TRANSITIONAL_STATUSES,
  aliasStateOf,
  candidateInstances,
  describeShares,
  historyFromTag,
  historyToTag,
  holdsShares,
  nameWithSuffix,
  revisionOf,
  sharesOf,
  variantOfModel,
  type EndpointView,
  type InstancesPolicy,
  type VariantView,
} from './sagemaker-state.js';
import {
  RevisionConflictError,
  TargetNotFoundError,
  WriteVerificationError,
  type AliasState,
  type CandidateVersion,
  type InvokeResult,
  type MetricsWindow,
  type PublishedVersion,
  type ReleaseTagRecord,
  type RolloutTarget,
  type VersionMetrics,
} from './target.js';

/** The new model, created as a SageMaker Model when the release runs. */
export interface SageMakerModelSpec {
  image: string;
  /** S3 URI of model.tar.gz; absent when the image holds the model. */
  modelData?: string;
  executionRole: string;
  environment?: Record<string, string>;
}

/** A variant of an endpoint config the gate writes; settings not named are copied from the current config. */
interface VariantSpec {
  modelName: string;
  variantName: string;
  weight: number;
  instanceCount?: number;
}

/** A variant as it stands (its desired weight, its instances), to keep in a new endpoint config. */
function asIs(v: VariantView): VariantSpec {
  return { modelName: v.modelName, variantName: v.variantName, weight: v.desiredWeight, ...(v.instanceCount !== undefined ? { instanceCount: v.instanceCount } : {}) };
}

export interface SageMakerTargetOptions {
  endpointName: string;
  /** The candidate to create; without it, `resolveCandidate` needs an existing model name. */
  model?: SageMakerModelSpec;
  /** Candidate instance count: `auto` scales with its share of traffic, a number is fixed. */
  instances: InstancesPolicy;
  /** Names of models the gate creates start with it; default the endpoint name. */
  modelNamePrefix?: string;
  /** Waits for `Updating` to end are measured and slept on this clock. */
  clock: Clock;
  log?: (line: string) => void;
  /** Longest wait for a weights-only update to settle (default 20 min). */
  weightsTimeoutMs?: number;
  /** Longest wait for an endpoint-config update to settle (default 60 min: new instances). */
  configTimeoutMs?: number;
}

/** The endpoint tag that carries the promotion history (src/rollback/history.ts). */
export const HISTORY_TAG = 'model-release-gate:history';
/** The model tag that carries the release record (`model-release-gate sha=… tag=…`). */
export const RELEASE_TAG = 'model-release-gate:release';
const WAIT_FIRST_MS = 2_000;
/** How long reads may lag behind a write before an unchanged endpoint is believed (eventual consistency). */
const STALE_READ_GRACE_MS = 60_000;
const WAIT_MAX_MS = 15_000;

/** The SDK error's name (`ValidationException`...), without the HTTP status awsErrorName adds for logs. */
function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : '';
}

function errorText(error: unknown): string {
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : '';
}

/** SageMaker answers "no such thing" with a generic ValidationException ("Could not find model ..."). */
function isNotFound(error: unknown): boolean {
  return errorName(error) === 'ResourceNotFound' || (errorName(error) === 'ValidationException' && /could not find/i.test(errorText(error)));
}

function isAlreadyExisting(error: unknown): boolean {
  return errorName(error) === 'ValidationException' && /already existing|already exists/i.test(errorText(error));
}

function isInProgress(error: unknown): boolean {
  return errorName(error) === 'ValidationException' && /in-progress|in progress/i.test(errorText(error));
}

export class SageMakerEndpointTarget implements RolloutTarget {
  private readonly configs = new Map<string, DescribeEndpointConfigCommandOutput>();
  /** The last view read, for the version → variant map (metrics, invoke). */
  private last: EndpointView | undefined;

  constructor(
    private readonly sagemaker: SageMakerClient,
    private readonly runtime: SageMakerRuntimeClient,
    private readonly cloudwatch: CloudWatchClient,
    private readonly options: SageMakerTargetOptions,
  ) {}

  describe(): string {
    return `sagemaker:${this.options.endpointName}`;
  }

  async readAlias(): Promise<AliasState> {
    return aliasStateOf(await this.readView());
  }

  /**
   * The candidate model (created when `model` is configured, else the named existing one) and
   * its variant on the endpoint at weight 0. Adding the variant is an UpdateEndpoint: the only
   * slow write before traffic moves (SageMaker starts the candidate's instances), waited for and
   * verified, since a failed one returns silently to the old config.
   */
  async resolveCandidate(request: { version?: string; description: string }): Promise<CandidateVersion> {
    let model: DescribeModelCommandOutput;
    let created = false;
    if (request.version !== undefined) {
      model = await this.describeModel(request.version);
    } else {
      const spec = this.options.model;
      if (spec === undefined) throw new TargetNotFoundError(`${this.describe()}: no candidate model: set target.model (image, model-data, execution-role) or target.version (an existing model name).`);
      ({ model, created } = await this.ensureModel(spec, request.description));
    }
    const modelName = model.ModelName as string;
    const view = await this.readView();
    const description = created ? request.description : await this.modelDescription(model);
    if (view.variants[0]?.modelName === modelName || variantOfModel(view, modelName) !== undefined) {
      return { version: modelName, published: created, ...(description !== undefined ? { description } : {}) };
    }
    await this.addCandidateVariant(view, modelName);
    return { version: modelName, published: created, ...(description !== undefined ? { description } : {}) };
  }

  async shiftTraffic(candidate: string, weight: number, expectedRevisionId: string): Promise<AliasState> {
    if (!(weight > 0 && weight <= 1)) throw new RangeError(`traffic weight must be in (0, 1], got ${weight}`);
    const view = await this.guard(expectedRevisionId);
    const primary = view.variants[0] as VariantView;
    const variant = this.candidateVariant(view, candidate);
    const stableCount = primary.instanceCount;
    // A new instance count makes SageMaker start instances before the weights apply: minutes in
    // which the endpoint is Updating and no rollback can be written. Asked for only when it changes.
    const count = stableCount !== undefined && variant.instanceCount !== undefined ? candidateInstances(this.options.instances, weight, stableCount) : undefined;
    const desired = [
      { VariantName: primary.variantName, DesiredWeight: 1 - weight },
      { VariantName: variant.variantName, DesiredWeight: weight, ...(count !== undefined && count !== variant.instanceCount ? { DesiredInstanceCount: count } : {}) },
    ];
    const shares = { [primary.variantName]: 1 - weight, [variant.variantName]: weight };
    const requestedAtMs = this.options.clock.now();
    let oldRoutingSeenAtMs = requestedAtMs;
    let newRoutingSeenAtMs: number | undefined;
    const after = await this.writeWeights(view, desired, shares, `route ${Math.round(weight * 1000) / 10}% to ${candidate}`, (seen, atMs) => {
      // CurrentWeight is what SageMaker routes by now; DesiredWeight only where it is going.
      const routing = sharesOf(seen.variants, (v) => v.currentWeight);
      const old = sharesOf(view.variants, (v) => v.currentWeight);
      if ([...routing].every(([name, share]) => Math.abs(share - (old.get(name) ?? 0)) < 1e-6)) oldRoutingSeenAtMs = atMs;
      else if (newRoutingSeenAtMs === undefined) newRoutingSeenAtMs = atMs;
    });
    return { ...aliasStateOf(after), appliedWithin: { fromMs: oldRoutingSeenAtMs, toMs: newRoutingSeenAtMs ?? this.options.clock.now() } };
  }

  /** All traffic back to the primary variant in one weights call; the candidate keeps its instances, so it is reversible. */
  async rollBack(expectedRevisionId: string): Promise<AliasState> {
    // An update in flight (ours, cut short by a crash, or a shift still settling) must finish
    // first: SageMaker refuses a weights call on an endpoint that is not InService.
    const view = await this.guard(expectedRevisionId, { settleFirst: true });
    const primary = view.variants[0] as VariantView;
    const others = view.variants.slice(1).filter((v) => v.desiredWeight > 0);
    if (others.length === 0 && primary.desiredWeight > 0) return aliasStateOf(view);
    // Only the weights we must change: the candidate's to 0, and the primary's only where it has
    // none (the final bake). A primary weight someone else set is theirs and stays.
    const desired = [
      ...(primary.desiredWeight > 0 ? [] : [{ VariantName: primary.variantName, DesiredWeight: 1 }]),
      ...others.map((v) => ({ VariantName: v.variantName, DesiredWeight: 0 })),
    ];
    return aliasStateOf(await this.writeWeights(view, desired, { [primary.variantName]: 1 }, `route all traffic back to ${primary.modelName}`));
  }

  /**
   * Promotion: all traffic to the candidate, then a new endpoint config with the candidate's
   * variant alone (at the stable variant's instance count), so the endpoint is left as the user
   * had it, one variant, now serving the new model. The previous model is not deleted:
   * `rollback --to` builds a config for it again.
   */
  async promote(candidate: string, expectedRevisionId: string, description?: string): Promise<AliasState> {
    let view = await this.guard(expectedRevisionId);
    const variant = this.candidateVariant(view, candidate);
    if (!holdsShares(view, { [variant.variantName]: 1 })) {
      const desired = view.variants.map((v) => ({ VariantName: v.variantName, DesiredWeight: v === variant ? 1 : 0 }));
      view = await this.writeWeights(view, desired, { [variant.variantName]: 1 }, `route all traffic to ${candidate}`);
    }
    const stableCount = view.variants[0]?.instanceCount;
    const count = variant.instanceCount !== undefined && stableCount !== undefined ? Math.max(variant.instanceCount, stableCount) : undefined;
    view = await this.replaceConfig(view, [{ modelName: candidate, variantName: variant.variantName, weight: 1, ...(count !== undefined ? { instanceCount: count } : {}) }], `promote ${candidate}`);
    await this.writeDescription(view, description);
    return aliasStateOf(view);
  }

  /** Manual rollback: the endpoint serves `version` (a model) alone, with a config built for it when no variant serves it now. */
  async pointTo(version: string, expectedRevisionId: string, description?: string): Promise<AliasState> {
    let view = await this.guard(expectedRevisionId, { settleFirst: true });
    await this.describeModel(version);
    if (view.variants.length === 1 && view.variants[0]?.modelName === version) {
      await this.writeDescription(view, description);
      return aliasStateOf(view);
    }
    const existing = variantOfModel(view, version);
    if (existing !== undefined && view.variants.includes(existing) && existing.instanceCount !== undefined) {
      // Already deployed beside the current version: move the traffic first (fast), then tidy the config.
      if (!holdsShares(view, { [existing.variantName]: 1 })) {
        const desired = view.variants.map((v) => ({ VariantName: v.variantName, DesiredWeight: v === existing ? 1 : 0 }));
        view = await this.writeWeights(view, desired, { [existing.variantName]: 1 }, `route all traffic to ${version}`);
      }
    }
    const primary = view.variants[0] as VariantView;
    const count = Math.max(primary.instanceCount ?? 1, existing?.instanceCount ?? 1);
    view = await this.replaceConfig(
      view,
      [{ modelName: version, variantName: existing?.variantName ?? version, weight: 1, ...(primary.instanceCount !== undefined ? { instanceCount: count } : {}) }],
      `point ${this.describe()} at ${version}`,
    );
    await this.writeDescription(view, description);
    return aliasStateOf(view);
  }

  /**
   * Removes the candidate's variant after a rollback (or a release stopped before traffic
   * moved), so its instances stop costing money. Only a variant with no traffic is removed;
   * returns what was done, for the report.
   */
  async retireCandidate(candidate: string): Promise<string> {
    const view = await this.readView({ settleFirst: true });
    const variant = view.variants.find((v) => v.modelName === candidate);
    if (variant === undefined || variant === view.variants[0]) return `No variant of ${candidate} is left on ${this.describe()}.`;
    if (variant.desiredWeight > 0) return `The variant of ${candidate} still has traffic on ${this.describe()}; it was left in place.`;
    const keep = view.variants
      .filter((v) => v !== variant)
      .map(asIs);
    await this.replaceConfig(view, keep, `remove the variant of ${candidate}`);
    return `Removed the variant of ${candidate} from ${this.describe()} (the model itself is kept).`;
  }

  /**
   * The candidate answers a mirrored sample of the stable variant's requests: a config with the
   * stable variant alone in production and the candidate as its shadow. SageMaker samples by the
   * shadow variant's weight relative to the production variant's, so the shadow's weight is
   * `percent`% of the stable variant's.
   */
  async startShadow(candidate: string, samplingPercent: number): Promise<void> {
    const view = await this.readView({ settleFirst: true });
    const primary = view.variants[0] as VariantView;
    const variant = this.candidateVariant(view, candidate);
    if (variant.desiredWeight > 0) throw new WriteVerificationError(`${this.describe()}: ${candidate} already serves clients (${describeShares(view)}); a shadow phase comes before any traffic.`, aliasStateOf(view));
    const count = primary.instanceCount === undefined ? undefined : candidateInstances(this.options.instances, samplingPercent / 100, primary.instanceCount);
    await this.replaceConfig(
      view,
      [asIs(primary)],
      `run ${candidate} as a shadow of ${primary.modelName}`,
      [{ modelName: candidate, variantName: variant.variantName, weight: (primary.desiredWeight * samplingPercent) / 100, ...(count !== undefined ? { instanceCount: count } : {}) }],
    );
  }

  /** Back to production variants only: the candidate at weight 0 beside the stable one (`keep`), or the stable one alone. */
  async endShadow(candidate: string, keep: boolean): Promise<void> {
    const view = await this.readView({ settleFirst: true });
    const primary = view.variants[0] as VariantView;
    const shadow = view.shadowVariants.find((v) => v.modelName === candidate);
    const variants = [asIs(primary)];
    if (keep) {
      const start = primary.instanceCount === undefined ? undefined : candidateInstances(this.options.instances, 0, primary.instanceCount);
      variants.push({ modelName: candidate, variantName: shadow?.variantName ?? candidate, weight: 0, ...(start !== undefined ? { instanceCount: start } : {}) });
    }
    await this.replaceConfig(view, variants, keep ? `make ${candidate} a variant at weight 0 after its shadow phase` : `remove the shadow variant of ${candidate}`);
  }

  /** Models the gate created (by name prefix) and the ones the endpoint or its history name, oldest first. */
  async listVersions(): Promise<PublishedVersion[]> {
    const prefix = this.modelPrefix();
    const found = new Map<string, { created: number; arn?: string }>();
    for await (const page of paginateListModels({ client: this.sagemaker }, { NameContains: prefix, SortBy: 'CreationTime', SortOrder: 'Ascending' })) {
      for (const m of page.Models ?? []) {
        if (m.ModelName?.startsWith(prefix)) found.set(m.ModelName, { created: m.CreationTime?.getTime() ?? 0, ...(m.ModelArn ? { arn: m.ModelArn } : {}) });
      }
    }
    // Models the gate did not create (the user's first one) are versions too: they served here.
    const view = await this.readView();
    const named = [...view.variants.map((v) => v.modelName), ...(view.description?.match(/promoted=(\S*)/)?.[1]?.split(',') ?? [])];
    for (const name of named) {
      if (name === '' || found.has(name)) continue;
      try {
        const model = await this.sagemaker.send(new DescribeModelCommand({ ModelName: name }));
        found.set(name, { created: model.CreationTime?.getTime() ?? 0, ...(model.ModelArn ? { arn: model.ModelArn } : {}) });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    const versions: PublishedVersion[] = [];
    for (const [name, { arn }] of [...found].sort((a, b) => a[1].created - b[1].created)) {
      versions.push({ version: name, description: (arn !== undefined ? (await this.tagsOf(arn))[RELEASE_TAG] : undefined) ?? '' });
    }
    return versions;
  }

  async recordReleaseTag(record: ReleaseTagRecord): Promise<void> {
    const entry = releaseTagEntry(record);
    if ('error' in entry) throw new Error(`Cannot record the release on ${this.describe()}: ${entry.error}.`);
    const view = await this.readView();
    try {
      await this.sagemaker.send(new AddTagsCommand({ ResourceArn: view.endpointArn, Tags: [{ Key: entry.key, Value: entry.value }] }));
    } catch (error) {
      throw new Error(`Could not tag ${this.describe()} with ${entry.key}=${entry.value} (${awsErrorName(error)}: ${(error as Error).message}); an endpoint holds at most 50 tags.`);
    }
  }

  async listReleaseTags(): Promise<ReleaseTagRecord[]> {
    return parseReleaseTags(await this.tagsOf((await this.readView()).endpointArn));
  }

  /** `{version}` (the model), `{endpoint}`, `{variant}` of a `rollout.metrics` query: the variant that serves `version`. */
  async metricDimensions(version: string): Promise<Record<string, string>> {
    const variant = await this.variantServing(version);
    return { version, endpoint: this.options.endpointName, variant: variant?.variantName ?? version };
  }

  /** The metrics of the variant that serves `version` (src/targets/sagemaker-metrics.ts says what counts as an error). */
  async readMetrics(version: string, window: MetricsWindow, signal?: AbortSignal): Promise<VersionMetrics> {
    const variant = await this.variantServing(version);
    const variantName = variant?.variantName ?? version;
    return readVariantMetrics(this.cloudwatch, { endpointName: this.options.endpointName, variantName, version }, window, signal);
  }

  /** InvokeEndpoint on the variant that serves `version` (TargetVariant reaches a variant at weight 0). */
  async invoke(version: string, payload: string): Promise<InvokeResult> {
    const variant = await this.variantServing(version);
    if (variant === undefined) throw new Error(`${this.describe()} has no variant serving model '${version}' to invoke.`);
    const started = performance.now();
    try {
      const response = await this.runtime.send(
        new InvokeEndpointCommand({
          EndpointName: this.options.endpointName,
          TargetVariant: variant.variantName,
          ContentType: 'application/json',
          Accept: 'application/json',
          Body: new TextEncoder().encode(payload),
        }),
      );
      return { statusCode: 200, payload: response.Body ? new TextDecoder().decode(response.Body) : '', durationMs: performance.now() - started };
    } catch (error) {
      // The model container answered with an error status: a failed invocation, not a failed call.
      if (error instanceof ModelError) {
        return {
          statusCode: error.OriginalStatusCode ?? 424,
          functionError: `ModelError${error.OriginalStatusCode !== undefined ? ` ${error.OriginalStatusCode}` : ''}`,
          payload: error.OriginalMessage ?? error.message,
          durationMs: performance.now() - started,
        };
      }
      throw error;
    }
  }

  // ---- reading -------------------------------------------------------------------------

  /**
   * The variant that serves `version`, from the last read of the endpoint when it has one (every
   * poll reads metrics per version: no DescribeEndpoint each time), else from a fresh read.
   */
  private async variantServing(version: string): Promise<VariantView | undefined> {
    const cached = this.last === undefined ? undefined : variantOfModel(this.last, version);
    return cached ?? variantOfModel(await this.readView(), version);
  }

  private async readView(options: { settleFirst?: boolean } = {}): Promise<EndpointView> {
    let view = await this.describeOnce();
    if (options.settleFirst && TRANSITIONAL_STATUSES.has(view.status)) view = await this.waitSettled(this.options.weightsTimeoutMs ?? 20 * 60_000, 'an update already in progress');
    return view;
  }

  private async describeOnce(): Promise<EndpointView> {
    let endpoint;
    try {
      endpoint = await this.sagemaker.send(new DescribeEndpointCommand({ EndpointName: this.options.endpointName }));
    } catch (error) {
      if (isNotFound(error)) {
        throw new TargetNotFoundError(`SageMaker endpoint '${this.options.endpointName}' was not found (check target.endpoint-name and the region): ${(error as Error).message}`);
      }
      throw error;
    }
    const configName = endpoint.EndpointConfigName;
    if (!configName || !endpoint.EndpointArn) throw new Error(`DescribeEndpoint returned no endpoint config for '${this.options.endpointName}'`);
    const config = await this.describeConfig(configName);
    const live = new Map((endpoint.ProductionVariants ?? []).map((v) => [v.VariantName, v]));
    const liveShadows = new Map((endpoint.ShadowProductionVariants ?? []).map((v) => [v.VariantName, v]));
    const toView = (configured: ProductionVariant, summary: ProductionVariantSummary | undefined): VariantView => {
      const current = summary?.CurrentWeight ?? configured.InitialVariantWeight ?? 1;
      const count = summary?.CurrentInstanceCount ?? configured.InitialInstanceCount;
      return {
        variantName: configured.VariantName as string,
        modelName: configured.ModelName as string,
        currentWeight: current,
        desiredWeight: summary?.DesiredWeight ?? current,
        ...(configured.ServerlessConfig === undefined && count !== undefined ? { instanceCount: count } : {}),
      };
    };
    const tags = await this.tagsOf(endpoint.EndpointArn);
    const history = tags[HISTORY_TAG];
    const view: EndpointView = {
      endpointName: this.options.endpointName,
      endpointArn: endpoint.EndpointArn,
      configName,
      status: endpoint.EndpointStatus ?? 'Unknown',
      ...(endpoint.FailureReason ? { failureReason: endpoint.FailureReason } : {}),
      variants: (config.ProductionVariants ?? []).map((v) => toView(v, live.get(v.VariantName))),
      shadowVariants: (config.ShadowProductionVariants ?? []).map((v) => toView(v, liveShadows.get(v.VariantName))),
      ...(history ? { description: historyFromTag(history) } : {}),
    };
    this.last = view;
    return view;
  }

  /** Endpoint configs are immutable, so each is described once. */
  private async describeConfig(name: string): Promise<DescribeEndpointConfigCommandOutput> {
    const cached = this.configs.get(name);
    if (cached) return cached;
    const config = await this.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name }));
    this.configs.set(name, config);
    return config;
  }

  private async tagsOf(arn: string): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    let nextToken: string | undefined;
    do {
      const page = await this.sagemaker.send(new ListTagsCommand({ ResourceArn: arn, NextToken: nextToken }));
      for (const tag of page.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
      nextToken = page.NextToken;
    } while (nextToken);
    return tags;
  }

  private async describeModel(name: string): Promise<DescribeModelCommandOutput> {
    try {
      return await this.sagemaker.send(new DescribeModelCommand({ ModelName: name }));
    } catch (error) {
      if (isNotFound(error)) throw new TargetNotFoundError(`SageMaker model '${name}' was not found (check target.version, --target-version or the region): ${(error as Error).message}`);
      throw error;
    }
  }

  private async modelDescription(model: DescribeModelCommandOutput): Promise<string | undefined> {
    return model.ModelArn === undefined ? undefined : (await this.tagsOf(model.ModelArn))[RELEASE_TAG];
  }

  /** Reads the endpoint (waiting out an update first when asked) and refuses a state other than `expectedRevisionId`. */
  private async guard(expectedRevisionId: string, options: { settleFirst?: boolean } = {}): Promise<EndpointView> {
    const view = await this.readView(options);
    if (revisionOf(view) !== expectedRevisionId) {
      throw new RevisionConflictError(
        `Endpoint ${this.describe()} was changed by someone else (expected ${expectedRevisionId}, now config ${view.configName}, ${view.status}, ${describeShares(view)}); not overwriting it.`,
        expectedRevisionId,
        aliasStateOf(view),
      );
    }
    if (TRANSITIONAL_STATUSES.has(view.status)) {
      throw new RevisionConflictError(`Endpoint ${this.describe()} is ${view.status} (an update by someone else is in progress); not writing.`, expectedRevisionId, aliasStateOf(view));
    }
    return view;
  }

  private candidateVariant(view: EndpointView, candidate: string): VariantView {
    const variant = view.variants.find((v) => v.modelName === candidate);
    if (variant === undefined || variant === view.variants[0]) {
      throw new WriteVerificationError(`${this.describe()} has no variant serving the candidate model '${candidate}' beside the primary (${describeShares(view)}).`, aliasStateOf(view));
    }
    return variant;
  }

  /** Polls DescribeEndpoint with back-off until the endpoint leaves its transitional status. */
  private async waitSettled(
    timeoutMs: number,
    what: string,
    onRead?: (view: EndpointView, atMs: number) => void,
    expected?: (view: EndpointView) => boolean,
  ): Promise<EndpointView> {
    const startedMs = this.options.clock.now();
    const deadline = startedMs + timeoutMs;
    let delay = WAIT_FIRST_MS;
    let sawUpdate = false;
    for (;;) {
      const view = await this.describeOnce();
      onRead?.(view, this.options.clock.now());
      if (TRANSITIONAL_STATUSES.has(view.status)) sawUpdate = true;
      // Right after a write, a read can still show the endpoint as it was (InService, old
      // state): DescribeEndpoint is eventually consistent. Until the update has been seen or
      // its result shows, such a read proves nothing, so it is read again for a while before
      // "nothing changed" (a silent rollback, a lost write) is concluded.
      const unproven = !sawUpdate && expected !== undefined && !expected(view) && this.options.clock.now() - startedMs < STALE_READ_GRACE_MS;
      if (!TRANSITIONAL_STATUSES.has(view.status) && !unproven) return view;
      if (this.options.clock.now() >= deadline) {
        throw new Error(`${this.describe()} is still ${view.status} ${Math.round(timeoutMs / 60_000)} minutes after ${what}; gave up waiting.`);
      }
      await this.options.clock.sleep(delay);
      delay = Math.min(WAIT_MAX_MS, delay * 2);
    }
  }

  // ---- writing -------------------------------------------------------------------------

  /**
   * UpdateEndpointWeightsAndCapacities, waited for and read back. `shares` is what the variants'
   * shares must be afterwards. A failed call is judged by the settled endpoint: our shares mean
   * it landed (the reply was lost); the shares we started from mean it did not, or SageMaker
   * reverted it (FailureReason says why); anything else is someone else's change.
   */
  private async writeWeights(
    before: EndpointView,
    desired: Array<{ VariantName: string; DesiredWeight: number; DesiredInstanceCount?: number }>,
    shares: Record<string, number>,
    what: string,
    onRead?: (view: EndpointView, atMs: number) => void,
  ): Promise<EndpointView> {
    let failure: unknown;
    try {
      await this.sagemaker.send(new UpdateEndpointWeightsAndCapacitiesCommand({ EndpointName: this.options.endpointName, DesiredWeightsAndCapacities: desired }));
    } catch (error) {
      failure = error;
    }
    const after = await this.waitSettled(this.options.weightsTimeoutMs ?? 20 * 60_000, `asking it to ${what}`, onRead, (view) => view.configName === before.configName && holdsShares(view, shares));
    const landed = after.configName === before.configName && holdsShares(after, shares) && after.status === 'InService';
    if (landed) {
      if (failure !== undefined) this.options.log?.(`${this.describe()}: UpdateEndpointWeightsAndCapacities failed on its way back (${awsErrorName(failure)}), but the endpoint reads back as asked (${describeShares(after)}): the write landed.`);
      return after;
    }
    const unchanged = after.configName === before.configName && holdsShares(after, Object.fromEntries(sharesOf(before.variants)));
    if (failure !== undefined && !(unchanged && isInProgress(failure))) {
      if (!unchanged) throw this.conflict(before, after, what);
      throw failure;
    }
    if (unchanged) {
      throw new WriteVerificationError(
        `${this.describe()} did not apply the request to ${what}: SageMaker reports ${after.status} with the weights as they were (${describeShares(after)})${after.failureReason ? `; FailureReason: ${after.failureReason}` : ', and no FailureReason'}.`,
        aliasStateOf(after),
      );
    }
    throw this.conflict(before, after, what);
  }

  private conflict(before: EndpointView, after: EndpointView, what: string): RevisionConflictError {
    return new RevisionConflictError(
      `Endpoint ${this.describe()} was changed by someone else while the gate asked it to ${what}: now config ${after.configName}, ${after.status}, ${describeShares(after)}; not overwriting it.`,
      revisionOf(before),
      aliasStateOf(after),
    );
  }

  /** The candidate's variant beside the current ones (zero-weight leftovers dropped), at weight 0. */
  private async addCandidateVariant(view: EndpointView, modelName: string): Promise<EndpointView> {
    const primary = view.variants[0] as VariantView;
    const live = view.variants.filter((v) => v === primary || v.desiredWeight > 0);
    const dropped = view.variants.filter((v) => !live.includes(v));
    if (dropped.length > 0) this.options.log?.(`${this.describe()}: dropping variant(s) without traffic left by an earlier run: ${dropped.map((v) => v.variantName).join(', ')}.`);
    const startCount = primary.instanceCount === undefined ? undefined : candidateInstances(this.options.instances, 0, primary.instanceCount);
    return this.replaceConfig(
      view,
      [
        ...live.map(asIs),
        // The variant is named after its model (both are SageMaker names of at most 63 characters).
        { modelName, variantName: modelName, weight: 0, ...(startCount !== undefined ? { instanceCount: startCount } : {}) },
      ],
      `add a variant for ${modelName} at weight 0`,
    );
  }

  /**
   * A new endpoint config with `variants` (in this order: the first is the primary), copying
   * each variant's settings from the current config, then UpdateEndpoint with
   * RetainAllVariantProperties (existing variants keep their live weights and instance counts)
   * and a wait. The update must end on OUR config: SageMaker returns to InService on the old one
   * when an update fails, and that is reported as the failure it is.
   */
  private async replaceConfig(
    before: EndpointView,
    variants: VariantSpec[],
    what: string,
    shadows: VariantSpec[] = [],
  ): Promise<EndpointView> {
    if (TRANSITIONAL_STATUSES.has(before.status)) {
      // Someone else's update is being applied: ours would be refused, or would replace theirs.
      throw new RevisionConflictError(
        `Endpoint ${this.describe()} is ${before.status} (an update started outside this run is being applied, config ${before.configName}); nothing was written. Run the release again once it is InService.`,
        revisionOf(before),
        aliasStateOf(before),
      );
    }
    const current = await this.describeConfig(before.configName);
    const template = current.ProductionVariants?.[0];
    const known = [...(current.ProductionVariants ?? []), ...(current.ShadowProductionVariants ?? [])];
    const settingsOf = (variantName: string): ProductionVariant | undefined => known.find((v) => v.VariantName === variantName) ?? template;
    const toVariant = (v: VariantSpec): ProductionVariant => {
      const base: Partial<ProductionVariant> = settingsOf(v.variantName) ?? {};
      const variant: ProductionVariant = { ...base, VariantName: v.variantName, ModelName: v.modelName, InitialVariantWeight: v.weight };
      if (base.ServerlessConfig === undefined) variant.InitialInstanceCount = v.instanceCount ?? base.InitialInstanceCount ?? 1;
      return variant;
    };
    const production = variants.map(toVariant);
    const shadowVariants = shadows.map(toVariant);
    const configName = nameWithSuffix(this.options.endpointName, `mrg-${randomBytes(4).toString('hex')}`);
    try {
      await this.sagemaker.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: configName,
          ProductionVariants: production,
          ...(shadowVariants.length > 0 ? { ShadowProductionVariants: shadowVariants } : {}),
          ...(current.DataCaptureConfig ? { DataCaptureConfig: current.DataCaptureConfig } : {}),
          ...(current.KmsKeyId ? { KmsKeyId: current.KmsKeyId } : {}),
          Tags: [{ Key: 'model-release-gate:endpoint', Value: this.options.endpointName }],
        }),
      );
    } catch (error) {
      // The name is ours alone (random suffix): "already existing" is our retried create that landed.
      if (!isAlreadyExisting(error)) throw error;
    }
    let failure: unknown;
    try {
      await this.sagemaker.send(new UpdateEndpointCommand({ EndpointName: this.options.endpointName, EndpointConfigName: configName, RetainAllVariantProperties: true }));
    } catch (error) {
      failure = error;
    }
    const after = await this.waitSettled(this.options.configTimeoutMs ?? 60 * 60_000, `asking it to ${what}`, undefined, (view) => view.configName === configName);
    if (after.configName === configName && after.status === 'InService') {
      if (failure !== undefined) this.options.log?.(`${this.describe()}: UpdateEndpoint failed on its way back (${awsErrorName(failure)}), but the endpoint now runs config ${configName}: the write landed.`);
      return after;
    }
    if (after.configName !== before.configName) throw this.conflict(before, after, what);
    if (failure !== undefined && !isInProgress(failure)) throw failure;
    throw new WriteVerificationError(
      `${this.describe()} did not take the new endpoint config ${configName} to ${what}: SageMaker returned to ${after.status} on the previous config ${after.configName}${after.failureReason ? `; FailureReason: ${after.failureReason}` : ', with no FailureReason'} (a silent rollback of the update).`,
      aliasStateOf(after),
    );
  }

  /** The promotion history as an endpoint tag; a failure is a warning (traffic is settled already). */
  private async writeDescription(view: EndpointView, description: string | undefined): Promise<void> {
    if (description === undefined) return;
    try {
      await this.sagemaker.send(new AddTagsCommand({ ResourceArn: view.endpointArn, Tags: [{ Key: HISTORY_TAG, Value: historyToTag(description).slice(0, 256) }] }));
      view.description = description;
    } catch (error) {
      this.options.log?.(`${this.describe()}: could not record the promotion history in tag ${HISTORY_TAG} (${awsErrorName(error)}: ${(error as Error).message}); rollback --to previous will fall back to release records.`);
    }
  }

  // ---- the candidate model --------------------------------------------------------------

  private modelPrefix(): string {
    return this.options.modelNamePrefix ?? this.options.endpointName;
  }

  /**
   * The SageMaker Model for `spec`, named after a hash of it: the same image, model data, role
   * and environment give the same name, so a re-run reuses the model (as Lambda reuses a version
   * of unchanged code), and a CreateModel whose reply was lost is recognised on retry.
   */
  private async ensureModel(spec: SageMakerModelSpec, description: string): Promise<{ model: DescribeModelCommandOutput; created: boolean }> {
    const environment = Object.fromEntries(Object.entries(spec.environment ?? {}).sort(([a], [b]) => a.localeCompare(b)));
    const hash = createHash('sha256')
      .update(JSON.stringify({ image: spec.image, modelData: spec.modelData ?? null, role: spec.executionRole, environment }))
      .digest('hex')
      .slice(0, 12);
    const name = nameWithSuffix(this.modelPrefix(), hash);
    const tags: Tag[] = [{ Key: RELEASE_TAG, Value: description.slice(0, 256) }];
    try {
      const existing = await this.sagemaker.send(new DescribeModelCommand({ ModelName: name }));
      return { model: existing, created: false };
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    try {
      await this.sagemaker.send(
        new CreateModelCommand({
          ModelName: name,
          PrimaryContainer: { Image: spec.image, ...(spec.modelData !== undefined ? { ModelDataUrl: spec.modelData } : {}), ...(spec.environment ? { Environment: environment } : {}) },
          ExecutionRoleArn: spec.executionRole,
          Tags: tags,
        }),
      );
    } catch (error) {
      if (!isAlreadyExisting(error)) throw error;
      this.options.log?.(`${this.describe()}: CreateModel ${name} failed on its way back (${awsErrorName(error)}), but the model exists: the create landed.`);
    }
    return { model: await this.describeModel(name), created: true };
  }
}
