import { createHash } from 'node:crypto';
import { parseJsonBody, type ApiRequest, type ApiResponse, type Route } from './api.js';
import { SimApiError } from './errors.js';
import type { FaultInjector } from './faults.js';
import { sageMakerArn, validation, type EndpointRecord, type LiveVariant, type SageMakerModel } from './sagemaker-model.js';
import type { ModelRegistryApi } from './sagemaker-registry.js';
import type { InjectedEvent } from './simulator.js';

const TARGET_PREFIX = 'SageMaker.';
const LIST_MODELS_PAGE = { default: 10, min: 1, max: 100 };
const LIST_TAGS_PAGE = { default: 50, min: 50, max: 100 };

/** Everything the SageMaker API needs from the simulator. */
export interface SageMakerApiContext {
  model: SageMakerModel;
  faults: FaultInjector;
  /** The Model Registry operations (sagemaker-registry.ts). */
  registry: ModelRegistryApi;
  now(): number;
  /** Called when an injected concurrent change rewrote an endpoint. */
  onInjectedChange(kind: InjectedEvent['kind'], detail: string): void;
}

type Input = Record<string, unknown>;

/** AWS JSON 1.1 timestamps are epoch seconds. */
const seconds = (ms: number) => ms / 1000;

function ok(value: unknown): ApiResponse {
  return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(value) };
}

export function requiredString(input: Input, member: string): string {
  const value = input[member];
  if (typeof value !== 'string') throw validation(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  return value;
}

type Scalars = { string: string; number: number; boolean: boolean };

export function optional<K extends keyof Scalars>(input: Input, member: string, type: K): Scalars[K] | undefined {
  const value = input[member];
  if (value === undefined) return undefined;
  if (typeof value !== type) throw validation(`${member} must be a ${type}.`);
  return value as Scalars[K];
}

/** Opaque page tokens: the offset of the next item. */
export function page<T>(items: T[], input: Input, limits: { default: number; min: number; max: number }): { items: T[]; nextToken?: string } {
  const maxResults = optional(input, 'MaxResults', 'number') ?? limits.default;
  if (!Number.isInteger(maxResults) || maxResults < limits.min || maxResults > limits.max) {
    throw validation(`1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value between ${limits.min} and ${limits.max}`);
  }
  const token = optional(input, 'NextToken', 'string');
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw validation(`Invalid pagination token ${token}.`);
  const next = start + maxResults;
  return { items: items.slice(start, next), ...(next < items.length ? { nextToken: Buffer.from(String(next)).toString('base64url') } : {}) };
}

/**
 * SageMaker's control plane over AWS JSON 1.1, for the operations model-release-gate uses: the SDK
 * posts to `/` with `X-Amz-Target: SageMaker.<Operation>`, timestamps in epoch seconds. Every
 * rejection is a 400 ValidationException, as SageMaker answers them.
 */
export class SageMakerApi {
  private readonly operations: Record<string, (input: Input) => unknown> = {
    CreateModel: (input) => this.createModel(input),
    DescribeModel: (input) => this.describeModel(input),
    ListModels: (input) => this.listModels(input),
    DeleteModel: (input) => (this.ctx.model.deleteModel(requiredString(input, 'ModelName')), {}),
    CreateEndpointConfig: (input) => this.createEndpointConfig(input),
    DescribeEndpointConfig: (input) => this.describeEndpointConfig(input),
    DeleteEndpointConfig: (input) => (this.ctx.model.deleteEndpointConfig(requiredString(input, 'EndpointConfigName')), {}),
    CreateEndpoint: (input) => this.createEndpoint(input),
    DescribeEndpoint: (input) => this.describeEndpoint(this.ctx.model.getEndpoint(requiredString(input, 'EndpointName'))),
    UpdateEndpoint: (input) => this.updateEndpoint(input),
    UpdateEndpointWeightsAndCapacities: (input) => this.updateWeights(input),
    AddTags: (input) => ({ Tags: this.ctx.model.addTags(requiredString(input, 'ResourceArn'), input['Tags']).map(([Key, Value]) => ({ Key, Value })) }),
    ListTags: (input) => this.listTags(input),
    DeleteTags: (input) => this.deleteTags(input),
    CreateModelPackageGroup: (input) => this.ctx.registry.createModelPackageGroup(input),
    DescribeModelPackageGroup: (input) => this.ctx.registry.describeModelPackageGroup(input),
    CreateModelPackage: (input) => this.ctx.registry.createModelPackage(input),
    DescribeModelPackage: (input) => this.ctx.registry.describeModelPackage(input),
    ListModelPackages: (input) => this.ctx.registry.listModelPackages(input),
    UpdateModelPackage: (input) => this.ctx.registry.updateModelPackage(input),
  };

  constructor(private readonly ctx: SageMakerApiContext) {}

  /** The route for a JSON 1.1 request addressed to SageMaker; a due concurrent endpoint change follows its success. */
  route(req: ApiRequest): Route | undefined {
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) return undefined;
    const operation = target.slice(TARGET_PREFIX.length);
    const body = parseJsonBody(req.body);
    const handler = this.operations[operation];
    // CreateModel hands the execution role to SageMaker: IAM checks iam:PassRole on it for the caller.
    const passesRole = operation === 'CreateModel' && typeof (body as Input | undefined)?.['ExecutionRoleArn'] === 'string';
    return {
      operation,
      loggedBody: body,
      ...(passesRole ? { impliedOperations: ['iam:PassRole'] } : {}),
      run: () => {
        if (!handler) throw new SimApiError(400, 'UnknownOperationException', `The simulator does not implement SageMaker ${operation}`);
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SimApiError(400, 'SerializationException', 'The request body is not a JSON object');
        const response = ok(handler(body as Input));
        const due = this.ctx.faults.endpointChangeDue(operation);
        if (due) this.ctx.onInjectedChange('concurrentEndpointChange', this.ctx.model.applyChange(due.endpointName, due.change));
        return response;
      },
    };
  }

  private createModel(input: Input): unknown {
    const container = input['PrimaryContainer'];
    if (typeof container !== 'object' || container === null) throw validation('PrimaryContainer is required (the simulator models single-container models).');
    const role = optional(input, 'ExecutionRoleArn', 'string');
    const model = this.ctx.model.createModel({
      name: requiredString(input, 'ModelName'),
      primaryContainer: container as Input,
      ...(role !== undefined ? { executionRoleArn: role } : {}),
      tags: input['Tags'],
    });
    return { ModelArn: sageMakerArn('model', model.name) };
  }

  private describeModel(input: Input): unknown {
    const model = this.ctx.model.getModel(requiredString(input, 'ModelName'));
    return {
      ModelName: model.name,
      ModelArn: sageMakerArn('model', model.name),
      PrimaryContainer: model.primaryContainer,
      ...(model.executionRoleArn !== undefined ? { ExecutionRoleArn: model.executionRoleArn } : {}),
      CreationTime: seconds(model.creationMs),
    };
  }

  /** NameContains, CreationTimeBefore/After, SortBy (CreationTime) and SortOrder (Descending) as SageMaker defaults them. */
  private listModels(input: Input): unknown {
    const contains = optional(input, 'NameContains', 'string');
    const before = optional(input, 'CreationTimeBefore', 'number');
    const after = optional(input, 'CreationTimeAfter', 'number');
    const sortBy = optional(input, 'SortBy', 'string') ?? 'CreationTime';
    const sortOrder = optional(input, 'SortOrder', 'string') ?? 'Descending';
    if (sortBy !== 'Name' && sortBy !== 'CreationTime') throw validation(`SortBy must be Name or CreationTime, not ${sortBy}.`);
    if (sortOrder !== 'Ascending' && sortOrder !== 'Descending') throw validation(`SortOrder must be Ascending or Descending, not ${sortOrder}.`);
    const models = this.ctx.model
      .listModels()
      .filter((m) => (contains === undefined || m.name.includes(contains)) && (before === undefined || seconds(m.creationMs) < before) && (after === undefined || seconds(m.creationMs) > after));
    // Models are listed in creation order, so a stable sort keeps ties in that order.
    if (sortBy === 'Name') models.sort((a, b) => a.name.localeCompare(b.name));
    if (sortOrder === 'Descending') models.reverse();
    const { items, nextToken } = page(models, input, LIST_MODELS_PAGE);
    return {
      Models: items.map((m) => ({ ModelName: m.name, ModelArn: sageMakerArn('model', m.name), CreationTime: seconds(m.creationMs) })),
      ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
    };
  }

  private createEndpointConfig(input: Input): unknown {
    const { EndpointConfigName: _name, ProductionVariants, ShadowProductionVariants, Tags, ...extra } = input;
    const config = this.ctx.model.createEndpointConfig({
      name: requiredString(input, 'EndpointConfigName'),
      productionVariants: ProductionVariants,
      ...(ShadowProductionVariants !== undefined ? { shadowVariants: ShadowProductionVariants } : {}),
      extra,
      tags: Tags,
    });
    return { EndpointConfigArn: sageMakerArn('endpoint-config', config.name) };
  }

  private describeEndpointConfig(input: Input): unknown {
    const config = this.ctx.model.getEndpointConfig(requiredString(input, 'EndpointConfigName'));
    return {
      ...config.extra,
      EndpointConfigName: config.name,
      EndpointConfigArn: sageMakerArn('endpoint-config', config.name),
      ProductionVariants: config.variants.map((v) => v.spec),
      ...(config.shadowVariants.length > 0 ? { ShadowProductionVariants: config.shadowVariants.map((v) => v.spec) } : {}),
      CreationTime: seconds(config.creationMs),
    };
  }

  private createEndpoint(input: Input): unknown {
    const endpoint = this.ctx.model.createEndpoint(requiredString(input, 'EndpointName'), requiredString(input, 'EndpointConfigName'), { tags: input['Tags'] });
    return { EndpointArn: sageMakerArn('endpoint', endpoint.name) };
  }

  private updateEndpoint(input: Input): unknown {
    const exclude = input['ExcludeRetainedVariantProperties'];
    if (exclude !== undefined && !Array.isArray(exclude)) throw validation('ExcludeRetainedVariantProperties must be a list.');
    const endpoint = this.ctx.model.updateEndpoint(requiredString(input, 'EndpointName'), requiredString(input, 'EndpointConfigName'), {
      all: optional(input, 'RetainAllVariantProperties', 'boolean') ?? false,
      exclude: new Set(((exclude ?? []) as Array<{ VariantPropertyType?: unknown }>).map((p) => String(p.VariantPropertyType))),
    });
    return { EndpointArn: sageMakerArn('endpoint', endpoint.name) };
  }

  private updateWeights(input: Input): unknown {
    const desired = input['DesiredWeightsAndCapacities'];
    if (!Array.isArray(desired)) throw validation(`1 validation error detected: Value null at 'desiredWeightsAndCapacities' failed to satisfy constraint: Member must not be null`);
    const endpoint = this.ctx.model.updateWeights(
      requiredString(input, 'EndpointName'),
      desired.map((item: unknown) => {
        const d = (typeof item === 'object' && item !== null ? item : {}) as Input;
        const weight = optional(d, 'DesiredWeight', 'number');
        const instanceCount = optional(d, 'DesiredInstanceCount', 'number');
        return { variantName: requiredString(d, 'VariantName'), ...(weight !== undefined ? { weight } : {}), ...(instanceCount !== undefined ? { instanceCount } : {}) };
      }),
    );
    return { EndpointArn: sageMakerArn('endpoint', endpoint.name) };
  }

  private listTags(input: Input): unknown {
    const tags = [...this.ctx.model.tagsOf(requiredString(input, 'ResourceArn'))].map(([Key, Value]) => ({ Key, Value }));
    const { items, nextToken } = page(tags, input, LIST_TAGS_PAGE);
    return { Tags: items, ...(nextToken !== undefined ? { NextToken: nextToken } : {}) };
  }

  private deleteTags(input: Input): unknown {
    const keys = input['TagKeys'];
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) throw validation('TagKeys must be a list of strings.');
    this.ctx.model.deleteTags(requiredString(input, 'ResourceArn'), keys as string[]);
    return {};
  }

  /**
   * DescribeEndpoint: during an UpdateEndpoint the CURRENT config and variants, the new ones under
   * PendingDeploymentSummary; during a weights update the current values with the desired ones.
   */
  private describeEndpoint(endpoint: EndpointRecord): unknown {
    // A read that lags behind a write that just started (describeLagMs) sees the endpoint as it was.
    const transition = endpoint.transition;
    if (transition !== undefined && transition.kind !== 'create' && this.ctx.now() < transition.startedMs + this.ctx.model.timings.describeLagMs) {
      return this.describeBefore(endpoint);
    }
    const pending = endpoint.transition?.kind === 'config' ? endpoint.transition : undefined;
    return {
      EndpointName: endpoint.name,
      EndpointArn: sageMakerArn('endpoint', endpoint.name),
      EndpointConfigName: endpoint.configName,
      ProductionVariants: endpoint.variants.map((v) => this.variantSummary(v)),
      ...(endpoint.shadowVariants.length > 0 ? { ShadowProductionVariants: endpoint.shadowVariants.map((v) => this.variantSummary(v)) } : {}),
      EndpointStatus: endpoint.status,
      ...(endpoint.failureReason !== undefined ? { FailureReason: endpoint.failureReason } : {}),
      CreationTime: seconds(endpoint.creationMs),
      LastModifiedTime: seconds(endpoint.lastModifiedMs),
      ...(pending?.target
        ? {
            PendingDeploymentSummary: {
              EndpointConfigName: pending.target.configName,
              ProductionVariants: pending.target.variants.map(pendingSummary),
              ...(pending.target.shadowVariants.length > 0 ? { ShadowProductionVariants: pending.target.shadowVariants.map(pendingSummary) } : {}),
              StartTime: seconds(pending.startedMs),
            },
          }
        : {}),
    };
  }

  /** The endpoint as it read before its update in progress started. */
  private describeBefore(endpoint: EndpointRecord): unknown {
    const settled = (v: LiveVariant): LiveVariant => ({ ...v, desiredWeight: v.weight, desiredInstanceCount: v.instanceCount });
    return {
      EndpointName: endpoint.name,
      EndpointArn: sageMakerArn('endpoint', endpoint.name),
      EndpointConfigName: endpoint.configName,
      ProductionVariants: endpoint.variants.map((v) => this.variantSummary(settled(v))),
      ...(endpoint.shadowVariants.length > 0 ? { ShadowProductionVariants: endpoint.shadowVariants.map((v) => this.variantSummary(settled(v))) } : {}),
      EndpointStatus: 'InService',
      CreationTime: seconds(endpoint.creationMs),
      LastModifiedTime: seconds(endpoint.lastModifiedMs),
    };
  }

  private variantSummary(v: LiveVariant): unknown {
    const model = this.ctx.model.findModel(v.modelName);
    const image = model?.primaryContainer['Image'];
    return {
      VariantName: v.variantName,
      ...(typeof image === 'string' && model ? { DeployedImages: [{ SpecifiedImage: image, ResolvedImage: resolvedImage(image), ResolutionTime: seconds(model.creationMs) }] } : {}),
      CurrentWeight: v.weight,
      DesiredWeight: v.desiredWeight,
      ...(v.serverless
        ? { CurrentServerlessConfig: v.serverless, DesiredServerlessConfig: v.serverless }
        : { CurrentInstanceCount: v.instanceCount, DesiredInstanceCount: v.desiredInstanceCount }),
    };
  }
}

function pendingSummary(v: LiveVariant): unknown {
  return {
    VariantName: v.variantName,
    DesiredWeight: v.desiredWeight,
    ...(v.serverless ? { DesiredServerlessConfig: v.serverless } : { DesiredInstanceCount: v.desiredInstanceCount, InstanceType: v.instanceType }),
  };
}

/** SageMaker reports the image it resolved the tag to: `repository@sha256:...` (here, a hash of the URI: no registry). */
function resolvedImage(image: string): string {
  const repository = image.replace(/[:@][^/]*$/, '');
  return `${repository}@sha256:${createHash('sha256').update(image).digest('hex')}`;
}
