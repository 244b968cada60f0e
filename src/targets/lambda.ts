/**
 * The Lambda weighted-alias rollout target. Traffic is split by the alias's
 * RoutingConfig.AdditionalVersionWeights; the alias's RevisionId makes every write conditional
 * on the state we last read, so a concurrent change by someone else is reported, never
 * overwritten. Every write is read back and verified. Metrics come from CloudWatch with the
 * ExecutedVersion dimension, so the stable version's errors are never blamed on the canary.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  GetAliasCommand,
  GetFunctionCommand,
  InvokeCommand,
  ListTagsCommand,
  PreconditionFailedException,
  PublishVersionCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  UpdateAliasCommand,
  paginateListVersionsByFunction,
  type AliasConfiguration,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { awsErrorName } from '../aws/error-name.js';
import { getMetricSeries, metricQuery } from '../aws/metric-data.js';
import type { DeployRequest } from '../deploy/code.js';
import { DeployError, LambdaCodeDeployer } from '../deploy/lambda-code.js';
import { parseReleaseTags, releaseTagEntry } from './lambda-release-tags.js';
import {
  RevisionConflictError,
  TargetNotFoundError,
  WriteVerificationError,
  type AliasState,
  type CandidateVersion,
  type DeployContext,
  type DeployedCode,
  type InvokeResult,
  type MetricsWindow,
  type PublishedVersion,
  type ReleaseTagRecord,
  type RolloutTarget,
  type VersionMetrics,
} from './target.js';

export interface LambdaTargetOptions {
  functionName: string;
  alias: string;
  /** Notes worth a line in the job log (a write whose reply was lost but which landed). */
  log?: (line: string) => void;
}

/** `arn:aws:lambda:region:acct:function:NAME[:qualifier]` or `acct:function:NAME` → NAME. */
export function functionNameOf(nameOrArn: string): string {
  const match = /(?:^|:)function:([^:]+)/.exec(nameOrArn);
  return match?.[1] ?? nameOrArn;
}

function aliasStateOf(alias: AliasConfiguration): AliasState {
  if (!alias.FunctionVersion || !alias.RevisionId) {
    throw new Error(`Lambda returned an alias without FunctionVersion or RevisionId (${alias.AliasArn ?? 'unknown alias'})`);
  }
  return {
    version: alias.FunctionVersion,
    additionalWeights: { ...(alias.RoutingConfig?.AdditionalVersionWeights ?? {}) },
    revisionId: alias.RevisionId,
    ...(alias.Description ? { description: alias.Description } : {}),
  };
}

function sameWeights(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (Math.abs((a[key] ?? 0) - (b[key] ?? 0)) > 1e-9) return false;
  }
  return true;
}

/** What one alias write asks for; an absent `version` or `description` is left as it is. */
interface AliasChange {
  version?: string;
  weights: Record<string, number>;
  description?: string;
}

/** True when `alias` is exactly the state `change` asks for (an absent version or description is not compared). */
function holds(alias: AliasState, change: AliasChange): boolean {
  if (change.version !== undefined && alias.version !== change.version) return false;
  if (change.description !== undefined && (alias.description ?? '') !== change.description) return false;
  return sameWeights(alias.additionalWeights, change.weights);
}

function summarize(alias: AliasState): string {
  return `version ${alias.version}, weights ${JSON.stringify(alias.additionalWeights)}, revision ${alias.revisionId}`;
}

/** States we have read or written, by revision, so a write knows the version it leaves in place. */
const SEEN_REVISIONS = 64;

export class LambdaAliasTarget implements RolloutTarget {
  private readonly functionName: string;
  private readonly seen = new Map<string, AliasState>();

  constructor(
    private readonly lambda: LambdaClient,
    private readonly cloudwatch: CloudWatchClient,
    private readonly options: LambdaTargetOptions,
  ) {
    this.functionName = functionNameOf(options.functionName);
  }

  describe(): string {
    return `lambda:${this.functionName}:${this.options.alias}`;
  }

  async readAlias(): Promise<AliasState> {
    try {
      const alias = await this.lambda.send(new GetAliasCommand({ FunctionName: this.options.functionName, Name: this.options.alias }));
      return this.remember(aliasStateOf(alias));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) {
        throw new TargetNotFoundError(
          `Alias '${this.options.alias}' of Lambda function '${this.options.functionName}' was not found (check target.function-name, target.alias and the region): ${error.message}`,
        );
      }
      throw error;
    }
  }

  /** UpdateFunctionCode / UpdateFunctionConfiguration on $LATEST, waited for and verified (src/deploy/lambda-code.ts). */
  async deploy(request: DeployRequest, context: DeployContext): Promise<DeployedCode> {
    const log = context.log ?? this.options.log;
    return new LambdaCodeDeployer(this.lambda, this.options.functionName).deploy(request, { ...context, ...(log ? { log } : {}) });
  }

  async resolveCandidate(request: { version?: string; description: string; deployed?: DeployedCode }): Promise<CandidateVersion> {
    if (request.version !== undefined) {
      const fn = await this.getFunction(request.version);
      return { version: request.version, published: false, description: fn.Description };
    }
    const existing = new Set((await this.listVersions()).map((v) => v.version));
    // Passing a CodeSha256 makes the publish fail if $LATEST changed in between, so the version
    // we canary is exactly the code we looked at, or, after a deploy, exactly the code we
    // deployed (with the RevisionId the deploy left: a configuration change by someone else
    // since then fails it too).
    const deployed = request.deployed;
    const codeSha256 = deployed?.codeSha256 ?? (await this.getFunction('$LATEST')).CodeSha256;
    let published;
    try {
      published = await this.lambda.send(
        new PublishVersionCommand({
          FunctionName: this.options.functionName,
          CodeSha256: codeSha256,
          Description: request.description,
          ...(deployed ? { RevisionId: deployed.revisionId } : {}),
        }),
      );
    } catch (error) {
      if (!(error instanceof PreconditionFailedException) || !deployed) throw error;
      return this.publishedDespite(error, deployed, existing, request.description);
    }
    if (!published.Version) throw new Error(`PublishVersion on '${this.options.functionName}' returned no version number`);
    return { version: published.Version, published: !existing.has(published.Version), description: published.Description };
  }

  /**
   * A PublishVersion after a deploy answered 412: either a retry of a publish that landed (its
   * reply was lost) or someone else changed $LATEST since our deploy. A new version with our
   * code and our description is ours; anything else is refused.
   */
  private async publishedDespite(error: Error, deployed: DeployedCode, existing: Set<string>, description: string): Promise<CandidateVersion> {
    const latest = await this.getFunction('$LATEST');
    const ours = (await this.listVersions()).find((v) => !existing.has(v.version) && v.codeSha256 === deployed.codeSha256 && v.description === description);
    if (ours) {
      this.options.log?.(`${this.describe()}: PublishVersion failed on its way back (${awsErrorName(error)}), but version ${ours.version} holds exactly the deployed code: the publish landed.`);
      return { version: ours.version, published: true, description: ours.description };
    }
    const what =
      latest.CodeSha256 !== deployed.codeSha256
        ? `its code was replaced (CodeSha256 ${latest.CodeSha256 ?? '(none)'}, the gate deployed ${deployed.codeSha256})`
        : 'its configuration was changed';
    throw new DeployError('conflict', `Lambda function '${this.options.functionName}' changed after the gate deployed to it: ${what}. Nothing was published; run the release again.`);
  }

  /** Writes the function tag that maps `record.tag` to its version (src/targets/lambda-release-tags.ts). */
  async recordReleaseTag(record: ReleaseTagRecord): Promise<void> {
    const entry = releaseTagEntry(record);
    if ('error' in entry) throw new Error(`Cannot record the release on ${this.describe()}: ${entry.error}.`);
    const arn = await this.functionArn();
    try {
      await this.lambda.send(new TagResourceCommand({ Resource: arn, Tags: { [entry.key]: entry.value } }));
    } catch (error) {
      // A lost reply is harmless here: tagging is idempotent, and the SDK's retry writes the same tag.
      const limit = /tag/i.test((error as Error).message ?? '') && /limit|exceed|too many/i.test((error as Error).message ?? '');
      throw new Error(
        `Could not tag ${this.describe()} with ${entry.key}=${entry.value} (${awsErrorName(error)}: ${(error as Error).message})${limit ? '; a Lambda function holds at most 50 tags: remove old model-release-gate:tag:* tags' : ''}.`,
      );
    }
  }

  async listReleaseTags(): Promise<ReleaseTagRecord[]> {
    const tags = await this.lambda.send(new ListTagsCommand({ Resource: await this.functionArn() }));
    return parseReleaseTags(tags.Tags ?? {});
  }

  /** The unqualified function ARN: tags live on the function, and TagResource/ListTags take only an ARN. */
  private async functionArn(): Promise<string> {
    const arn = (await this.getFunction('$LATEST')).FunctionArn;
    const match = arn === undefined ? null : /^(arn:[^:]+:lambda:[^:]+:\d+:function:[^:]+)/.exec(arn);
    if (!match?.[1]) throw new Error(`GetFunction returned no function ARN for '${this.options.functionName}'`);
    return match[1];
  }

  async shiftTraffic(candidate: string, weight: number, expectedRevisionId: string): Promise<AliasState> {
    if (!(weight > 0 && weight <= 1)) throw new RangeError(`traffic weight must be in (0, 1], got ${weight}`);
    return this.writeAlias({ weights: { [candidate]: weight } }, expectedRevisionId);
  }

  async promote(candidate: string, expectedRevisionId: string, description?: string): Promise<AliasState> {
    return this.writeAlias({ version: candidate, weights: {}, ...(description !== undefined ? { description } : {}) }, expectedRevisionId);
  }

  async rollBack(expectedRevisionId: string): Promise<AliasState> {
    return this.writeAlias({ weights: {} }, expectedRevisionId);
  }

  async pointTo(version: string, expectedRevisionId: string, description?: string): Promise<AliasState> {
    return this.writeAlias({ version, weights: {}, ...(description !== undefined ? { description } : {}) }, expectedRevisionId);
  }

  /** `{version}`, `{alias}`, `{function}` of a `rollout.metrics` query (the function's name, not its ARN). */
  metricDimensions(version: string): Promise<Record<string, string>> {
    return Promise.resolve({ version, alias: this.options.alias, function: this.functionName });
  }

  async readMetrics(version: string, window: MetricsWindow, signal?: AbortSignal): Promise<VersionMetrics> {
    const dimensions = [
      { Name: 'FunctionName', Value: this.functionName },
      { Name: 'Resource', Value: `${this.functionName}:${this.options.alias}` },
      { Name: 'ExecutedVersion', Value: version },
    ];
    const query = (id: string, metricName: string, stat: string) => metricQuery(id, 'AWS/Lambda', metricName, dimensions, stat);
    const queries = [query('invocations', 'Invocations', 'Sum'), query('errors', 'Errors', 'Sum'), query('throttles', 'Throttles', 'Sum'), query('p99', 'Duration', 'p99')];
    const series = await getMetricSeries(this.cloudwatch, queries, window, signal);

    const invocations = series.get('invocations') as Map<number, number>;
    const errors = series.get('errors') as Map<number, number>;
    const throttles = series.get('throttles') as Map<number, number>;
    const p99 = series.get('p99') as Map<number, number>;
    // A minute counts only when both of its counts are published. CloudWatch can publish one
    // series of a minute before another: an Invocations datapoint without its Errors read as
    // "0 errors" makes a version look healthier than it is (and the other one worse by
    // comparison). Such a minute is left out until it is complete. Throttles are counted where
    // Lambda publishes them (a throttled call never reaches a version, so a version has none).
    const starts = [...invocations.keys()].filter((startMs) => errors.has(startMs)).sort((a, b) => a - b);
    const periods = starts.map((startMs) => ({
      startMs,
      invocations: invocations.get(startMs) ?? 0,
      errors: errors.get(startMs) ?? 0,
      throttles: throttles.get(startMs) ?? 0,
      p99Ms: p99.get(startMs) ?? null,
    }));
    const sum = (key: 'invocations' | 'errors' | 'throttles') => periods.reduce((total, p) => total + p[key], 0);
    const p99s = periods.map((p) => p.p99Ms).filter((v): v is number => v !== null);
    return {
      version,
      invocations: sum('invocations'),
      errors: sum('errors'),
      throttles: sum('throttles'),
      p99Ms: p99s.length > 0 ? Math.max(...p99s) : null,
      periods,
    };
  }

  async invoke(version: string, payload: string): Promise<InvokeResult> {
    const started = performance.now();
    const response = await this.lambda.send(
      new InvokeCommand({ FunctionName: this.options.functionName, Qualifier: version, Payload: new TextEncoder().encode(payload) }),
    );
    return {
      statusCode: response.StatusCode ?? 0,
      functionError: response.FunctionError,
      payload: response.Payload ? new TextDecoder().decode(response.Payload) : '',
      durationMs: performance.now() - started,
    };
  }

  private async getFunction(qualifier: string) {
    try {
      const fn = await this.lambda.send(new GetFunctionCommand({ FunctionName: this.options.functionName, Qualifier: qualifier }));
      if (!fn.Configuration) throw new Error(`GetFunction returned no configuration for ${this.options.functionName}:${qualifier}`);
      return fn.Configuration;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) {
        throw new TargetNotFoundError(`Lambda function '${this.options.functionName}' version '${qualifier}' was not found: ${error.message}`);
      }
      throw error;
    }
  }

  private remember(alias: AliasState): AliasState {
    this.seen.set(alias.revisionId, alias);
    if (this.seen.size > SEEN_REVISIONS) this.seen.delete(this.seen.keys().next().value as string);
    return alias;
  }

  async listVersions(): Promise<PublishedVersion[]> {
    const versions: PublishedVersion[] = [];
    try {
      for await (const page of paginateListVersionsByFunction({ client: this.lambda }, { FunctionName: this.options.functionName })) {
        for (const v of page.Versions ?? []) {
          if (v.Version && v.Version !== '$LATEST') {
            versions.push({ version: v.Version, description: v.Description ?? '', ...(v.CodeSha256 !== undefined ? { codeSha256: v.CodeSha256 } : {}) });
          }
        }
      }
    } catch (error) {
      if (error instanceof ResourceNotFoundException) {
        throw new TargetNotFoundError(`Lambda function '${this.options.functionName}' was not found (check target.function-name and the region): ${error.message}`);
      }
      throw error;
    }
    return versions;
  }

  /**
   * Conditional write, then read-back: the state we report is the state Lambda has. Without
   * `description` the alias description is left as it is (UpdateAlias changes only what it is given).
   *
   * A write can land and still fail for us: a 5xx from a gateway after the work was done, a
   * reset connection, a timeout. The SDK then retries with the same RevisionId, now stale, and
   * Lambda answers 412. So after ANY failed write we read the alias back: if it holds exactly
   * what we asked for (version, weights, and the description we set), our write landed and we
   * carry on from there; only a state we did not write is someone else's change.
   */
  private async writeAlias(change: AliasChange, expectedRevisionId: string): Promise<AliasState> {
    const before = this.seen.get(expectedRevisionId);
    const intended: AliasChange = { ...change, version: change.version ?? before?.version };
    let written: AliasConfiguration;
    try {
      written = await this.lambda.send(
        new UpdateAliasCommand({
          FunctionName: this.options.functionName,
          Name: this.options.alias,
          FunctionVersion: change.version,
          RoutingConfig: { AdditionalVersionWeights: change.weights },
          ...(change.description !== undefined ? { Description: change.description } : {}),
          RevisionId: expectedRevisionId,
        }),
      );
    } catch (error) {
      const current = await this.readAlias().catch(() => undefined);
      if (current !== undefined && holds(current, intended)) {
        this.options.log?.(
          `${this.describe()}: UpdateAlias failed on its way back (${awsErrorName(error)}), but the alias reads back exactly as written (${summarize(current)}): the write landed.`,
        );
        return current;
      }
      if (error instanceof PreconditionFailedException) {
        throw new RevisionConflictError(
          `Alias ${this.describe()} was changed by someone else (expected revision ${expectedRevisionId}${current ? `, now version ${current.version} with weights ${JSON.stringify(current.additionalWeights)}` : ''}); not overwriting it.`,
          expectedRevisionId,
          current,
        );
      }
      throw error;
    }
    const observed = await this.readAlias();
    if (written.RevisionId !== undefined && observed.revisionId !== written.RevisionId) {
      // Our write landed, then someone else wrote before our read-back: theirs stands.
      throw new RevisionConflictError(
        `Alias ${this.describe()} was changed by someone else right after our write (now version ${observed.version} with weights ${JSON.stringify(observed.additionalWeights)}); not overwriting it.`,
        written.RevisionId,
        observed,
      );
    }
    if (!holds(observed, intended)) {
      throw new WriteVerificationError(
        `Alias ${this.describe()} reads back as version ${observed.version} with weights ${JSON.stringify(observed.additionalWeights)} after writing ${change.version ?? '(unchanged version)'} with ${JSON.stringify(change.weights)}.`,
        observed,
      );
    }
    return observed;
  }
}
