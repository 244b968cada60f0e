/**
 * The one place AWS SDK clients are created. The SDK resolves credentials (OIDC web identity,
 * instance roles...) and endpoints itself, so `AWS_ENDPOINT_URL` points the whole product at a
 * local simulator or LocalStack without any special case here. Throttling and transient 5xx
 * are the SDK's job: adaptive retry mode backs off and rate-limits client-side.
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';

export interface AwsClients {
  lambda: LambdaClient;
  cloudwatch: CloudWatchClient;
  sagemaker: SageMakerClient;
  sagemakerRuntime: SageMakerRuntimeClient;
  /** Reads objects (a model package's metrics); path-style when an endpoint override points at an S3-compatible server. */
  s3: S3Client;
  /** Runs the data gate's statements on tables (data.engine type athena). */
  athena: AthenaClient;
}

export interface AwsClientOptions {
  /** Region from config; falls back to AWS_REGION / AWS_DEFAULT_REGION. */
  region?: string;
  /** Total attempts per call including the first (SDK default 3; alias writes deserve more patience). */
  maxAttempts?: number;
  /** Longest wait for one HTTP reply before the SDK gives up on it and retries (default 30 s). */
  requestTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Per-reply timeout: GetMetricData and UpdateAlias answer in well under a second when healthy. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** A configuration problem with AWS access, reported before any call is made. */
export class AwsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AwsConfigError';
  }
}

/** Resolve the region the same way the user expects from the AWS CLI, but fail early and clearly. */
export function resolveRegion(configured: string | undefined, env: NodeJS.ProcessEnv): string {
  const region = configured ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new AwsConfigError(
      'No AWS region: set target.region in the config file, or AWS_REGION in the environment (aws-actions/configure-aws-credentials sets it).',
    );
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    throw new AwsConfigError(`AWS region '${region}' does not look like a region name (expected e.g. eu-west-1).`);
  }
  return region;
}

/** Create the service clients with adaptive retries (a client makes no call until it is used). */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const env = options.env ?? process.env;
  const common = {
    region: resolveRegion(options.region, env),
    retryMode: 'adaptive' as const,
    maxAttempts: options.maxAttempts ?? 6,
    // Names the product in CloudTrail's userAgent field, so its calls can be told from a person's.
    customUserAgent: 'model-release-gate',
    // The SDK waits forever for a reply by default; a reply that never comes would hang the
    // rollout with traffic on the canary. A timed-out call is retried like a 5xx, and a write
    // whose reply was lost is recognised by reading the alias back (src/targets/lambda.ts).
    requestHandler: { connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
  };
  return {
    lambda: new LambdaClient(common),
    cloudwatch: new CloudWatchClient(common),
    sagemaker: new SageMakerClient(common),
    sagemakerRuntime: new SageMakerRuntimeClient(common),
    athena: new AthenaClient(common),
    // An S3-compatible server (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL) serves buckets by path:
    // the SDK would otherwise address <bucket>.<host>, which no DNS resolves for a custom host.
    s3: new S3Client({ ...common, ...(env.AWS_ENDPOINT_URL_S3 !== undefined || env.AWS_ENDPOINT_URL !== undefined ? { forcePathStyle: true } : {}) }),
  };
}
