import { createHash, randomUUID } from 'node:crypto';
import { invalidParameter, preconditionFailed, resourceNotFound, SimApiError } from './errors.js';

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
}

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

  constructor(private readonly now: () => number) {}

  createFunction(spec: { name: string; versions?: number; latestCodeSha?: string }): LambdaFunction {
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
    };
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
    if (qualifier === undefined || qualifier === LATEST) return { version: fn.latest };
    const alias = fn.aliases.get(qualifier);
    if (alias) return { version: this.getVersion(fn, alias.version), alias };
    return { version: this.getVersion(fn, qualifier) };
  }

  getVersion(fn: LambdaFunction, version: string): FunctionVersion {
    if (version === LATEST) return fn.latest;
    const found = fn.versions.find((v) => v.version === version);
    if (!found) throw resourceNotFound('Function', functionArn(fn.name, version));
    return found;
  }

  /** Replaces $LATEST's code, as an UpdateFunctionCode deployment would. */
  setLatestCode(ref: string, codeSha256: string): void {
    const fn = this.getFunction(ref);
    fn.latest = { ...fn.latest, codeSha256, revisionId: randomUUID(), lastModifiedMs: this.now() };
  }

  /**
   * Publishes $LATEST. Like Lambda, when $LATEST's code equals the most recently published
   * version's, no version is created and that version is returned.
   */
  publishVersion(
    ref: string,
    request: { codeSha256?: string; description?: string; revisionId?: string },
  ): { version: FunctionVersion; created: boolean } {
    const fn = this.getFunction(ref);
    if (request.codeSha256 !== undefined && request.codeSha256 !== fn.latest.codeSha256) {
      throw preconditionFailed(
        `CodeSHA256 (${request.codeSha256}) is different from current CodeSHA256 in $LATEST (${fn.latest.codeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
      );
    }
    if (request.revisionId !== undefined && request.revisionId !== fn.latest.revisionId) {
      throw preconditionFailed(
        'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
      );
    }
    const newest = fn.versions.at(-1);
    if (newest && newest.codeSha256 === fn.latest.codeSha256) return { version: newest, created: false };
    const number = fn.versions.reduce((max, v) => Math.max(max, Number(v.version)), 0) + 1;
    const version = this.newVersion(String(number), fn.latest.codeSha256, request.description ?? '');
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
    return { version, codeSha256, description, revisionId: randomUUID(), lastModifiedMs: this.now() };
  }
}
