/**
 * The new code of a release, checked on this machine before anything is written: a zip in the
 * workspace is read, recognised as a zip and hashed here, so a missing, unreadable or wrong
 * file is an input error (exit 2) with zero AWS calls. S3 objects and container images cannot
 * be checked locally; the target's deploy step reports their failures. Platform-agnostic: a
 * target turns a PreparedCode into its own API call (src/deploy/lambda-code.ts for Lambda).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { CodeSourceConfig, FunctionConfigurationChange } from '../config/types.js';

/** Lambda accepts a zip of at most 50 MB in the request itself (larger packages go through S3). */
export const MAX_DIRECT_ZIP_BYTES = 50 * 1024 * 1024;

/** The new code, ready to send: a zip's bytes and expected hash, or a reference the service resolves. */
export type PreparedCode =
  | {
      kind: 'zip';
      /** As configured (relative to the workspace), for messages. */
      path: string;
      bytes: Uint8Array;
      /** base64 SHA-256 of the bytes: what Lambda reports as CodeSha256 for this package. */
      sha256: string;
    }
  | { kind: 's3'; bucket: string; key: string; objectVersion?: string }
  | { kind: 'image'; uri: string };

/** What a deploy step is asked to put on the target before the candidate is published. */
export interface DeployRequest {
  code?: PreparedCode;
  configuration?: FunctionConfigurationChange;
}

/** The local input of a deploy is wrong (missing, unreadable, not a zip): nothing was written. */
export class CodeInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodeInputError';
  }
}

/** base64 SHA-256, the form Lambda reports a package's CodeSha256 in. */
export function packageSha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64');
}

/** A zip starts with a local file header, or (an empty archive) with the end-of-central-directory record. */
export function looksLikeZip(bytes: Uint8Array): boolean {
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) return false;
  return (bytes[2] === 0x03 && bytes[3] === 0x04) || (bytes[2] === 0x05 && bytes[3] === 0x06);
}

/** One line naming the code, for logs and reports. */
export function describeCode(code: PreparedCode): string {
  switch (code.kind) {
    case 'zip':
      return `zip ${code.path} (${code.bytes.length} bytes, CodeSha256 ${code.sha256})`;
    case 's3':
      return `s3://${code.bucket}/${code.key}${code.objectVersion !== undefined ? ` (object version ${code.objectVersion})` : ''}`;
    case 'image':
      return `image ${code.uri}`;
  }
}

/**
 * Reads and checks the configured code on this machine. Throws CodeInputError for a zip that
 * is outside the workspace, missing, not a file, unreadable, empty, too large for a direct
 * upload, or not a zip archive; S3 and image references pass through unchanged.
 */
export function prepareCode(config: CodeSourceConfig, workspace: string): PreparedCode {
  if (config.kind === 's3') return { ...config };
  if (config.kind === 'image') return { ...config };
  const where = `target.code.zip '${config.path}'`;
  const full = resolve(workspace, config.path);
  const inside = relative(resolve(workspace), full);
  // "A zip in the repository": a path that leaves the workspace is a mistake, not a feature.
  if (inside.startsWith('..') || isAbsolute(inside)) throw new CodeInputError(`${where} is outside the workspace; give a path inside the repository.`);
  let bytes: Uint8Array;
  try {
    const stat = statSync(full);
    if (!stat.isFile()) throw new CodeInputError(`${where} is not a file.`);
    if (stat.size > MAX_DIRECT_ZIP_BYTES) {
      throw new CodeInputError(`${where} is ${stat.size} bytes; Lambda takes at most ${MAX_DIRECT_ZIP_BYTES} bytes in the request: upload it to S3 and use target.code.s3.`);
    }
    bytes = readFileSync(full);
  } catch (error) {
    if (error instanceof CodeInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new CodeInputError(code === 'ENOENT' ? `${where} does not exist (build the package before the release).` : `${where} cannot be read: ${(error as Error).message}`);
  }
  if (bytes.length === 0) throw new CodeInputError(`${where} is empty.`);
  if (!looksLikeZip(bytes)) throw new CodeInputError(`${where} is not a zip archive (it does not start with a zip header).`);
  return { kind: 'zip', path: config.path, bytes, sha256: packageSha256(bytes) };
}
