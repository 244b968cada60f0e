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
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { repoRoot } from './run-bundle.js';

const INSTALL_HINT = 'run `bash test/s3/install.sh` (about 30 s, from PyPI)';
/** Waiting for the server to answer S3's ListBuckets; a cold start takes about 1-2 s. */
const STARTUP_TIMEOUT_MS = 60_000;
/** SIGTERM, then SIGKILL for the process group after this long. */
const STOP_GRACE_MS = 10_000;

/** The region and the (dummy) credentials every client of the test server uses. */
export const MOTO_REGION = 'us-east-1';
export const MOTO_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

/** The moto version test/s3/requirements.txt pins (`moto[server]==<version>`). */
export const MOTO_VERSION = (() => {
  const pinned = /^moto(?:\[[^\]]*\])?==(\S+)/m.exec(readFileSync(join(repoRoot, 'test', 's3', 'requirements.txt'), 'utf8'))?.[1];
  if (pinned === undefined) throw new Error('test/s3/requirements.txt pins no moto[server]==<version>');
  return pinned;
})();

/** Where install.sh puts the venv: MOTO_VENV, else <repo>/.cache/moto-venv. */
export function motoVenv(): string {
  return process.env['MOTO_VENV'] || join(repoRoot, '.cache', 'moto-venv');
}

export type MotoInstall = { ok: true; bin: string; python: string } | { ok: false; reason: string };

let installed: MotoInstall | undefined;

/** The venv's `moto_server` and `python`, if the venv has the pinned version with its server (checked once per test file). */
export function motoInstalled(): MotoInstall {
  if (installed !== undefined) return installed;
  const venv = motoVenv();
  const bin = join(venv, 'bin', 'moto_server');
  const python = join(venv, 'bin', 'python');
  if (!existsSync(bin) || !existsSync(python)) {
    installed = { ok: false, reason: `moto is not installed in ${venv}: ${INSTALL_HINT}` };
    return installed;
  }
  // Importing moto.server also checks the [server] extra (Flask...) is there.
  const probe = spawnSync(python, ['-c', 'import importlib.metadata as m, moto.server; print(m.version("moto"))'], { encoding: 'utf8', timeout: 30_000 });
  const version = probe.status === 0 ? probe.stdout.trim() : undefined;
  installed =
    version === MOTO_VERSION
      ? { ok: true, bin, python }
      : { ok: false, reason: `${venv} has ${version ? `moto ${version}` : 'no working moto server'}, the tests need ${MOTO_VERSION}: ${INSTALL_HINT}` };
  return installed;
}

let warned = false;

/**
 * `describe` when moto is installed. Otherwise `describe.skip` with the reason printed once, or,
 * in CI (CI=true), a suite whose one test fails with the reason: CI must run these tests.
 * MOTO_TESTS=skip skips them (with the reason printed) wherever they run.
 */
export function describeWithMoto(name: string, fn: () => void): void {
  const install: MotoInstall = process.env['MOTO_TESTS'] === 'skip' ? { ok: false, reason: 'MOTO_TESTS=skip' } : motoInstalled();
  if (install.ok) {
    describe(name, fn);
    return;
  }
  if (process.env['CI'] === 'true' && process.env['MOTO_TESTS'] !== 'skip') {
    describe(name, () => {
      test('moto is installed (CI runs the S3 tests, never skips them)', () => {
        throw new Error(`${install.reason}. In CI, .ci/run installs it before the tests; set MOTO_TESTS=skip to skip these tests on purpose.`);
      });
    });
    return;
  }
  if (!warned) console.warn(`S3 (moto) tests skipped: ${install.reason}`);
  warned = true;
  describe.skip(name, fn);
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function logTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether any process of group `pgid` is still alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nothing left in the group.
  }
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => (clearTimeout(timer), resolve(true)));
  });
}

/** Every server this process started and has not stopped: killed if the test process exits first. */
const running = new Set<number>();
let exitHook = false;
function killLeftoversOnExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const pgid of running) killGroup(pgid, 'SIGKILL');
  });
}

/**
 * Starts `moto_server` on a free loopback port and waits until it answers S3's ListBuckets
 * (GET /, up to 60 s). Throws with the end of the server's log if it does not come up; the
 * process is gone by then.
 */
export async function startMotoServer(options: { startupTimeoutMs?: number } = {}): Promise<MotoServer> {
  const install = motoInstalled();
  if (!install.ok) throw new Error(install.reason);
  const timeoutMs = options.startupTimeoutMs ?? STARTUP_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  // The free port is found before the server binds it: another process can take it in between,
  // so a server that fails with "address already in use" is started again on another port.
  for (let attempt = 1; ; attempt++) {
    const server = await spawnServer(install.bin, deadline, timeoutMs);
    if ('endpoint' in server) return server;
    if (attempt < 3 && /address already in use|is in use by another program/i.test(server.log) && Date.now() < deadline) continue;
    throw new Error(`moto_server did not start: ${server.error}\n--- last lines of its log ---\n${server.log}`);
  }
}

async function spawnServer(bin: string, deadline: number, timeoutMs: number): Promise<MotoServer | { error: string; log: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-moto-'));
  const logFile = join(dir, 'server.log');
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const log = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    // Its own process group, so stop() reaches anything it starts too.
    child = spawn(bin, ['--host', '127.0.0.1', '--port', String(port)], { cwd: dir, env: motoEnv(), detached: true, stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  const pgid = child.pid;
  if (pgid === undefined) {
    const error = await new Promise<string>((resolve) => child.once('error', (e) => resolve(e.message)));
    rmSync(dir, { recursive: true, force: true });
    return { error, log: '' };
  }
  running.add(pgid);
  killLeftoversOnExit();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      killGroup(pgid, 'SIGTERM');
      if (!(await exited(child, STOP_GRACE_MS))) killGroup(pgid, 'SIGKILL');
      await exited(child, 5_000);
      for (let waited = 0; groupAlive(pgid) && waited < STOP_GRACE_MS; waited += 100) await sleep(100);
      killGroup(pgid, 'SIGKILL');
      for (let waited = 0; groupAlive(pgid) && waited < 5_000; waited += 100) await sleep(100);
      running.delete(pgid);
      rmSync(dir, { recursive: true, force: true });
    })());

  let exitedEarly: string | undefined;
  child.once('exit', (code, signal) => (exitedEarly = `it exited (${signal ?? `code ${code}`}) before answering GET /`));
  while (Date.now() < deadline && exitedEarly === undefined) {
    try {
      // Unsigned GET / is S3's ListBuckets to moto: 200 <ListAllMyBucketsResult …> once it serves.
      const response = await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok && (await response.text()).includes('<ListAllMyBucketsResult')) return { endpoint, dir, pid: pgid, stop };
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  const error = exitedEarly ?? `GET ${endpoint}/ did not answer S3's ListBuckets within ${timeoutMs / 1000} s`;
  const tail = logTail(logFile);
  await stop();
  return { error, log: tail };
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
