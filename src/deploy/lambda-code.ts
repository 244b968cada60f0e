/**
 * New code and configuration onto a Lambda function's $LATEST, before a version is published.
 * Every write is conditional on the RevisionId read just before it, so a concurrent change by
 * someone else is refused, never overwritten; every write is followed by a wait (polling
 * GetFunctionConfiguration with back-off, bounded by a timeout) until Lambda reports the update
 * Successful, and by a read-back: the CodeSha256 the function ends with must be ours.
 *
 * A write whose reply is lost (a 5xx or reset after the update landed, a reply that never
 * comes) is retried by the SDK with the same, now stale, RevisionId and answered 412. As for
 * aliases (src/targets/lambda.ts), the function is then read back: when it holds exactly what
 * we sent (a zip's hash, an image's URI, the configuration we set) the update landed and we
 * carry on; otherwise it is someone else's change. An S3 package cannot be recognised that way
 * (Lambda reports only the hash of what it stored, which we cannot compute without the
 * object), so that case fails closed: nothing is published.
 */
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  PreconditionFailedException,
  ResourceNotFoundException,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type FunctionConfiguration,
  type LambdaClient,
  type UpdateFunctionCodeCommandInput,
} from '@aws-sdk/client-lambda';
import { awsErrorName } from '../aws/error-name.js';
import type { FunctionConfigurationChange } from '../config/types.js';
import { TargetNotFoundError, type DeployContext, type DeployedCode } from '../targets/target.js';
import { describeCode, type DeployRequest, type PreparedCode } from './code.js';

/** Long enough for a large image function to be optimised; short enough that a stuck update is reported in the job. */
export const DEFAULT_DEPLOY_TIMEOUT_MS = 10 * 60_000;
/** First pause between two reads of an update in progress; doubled up to the cap. */
export const FIRST_POLL_MS = 1_000;
export const MAX_POLL_MS = 15_000;

/** Why a deploy stopped. Nothing was published and no alias was touched in any of these cases. */
export type DeployFailure = 'failed' | 'timeout' | 'conflict' | 'verification' | 'unknown-outcome';

/** The deploy did not leave our code ready on $LATEST; the message says what Lambda reported. */
export class DeployError extends Error {
  constructor(
    readonly failure: DeployFailure,
    message: string,
  ) {
    super(message);
    this.name = 'DeployError';
  }
}

/** The poll delays of a wait, by attempt (1 s, 2 s, 4 s, ... up to 15 s). Pure; exported for tests. */
export function pollDelayMs(attempt: number): number {
  return Math.min(FIRST_POLL_MS * 2 ** Math.max(0, attempt), MAX_POLL_MS);
}

/** True when the function's configuration already holds every key of `change`. */
export function holdsConfiguration(fn: FunctionConfiguration, change: FunctionConfigurationChange): boolean {
  if (change.memoryMb !== undefined && fn.MemorySize !== change.memoryMb) return false;
  if (change.timeoutSeconds !== undefined && fn.Timeout !== change.timeoutSeconds) return false;
  if (change.environment !== undefined && !sameStrings(fn.Environment?.Variables ?? {}, change.environment)) return false;
  return true;
}

function sameStrings(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function codeInput(code: PreparedCode): Partial<UpdateFunctionCodeCommandInput> {
  switch (code.kind) {
    case 'zip':
      return { ZipFile: code.bytes };
    case 's3':
      return { S3Bucket: code.bucket, S3Key: code.key, ...(code.objectVersion !== undefined ? { S3ObjectVersion: code.objectVersion } : {}) };
    case 'image':
      return { ImageUri: code.uri };
  }
}

/** Applies one DeployRequest to one function's $LATEST (see the module comment). */
export class LambdaCodeDeployer {
  constructor(
    private readonly lambda: LambdaClient,
    private readonly functionName: string,
  ) {}

  async deploy(request: DeployRequest, context: DeployContext): Promise<DeployedCode> {
    const notes: string[] = [];
    const note = (line: string) => {
      notes.push(line);
      context.log?.(`${this.functionName}: ${line}`);
    };
    const { configuration: before, imageUri } = await this.read(true);
    if (before.LastUpdateStatus === 'InProgress') {
      throw new DeployError('conflict', `Lambda function '${this.functionName}' has an update in progress that the gate did not start (someone else is deploying); nothing was changed. Run the release again once it has finished.`);
    }
    const startSha = before.CodeSha256 ?? '';
    let current = before;
    let codeUnchanged = true;
    if (request.code !== undefined) {
      const code = request.code;
      if (code.kind === 'zip' && code.sha256 === startSha) {
        note(`already holds ${describeCode(code)}; its code was not updated.`);
      } else if (code.kind === 'image' && imageUri === code.uri) {
        note(`already runs ${describeCode(code)}; its code was not updated.`);
      } else {
        current = await this.updateCode(code, current, context, note);
        codeUnchanged = current.CodeSha256 === startSha;
        if (codeUnchanged) note(`the new code has the same CodeSha256 as the code it replaced (${startSha}).`);
      }
    }
    const ourSha = current.CodeSha256 ?? '';
    let configurationUnchanged = true;
    if (request.configuration !== undefined && Object.keys(request.configuration).length > 0) {
      if (holdsConfiguration(current, request.configuration)) {
        note('already has the configuration asked for; it was not updated.');
      } else {
        current = await this.updateConfiguration(request.configuration, current, ourSha, context, note);
        configurationUnchanged = false;
      }
    }
    if (!current.RevisionId) throw new Error(`Lambda returned no RevisionId for ${this.functionName}`);
    return { codeSha256: ourSha, revisionId: current.RevisionId, codeUnchanged, configurationUnchanged, notes };
  }

  /** UpdateFunctionCode (conditional, unpublished), wait, verify the hash; returns the function as it then is. */
  private async updateCode(code: PreparedCode, before: FunctionConfiguration, context: DeployContext, note: (line: string) => void): Promise<FunctionConfiguration> {
    let sha: string | undefined;
    try {
      const reply = await this.lambda.send(
        new UpdateFunctionCodeCommand({ FunctionName: this.functionName, ...codeInput(code), RevisionId: before.RevisionId, Publish: false }),
        context.signal ? { abortSignal: context.signal } : {},
      );
      sha = reply.CodeSha256;
    } catch (error) {
      sha = await this.ownCodeLanded(code, before, error, note);
    }
    if (code.kind === 'zip' && sha !== code.sha256) {
      throw new DeployError('verification', `Lambda reports CodeSha256 ${sha ?? '(none)'} for ${describeCode(code)}, whose bytes hash to ${code.sha256}; nothing was published.`);
    }
    const started = context.clock.now();
    const ready = await this.waitForUpdate('UpdateFunctionCode', context);
    if (ready.CodeSha256 !== sha) {
      throw new DeployError(
        'conflict',
        `The code of '${this.functionName}' changed while the gate's update was being applied (CodeSha256 ${ready.CodeSha256 ?? '(none)'}, the gate deployed ${sha ?? '(none)'}): someone else deployed; nothing was published.`,
      );
    }
    note(`code updated to ${describeCode(code)}${code.kind === 'zip' ? '' : `, CodeSha256 ${sha ?? '(none)'}`}; Successful ${waited(context.clock.now() - started)}.`);
    return ready;
  }

  /**
   * After a failed UpdateFunctionCode: the CodeSha256 our update left when the function holds
   * exactly our code (the reply was lost); else the failure, as a conflict when the function was
   * changed by someone else.
   */
  private async ownCodeLanded(code: PreparedCode, before: FunctionConfiguration, error: unknown, note: (line: string) => void): Promise<string> {
    const now = await this.read(code.kind === 'image').catch(() => undefined);
    const changed = now !== undefined && now.configuration.RevisionId !== before.RevisionId;
    const ours = now !== undefined && changed && (code.kind === 'zip' ? now.configuration.CodeSha256 === code.sha256 : code.kind === 'image' ? now.imageUri === code.uri : false);
    if (ours && now.configuration.CodeSha256) {
      note(`UpdateFunctionCode failed on its way back (${awsErrorName(error)}), but the function holds exactly the code sent: the update landed.`);
      return now.configuration.CodeSha256;
    }
    if (changed && code.kind === 's3') {
      throw new DeployError(
        'unknown-outcome',
        `UpdateFunctionCode failed (${awsErrorName(error)}) and the function changed since it was read; with an S3 package the gate cannot tell its own update from someone else's, so nothing was published. Check the function, then run the release again.`,
      );
    }
    if (error instanceof PreconditionFailedException || changed) {
      throw new DeployError('conflict', `The function '${this.functionName}' was changed by someone else since it was read (revision ${before.RevisionId ?? '?'}); the gate did not overwrite it and published nothing.`);
    }
    throw error;
  }

  private async updateConfiguration(
    change: FunctionConfigurationChange,
    before: FunctionConfiguration,
    ourSha: string,
    context: DeployContext,
    note: (line: string) => void,
  ): Promise<FunctionConfiguration> {
    try {
      await this.lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: this.functionName,
          ...(change.memoryMb !== undefined ? { MemorySize: change.memoryMb } : {}),
          ...(change.timeoutSeconds !== undefined ? { Timeout: change.timeoutSeconds } : {}),
          ...(change.environment !== undefined ? { Environment: { Variables: change.environment } } : {}),
          RevisionId: before.RevisionId,
        }),
        context.signal ? { abortSignal: context.signal } : {},
      );
    } catch (error) {
      const now = await this.read(false).catch(() => undefined);
      const changed = now !== undefined && now.configuration.RevisionId !== before.RevisionId;
      if (changed && holdsConfiguration(now.configuration, change) && now.configuration.CodeSha256 === ourSha) {
        note(`UpdateFunctionConfiguration failed on its way back (${awsErrorName(error)}), but the function holds exactly the configuration sent: the update landed.`);
      } else if (error instanceof PreconditionFailedException || changed) {
        throw new DeployError('conflict', `The function '${this.functionName}' was changed by someone else before its configuration was updated; the gate did not overwrite it and published nothing.`);
      } else {
        throw error;
      }
    }
    const started = context.clock.now();
    const ready = await this.waitForUpdate('UpdateFunctionConfiguration', context);
    if (ready.CodeSha256 !== ourSha || !holdsConfiguration(ready, change)) {
      throw new DeployError('conflict', `The function '${this.functionName}' changed while its configuration was being updated (someone else deployed); nothing was published.`);
    }
    note(`configuration updated (${describeChange(change)}); Successful ${waited(context.clock.now() - started)}.`);
    return ready;
  }

  /**
   * Polls GetFunctionConfiguration with back-off until LastUpdateStatus is Successful; throws on
   * Failed (with Lambda's reason) and when the update is still in progress at the timeout.
   */
  private async waitForUpdate(operation: string, context: DeployContext): Promise<FunctionConfiguration> {
    const timeoutMs = context.timeoutMs ?? DEFAULT_DEPLOY_TIMEOUT_MS;
    const deadline = context.clock.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const { configuration } = await this.read(false, context.signal);
      const status = configuration.LastUpdateStatus;
      // Absent on functions created before Lambda tracked update states: nothing to wait for.
      if (status === 'Successful' || status === undefined) return configuration;
      if (status === 'Failed') {
        const code = configuration.LastUpdateStatusReasonCode;
        throw new DeployError(
          'failed',
          `${operation} on '${this.functionName}' failed: ${configuration.LastUpdateStatusReason ?? 'no reason given'}${code ? ` (${code})` : ''}. Nothing was published and no alias was changed.`,
        );
      }
      const left = deadline - context.clock.now();
      if (left <= 0) {
        throw new DeployError(
          'timeout',
          `${operation} on '${this.functionName}' was still ${status ?? 'in progress'} after ${Math.round(timeoutMs / 1000)}s; nothing was published and no alias was changed. Lambda may still finish it: check the function before running the release again.`,
        );
      }
      await context.clock.sleep(Math.min(pollDelayMs(attempt), left), context.signal);
    }
  }

  /** $LATEST's configuration (and, when asked, the image URI, which only GetFunction returns). */
  private async read(withImage: boolean, signal?: AbortSignal): Promise<{ configuration: FunctionConfiguration; imageUri?: string }> {
    const options = signal ? { abortSignal: signal } : {};
    try {
      if (withImage) {
        const fn = await this.lambda.send(new GetFunctionCommand({ FunctionName: this.functionName }), options);
        if (!fn.Configuration) throw new Error(`GetFunction returned no configuration for ${this.functionName}`);
        return { configuration: fn.Configuration, ...(fn.Code?.ImageUri !== undefined ? { imageUri: fn.Code.ImageUri } : {}) };
      }
      return { configuration: await this.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: this.functionName }), options) };
    } catch (error) {
      if (error instanceof ResourceNotFoundException) {
        throw new TargetNotFoundError(`Lambda function '${this.functionName}' was not found (check target.function-name and the region): ${error.message}`);
      }
      throw error;
    }
  }
}

function waited(ms: number): string {
  return ms < 1_000 ? 'at once' : `after ${Math.round(ms / 1_000)}s`;
}

function describeChange(change: FunctionConfigurationChange): string {
  const parts: string[] = [];
  if (change.memoryMb !== undefined) parts.push(`memory ${change.memoryMb} MB`);
  if (change.timeoutSeconds !== undefined) parts.push(`timeout ${change.timeoutSeconds}s`);
  if (change.environment !== undefined) parts.push(`environment ${Object.keys(change.environment).sort().join(', ') || '(empty)'}`);
  return parts.join(', ');
}
