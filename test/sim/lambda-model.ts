import { createHash, randomUUID } from 'node:crypto';
import { invalidParameter, preconditionFailed, resourceConflict, resourceNotFound, SimApiError } from './errors.js';

export const REGION = 'us-east-1';
export const ACCOUNT_ID = '123456789012';
export const LATEST = '$LATEST';

/** One immutable published version, or `$LATEST`. */
export interface FunctionVersion {
  version: string;
  codeSha256: string;
  description: string;
  revisionId: string;
  lastModifiedMs: number;
  /** Configuration a version is published with (and compared on when Lambda reuses a version). */
  config: FunctionSettings;
  /** `Zip` functions take ZipFile/S3 code; `Image` functions take an ImageUri. */
  packageType: 'Zip' | 'Image';
  imageUri?: string;
  /** Size of the package in bytes (CodeSize). */
  codeSize: number;
  /** State of the last code or configuration update; published versions are always Successful. */
  update: UpdateState;
}

/** The configuration keys the simulator models. */
export interface FunctionSettings {
  memoryMb: number;
  timeoutSeconds: number;
  environment: Record<string, string>;
}

/** LastUpdateStatus as Lambda reports it; InProgress turns into `outcome` at `completesAtMs`. */
export interface UpdateState {
  status: 'Successful' | 'InProgress' | 'Failed';
  completesAtMs?: number;
  /** What an InProgress update becomes; Successful unless a scenario made it fail. */
  outcome?: { status: 'Successful' } | { status: 'Failed'; reason: string; reasonCode: string };
  reason?: string;
  reasonCode?: string;
}

/** How the next code/configuration updates behave (sim.scenarios.functionUpdates). */
export interface UpdateBehaviour {
  /** Simulated time an update stays InProgress; default 0 (Successful at the next read). */
  durationMs: number;
  /** The next `count` updates end Failed with this reason instead of Successful. */
  failures: Array<{ reason: string; reasonCode: string }>;
  /** Updates never finish (InProgress forever): a stuck deployment. */
  stuck: boolean;
}

/** An S3 object UpdateFunctionCode can read (`sim.putS3Object`). */
export interface S3Object {
  bytes: Buffer;
  versionId?: string;
}

/** The code of an UpdateFunctionCode request: exactly one of zip bytes, an S3 object, an image. */
export type CodeUpdate =
  | { zipFile: Buffer }
  | { s3: { bucket: string; key: string; objectVersion?: string } }
  | { imageUri: string };

export const DEFAULT_SETTINGS: FunctionSettings = { memoryMb: 1024, timeoutSeconds: 30, environment: {} };
export const TAG_LIMIT = 50;

/** A weighted alias: `version` gets the traffic not routed to `weights`' versions. */
export interface AliasRecord {
  name: string;
  version: string;
  weights: Record<string, number>;
  description: string;
  revisionId: string;
}

/** The alias as tests read it back. */
export interface AliasState {
  version: string;
  weights: Record<string, number>;
  revisionId: string;
  /** Present when the alias has a non-empty description. */
  description?: string;
}

export interface LambdaFunction {
  name: string;
  latest: FunctionVersion;
  /** Published versions in publication order. */
  versions: FunctionVersion[];
  aliases: Map<string, AliasRecord>;
  /** Function tags (TagResource / ListTags on the unqualified ARN). */
  tags: Map<string, string>;
}

/** A requested alias write, as CreateAlias/UpdateAlias carry it. */
export interface AliasWrite {
  version?: string;
  weights?: Record<string, number>;
  description?: string;
  /** Optimistic concurrency: the write fails with 412 unless it matches the current one. */
  expectedRevisionId?: string;
}

export function functionArn(name: string, qualifier?: string): string {
  const base = `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${name}`;
  return qualifier === undefined ? base : `${base}:${qualifier}`;
}

/** Lambda reports CodeSha256 as base64 of the package's SHA-256; derive one from a label. */
export function codeShaOf(label: string): string {
  return createHash('sha256').update(label).digest('base64');
}

/**
 * Splits what callers pass as FunctionName: a name, `ACCOUNT:function:NAME`, or a full ARN,
 * each optionally ending in `:QUALIFIER`.
 */
export function parseFunctionRef(raw: string): { name: string; qualifier?: string } {
  const parts = raw.split(':');
  let rest: string[];
  if (parts[0] === 'arn') rest = parts.slice(6);
  else if (parts[1] === 'function') rest = parts.slice(2);
  else rest = parts;
  const [name = '', qualifier] = rest;
  return qualifier === undefined ? { name } : { name, qualifier };
}

const NUMERIC_VERSION = /^[0-9]+$/;

/**
 * The Lambda control-plane state: functions, versions and aliases, with Lambda's validation
 * rules and RevisionId semantics. Time comes from the simulator's clock.
 */
export class LambdaModel {
  private readonly functions = new Map<string, LambdaFunction>();
  private readonly s3 = new Map<string, S3Object[]>();
  readonly updates: UpdateBehaviour = { durationMs: 0, failures: [], stuck: false };

  constructor(private readonly now: () => number) {}

  /** Stores an S3 object (a new version of it when `versionId` is given). */
  putS3Object(bucket: string, key: string, bytes: Buffer, versionId?: string): void {
    const id = `${bucket}/${key}`;
    this.s3.set(id, [...(this.s3.get(id) ?? []), { bytes, ...(versionId !== undefined ? { versionId } : {}) }]);
  }

  createFunction(spec: { name: string; versions?: number; latestCodeSha?: string; packageType?: 'Zip' | 'Image' }): LambdaFunction {
    if (this.functions.has(spec.name)) throw new Error(`function ${spec.name} already exists`);
    const versionCount = spec.versions ?? 0;
    const versions: FunctionVersion[] = [];
    for (let v = 1; v <= versionCount; v++) {
      versions.push(this.newVersion(String(v), codeShaOf(`${spec.name}:v${v}`), `version ${v}`));
    }
    const latestSha = spec.latestCodeSha ?? versions.at(-1)?.codeSha256 ?? codeShaOf(`${spec.name}:initial`);
    const fn: LambdaFunction = {
      name: spec.name,
      latest: this.newVersion(LATEST, latestSha, ''),
      versions,
      aliases: new Map(),
      tags: new Map(),
    };
    if (spec.packageType === 'Image') {
      for (const v of [...versions, fn.latest]) v.packageType = 'Image';
    }
    this.functions.set(spec.name, fn);
    return fn;
  }

  listFunctions(): LambdaFunction[] {
    return [...this.functions.values()];
  }

  /** Looks a function up by name, partial ARN or ARN; 404 when unknown. */
  getFunction(ref: string): LambdaFunction {
    const { name } = parseFunctionRef(ref);
    const fn = this.functions.get(name);
    if (!fn) throw resourceNotFound('Function', functionArn(name));
    return fn;
  }

  /** Resolves a qualifier (version, `$LATEST` or alias) to the version it designates. */
  resolveQualifier(fn: LambdaFunction, qualifier: string | undefined): { version: FunctionVersion; alias?: AliasRecord } {
    if (qualifier === undefined || qualifier === LATEST) return { version: this.latest(fn) };
    const alias = fn.aliases.get(qualifier);
    if (alias) return { version: this.getVersion(fn, alias.version), alias };
    return { version: this.getVersion(fn, qualifier) };
  }

  getVersion(fn: LambdaFunction, version: string): FunctionVersion {
    if (version === LATEST) return this.latest(fn);
    const found = fn.versions.find((v) => v.version === version);
    if (!found) throw resourceNotFound('Function', functionArn(fn.name, version));
    return found;
  }

  /** Replaces $LATEST's code directly (a deployment by someone else, finished at once). */
  setLatestCode(ref: string, codeSha256: string): void {
    const fn = this.getFunction(ref);
    fn.latest = { ...fn.latest, codeSha256, revisionId: randomUUID(), lastModifiedMs: this.now(), update: { status: 'Successful' } };
  }

  /** $LATEST with its update state brought up to now (InProgress ends at its time). */
  latest(fn: LambdaFunction): FunctionVersion {
    const update = fn.latest.update;
    if (update.status === 'InProgress' && update.completesAtMs !== undefined && this.now() >= update.completesAtMs) {
      const outcome = update.outcome ?? { status: 'Successful' };
      // Lambda keeps the RevisionId when an update finishes: only requests change it.
      fn.latest.update = outcome.status === 'Failed' ? { status: 'Failed', reason: outcome.reason, reasonCode: outcome.reasonCode } : { status: 'Successful' };
    }
    return fn.latest;
  }

  /**
   * UpdateFunctionCode: conditional on RevisionId, refused while another update is in progress,
   * CodeSha256 = base64 SHA-256 of the package (for an image, of its URI: the simulator has no
   * registry), then InProgress for `updates.durationMs`.
   */
  updateFunctionCode(ref: string, code: CodeUpdate, revisionId?: string): FunctionVersion {
    const fn = this.getFunction(ref);
    const latest = this.checkUpdatable(fn, revisionId);
    let codeSha256: string;
    let codeSize: number;
    let imageUri: string | undefined;
    if ('imageUri' in code) {
      if (latest.packageType !== 'Image') throw invalidParameter('Please provide a source for function code (ZipFile or S3): ImageUri is only for functions of package type Image.');
      if (!/^\S+(:[^\s:/]+|@sha256:[0-9a-f]{64})$/.test(code.imageUri)) throw invalidParameter(`Source image ${code.imageUri} is not valid. Provide a valid source image.`);
      codeSha256 = createHash('sha256').update(code.imageUri).digest('hex');
      codeSize = 0;
      imageUri = code.imageUri;
    } else {
      if (latest.packageType !== 'Zip') throw invalidParameter('Please provide ImageUri when updating a function with packageType Image.');
      const bytes = 'zipFile' in code ? code.zipFile : this.getS3Object(code.s3);
      if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) throw invalidParameter('Could not unzip uploaded file. Please check your file, then try to upload again.');
      codeSha256 = createHash('sha256').update(bytes).digest('base64');
      codeSize = bytes.length;
    }
    fn.latest = { ...latest, codeSha256, codeSize, ...(imageUri !== undefined ? { imageUri } : {}), revisionId: randomUUID(), lastModifiedMs: this.now(), update: this.startUpdate() };
    return fn.latest;
  }

  /** UpdateFunctionConfiguration for the keys given; same RevisionId and in-progress rules as code. */
  updateFunctionConfiguration(ref: string, change: Partial<FunctionSettings>, revisionId?: string): FunctionVersion {
    const fn = this.getFunction(ref);
    const latest = this.checkUpdatable(fn, revisionId);
    if (change.memoryMb !== undefined && !(Number.isInteger(change.memoryMb) && change.memoryMb >= 128 && change.memoryMb <= 10_240)) {
      throw invalidParameter(`'MemorySize' value failed to satisfy constraint: Member must have value between 128 and 10240`);
    }
    if (change.timeoutSeconds !== undefined && !(Number.isInteger(change.timeoutSeconds) && change.timeoutSeconds >= 1 && change.timeoutSeconds <= 900)) {
      throw invalidParameter(`'Timeout' value failed to satisfy constraint: Member must have value between 1 and 900`);
    }
    const config: FunctionSettings = {
      memoryMb: change.memoryMb ?? latest.config.memoryMb,
      timeoutSeconds: change.timeoutSeconds ?? latest.config.timeoutSeconds,
      environment: change.environment !== undefined ? { ...change.environment } : latest.config.environment,
    };
    fn.latest = { ...latest, config, revisionId: randomUUID(), lastModifiedMs: this.now(), update: this.startUpdate() };
    return fn.latest;
  }

  tagResource(ref: string, tags: Record<string, string>): void {
    const fn = this.getFunction(ref);
    if (parseFunctionRef(ref).qualifier !== undefined) throw invalidParameter('Tags can only be added to a function, not to a version or alias.');
    for (const [key, value] of Object.entries(tags)) {
      if (key.length === 0 || key.length > 128) throw invalidParameter(`Tag key ${key} must be 1 to 128 characters long.`);
      if (value.length > 256) throw invalidParameter(`Tag value for ${key} must be at most 256 characters long.`);
      if (key.toLowerCase().startsWith('aws:')) throw invalidParameter('Tag keys cannot start with aws:');
    }
    const after = new Set([...fn.tags.keys(), ...Object.keys(tags)]);
    if (after.size > TAG_LIMIT) throw invalidParameter(`Number of tags exceeds resource tag limit of ${TAG_LIMIT}.`);
    for (const [key, value] of Object.entries(tags)) fn.tags.set(key, value);
  }

  listTags(ref: string): Record<string, string> {
    return Object.fromEntries(this.getFunction(ref).tags);
  }

  /** $LATEST, after the RevisionId and "no update in progress" checks every write makes. */
  private checkUpdatable(fn: LambdaFunction, revisionId: string | undefined): FunctionVersion {
    const latest = this.latest(fn);
    if (revisionId !== undefined && revisionId !== latest.revisionId) {
      throw preconditionFailed('The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id');
    }
    if (latest.update.status === 'InProgress') {
      throw resourceConflict(`The operation cannot be performed at this time. An update is in progress for resource: ${functionArn(fn.name)}`);
    }
    return latest;
  }

  private startUpdate(): UpdateState {
    const failure = this.updates.failures.shift();
    const outcome = failure ? ({ status: 'Failed', ...failure } as const) : ({ status: 'Successful' } as const);
    if (this.updates.stuck) return { status: 'InProgress', outcome };
    return { status: 'InProgress', completesAtMs: this.now() + this.updates.durationMs, outcome };
  }

  private getS3Object(ref: { bucket: string; key: string; objectVersion?: string }): Buffer {
    const versions = this.s3.get(`${ref.bucket}/${ref.key}`) ?? [];
    const found = ref.objectVersion === undefined ? versions.at(-1) : versions.find((o) => o.versionId === ref.objectVersion);
    if (!found) {
      throw invalidParameter(`Error occurred while GetObject. S3 Error Code: ${versions.length === 0 ? 'NoSuchKey' : 'NoSuchVersion'}. S3 Error Message: The specified ${versions.length === 0 ? 'key' : 'version'} does not exist.`);
    }
    return found.bytes;
  }

  /**
   * Publishes $LATEST. Like Lambda, when $LATEST's code and configuration equal the most
   * recently published version's, no version is created and that version is returned (its
   * description, immutable, stays as it was). Refused while an update is in progress.
   */
  publishVersion(
    ref: string,
    request: { codeSha256?: string; description?: string; revisionId?: string },
  ): { version: FunctionVersion; created: boolean } {
    const fn = this.getFunction(ref);
    const latest = this.latest(fn);
    if (request.codeSha256 !== undefined && request.codeSha256 !== latest.codeSha256) {
      throw preconditionFailed(
        `CodeSHA256 (${request.codeSha256}) is different from current CodeSHA256 in $LATEST (${fn.latest.codeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
      );
    }
    if (request.revisionId !== undefined && request.revisionId !== fn.latest.revisionId) {
      throw preconditionFailed(
        'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
      );
    }
    if (latest.update.status === 'InProgress') {
      throw resourceConflict(`The operation cannot be performed at this time. An update is in progress for resource: ${functionArn(fn.name)}`);
    }
    const newest = fn.versions.at(-1);
    if (newest && newest.codeSha256 === latest.codeSha256 && sameSettings(newest.config, latest.config)) return { version: newest, created: false };
    const number = fn.versions.reduce((max, v) => Math.max(max, Number(v.version)), 0) + 1;
    const version: FunctionVersion = {
      ...this.newVersion(String(number), latest.codeSha256, request.description ?? ''),
      config: { ...latest.config, environment: { ...latest.config.environment } },
      packageType: latest.packageType,
      codeSize: latest.codeSize,
      ...(latest.imageUri !== undefined ? { imageUri: latest.imageUri } : {}),
    };
    fn.versions.push(version);
    return { version, created: true };
  }

  getAlias(ref: string, aliasName: string): AliasRecord {
    const fn = this.getFunction(ref);
    const alias = fn.aliases.get(aliasName);
    if (!alias) throw resourceNotFound('Alias', functionArn(fn.name, aliasName));
    return alias;
  }

  createAlias(ref: string, aliasName: string, write: AliasWrite): AliasRecord {
    const fn = this.getFunction(ref);
    if (fn.aliases.has(aliasName)) {
      throw new SimApiError(409, 'ResourceConflictException', `Alias already exists: ${functionArn(fn.name, aliasName)}`);
    }
    if (write.version === undefined) throw invalidParameter('FunctionVersion is required');
    const weights = write.weights ?? {};
    this.validateRouting(fn, write.version, weights);
    const alias: AliasRecord = {
      name: aliasName,
      version: write.version,
      weights: { ...weights },
      description: write.description ?? '',
      revisionId: randomUUID(),
    };
    fn.aliases.set(aliasName, alias);
    return alias;
  }

  /** Updates an alias; fields left undefined keep their value, like Lambda's UpdateAlias. */
  updateAlias(ref: string, aliasName: string, write: AliasWrite): AliasRecord {
    const fn = this.getFunction(ref);
    const alias = this.getAlias(fn.name, aliasName);
    if (write.expectedRevisionId !== undefined && write.expectedRevisionId !== alias.revisionId) {
      throw preconditionFailed(
        'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
      );
    }
    const version = write.version ?? alias.version;
    const weights = write.weights ?? alias.weights;
    this.validateRouting(fn, version, weights);
    alias.version = version;
    alias.weights = { ...weights };
    if (write.description !== undefined) alias.description = write.description;
    alias.revisionId = randomUUID();
    return alias;
  }

  /** Lambda's rules for an alias target and its weighted routing. */
  private validateRouting(fn: LambdaFunction, version: string, weights: Record<string, number>): void {
    this.getVersion(fn, version);
    const entries = Object.entries(weights);
    if (entries.length === 0) return;
    if (entries.length > 1) {
      throw invalidParameter(`Number of items in AdditionalVersionWeights cannot be greater than 1, got ${entries.length}`);
    }
    if (!NUMERIC_VERSION.test(version)) {
      throw invalidParameter(`Alias with weights can not point to version ${version}; only published versions support routing`);
    }
    const [additional, weight] = entries[0]!;
    if (!NUMERIC_VERSION.test(additional)) {
      throw invalidParameter(`Invalid function version ${additional} in AdditionalVersionWeights: only published numeric versions can receive weighted traffic`);
    }
    if (!(weight >= 0 && weight <= 1)) {
      throw invalidParameter(`Invalid weight ${weight} for version ${additional}: a weight must be between 0.0 and 1.0`);
    }
    if (additional === version) {
      throw invalidParameter(`Version ${additional} is the alias's primary version and cannot also be an additional version`);
    }
    if (!fn.versions.some((v) => v.version === additional)) {
      throw invalidParameter(`Version ${additional} in AdditionalVersionWeights does not exist for ${functionArn(fn.name)}`);
    }
  }

  private newVersion(version: string, codeSha256: string, description: string): FunctionVersion {
    return {
      version,
      codeSha256,
      description,
      revisionId: randomUUID(),
      lastModifiedMs: this.now(),
      config: { ...DEFAULT_SETTINGS, environment: {} },
      packageType: 'Zip',
      codeSize: 1_048_576,
      update: { status: 'Successful' },
    };
  }
}

function sameSettings(a: FunctionSettings, b: FunctionSettings): boolean {
  const keys = Object.keys(a.environment);
  return (
    a.memoryMb === b.memoryMb &&
    a.timeoutSeconds === b.timeoutSeconds &&
    keys.length === Object.keys(b.environment).length &&
    keys.every((k) => a.environment[k] === b.environment[k])
  );
}
