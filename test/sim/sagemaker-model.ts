import { SimApiError } from './errors.js';
import { ACCOUNT_ID, REGION } from './lambda-model.js';

/** SageMaker's rule for the names of models, endpoint configs, endpoints and variants. */
const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const MAX_PRODUCTION_VARIANTS = 10;
export const SAGEMAKER_TAG_LIMIT = 50;
/** Tag keys and values: letters, separators, digits and `_.:/=+-@` only (no commas). */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export type ResourceKind = 'model' | 'endpoint-config' | 'endpoint';

/** SageMaker puts names into ARNs lowercased. */
export function sageMakerArn(kind: ResourceKind, name: string): string {
  return `arn:aws:sagemaker:${REGION}:${ACCOUNT_ID}:${kind}/${name.toLowerCase()}`;
}

/** SageMaker answers bad input, unknown resources and conflicting states alike with a 400 ValidationException. */
export function validation(message: string): SimApiError {
  return new SimApiError(400, 'ValidationException', message);
}

export interface ModelRecord {
  name: string;
  /** PrimaryContainer as CreateModel received it (DescribeModel echoes it). */
  primaryContainer: Record<string, unknown>;
  executionRoleArn?: string;
  creationMs: number;
  tags: Map<string, string>;
}

/** A production or shadow variant of an endpoint config. */
export interface VariantConfig {
  variantName: string;
  modelName: string;
  initialWeight: number;
  /** Absent for a serverless variant. */
  instanceCount?: number;
  instanceType?: string;
  serverless?: Record<string, unknown>;
  /** The ProductionVariant as received, InitialVariantWeight defaulted (DescribeEndpointConfig echoes it). */
  spec: Record<string, unknown>;
}

export interface EndpointConfigRecord {
  name: string;
  variants: VariantConfig[];
  shadowVariants: VariantConfig[];
  /** The request's other members (DataCaptureConfig, KmsKeyId, ...), echoed by DescribeEndpointConfig. */
  extra: Record<string, unknown>;
  creationMs: number;
  tags: Map<string, string>;
}

/** A variant as an endpoint runs it: the current values, and those an update in progress goes to. */
export interface LiveVariant {
  variantName: string;
  modelName: string;
  instanceType?: string;
  serverless?: Record<string, unknown>;
  weight: number;
  desiredWeight: number;
  /** 0 for a serverless variant. */
  instanceCount: number;
  desiredInstanceCount: number;
}

export type EndpointStatus = 'Creating' | 'Updating' | 'SystemUpdating' | 'RollingBack' | 'InService' | 'OutOfService' | 'Deleting' | 'Failed';

/** What an endpoint runs: a config's name and its variants with their live values. */
export interface Deployment {
  configName: string;
  variants: LiveVariant[];
  shadowVariants: LiveVariant[];
}

/** How an accepted update fails (sim.scenarios.failingEndpointUpdate / failingWeightsUpdate). */
export interface UpdateFailure {
  /** FailureReason once the endpoint is back; absent for a rollback that says nothing. */
  reason?: string;
  /** How long the endpoint stays RollingBack after the update time. */
  rollbackMs: number;
}

/** An update in progress; its end is computed from the clock when the endpoint is read. */
interface Transition {
  kind: 'create' | 'config' | 'weights';
  startedMs: number;
  completesAtMs: number;
  /** A config update's outcome. A weights update keeps its target in the variants' desired values. */
  target?: Deployment;
  failure?: UpdateFailure;
}

export interface EndpointRecord extends Deployment {
  name: string;
  status: EndpointStatus;
  failureReason?: string;
  creationMs: number;
  lastModifiedMs: number;
  transition?: Transition;
  tags: Map<string, string>;
}

/** Simulated time each kind of endpoint change takes (SimulatorOptions.sagemaker). */
export interface EndpointTimings {
  /** UpdateEndpoint: Updating this long, then InService on the new config. Default 5 min. */
  endpointUpdateMs: number;
  /** UpdateEndpointWeightsAndCapacities without instance changes. Default 30 s. */
  weightsUpdateMs: number;
  /** Added to a weights update that changes an instance count. Default 4 min. */
  instanceChangeMs: number;
  /** CreateEndpoint: Creating this long. Default 5 min. */
  createEndpointMs: number;
  /**
   * Eventual consistency: for this long after an update starts, DescribeEndpoint still answers
   * as before it (InService, the old desired weights, no pending deployment). Default 0.
   */
  describeLagMs: number;
}

export const DEFAULT_TIMINGS: EndpointTimings = { endpointUpdateMs: 5 * 60_000, weightsUpdateMs: 30_000, instanceChangeMs: 4 * 60_000, createEndpointMs: 5 * 60_000, describeLagMs: 0 };

/** Someone else's change to an endpoint: weights set at once, or an UpdateEndpoint to an existing config. */
export type EndpointChange = { weights: Record<string, number> } | { configName: string };

/** UpdateEndpoint's retention rule: RetainAllVariantProperties minus ExcludeRetainedVariantProperties. */
export interface Retention {
  all: boolean;
  exclude: Set<string>;
}

/**
 * The SageMaker control-plane state: models, endpoint configs, endpoints and their tags, with
 * SageMaker's validation rules. Names are unique regardless of case, as their ARNs are.
 * Updates move through Creating/Updating/RollingBack in clock time, computed when read.
 */
export class SageMakerModel {
  private readonly models = new Map<string, ModelRecord>();
  private readonly configs = new Map<string, EndpointConfigRecord>();
  private readonly endpoints = new Map<string, EndpointRecord>();
  private failures: Array<UpdateFailure & { endpointName: string; kind: 'config' | 'weights'; skip: number }> = [];

  constructor(
    private readonly now: () => number,
    readonly timings: EndpointTimings,
  ) {}

  createModel(request: { name: string; primaryContainer: Record<string, unknown>; executionRoleArn?: string; tags?: unknown }): ModelRecord {
    checkName('ModelName', request.name);
    if (this.models.has(request.name.toLowerCase())) throw validation(`Cannot create already existing model "${sageMakerArn('model', request.name)}".`);
    if (typeof request.primaryContainer['Image'] !== 'string') throw validation('PrimaryContainer.Image is required (the simulator models single-container models).');
    const model: ModelRecord = {
      name: request.name,
      primaryContainer: request.primaryContainer,
      ...(request.executionRoleArn !== undefined ? { executionRoleArn: request.executionRoleArn } : {}),
      creationMs: this.now(),
      tags: newTags(request.tags),
    };
    this.models.set(request.name.toLowerCase(), model);
    return model;
  }

  getModel(name: string): ModelRecord {
    const model = this.findModel(name);
    if (!model) throw validation(`Could not find model "${sageMakerArn('model', name)}".`);
    return model;
  }

  findModel(name: string): ModelRecord | undefined {
    return this.models.get(name.toLowerCase());
  }

  /** Models in creation order. */
  listModels(): ModelRecord[] {
    return [...this.models.values()];
  }

  /** Like SageMaker, deleting a model leaves the endpoints serving it running. */
  deleteModel(name: string): void {
    this.getModel(name);
    this.models.delete(name.toLowerCase());
  }

  createEndpointConfig(request: { name: string; productionVariants: unknown; shadowVariants?: unknown; extra?: Record<string, unknown>; tags?: unknown }): EndpointConfigRecord {
    checkName('EndpointConfigName', request.name);
    if (this.configs.has(request.name.toLowerCase())) {
      throw validation(`Cannot create already existing endpoint configuration "${sageMakerArn('endpoint-config', request.name)}".`);
    }
    const variants = this.parseVariants('ProductionVariants', request.productionVariants);
    const shadowVariants = request.shadowVariants === undefined ? [] : this.parseVariants('ShadowProductionVariants', request.shadowVariants);
    if (variants.length === 0 || variants.length > MAX_PRODUCTION_VARIANTS) throw validation(`ProductionVariants must hold between 1 and ${MAX_PRODUCTION_VARIANTS} variants.`);
    if (shadowVariants.length > 0 && (variants.length !== 1 || shadowVariants.length > 1)) {
      throw validation('An endpoint configuration with ShadowProductionVariants must have exactly one production variant and at most one shadow variant.');
    }
    const names = [...variants, ...shadowVariants].map((v) => v.variantName.toLowerCase());
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined) throw validation(`The variant name "${duplicate}" is used more than once: variant names must be unique within an endpoint configuration.`);
    if (!variants.some((v) => v.initialWeight > 0)) throw validation('At least one production variant must have an InitialVariantWeight greater than 0.');
    const config: EndpointConfigRecord = { name: request.name, variants, shadowVariants, extra: request.extra ?? {}, creationMs: this.now(), tags: newTags(request.tags) };
    this.configs.set(request.name.toLowerCase(), config);
    return config;
  }

  getEndpointConfig(name: string): EndpointConfigRecord {
    const config = this.findEndpointConfig(name);
    if (!config) throw validation(`Could not find endpoint configuration "${sageMakerArn('endpoint-config', name)}".`);
    return config;
  }

  findEndpointConfig(name: string): EndpointConfigRecord | undefined {
    return this.configs.get(name.toLowerCase());
  }

  /** Like SageMaker, deleting the config of a running endpoint is allowed; the endpoint keeps running it. */
  deleteEndpointConfig(name: string): void {
    this.getEndpointConfig(name);
    this.configs.delete(name.toLowerCase());
  }

  /** CreateEndpoint: Creating for `createEndpointMs` (or InService at once for the simulator's setup). */
  createEndpoint(name: string, configName: string, options: { tags?: unknown; immediate?: boolean } = {}): EndpointRecord {
    checkName('EndpointName', name);
    if (this.endpoints.has(name.toLowerCase())) throw validation(`Cannot create already existing endpoint "${sageMakerArn('endpoint', name)}".`);
    const config = this.getEndpointConfig(configName);
    const now = this.now();
    const endpoint: EndpointRecord = {
      name,
      ...deploy(config),
      status: options.immediate ? 'InService' : 'Creating',
      creationMs: now,
      lastModifiedMs: now,
      tags: newTags(options.tags),
      ...(options.immediate ? {} : { transition: { kind: 'create', startedMs: now, completesAtMs: now + this.timings.createEndpointMs } }),
    };
    this.endpoints.set(name.toLowerCase(), endpoint);
    return endpoint;
  }

  /** The endpoint brought up to now (an update whose time is up has ended). */
  getEndpoint(name: string): EndpointRecord {
    const endpoint = this.findEndpoint(name);
    if (!endpoint) throw validation(`Could not find endpoint "${sageMakerArn('endpoint', name)}".`);
    return endpoint;
  }

  findEndpoint(name: string): EndpointRecord | undefined {
    const endpoint = this.endpoints.get(name.toLowerCase());
    if (endpoint) this.settle(endpoint);
    return endpoint;
  }

  listEndpoints(): EndpointRecord[] {
    return [...this.endpoints.values()];
  }

  /**
   * What serves requests at `atMs`, or undefined when no endpoint of exactly that name (InvokeEndpoint
   * is case-sensitive) is in service. Pure: traffic is generated after the clock jumped, so an update
   * that ended inside the jump serves its new state from its end on.
   */
  servingAt(name: string, atMs: number): Deployment | undefined {
    const endpoint = this.endpoints.get(name.toLowerCase());
    if (!endpoint || endpoint.name !== name) return undefined;
    const t = endpoint.transition;
    if (!t) return endpoint;
    if (t.kind === 'create') return atMs >= t.completesAtMs ? endpoint : undefined;
    if (t.failure || atMs < t.completesAtMs) return endpoint;
    if (t.target) return t.target;
    const applied = (v: LiveVariant): LiveVariant => ({ ...v, weight: v.desiredWeight, instanceCount: v.desiredInstanceCount });
    return { configName: endpoint.configName, variants: endpoint.variants.map(applied), shadowVariants: endpoint.shadowVariants.map(applied) };
  }

  /**
   * UpdateEndpoint: Updating for `endpointUpdateMs`, the current config still reported (and serving)
   * until the new one takes over. With retention, variants present in both keep their current
   * weight and instance count.
   */
  updateEndpoint(name: string, configName: string, retention: Retention): EndpointRecord {
    const endpoint = this.getEndpoint(name);
    const config = this.getEndpointConfig(configName);
    checkInService(endpoint);
    const now = this.now();
    this.startTransition(endpoint, {
      kind: 'config',
      startedMs: now,
      completesAtMs: now + this.timings.endpointUpdateMs,
      target: deploy(config, endpoint, retention),
      ...this.takeFailure(endpoint.name, 'config'),
    });
    return endpoint;
  }

  /**
   * UpdateEndpointWeightsAndCapacities: the desired values show at once, the current ones change
   * after `weightsUpdateMs` (plus `instanceChangeMs` when an instance count changes).
   */
  updateWeights(name: string, desired: Array<{ variantName: string; weight?: number; instanceCount?: number }>): EndpointRecord {
    const endpoint = this.getEndpoint(name);
    checkInService(endpoint);
    if (desired.length === 0) throw validation('DesiredWeightsAndCapacities must name at least one variant.');
    const all = [...endpoint.variants, ...endpoint.shadowVariants];
    const unknown = desired.filter((d) => !all.some((v) => v.variantName === d.variantName)).map((d) => d.variantName);
    if (unknown.length > 0) throw validation(`The variant(s) "[${unknown.join(', ')}]" is/are not present in the endpoint "${sageMakerArn('endpoint', endpoint.name)}".`);
    const names = desired.map((d) => d.variantName);
    if (new Set(names).size !== names.length) throw validation('DesiredWeightsAndCapacities names a variant more than once.');
    for (const d of desired) {
      const variant = all.find((v) => v.variantName === d.variantName)!;
      if (d.weight === undefined && d.instanceCount === undefined) throw validation(`Variant ${d.variantName}: specify DesiredWeight, DesiredInstanceCount or both.`);
      if (d.weight !== undefined && !(Number.isFinite(d.weight) && d.weight >= 0)) throw validation(`Variant ${d.variantName}: DesiredWeight must be a number greater than or equal to 0.`);
      if (d.instanceCount !== undefined && variant.serverless) throw validation(`Variant ${d.variantName} is serverless: DesiredInstanceCount does not apply.`);
      if (d.instanceCount !== undefined && !(Number.isInteger(d.instanceCount) && d.instanceCount >= 1)) throw validation(`Variant ${d.variantName}: DesiredInstanceCount must be an integer of at least 1.`);
    }
    const weightAfter = (v: LiveVariant) => desired.find((d) => d.variantName === v.variantName)?.weight ?? v.weight;
    if (!endpoint.variants.some((v) => weightAfter(v) > 0)) throw validation('At least one production variant must keep a DesiredWeight greater than 0.');
    let changesInstances = false;
    for (const v of all) {
      const d = desired.find((x) => x.variantName === v.variantName);
      v.desiredWeight = d?.weight ?? v.weight;
      v.desiredInstanceCount = d?.instanceCount ?? v.instanceCount;
      if (v.desiredInstanceCount !== v.instanceCount) changesInstances = true;
    }
    const now = this.now();
    this.startTransition(endpoint, {
      kind: 'weights',
      startedMs: now,
      completesAtMs: now + this.timings.weightsUpdateMs + (changesInstances ? this.timings.instanceChangeMs : 0),
      ...this.takeFailure(endpoint.name, 'weights'),
    });
    return endpoint;
  }

  /** The `nth` accepted update of `kind` on the endpoint (from now on) fails and rolls back. */
  failUpdate(request: { endpointName: string; kind: 'config' | 'weights'; nth?: number } & UpdateFailure): void {
    this.failures.push({ ...request, skip: Math.max(0, (request.nth ?? 1) - 1) });
  }

  /**
   * Someone else changes the endpoint: weights are set at once (current and desired, so an update
   * in progress does not undo them); a config update replaces any update in progress.
   */
  applyChange(name: string, change: EndpointChange): string {
    const endpoint = this.getEndpoint(name);
    if ('weights' in change) {
      for (const [variantName, weight] of Object.entries(change.weights)) {
        const live = [...endpoint.variants, ...endpoint.shadowVariants, ...(endpoint.transition?.target?.variants ?? [])].filter((v) => v.variantName === variantName);
        if (live.length === 0) throw new Error(`concurrentEndpointChange: endpoint ${name} has no variant ${variantName}`);
        for (const v of live) Object.assign(v, { weight, desiredWeight: weight });
      }
      endpoint.lastModifiedMs = this.now();
      return `${endpoint.name}: someone else set the weights ${JSON.stringify(change.weights)}`;
    }
    const config = this.getEndpointConfig(change.configName);
    for (const v of [...endpoint.variants, ...endpoint.shadowVariants]) Object.assign(v, { desiredWeight: v.weight, desiredInstanceCount: v.instanceCount });
    const now = this.now();
    this.startTransition(endpoint, { kind: 'config', startedMs: now, completesAtMs: now + this.timings.endpointUpdateMs, target: deploy(config, endpoint) });
    return `${endpoint.name}: someone else started an update to endpoint config ${config.name}`;
  }

  /** The tags of the model, endpoint config or endpoint an ARN names. */
  tagsOf(arn: string): Map<string, string> {
    const match = /^arn:aws:sagemaker:[a-z0-9-]+:\d{12}:(model|endpoint-config|endpoint)\/(.+)$/.exec(arn);
    const key = match?.[2]?.toLowerCase() ?? '';
    const resource = match?.[1] === 'model' ? this.models.get(key) : match?.[1] === 'endpoint-config' ? this.configs.get(key) : match?.[1] === 'endpoint' ? this.endpoints.get(key) : undefined;
    if (!resource) throw validation(`Could not find resource "${arn}".`);
    return resource.tags;
  }

  addTags(arn: string, tags: unknown): Array<[string, string]> {
    const resource = this.tagsOf(arn);
    const added = parseTags(tags);
    if (new Set([...resource.keys(), ...added.map(([key]) => key)]).size > SAGEMAKER_TAG_LIMIT) {
      throw validation(`The resource ${arn} would have more than ${SAGEMAKER_TAG_LIMIT} tags.`);
    }
    for (const [key, value] of added) resource.set(key, value);
    return added;
  }

  deleteTags(arn: string, keys: string[]): void {
    const resource = this.tagsOf(arn);
    for (const key of keys) resource.delete(key);
  }

  private settle(endpoint: EndpointRecord): void {
    const t = endpoint.transition;
    const now = this.now();
    if (!t || now < t.completesAtMs) return;
    if (t.failure) {
      if (now < t.completesAtMs + t.failure.rollbackMs) {
        endpoint.status = 'RollingBack';
        return;
      }
      // The silent rollback: back InService on what ran before, the weights as they were.
      for (const v of [...endpoint.variants, ...endpoint.shadowVariants]) Object.assign(v, { desiredWeight: v.weight, desiredInstanceCount: v.instanceCount });
      if (t.failure.reason !== undefined) endpoint.failureReason = t.failure.reason;
      endpoint.lastModifiedMs = t.completesAtMs + t.failure.rollbackMs;
    } else {
      if (t.target) Object.assign(endpoint, t.target);
      else for (const v of [...endpoint.variants, ...endpoint.shadowVariants]) Object.assign(v, { weight: v.desiredWeight, instanceCount: v.desiredInstanceCount });
      endpoint.lastModifiedMs = t.completesAtMs;
    }
    endpoint.status = 'InService';
    delete endpoint.transition;
  }

  private startTransition(endpoint: EndpointRecord, transition: Transition): void {
    endpoint.transition = transition;
    endpoint.status = 'Updating';
    endpoint.lastModifiedMs = transition.startedMs;
    delete endpoint.failureReason;
  }

  private takeFailure(endpointName: string, kind: 'config' | 'weights'): { failure?: UpdateFailure } {
    const pending = this.failures.find((f) => f.kind === kind && f.endpointName.toLowerCase() === endpointName.toLowerCase());
    if (!pending) return {};
    if (pending.skip > 0) {
      pending.skip--;
      return {};
    }
    this.failures = this.failures.filter((f) => f !== pending);
    return { failure: { ...(pending.reason !== undefined ? { reason: pending.reason } : {}), rollbackMs: pending.rollbackMs } };
  }

  private parseVariants(member: string, raw: unknown): VariantConfig[] {
    if (!Array.isArray(raw)) throw validation(`${member} must be a list of variants.`);
    return raw.map((item: unknown, i) => {
      const spec = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
      const where = `${member}.${i + 1}`;
      const variantName = spec['VariantName'];
      if (typeof variantName !== 'string') throw validation(`${where}.VariantName is required.`);
      checkName(`${where}.VariantName`, variantName);
      const modelName = spec['ModelName'];
      if (typeof modelName !== 'string') throw validation(`${where}.ModelName is required.`);
      this.getModel(modelName);
      const weight = spec['InitialVariantWeight'] ?? 1;
      if (typeof weight !== 'number' || !(weight >= 0)) throw validation(`${where}.InitialVariantWeight must be a number greater than or equal to 0.`);
      const serverless = spec['ServerlessConfig'] as Record<string, unknown> | undefined;
      const count = spec['InitialInstanceCount'];
      const type = spec['InstanceType'];
      if (serverless !== undefined) {
        if (count !== undefined || type !== undefined) throw validation(`${where}: a serverless variant takes neither InstanceType nor InitialInstanceCount.`);
      } else if (typeof type !== 'string' || typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
        throw validation(`${where}: InstanceType and an InitialInstanceCount of at least 1 are required (or a ServerlessConfig).`);
      }
      return {
        variantName,
        modelName,
        initialWeight: weight,
        ...(typeof count === 'number' ? { instanceCount: count } : {}),
        ...(typeof type === 'string' ? { instanceType: type } : {}),
        ...(serverless !== undefined ? { serverless } : {}),
        spec: { ...spec, InitialVariantWeight: weight },
      };
    });
  }
}

function checkName(member: string, name: string): void {
  if (!NAME.test(name)) {
    throw validation(`1 validation error detected: Value '${name}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`);
  }
}

function checkInService(endpoint: EndpointRecord): void {
  if (endpoint.status !== 'InService') throw validation(`Cannot update in-progress endpoint "${sageMakerArn('endpoint', endpoint.name)}".`);
}

/** The live variants a config deploys; with retention, variants already running keep their weight and count. */
function deploy(config: EndpointConfigRecord, current?: Deployment, retention: Retention = { all: false, exclude: new Set() }): Deployment {
  const live = (v: VariantConfig, before: LiveVariant | undefined): LiveVariant => {
    const weight = before && retention.all && !retention.exclude.has('DesiredWeight') ? before.weight : v.initialWeight;
    const count = before && retention.all && !retention.exclude.has('DesiredInstanceCount') ? before.instanceCount : (v.instanceCount ?? 0);
    return {
      variantName: v.variantName,
      modelName: v.modelName,
      ...(v.instanceType !== undefined ? { instanceType: v.instanceType } : {}),
      ...(v.serverless !== undefined ? { serverless: v.serverless } : {}),
      weight,
      desiredWeight: weight,
      instanceCount: count,
      desiredInstanceCount: count,
    };
  };
  return {
    configName: config.name,
    variants: config.variants.map((v) => live(v, current?.variants.find((c) => c.variantName === v.variantName))),
    shadowVariants: config.shadowVariants.map((v) => live(v, current?.shadowVariants.find((c) => c.variantName === v.variantName))),
  };
}

/** Validates a `[{Key, Value}]` tag list as SageMaker does. */
function parseTags(raw: unknown): Array<[string, string]> {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw validation('Tags must be a list of {Key, Value}.');
  return raw.map((tag: unknown, i) => {
    const { Key: key, Value: value = '' } = (tag ?? {}) as { Key?: unknown; Value?: unknown };
    if (typeof key !== 'string' || key.length < 1 || key.length > 128 || !TAG_TEXT.test(key)) {
      throw validation(`1 validation error detected: Value '${String(key)}' at 'tags.${i + 1}.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$ and have length between 1 and 128`);
    }
    if (typeof value !== 'string' || value.length > 256 || !TAG_TEXT.test(value)) {
      throw validation(`1 validation error detected: Value '${String(value)}' at 'tags.${i + 1}.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$ and have length at most 256`);
    }
    if (key.toLowerCase().startsWith('aws:')) throw validation(`Tag keys beginning with 'aws:' are reserved for AWS use (${key}).`);
    return [key, value];
  });
}

function newTags(raw: unknown): Map<string, string> {
  const tags = new Map(parseTags(raw));
  if (tags.size > SAGEMAKER_TAG_LIMIT) throw validation(`A resource can have at most ${SAGEMAKER_TAG_LIMIT} tags.`);
  return tags;
}
