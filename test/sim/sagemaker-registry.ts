import { isDeepStrictEqual } from 'node:util';
import { ACCOUNT_ID, REGION } from './lambda-model.js';
import { optional, page, requiredString } from './sagemaker-api.js';
import { validation } from './sagemaker-model.js';

/**
 * The SageMaker Model Registry: model package groups and their versioned model packages, with
 * CreateModelPackageGroup, DescribeModelPackageGroup, CreateModelPackage, DescribeModelPackage,
 * ListModelPackages and UpdateModelPackage over the SageMaker control plane (sagemaker-api.ts
 * routes them, so injected faults and the request log apply as to every SageMaker operation).
 * Unversioned (marketplace) model packages are not simulated.
 */

export const MODEL_APPROVAL_STATUSES = ['Approved', 'Rejected', 'PendingManualApproval'] as const;
export type ModelApprovalStatus = (typeof MODEL_APPROVAL_STATUSES)[number];

const SORT_BY = ['Name', 'CreationTime'] as const;
const SORT_ORDER = ['Ascending', 'Descending'] as const;
const PACKAGE_TYPES = ['Versioned', 'Unversioned', 'Both'] as const;

/** Group names, as SageMaker constrains them. */
const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const NAME_PATTERN = '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}';
const GROUP_ARN = /^arn:aws[a-z-]*:sagemaker:([a-z0-9-]*):([0-9]{12}):model-package-group\/(.+)$/;
const PACKAGE_ARN = /^arn:aws[a-z-]*:sagemaker:([a-z0-9-]*):([0-9]{12}):model-package\/(.+)$/;
const PACKAGE_ARN_PATTERN = 'arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:model-package/.*';
/** DescribeModelPackage's ModelPackageName: a name or ARN, with `/<version>` for a versioned package. */
const PACKAGE_REF = /^(arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:[a-z-]*\/)?([a-zA-Z0-9]([a-zA-Z0-9-]){0,62})(?<!-)(\/[0-9]{1,9})?$/;
const PACKAGE_REF_PATTERN = '(arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:[a-z\\-]*\\/)?([a-zA-Z0-9]([a-zA-Z0-9-]){0,62})(?<!-)(\\/[0-9]{1,9})?$';
const CLIENT_TOKEN = /^[a-zA-Z0-9-]+$/;
const DESCRIPTION_MAX = 1024;
const METADATA_MAX_ENTRIES = 50;
const LIST_PACKAGES_PAGE = { default: 10, min: 1, max: 100 };

type Input = Record<string, unknown>;

/** AWS JSON 1.1 timestamps are epoch seconds. */
const seconds = (ms: number) => ms / 1000;

/** SageMaker puts names into ARNs lowercased. */
export function modelPackageGroupArn(groupName: string): string {
  return `arn:aws:sagemaker:${REGION}:${ACCOUNT_ID}:model-package-group/${groupName.toLowerCase()}`;
}

/** A versioned model package: `arn:aws:sagemaker:<region>:<account>:model-package/<group lowercased>/<version>`. */
export function modelPackageArn(groupName: string, version: number): string {
  return `arn:aws:sagemaker:${REGION}:${ACCOUNT_ID}:model-package/${groupName.toLowerCase()}/${version}`;
}

export interface ModelPackageGroupRecord {
  /** As created (lookups ignore case, as the ARN does). */
  name: string;
  description?: string;
  creationMs: number;
  /** Versions 1, 2, 3... in creation order. */
  packages: ModelPackageRecord[];
}

export interface ModelPackageRecord {
  groupName: string;
  version: number;
  arn: string;
  description?: string;
  approval: ModelApprovalStatus;
  approvalDescription?: string;
  /** As CreateModelPackage received them (DescribeModelPackage echoes them). */
  modelMetrics?: Record<string, unknown>;
  inferenceSpecification?: Record<string, unknown>;
  customerMetadata?: Record<string, string>;
  /** The request's other members (MetadataProperties, DriftCheckBaselines, Domain, Task, ...), echoed by DescribeModelPackage. */
  extra: Record<string, unknown>;
  creationMs: number;
  lastModifiedMs: number;
}

/** A model package version to register (Simulator.createModelPackage or CreateModelPackage). */
export interface NewModelPackage {
  group: string;
  /** Default PendingManualApproval. */
  approval?: ModelApprovalStatus;
  description?: string;
  modelMetrics?: Record<string, unknown>;
  inferenceSpecification?: Record<string, unknown>;
  customerMetadata?: Record<string, string>;
  extra?: Record<string, unknown>;
  /** With a token already used: the package that token created, no new version (or 400 if the request differs). */
  clientToken?: string;
  /** What a reuse of `clientToken` is compared with; the request body without its ClientToken. */
  request?: unknown;
}

/** A change made by UpdateModelPackage; omitted members keep their value. */
export interface ModelPackageChange {
  approval?: ModelApprovalStatus;
  approvalDescription?: string;
  /** Added to (or overwriting keys of) the package's properties. */
  customerMetadata?: Record<string, string>;
  removeMetadataKeys?: string[];
  inferenceSpecification?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}

/** A model package set up by a test (`sim.createModelPackage`). Not an API request. */
export interface ModelPackageSpec {
  /** The model package group; created (without a description) when missing. */
  group: string;
  /** Default PendingManualApproval. */
  approval?: ModelApprovalStatus;
  /** Stored as ModelMetrics.ModelQuality.Statistics (`application/json`). */
  metricsS3Uri?: string;
  customerMetadata?: Record<string, string>;
  description?: string;
  /** InferenceSpecification's container image; default `<account>.dkr.ecr.<region>.amazonaws.com/<group>:<version>`. */
  image?: string;
  /** InferenceSpecification's ModelDataUrl; none by default. */
  modelDataUrl?: string;
}

/** A model package as tests read it back. */
export interface ModelPackageState {
  arn: string;
  group: string;
  version: number;
  approval: ModelApprovalStatus;
  approvalDescription?: string;
  description?: string;
  customerMetadata: Record<string, string>;
  modelMetrics?: Record<string, unknown>;
  inferenceSpecification?: Record<string, unknown>;
  creationMs: number;
  lastModifiedMs: number;
}

export function modelPackageState(record: ModelPackageRecord): ModelPackageState {
  return {
    arn: record.arn,
    group: record.groupName,
    version: record.version,
    approval: record.approval,
    ...(record.approvalDescription !== undefined ? { approvalDescription: record.approvalDescription } : {}),
    ...(record.description !== undefined ? { description: record.description } : {}),
    customerMetadata: { ...record.customerMetadata },
    ...(record.modelMetrics !== undefined ? { modelMetrics: structuredClone(record.modelMetrics) } : {}),
    ...(record.inferenceSpecification !== undefined ? { inferenceSpecification: structuredClone(record.inferenceSpecification) } : {}),
    creationMs: record.creationMs,
    lastModifiedMs: record.lastModifiedMs,
  };
}

function constraint(value: unknown, member: string, rule: string): never {
  throw validation(`1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${rule}`);
}

function checkGroupName(member: string, name: string): void {
  if (!NAME.test(name)) constraint(name, member, `Member must satisfy regular expression pattern: ${NAME_PATTERN}`);
}

/** The model package groups and versioned model packages of the simulated account, with SageMaker's rules. */
export class ModelRegistry {
  private readonly groups = new Map<string, ModelPackageGroupRecord>();
  /** Every package, in creation order across groups. */
  private readonly packages: ModelPackageRecord[] = [];
  private readonly clientTokens = new Map<string, { record: ModelPackageRecord; request: unknown }>();

  constructor(private readonly now: () => number) {}

  createGroup(request: { name: string; description?: string }): ModelPackageGroupRecord {
    checkGroupName('modelPackageGroupName', request.name);
    if (request.description !== undefined && request.description.length > DESCRIPTION_MAX) {
      constraint(request.description, 'modelPackageGroupDescription', `Member must have length less than or equal to ${DESCRIPTION_MAX}`);
    }
    const key = request.name.toLowerCase();
    if (this.groups.has(key)) throw validation(`Model Package Group already exists: ${modelPackageGroupArn(request.name)}`);
    const group: ModelPackageGroupRecord = {
      name: request.name,
      ...(request.description !== undefined ? { description: request.description } : {}),
      creationMs: this.now(),
      packages: [],
    };
    this.groups.set(key, group);
    return group;
  }

  /** A group by name or ARN (case-insensitive, as the ARN is), or undefined. */
  findGroup(nameOrArn: string): ModelPackageGroupRecord | undefined {
    const arn = GROUP_ARN.exec(nameOrArn);
    if (arn) return arn[1] === REGION && arn[2] === ACCOUNT_ID ? this.groups.get(arn[3]!.toLowerCase()) : undefined;
    return this.groups.get(nameOrArn.toLowerCase());
  }

  /** A group by name or ARN; 400 `ModelPackageGroup <arn> does not exist.` when there is none. */
  getGroup(nameOrArn: string, member = 'modelPackageGroupName'): ModelPackageGroupRecord {
    if (!GROUP_ARN.test(nameOrArn)) checkGroupName(member, nameOrArn);
    const group = this.findGroup(nameOrArn);
    if (!group) throw validation(`ModelPackageGroup ${GROUP_ARN.test(nameOrArn) ? nameOrArn : modelPackageGroupArn(nameOrArn)} does not exist.`);
    return group;
  }

  /**
   * Registers the next version of a group. With a ClientToken already used, answers the package
   * that token created (no new version) when the request is the same; 400 when it differs.
   */
  createPackage(request: NewModelPackage): { record: ModelPackageRecord; replayed: boolean } {
    const token = request.clientToken;
    if (token !== undefined) {
      if (token.length < 1 || token.length > 36) constraint(token, 'clientToken', 'Member must have length between 1 and 36');
      if (!CLIENT_TOKEN.test(token)) constraint(token, 'clientToken', 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9-]+$');
      const earlier = this.clientTokens.get(token);
      if (earlier) {
        if (!isDeepStrictEqual(earlier.request, request.request)) {
          throw validation(`The ClientToken ${token} was already used by a different CreateModelPackage request (${earlier.record.arn}).`);
        }
        return { record: earlier.record, replayed: true };
      }
    }
    const group = this.getGroup(request.group);
    const approval = request.approval ?? 'PendingManualApproval';
    if (!(MODEL_APPROVAL_STATUSES as readonly string[]).includes(approval)) {
      constraint(approval, 'modelApprovalStatus', `Member must satisfy enum value set: [${MODEL_APPROVAL_STATUSES.join(', ')}]`);
    }
    if (request.description !== undefined && request.description.length > DESCRIPTION_MAX) {
      constraint(request.description, 'modelPackageDescription', `Member must have length less than or equal to ${DESCRIPTION_MAX}`);
    }
    if (request.customerMetadata !== undefined) checkMetadata(request.customerMetadata);
    const version = group.packages.length + 1;
    const nowMs = this.now();
    const record: ModelPackageRecord = {
      groupName: group.name,
      version,
      arn: modelPackageArn(group.name, version),
      approval,
      ...(request.description !== undefined ? { description: request.description } : {}),
      ...(request.modelMetrics !== undefined ? { modelMetrics: request.modelMetrics } : {}),
      ...(request.inferenceSpecification !== undefined ? { inferenceSpecification: request.inferenceSpecification } : {}),
      ...(request.customerMetadata !== undefined ? { customerMetadata: { ...request.customerMetadata } } : {}),
      extra: request.extra ?? {},
      creationMs: nowMs,
      lastModifiedMs: nowMs,
    };
    group.packages.push(record);
    this.packages.push(record);
    if (token !== undefined) this.clientTokens.set(token, { record, request: request.request });
    return { record, replayed: false };
  }

  /** A versioned package by ARN (`...:model-package/<group>/<version>`) or `<group>/<version>`, or undefined. */
  findPackage(ref: string): ModelPackageRecord | undefined {
    const arn = PACKAGE_ARN.exec(ref);
    if (arn && (arn[1] !== REGION || arn[2] !== ACCOUNT_ID)) return undefined;
    const match = /^([^/]+)\/([0-9]+)$/.exec(arn ? arn[3]! : ref);
    if (!match) return undefined;
    return this.groups.get(match[1]!.toLowerCase())?.packages.find((p) => p.version === Number(match[2]));
  }

  /** A versioned package; 400 `ModelPackage <arn> does not exist.` when there is none. */
  getPackage(ref: string): ModelPackageRecord {
    const record = this.findPackage(ref);
    if (!record) throw validation(`ModelPackage ${packageArnOf(ref)} does not exist.`);
    return record;
  }

  updatePackage(arn: string, change: ModelPackageChange): ModelPackageRecord {
    const record = this.getPackage(arn);
    if (change.approval !== undefined && !(MODEL_APPROVAL_STATUSES as readonly string[]).includes(change.approval)) {
      constraint(change.approval, 'modelApprovalStatus', `Member must satisfy enum value set: [${MODEL_APPROVAL_STATUSES.join(', ')}]`);
    }
    if (change.approvalDescription !== undefined && change.approvalDescription.length > DESCRIPTION_MAX) {
      constraint(change.approvalDescription, 'approvalDescription', `Member must have length less than or equal to ${DESCRIPTION_MAX}`);
    }
    let metadata = record.customerMetadata;
    if (change.customerMetadata !== undefined || change.removeMetadataKeys !== undefined) {
      metadata = { ...record.customerMetadata, ...change.customerMetadata };
      for (const key of change.removeMetadataKeys ?? []) delete metadata[key];
      checkMetadata(metadata);
    }
    if (change.approval !== undefined) record.approval = change.approval;
    if (change.approvalDescription !== undefined) record.approvalDescription = change.approvalDescription;
    if (metadata !== undefined) record.customerMetadata = metadata;
    if (change.inferenceSpecification !== undefined) record.inferenceSpecification = change.inferenceSpecification;
    if (change.extra !== undefined) record.extra = { ...record.extra, ...change.extra };
    record.lastModifiedMs = this.now();
    return record;
  }

  /** Every versioned package, in creation order. */
  listPackages(): ModelPackageRecord[] {
    return [...this.packages];
  }

  /**
   * Test setup (not an API request): the next version of `spec.group`, creating the group when
   * missing, with ModelMetrics and an InferenceSpecification as a training pipeline registers them.
   */
  register(spec: ModelPackageSpec): ModelPackageRecord {
    const group = this.findGroup(spec.group) ?? this.createGroup({ name: spec.group });
    const version = group.packages.length + 1;
    const image = spec.image ?? `${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/${group.name.toLowerCase()}:${version}`;
    return this.createPackage({
      group: group.name,
      ...(spec.approval !== undefined ? { approval: spec.approval } : {}),
      ...(spec.description !== undefined ? { description: spec.description } : {}),
      ...(spec.metricsS3Uri !== undefined ? { modelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: spec.metricsS3Uri } } } } : {}),
      inferenceSpecification: {
        Containers: [{ Image: image, ...(spec.modelDataUrl !== undefined ? { ModelDataUrl: spec.modelDataUrl } : {}) }],
        SupportedContentTypes: ['application/json'],
        SupportedResponseMIMETypes: ['application/json'],
      },
      ...(spec.customerMetadata !== undefined ? { customerMetadata: spec.customerMetadata } : {}),
    }).record;
  }
}

/** The ARN a package reference names, for error messages. */
function packageArnOf(ref: string): string {
  if (ref.startsWith('arn:')) return ref;
  const [name, version] = ref.split('/');
  return version === undefined ? `arn:aws:sagemaker:${REGION}:${ACCOUNT_ID}:model-package/${ref.toLowerCase()}` : modelPackageArn(name!, Number(version));
}

function checkMetadata(metadata: Record<string, string>): void {
  const entries = Object.entries(metadata);
  if (entries.length > METADATA_MAX_ENTRIES) constraint(`{${entries.length} entries}`, 'customerMetadataProperties', `Member must have length less than or equal to ${METADATA_MAX_ENTRIES}`);
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 128) constraint(key, 'customerMetadataProperties', 'Map keys must have length between 1 and 128');
    if (typeof value !== 'string' || value.length > 256) constraint(value, 'customerMetadataProperties', 'Map values must be strings of at most 256 characters');
  }
}

function enumMember<T extends string>(input: Input, member: string, values: readonly T[]): T | undefined {
  const value = input[member];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
    constraint(value, member.charAt(0).toLowerCase() + member.slice(1), `Member must satisfy enum value set: [${values.join(', ')}]`);
  }
  return value as T;
}

function objectMember(input: Input, member: string): Record<string, unknown> | undefined {
  const value = input[member];
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw validation(`${member} must be a structure.`);
  return value as Record<string, unknown>;
}

function stringMap(input: Input, member: string): Record<string, string> | undefined {
  const value = objectMember(input, member);
  if (value === undefined) return undefined;
  if (Object.values(value).some((v) => typeof v !== 'string')) throw validation(`${member} must map strings to strings.`);
  return value as Record<string, string>;
}

/**
 * The Model Registry operations over AWS JSON 1.1, as SageMakerApi serves them (its operations map
 * names each one). Every rejection is a 400 ValidationException, SageMaker's way.
 */
export class ModelRegistryApi {
  constructor(readonly registry: ModelRegistry) {}

  createModelPackageGroup(input: Input): unknown {
    const description = optional(input, 'ModelPackageGroupDescription', 'string');
    const group = this.registry.createGroup({ name: requiredString(input, 'ModelPackageGroupName'), ...(description !== undefined ? { description } : {}) });
    return { ModelPackageGroupArn: modelPackageGroupArn(group.name) };
  }

  describeModelPackageGroup(input: Input): unknown {
    const group = this.registry.getGroup(requiredString(input, 'ModelPackageGroupName'));
    return {
      ModelPackageGroupName: group.name,
      ModelPackageGroupArn: modelPackageGroupArn(group.name),
      ...(group.description !== undefined ? { ModelPackageGroupDescription: group.description } : {}),
      CreationTime: seconds(group.creationMs),
      CreatedBy: {},
      ModelPackageGroupStatus: 'Completed',
    };
  }

  createModelPackage(input: Input): unknown {
    const {
      ModelPackageName: name,
      ModelPackageGroupName: groupName,
      ModelPackageDescription: _description,
      ModelApprovalStatus: _approval,
      ModelMetrics: _metrics,
      InferenceSpecification: _inference,
      CustomerMetadataProperties: _metadata,
      ClientToken: _clientToken,
      Tags: _tags,
      ...extra
    } = input;
    if (name !== undefined && groupName !== undefined) {
      throw validation('Both ModelPackageName and ModelPackageGroupName are provided in the input. Cannot determine which one to use.');
    }
    if (name === undefined && groupName === undefined) throw validation('Missing ARN.');
    if (groupName === undefined) throw validation('The simulator models versioned model packages only: give ModelPackageGroupName, not ModelPackageName.');
    const approval = enumMember(input, 'ModelApprovalStatus', MODEL_APPROVAL_STATUSES);
    const description = optional(input, 'ModelPackageDescription', 'string');
    const modelMetrics = objectMember(input, 'ModelMetrics');
    const inferenceSpecification = objectMember(input, 'InferenceSpecification');
    const customerMetadata = stringMap(input, 'CustomerMetadataProperties');
    const token = optional(input, 'ClientToken', 'string');
    const { ClientToken: _token, ...request } = input;
    const { record } = this.registry.createPackage({
      group: requiredString(input, 'ModelPackageGroupName'),
      ...(approval !== undefined ? { approval } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(modelMetrics !== undefined ? { modelMetrics } : {}),
      ...(inferenceSpecification !== undefined ? { inferenceSpecification } : {}),
      ...(customerMetadata !== undefined ? { customerMetadata } : {}),
      extra,
      ...(token !== undefined ? { clientToken: token, request } : {}),
    });
    return { ModelPackageArn: record.arn };
  }

  describeModelPackage(input: Input): unknown {
    const ref = requiredString(input, 'ModelPackageName');
    if (ref.length > 176) constraint(ref, 'modelPackageName', 'Member must have length less than or equal to 176');
    if (!PACKAGE_REF.test(ref)) constraint(ref, 'modelPackageName', `Member must satisfy regular expression pattern: ${PACKAGE_REF_PATTERN}`);
    const p = this.registry.getPackage(ref);
    return {
      CertifyForMarketplace: false,
      ...p.extra,
      ModelPackageName: p.groupName,
      ModelPackageGroupName: p.groupName,
      ModelPackageVersion: p.version,
      ModelPackageArn: p.arn,
      ...(p.description !== undefined ? { ModelPackageDescription: p.description } : {}),
      CreationTime: seconds(p.creationMs),
      ...(p.inferenceSpecification !== undefined ? { InferenceSpecification: p.inferenceSpecification } : {}),
      ModelPackageStatus: 'Completed',
      ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
      ModelApprovalStatus: p.approval,
      ...(p.approvalDescription !== undefined ? { ApprovalDescription: p.approvalDescription } : {}),
      CreatedBy: {},
      ...(p.modelMetrics !== undefined ? { ModelMetrics: p.modelMetrics } : {}),
      ...(p.customerMetadata !== undefined ? { CustomerMetadataProperties: p.customerMetadata } : {}),
      LastModifiedTime: seconds(p.lastModifiedMs),
    };
  }

  /**
   * ModelPackageGroupName (name or ARN; a group that does not exist lists nothing), ModelApprovalStatus,
   * NameContains, CreationTimeBefore/After, ModelPackageType (without a group, SageMaker defaults it to
   * Unversioned, which the simulator has none of), SortBy (default CreationTime), SortOrder (default
   * Ascending), MaxResults 1-100 (default 10), opaque NextToken. Filters apply before paging.
   */
  listModelPackages(input: Input): unknown {
    const groupRef = optional(input, 'ModelPackageGroupName', 'string');
    const approval = enumMember(input, 'ModelApprovalStatus', MODEL_APPROVAL_STATUSES);
    const type = enumMember(input, 'ModelPackageType', PACKAGE_TYPES);
    const sortBy = enumMember(input, 'SortBy', SORT_BY) ?? 'CreationTime';
    const sortOrder = enumMember(input, 'SortOrder', SORT_ORDER) ?? 'Ascending';
    const contains = optional(input, 'NameContains', 'string');
    const before = optional(input, 'CreationTimeBefore', 'number');
    const after = optional(input, 'CreationTimeAfter', 'number');
    let packages: ModelPackageRecord[];
    if (groupRef !== undefined) {
      if (!GROUP_ARN.test(groupRef)) checkGroupName('modelPackageGroupName', groupRef);
      packages = type === 'Unversioned' ? [] : [...(this.registry.findGroup(groupRef)?.packages ?? [])];
    } else {
      packages = type === 'Versioned' || type === 'Both' ? this.registry.listPackages() : [];
    }
    packages = packages.filter(
      (p) =>
        (approval === undefined || p.approval === approval) &&
        (contains === undefined || p.groupName.includes(contains)) &&
        (before === undefined || seconds(p.creationMs) < before) &&
        (after === undefined || seconds(p.creationMs) > after),
    );
    // Packages are held in creation order, so a stable sort keeps ties (same name or time) in that order.
    if (sortBy === 'Name') packages.sort((a, b) => a.groupName.localeCompare(b.groupName));
    else packages.sort((a, b) => a.creationMs - b.creationMs);
    if (sortOrder === 'Descending') packages.reverse();
    const { items, nextToken } = page(packages, input, LIST_PACKAGES_PAGE);
    return {
      // A versioned package's summary has no ModelPackageName (SageMaker leaves it out).
      ModelPackageSummaryList: items.map((p) => ({
        ModelPackageGroupName: p.groupName,
        ModelPackageVersion: p.version,
        ModelPackageArn: p.arn,
        ...(p.description !== undefined ? { ModelPackageDescription: p.description } : {}),
        CreationTime: seconds(p.creationMs),
        ModelPackageStatus: 'Completed',
        ModelApprovalStatus: p.approval,
      })),
      ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
    };
  }

  /** ModelApprovalStatus, ApprovalDescription, CustomerMetadataProperties (merged), CustomerMetadataPropertiesToRemove; omitted members keep their value. */
  updateModelPackage(input: Input): unknown {
    const arn = requiredString(input, 'ModelPackageArn');
    if (!PACKAGE_ARN.test(arn)) constraint(arn, 'modelPackageArn', `Member must satisfy regular expression pattern: ${PACKAGE_ARN_PATTERN}`);
    const approval = enumMember(input, 'ModelApprovalStatus', MODEL_APPROVAL_STATUSES);
    const approvalDescription = optional(input, 'ApprovalDescription', 'string');
    const customerMetadata = stringMap(input, 'CustomerMetadataProperties');
    const remove = input['CustomerMetadataPropertiesToRemove'];
    if (remove !== undefined && (!Array.isArray(remove) || remove.some((k) => typeof k !== 'string'))) throw validation('CustomerMetadataPropertiesToRemove must be a list of strings.');
    const inferenceSpecification = objectMember(input, 'InferenceSpecification');
    const extra: Record<string, unknown> = {};
    for (const member of ['SourceUri', 'ModelCard', 'ModelLifeCycle']) if (input[member] !== undefined) extra[member] = input[member];
    const added = input['AdditionalInferenceSpecificationsToAdd'];
    if (added !== undefined) {
      if (!Array.isArray(added)) throw validation('AdditionalInferenceSpecificationsToAdd must be a list.');
      const current = this.registry.getPackage(arn).extra['AdditionalInferenceSpecifications'];
      extra['AdditionalInferenceSpecifications'] = [...(Array.isArray(current) ? current : []), ...added];
    }
    const record = this.registry.updatePackage(arn, {
      ...(approval !== undefined ? { approval } : {}),
      ...(approvalDescription !== undefined ? { approvalDescription } : {}),
      ...(customerMetadata !== undefined ? { customerMetadata } : {}),
      ...(remove !== undefined ? { removeMetadataKeys: remove as string[] } : {}),
      ...(inferenceSpecification !== undefined ? { inferenceSpecification } : {}),
      ...(Object.keys(extra).length > 0 ? { extra } : {}),
    });
    return { ModelPackageArn: record.arn };
  }
}
