import { createHash } from 'node:crypto';
import { json, parseJsonBody, type ApiRequest, type ApiResponse, type Route } from './api.js';
import { invalidParameter, SimApiError } from './errors.js';
import type { FaultInjector } from './faults.js';
import {
  functionArn,
  parseFunctionRef,
  type AliasRecord,
  type CodeUpdate,
  type FunctionVersion,
  type LambdaFunction,
  type LambdaModel,
} from './lambda-model.js';
import type { SeededRandom } from './random.js';
import type { FunctionRuntime } from './runtime.js';
import type { InjectedEvent } from './simulator.js';

const API_VERSION = '2015-03-31';
/** TagResource, UntagResource and ListTags live under an older API date, on `/tags/{ARN}`. */
const TAGS_API_VERSION = '2017-03-31';
const DEFAULT_PAGE_SIZE = 50;

/** Everything the Lambda API needs from the simulator. */
export interface LambdaApiContext {
  model: LambdaModel;
  runtime: FunctionRuntime;
  faults: FaultInjector;
  random: SeededRandom;
  now(): number;
  /** Hold each Invoke answer for its drawn duration in real time. */
  realInvokeLatency?: boolean;
  /** Called when an injected concurrent change rewrote an alias or deployed someone else's code. */
  onInjectedChange(kind: InjectedEvent['kind'], detail: string): void;
}

/** Lambda's LastModified format: `2026-01-01T00:00:00.000+0000`. */
function lambdaTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

function functionConfiguration(fn: LambdaFunction, version: FunctionVersion, qualifierInArn?: string): Record<string, unknown> {
  const image = version.packageType === 'Image';
  return {
    FunctionName: fn.name,
    FunctionArn: functionArn(fn.name, qualifierInArn),
    ...(image ? {} : { Runtime: 'python3.12', Handler: 'app.handler' }),
    Role: `arn:aws:iam::123456789012:role/${fn.name}-role`,
    CodeSize: version.codeSize,
    Description: version.description,
    Timeout: version.config.timeoutSeconds,
    MemorySize: version.config.memoryMb,
    ...(Object.keys(version.config.environment).length > 0 ? { Environment: { Variables: { ...version.config.environment } } } : {}),
    LastModified: lambdaTimestamp(version.lastModifiedMs),
    CodeSha256: version.codeSha256,
    Version: version.version,
    RevisionId: version.revisionId,
    State: 'Active',
    LastUpdateStatus: version.update.status,
    ...(version.update.status === 'InProgress' ? { LastUpdateStatusReason: 'The function is being updated.', LastUpdateStatusReasonCode: 'Creating' } : {}),
    ...(version.update.status === 'Failed' ? { LastUpdateStatusReason: version.update.reason, LastUpdateStatusReasonCode: version.update.reasonCode } : {}),
    PackageType: version.packageType,
    Architectures: ['x86_64'],
  };
}

/** The code of an UpdateFunctionCode body: exactly one of ZipFile (base64 in JSON), S3 location, ImageUri. */
function readCodeBody(body: unknown): CodeUpdate {
  const b = (body ?? {}) as Record<string, unknown>;
  const sources = [b['ZipFile'] !== undefined, b['S3Bucket'] !== undefined || b['S3Key'] !== undefined, b['ImageUri'] !== undefined].filter(Boolean).length;
  if (sources !== 1) throw invalidParameter('Please provide a source for function code: exactly one of ZipFile, S3Bucket/S3Key or ImageUri.');
  if (typeof b['ZipFile'] === 'string') return { zipFile: Buffer.from(b['ZipFile'], 'base64') };
  if (typeof b['ImageUri'] === 'string') return { imageUri: b['ImageUri'] };
  if (typeof b['S3Bucket'] !== 'string' || typeof b['S3Key'] !== 'string') throw invalidParameter('S3Bucket and S3Key are both required for code in S3.');
  return { s3: { bucket: b['S3Bucket'], key: b['S3Key'], ...(typeof b['S3ObjectVersion'] === 'string' ? { objectVersion: b['S3ObjectVersion'] } : {}) } };
}

/** Lambda reads an S3 package with the caller's permissions: GetObject, or GetObjectVersion for a pinned version. */
function s3Reads(body: unknown): { impliedOperations?: string[] } {
  const b = body as Record<string, unknown> | undefined;
  if (typeof b?.['S3Bucket'] !== 'string') return {};
  return { impliedOperations: [b['S3ObjectVersion'] !== undefined ? 's3:GetObjectVersion' : 's3:GetObject'] };
}

/** The body as the request log keeps it: a zip's bytes shortened to their size and hash. */
function loggedCodeBody(body: unknown): unknown {
  const b = body as Record<string, unknown> | undefined;
  if (typeof b?.['ZipFile'] !== 'string') return body;
  const bytes = Buffer.from(b['ZipFile'], 'base64');
  return { ...b, ZipFile: `<${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('base64')}>` };
}

function aliasConfiguration(fn: LambdaFunction, alias: AliasRecord): Record<string, unknown> {
  return {
    AliasArn: functionArn(fn.name, alias.name),
    Name: alias.name,
    FunctionVersion: alias.version,
    Description: alias.description,
    ...(Object.keys(alias.weights).length > 0 ? { RoutingConfig: { AdditionalVersionWeights: { ...alias.weights } } } : {}),
    RevisionId: alias.revisionId,
  };
}

/** Reads the alias fields of a CreateAlias/UpdateAlias body, rejecting malformed weights. */
function readAliasBody(body: unknown): { version?: string; weights?: Record<string, number>; description?: string; revisionId?: string } {
  if (typeof body !== 'object' || body === null) throw invalidParameter('Request body must be a JSON object');
  const b = body as Record<string, unknown>;
  const routing = b['RoutingConfig'] as { AdditionalVersionWeights?: Record<string, unknown> } | undefined;
  let weights: Record<string, number> | undefined;
  if (routing !== undefined) {
    weights = {};
    for (const [version, weight] of Object.entries(routing.AdditionalVersionWeights ?? {})) {
      if (typeof weight !== 'number') throw invalidParameter(`Weight for version ${version} must be a number`);
      weights[version] = weight;
    }
  }
  return {
    ...(typeof b['FunctionVersion'] === 'string' ? { version: b['FunctionVersion'] } : {}),
    ...(weights ? { weights } : {}),
    ...(typeof b['Description'] === 'string' ? { description: b['Description'] } : {}),
    ...(typeof b['RevisionId'] === 'string' ? { revisionId: b['RevisionId'] } : {}),
  };
}

/**
 * Lambda's REST-JSON API (2015-03-31), for the operations model-release-gate uses:
 * paths, query parameters, status codes and JSON shapes as the AWS SDK v3 sends and reads them.
 */
export class LambdaApi {
  constructor(private readonly ctx: LambdaApiContext) {}

  /** The route for a Lambda request, or undefined when not one of ours; a due concurrent code change follows its success. */
  route(req: ApiRequest): Route | undefined {
    const route = this.routeOf(req);
    if (!route) return undefined;
    return {
      ...route,
      run: () => {
        const response = route.run();
        const sha = this.ctx.faults.codeChangeDue(route.operation);
        if (sha !== undefined) {
          const segments = req.path.split('/').slice(1).map(decodeURIComponent);
          const name = parseFunctionRef(segments[2] ?? '').name;
          this.ctx.model.setLatestCode(name, sha);
          this.ctx.onInjectedChange('concurrentCodeChange', `${name}: someone else deployed code ${sha} after ${route.operation}`);
        }
        return response;
      },
    };
  }

  private routeOf(req: ApiRequest): Route | undefined {
    const segments = req.path.split('/').slice(1).map(decodeURIComponent);
    if (segments[0] === TAGS_API_VERSION && segments[1] === 'tags' && segments[2] !== undefined && segments.length === 3) return this.tagsRoute(req, segments[2]);
    if (segments[0] !== API_VERSION || segments[1] !== 'functions' || segments[2] === undefined) return undefined;
    const [, , functionRef, collection, item, ...extra] = segments;
    if (extra.length > 0) return undefined;
    const body = req.body.length > 0 ? parseJsonBody(req.body) : undefined;
    const key = `${req.method} ${collection ?? ''}${item === undefined ? '' : '/*'}`;
    const qualifier = req.query.get('Qualifier') ?? parseFunctionRef(functionRef).qualifier;
    const withBody = (operation: string, run: () => ApiResponse): Route => ({ operation, loggedBody: body, run });
    switch (key) {
      case 'GET ':
        return { operation: 'GetFunction', run: () => this.getFunction(functionRef, qualifier) };
      case 'GET configuration':
        return { operation: 'GetFunctionConfiguration', run: () => this.getFunctionConfiguration(functionRef, qualifier) };
      case 'PUT code':
        return {
          operation: 'UpdateFunctionCode',
          loggedBody: loggedCodeBody(body),
          ...s3Reads(body),
          run: () => this.updateFunctionCode(functionRef, body),
        };
      case 'PUT configuration':
        return withBody('UpdateFunctionConfiguration', () => this.updateFunctionConfiguration(functionRef, body));
      case 'GET versions':
        return { operation: 'ListVersionsByFunction', run: () => this.listVersions(functionRef, req.query) };
      case 'POST versions':
        return withBody('PublishVersion', () => this.publishVersion(functionRef, body));
      case 'GET aliases':
        return { operation: 'ListAliases', run: () => this.listAliases(functionRef) };
      case 'POST aliases':
        return withBody('CreateAlias', () => this.createAlias(functionRef, body));
      case 'GET aliases/*':
        return { operation: 'GetAlias', run: () => this.getAlias(functionRef, item!) };
      case 'PUT aliases/*':
        return withBody('UpdateAlias', () => this.updateAlias(functionRef, item!, body));
      case 'POST invocations':
        return {
          operation: 'Invoke',
          loggedBody: body,
          run: () => this.invoke(functionRef, qualifier, req.headers['x-amz-invocation-type'], body),
        };
      default:
        return undefined;
    }
  }

  private getFunction(ref: string, qualifier: string | undefined): ApiResponse {
    const fn = this.ctx.model.getFunction(ref);
    const { version } = this.ctx.model.resolveQualifier(fn, qualifier);
    const code =
      version.packageType === 'Image'
        ? { RepositoryType: 'ECR', ImageUri: version.imageUri, ResolvedImageUri: version.imageUri }
        : { RepositoryType: 'S3', Location: `https://awslambda-us-east-1-tasks.s3.us-east-1.amazonaws.com/snapshots/123456789012/${fn.name}` };
    return json(200, {
      Configuration: functionConfiguration(fn, version, qualifier),
      Code: code,
      Tags: Object.fromEntries(fn.tags),
    });
  }

  private updateFunctionCode(ref: string, body: unknown): ApiResponse {
    const b = (body ?? {}) as Record<string, unknown>;
    if (b['Publish'] === true) throw invalidParameter('The simulator models UpdateFunctionCode with Publish: false only (model-release-gate publishes separately, with CodeSha256).');
    const fn = this.ctx.model.getFunction(ref);
    const latest = this.ctx.model.updateFunctionCode(ref, readCodeBody(body), typeof b['RevisionId'] === 'string' ? b['RevisionId'] : undefined);
    return json(200, functionConfiguration(fn, latest, undefined));
  }

  private updateFunctionConfiguration(ref: string, body: unknown): ApiResponse {
    const b = (body ?? {}) as Record<string, unknown>;
    const fn = this.ctx.model.getFunction(ref);
    const environment = (b['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    if (environment !== undefined && Object.values(environment).some((v) => typeof v !== 'string')) throw invalidParameter('Environment variable values must be strings.');
    const latest = this.ctx.model.updateFunctionConfiguration(
      ref,
      {
        ...(typeof b['MemorySize'] === 'number' ? { memoryMb: b['MemorySize'] } : {}),
        ...(typeof b['Timeout'] === 'number' ? { timeoutSeconds: b['Timeout'] } : {}),
        ...(environment !== undefined ? { environment: environment as Record<string, string> } : {}),
      },
      typeof b['RevisionId'] === 'string' ? b['RevisionId'] : undefined,
    );
    return json(200, functionConfiguration(fn, latest, undefined));
  }

  /** `/2017-03-31/tags/{ARN}`: ListTags (GET) and TagResource (POST, 204). */
  private tagsRoute(req: ApiRequest, resource: string): Route | undefined {
    if (req.method === 'GET') return { operation: 'ListTags', run: () => json(200, { Tags: this.ctx.model.listTags(resource) }) };
    if (req.method !== 'POST') return undefined;
    const body = req.body.length > 0 ? parseJsonBody(req.body) : undefined;
    return {
      operation: 'TagResource',
      loggedBody: body,
      run: () => {
        const tags = (body as { Tags?: Record<string, unknown> } | undefined)?.Tags;
        if (tags === undefined || Object.values(tags).some((v) => typeof v !== 'string')) throw invalidParameter('Tags must be a map of strings.');
        this.ctx.model.tagResource(resource, tags as Record<string, string>);
        return { status: 204, body: '' };
      },
    };
  }

  private getFunctionConfiguration(ref: string, qualifier: string | undefined): ApiResponse {
    const fn = this.ctx.model.getFunction(ref);
    const { version } = this.ctx.model.resolveQualifier(fn, qualifier);
    return json(200, functionConfiguration(fn, version, qualifier));
  }

  private listVersions(ref: string, query: URLSearchParams): ApiResponse {
    const fn = this.ctx.model.getFunction(ref);
    const all = [fn.latest, ...fn.versions];
    const marker = query.get('Marker');
    const start = marker === null ? 0 : Number(Buffer.from(marker, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0 || start > all.length) throw invalidParameter(`Invalid Marker: ${marker}`);
    const maxItems = query.has('MaxItems') ? Number(query.get('MaxItems')) : DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10_000) throw invalidParameter(`Invalid MaxItems: ${query.get('MaxItems')}`);
    const page = all.slice(start, start + maxItems);
    const next = start + page.length;
    return json(200, {
      Versions: page.map((v) => functionConfiguration(fn, v, v.version)),
      ...(next < all.length ? { NextMarker: Buffer.from(String(next)).toString('base64url') } : {}),
    });
  }

  private publishVersion(ref: string, body: unknown): ApiResponse {
    const b = (body ?? {}) as Record<string, unknown>;
    const fn = this.ctx.model.getFunction(ref);
    const { version } = this.ctx.model.publishVersion(ref, {
      ...(typeof b['CodeSha256'] === 'string' ? { codeSha256: b['CodeSha256'] } : {}),
      ...(typeof b['Description'] === 'string' ? { description: b['Description'] } : {}),
      ...(typeof b['RevisionId'] === 'string' ? { revisionId: b['RevisionId'] } : {}),
    });
    return json(201, functionConfiguration(fn, version, version.version));
  }

  private listAliases(ref: string): ApiResponse {
    const fn = this.ctx.model.getFunction(ref);
    return json(200, { Aliases: [...fn.aliases.values()].map((a) => aliasConfiguration(fn, a)) });
  }

  private getAlias(ref: string, name: string): ApiResponse {
    const fn = this.ctx.model.getFunction(ref);
    return json(200, aliasConfiguration(fn, this.ctx.model.getAlias(ref, name)));
  }

  private createAlias(ref: string, body: unknown): ApiResponse {
    const fn = this.ctx.model.getFunction(ref);
    const name = (body as Record<string, unknown> | undefined)?.['Name'];
    if (typeof name !== 'string' || name === '') throw invalidParameter('Name is required');
    const fields = readAliasBody(body);
    const alias = this.ctx.model.createAlias(ref, name, {
      ...(fields.version !== undefined ? { version: fields.version } : {}),
      ...(fields.weights ? { weights: fields.weights } : {}),
      ...(fields.description !== undefined ? { description: fields.description } : {}),
    });
    return json(201, aliasConfiguration(fn, alias));
  }

  private updateAlias(ref: string, name: string, body: unknown): ApiResponse {
    const fn = this.ctx.model.getFunction(ref);
    const fields = readAliasBody(body ?? {});
    const alias = this.ctx.model.updateAlias(ref, name, {
      ...(fields.version !== undefined ? { version: fields.version } : {}),
      ...(fields.weights ? { weights: fields.weights } : {}),
      ...(fields.description !== undefined ? { description: fields.description } : {}),
      ...(fields.revisionId !== undefined ? { expectedRevisionId: fields.revisionId } : {}),
    });
    // Render before a scheduled concurrent change so the caller sees its own (soon stale) revision.
    const response = json(200, aliasConfiguration(fn, alias));
    const change = this.ctx.faults.aliasChangeDue();
    if (change) {
      const changed = this.ctx.model.updateAlias(ref, name, {
        ...(change.version !== undefined ? { version: change.version } : {}),
        ...(change.weights !== undefined ? { weights: change.weights } : {}),
        ...(change.description !== undefined ? { description: change.description } : {}),
      });
      this.ctx.onInjectedChange(
        'concurrentAliasChange',
        `${fn.name}:${name} -> version ${changed.version} weights ${JSON.stringify(changed.weights)} revision ${changed.revisionId}`,
      );
    }
    return response;
  }

  private invoke(ref: string, qualifier: string | undefined, invocationTypeHeader: string | string[] | undefined, request: unknown): ApiResponse {
    const invocationType = typeof invocationTypeHeader === 'string' ? invocationTypeHeader : 'RequestResponse';
    if (invocationType === 'DryRun') {
      const fn = this.ctx.model.getFunction(ref);
      this.ctx.model.resolveQualifier(fn, qualifier);
      return { status: 204, body: '' };
    }
    const execution = this.ctx.runtime.invoke(ref, qualifier, this.ctx.now(), this.ctx.random);
    const { outcome, executedVersion } = execution;
    if (outcome.kind === 'throttled') {
      throw new SimApiError(429, 'TooManyRequestsException', 'Rate Exceeded.', {
        Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      });
    }
    const headers: Record<string, string> = { 'x-amz-executed-version': executedVersion };
    if (invocationType === 'Event') return { status: 202, headers, body: '' };
    const delay = this.ctx.realInvokeLatency ? { delayMs: outcome.durationMs } : {};
    if (outcome.kind === 'error') {
      return {
        ...json(
          200,
          { errorMessage: `Simulated model failure in version ${executedVersion}`, errorType: 'SimulatedModelError' },
          { ...headers, 'x-amz-function-error': 'Unhandled' },
        ),
        ...delay,
      };
    }
    const prediction = this.ctx.runtime.behaviourOf(execution.functionName, executedVersion).answer?.(request) ?? {};
    const answer = { version: executedVersion, ok: true, durationMs: Math.round(outcome.durationMs), ...prediction };
    if (outcome.proxyStatusCode !== undefined) {
      // A proxy function: the HTTP status its caller sees is inside the payload, Invoke still says 200.
      const proxyBody = outcome.proxyStatusCode >= 400 ? { error: `Simulated proxy error ${outcome.proxyStatusCode} in version ${executedVersion}` } : answer;
      return { ...json(200, { statusCode: outcome.proxyStatusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(proxyBody) }, headers), ...delay };
    }
    return { ...json(200, answer, headers), ...delay };
  }
}
