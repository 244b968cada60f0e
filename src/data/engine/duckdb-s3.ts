/**
 * DuckDB reading s3:// paths: httpfs loaded (duckdb-extensions.ts), the AWS SDK's credentials
 * handed over as a temporary secret, bounded HTTP timeouts. What its HTTP errors mean is
 * s3-read-errors.ts.
 *
 * Credentials come from the SDK's default chain (environment, web identity / the OIDC role the
 * job assumed, profiles, instance roles), never from the config. They live only in the
 * in-memory database's temporary secret: never logged, and the statement that creates it never
 * reaches an error message (DuckDB's parser errors quote the statement).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { quoteString } from '../sql/dialect.js';
import { loadHttpfs, type HttpfsOptions, type RunSql } from './duckdb-extensions.js';

/** An s3:// URL (bucket, key or glob): read by DuckDB's httpfs, never resolved against the workspace. */
export function isS3Url(path: string): boolean {
  return /^s3:\/\//i.test(path);
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What DuckDB needs to reach S3. */
export interface S3Access {
  /** Undefined: no credentials anywhere in the chain; public objects only. */
  credentials?: AwsCredentials;
  region: string;
  /** AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL (an S3-compatible server), as given. */
  endpoint?: string;
}

export interface S3ReadOptions extends HttpfsOptions {
  /** Default: the SDK's default credential chain (an S3Client's own provider). */
  credentials?: () => Promise<AwsCredentials>;
  /**
   * DuckDB's `http_timeout` in seconds (connect, and each read or write), and `http_retries`: an
   * endpoint that never answers fails after about timeout × (retries + 1), not never.
   */
  httpTimeoutSeconds?: number;
  httpRetries?: number;
}

export const DEFAULT_HTTP_TIMEOUT_SECONDS = 30;
export const DEFAULT_HTTP_RETRIES = 2;

/** Region: AWS_REGION, AWS_DEFAULT_REGION, the SDK's profile chain, else us-east-1. Endpoint: AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL. */
export async function resolveS3Access(options: Pick<S3ReadOptions, 'env' | 'credentials' | 'log'> = {}): Promise<S3Access> {
  const env = options.env ?? process.env;
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  let region = env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
  let credentials: AwsCredentials | undefined;
  const client = new S3Client(region ? { region } : {});
  try {
    region ??= await client.config.region().catch(() => undefined);
    try {
      const found = await (options.credentials ?? (() => client.config.credentials()))();
      credentials = { accessKeyId: found.accessKeyId, secretAccessKey: found.secretAccessKey, ...(found.sessionToken ? { sessionToken: found.sessionToken } : {}) };
    } catch (error) {
      // No credentials anywhere: public objects can still be read; anything else gets 403 and says so.
      options.log?.(`No AWS credentials for s3:// sources (${(error as Error).message.split('\n')[0]}); reading them anonymously.`);
    }
  } finally {
    client.destroy();
  }
  return { region: region ?? 'us-east-1', ...(credentials ? { credentials } : {}), ...(endpoint ? { endpoint } : {}) };
}

/** The CREATE SECRET statement for `access`. Holds the credentials: run it, never print it. */
export function s3SecretSql(access: S3Access): string {
  const options = ['TYPE s3', `REGION ${quoteString(access.region)}`];
  if (access.credentials) {
    options.push(`KEY_ID ${quoteString(access.credentials.accessKeyId)}`, `SECRET ${quoteString(access.credentials.secretAccessKey)}`);
    if (access.credentials.sessionToken) options.push(`SESSION_TOKEN ${quoteString(access.credentials.sessionToken)}`);
  }
  if (access.endpoint) {
    const url = new URL(access.endpoint);
    // An S3-compatible server is addressed by path (bucket.host does not resolve for a custom host).
    options.push(`ENDPOINT ${quoteString(url.host)}`, `URL_STYLE 'path'`, `USE_SSL ${url.protocol === 'https:' ? 'true' : 'false'}`);
  }
  return `CREATE OR REPLACE TEMPORARY SECRET model_release_gate_s3 (${options.join(', ')})`;
}

/**
 * Make the connection `run` speaks to read s3:// paths: httpfs, timeouts, credentials. Throws
 * DuckDbExtensionError when httpfs cannot be had, Error (without the statement) when DuckDB
 * refuses the secret.
 */
export async function enableS3(run: RunSql, options: S3ReadOptions = {}): Promise<void> {
  await loadHttpfs(run, options);
  const timeout = options.httpTimeoutSeconds ?? DEFAULT_HTTP_TIMEOUT_SECONDS;
  const retries = options.httpRetries ?? DEFAULT_HTTP_RETRIES;
  await run(`SET http_timeout = ${Math.max(1, Math.round(timeout))}; SET http_retries = ${Math.max(0, Math.round(retries))}`);
  const access = await resolveS3Access(options);
  try {
    await run(s3SecretSql(access));
  } catch (error) {
    throw new Error(`DuckDB refused the S3 settings (region ${access.region}${access.endpoint ? `, endpoint ${access.endpoint}` : ''}): ${redactSecrets(error, access)}`);
  }
}

/** DuckDB's first line of an error about the secret, with the credentials blanked, should it quote them. */
function redactSecrets(error: unknown, access: S3Access): string {
  let message = ((error as Error).message ?? String(error)).split('\n')[0]!;
  for (const value of [access.credentials?.accessKeyId, access.credentials?.secretAccessKey, access.credentials?.sessionToken]) {
    if (value) message = message.split(value).join('***');
  }
  return message;
}
