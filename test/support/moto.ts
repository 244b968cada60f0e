/**
 * A real S3-compatible server for the S3 tests: `moto_server` from PyPI (moto[server], the version
 * pinned in test/s3/requirements.txt, installed into a venv by test/s3/install.sh, which .ci/run
 * calls), on loopback. moto keeps everything in memory: each server starts empty and its state
 * goes with it. Objects are put with the real `@aws-sdk/client-s3` (putObjects), so what the
 * product reads is what the SDK wrote.
 *
 * Not installed: the tests skip with the reason printed, except in CI (CI=true), where a missing
 * install fails them, so CI never skips them silently; MOTO_TESTS=skip skips them anywhere.
 */
import { CreateBucketCommand, HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describeWithPythonTool, pinnedVersion, startProcessServer, venvInstall, type PythonInstall } from './python-server.js';

/** Waiting for the server to answer S3's ListBuckets; a cold start takes about 1-2 s. */
const STARTUP_TIMEOUT_MS = 60_000;

/** The region and the (dummy) credentials every client of the test server uses. */
export const MOTO_REGION = 'us-east-1';
export const MOTO_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

/** The moto version test/s3/requirements.txt pins (`moto[server]==<version>`). */
export const MOTO_VERSION = pinnedVersion('test/s3/requirements.txt', 'moto[server]');

const venv = venvInstall({
  name: 'moto', package: 'moto', version: MOTO_VERSION, bin: 'moto_server',
  venvEnvVar: 'MOTO_VENV', defaultDir: '.cache/moto-venv',
  // Importing moto.server also checks the [server] extra (Flask...) is there.
  probeImport: 'moto.server', working: 'moto server',
  hint: 'run `bash test/s3/install.sh` (about 30 s, from PyPI)',
});

/** Where install.sh puts the venv: MOTO_VENV, else <repo>/.cache/moto-venv. */
export function motoVenv(): string {
  return venv.venv();
}

export type MotoInstall = PythonInstall;

/** The venv's `moto_server` and `python`, if the venv has the pinned version with its server (checked once per test file). */
export function motoInstalled(): MotoInstall {
  return venv.installed();
}

/**
 * `describe` when moto is installed. Otherwise `describe.skip` with the reason printed once, or,
 * in CI (CI=true), a suite whose one test fails with the reason: CI must run these tests.
 * MOTO_TESTS=skip skips them (with the reason printed) wherever they run.
 */
export function describeWithMoto(name: string, fn: () => void): void {
  describeWithPythonTool({ tool: 'moto', tests: 'S3 (moto) tests', install: motoInstalled, skipEnvVar: 'MOTO_TESTS' }, name, fn);
}

export interface MotoServer {
  /** http://127.0.0.1:<port>, no trailing slash: the S3 endpoint (and every other service moto mocks). */
  endpoint: string;
  /** The server's temporary folder (server.log). Removed by stop(). */
  dir: string;
  /** The `moto_server` process (the leader of its own process group). */
  pid: number;
  /** Ends the server and every process it started (idempotent; never throws, never hangs). */
  stop(): Promise<void>;
}

/**
 * Environment for moto's process: none of the caller's AWS_*, MOTO_* or moto settings (e.g.
 * INITIAL_NO_AUTH_ACTION_COUNT, which would turn on IAM checks), so every server starts the same.
 */
function motoEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AWS_|MOTO_|INITIAL_NO_AUTH_ACTION_COUNT$|TEST_SERVER_MODE)/.test(k)));
  return { ...env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' };
}

/**
 * Starts `moto_server` on a free loopback port and waits until it answers S3's ListBuckets
 * (GET /, up to 60 s). Throws with the end of the server's log if it does not come up; the
 * process is gone by then.
 */
export async function startMotoServer(options: { startupTimeoutMs?: number } = {}): Promise<MotoServer> {
  const install = motoInstalled();
  if (!install.ok) throw new Error(install.reason);
  const { url, dir, pid, stop } = await startProcessServer({
    name: 'moto_server',
    tmpPrefix: 'mrg-moto-',
    command: install.bin,
    args: (port) => ['--host', '127.0.0.1', '--port', String(port)],
    env: motoEnv(),
    // Unsigned GET / is S3's ListBuckets to moto: 200 <ListAllMyBucketsResult …> once it serves.
    ready: { path: '/', answers: (body) => body.includes('<ListAllMyBucketsResult'), expected: "S3's ListBuckets" },
    timeoutMs: options.startupTimeoutMs ?? STARTUP_TIMEOUT_MS,
    pollMs: 100,
    portTaken: /address already in use|is in use by another program/i,
  });
  return { endpoint: url, dir, pid, stop };
}

/** server?.stop(), for afterAll (a beforeAll that failed leaves no server). */
export async function stopMotoServer(server: MotoServer | undefined): Promise<void> {
  await server?.stop();
}

/**
 * An S3 client of the test server, configured explicitly: us-east-1, the dummy credentials,
 * path-style addressing (http://127.0.0.1:<port>/<bucket>/<key>). Destroy it when done.
 */
export function motoS3Client(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string } = MOTO_CREDENTIALS): S3Client {
  return new S3Client({ endpoint, region: MOTO_REGION, credentials, forcePathStyle: true, maxAttempts: 2 });
}

/** Creates `bucket` on the server when it has none of that name, then uploads each key → content. */
export async function putObjects(endpoint: string, bucket: string, objects: Record<string, string | Buffer>): Promise<void> {
  const s3 = motoS3Client(endpoint);
  try {
    try {
      await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (error) {
      // HEAD has no body: a missing bucket is name NotFound, status 404.
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 404) throw error;
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    }
    for (const [key, body] of Object.entries(objects)) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    }
  } finally {
    s3.destroy();
  }
}

/**
 * The environment a product process needs to reach the server's S3, and only its S3:
 * AWS_ENDPOINT_URL_S3 (the SDK's service-specific endpoint variable, which wins over
 * AWS_ENDPOINT_URL, so the other services can still point at the AWS simulator), the dummy
 * credentials and the region.
 *
 * Path-style addressing: the JS SDK v3 reads no environment variable or config-file setting for
 * it (`forcePathStyle` is a client option only; botocore's `s3.addressing_style` has no JS
 * counterpart). Its S3 endpoint rules use path style by themselves when the endpoint's host is an
 * IP address, as here (http://127.0.0.1:<port>/<bucket>/<key>), so these tests need nothing more;
 * but an endpoint with a host name (http://localhost:4566, http://minio:9000) gets virtual-hosted
 * requests to <bucket>.<host>, which do not resolve. So the product's S3 client must set
 * `forcePathStyle: true` whenever AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL is set
 * (test/integration/moto-s3.int.test.ts shows both cases).
 */
export function s3EnvFor(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    AWS_REGION: MOTO_REGION,
  };
}

/**
 * Turns moto's IAM checks on or off for the whole server (POST /moto-api/reset-auth). On, every
 * request must be signed with an access key moto's IAM issued (createMotoAccessKey), and S3
 * calls are allowed only by that user's policies; off (the default) anything goes.
 */
export async function setMotoAuth(endpoint: string, enforced: boolean): Promise<void> {
  // The body is how many more requests go unchecked: 0 checks from now on, inf never.
  const response = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: enforced ? '0' : 'inf', signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`POST ${endpoint}/moto-api/reset-auth: ${response.status} ${await response.text()}`);
}

/**
 * Creates IAM user `userName` (with no policy: every S3 call it makes is denied once auth is
 * enforced) and an access key for it, through IAM's query API (no IAM SDK client here; call it
 * while auth is off, the signature is not checked then).
 */
export async function createMotoAccessKey(endpoint: string, userName: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const iam = async (action: string): Promise<string> => {
    const response = await fetch(`${endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        // moto routes a request by the service in the credential scope.
        authorization: `AWS4-HMAC-SHA256 Credential=${MOTO_CREDENTIALS.accessKeyId}/20260101/${MOTO_REGION}/iam/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: new URLSearchParams({ Action: action, Version: '2010-05-08', UserName: userName }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`IAM ${action}: ${response.status} ${text}`);
    return text;
  };
  await iam('CreateUser');
  const key = await iam('CreateAccessKey');
  const accessKeyId = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(key)?.[1];
  const secretAccessKey = /<SecretAccessKey>([^<]+)<\/SecretAccessKey>/.exec(key)?.[1];
  if (accessKeyId === undefined || secretAccessKey === undefined) throw new Error(`IAM CreateAccessKey: no key in ${key}`);
  return { accessKeyId, secretAccessKey };
}
