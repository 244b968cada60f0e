/**
 * DuckDB's S3 settings and errors, without S3: where region, endpoint and credentials come from,
 * the secret statement they become (never shown, even when DuckDB refuses it), and the sentences
 * httpfs's errors turn into (the messages as httpfs 1.5.5 words them, seen against moto).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { httpfsPath } from '../../../src/data/engine/duckdb-extensions.js';
import { enableS3, isS3Url, resolveS3Access, s3SecretSql } from '../../../src/data/engine/duckdb-s3.js';
import { s3ReadProblem } from '../../../src/data/engine/s3-read-errors.js';
import { sourceError } from '../../../src/data/engine/duckdb-engine.js';

const KEYS = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG', sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' };
const NO_PROFILE = { AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials' };

describe('isS3Url', () => {
  it('takes s3:// paths, globs included, and nothing else', () => {
    expect(['s3://b/k.parquet', 'S3://b/p/*.csv', 's3://b/p/**/x.json'].map(isS3Url)).toEqual([true, true, true]);
    expect(['data/s3://x', 's3:/b/k', 'https://b.s3.amazonaws.com/k', '/tmp/s3'].map(isS3Url)).toEqual([false, false, false, false]);
  });
});

describe('resolveS3Access', () => {
  it('region from AWS_REGION before AWS_DEFAULT_REGION; endpoint from AWS_ENDPOINT_URL_S3 before AWS_ENDPOINT_URL', async () => {
    const credentials = async () => KEYS;
    expect(await resolveS3Access({ env: { ...NO_PROFILE, AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-west-2', AWS_ENDPOINT_URL: 'http://all:1', AWS_ENDPOINT_URL_S3: 'http://s3only:2' }, credentials })).toEqual({
      region: 'eu-west-1',
      endpoint: 'http://s3only:2',
      credentials: KEYS,
    });
    expect(await resolveS3Access({ env: { ...NO_PROFILE, AWS_DEFAULT_REGION: 'us-west-2', AWS_ENDPOINT_URL: 'http://all:1' }, credentials })).toMatchObject({ region: 'us-west-2', endpoint: 'http://all:1' });
  });

  it('no credentials anywhere: reads anonymously and says so', async () => {
    const log: string[] = [];
    const access = await resolveS3Access({
      env: { ...NO_PROFILE, AWS_REGION: 'eu-west-1' },
      credentials: () => Promise.reject(new Error('Could not load credentials from any providers')),
      log: (l) => log.push(l),
    });
    expect(access).toEqual({ region: 'eu-west-1' });
    expect(log).toEqual(['No AWS credentials for s3:// sources (Could not load credentials from any providers); reading them anonymously.']);
  });
});

describe('s3SecretSql', () => {
  it('AWS itself: region and the session credentials, virtual-hosted addressing over TLS (DuckDB defaults)', () => {
    expect(s3SecretSql({ region: 'eu-west-1', credentials: KEYS })).toBe(
      "CREATE OR REPLACE TEMPORARY SECRET model_release_gate_s3 (TYPE s3, REGION 'eu-west-1', KEY_ID 'AKIAEXAMPLE', SECRET 'wJalrXUtnFEMI/K7MDENG', SESSION_TOKEN 'FwoGZXIvYXdzEXAMPLETOKEN')",
    );
  });

  it('an S3-compatible endpoint: its host and port, path-style, TLS as its scheme says', () => {
    expect(s3SecretSql({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9000' })).toBe(
      "CREATE OR REPLACE TEMPORARY SECRET model_release_gate_s3 (TYPE s3, REGION 'us-east-1', ENDPOINT '127.0.0.1:9000', URL_STYLE 'path', USE_SSL false)",
    );
    expect(s3SecretSql({ region: 'us-east-1', endpoint: 'https://minio.internal' })).toContain("ENDPOINT 'minio.internal', URL_STYLE 'path', USE_SSL true");
  });
});

describe('enableS3', () => {
  let cache: string;
  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'mrg-s3-'));
  });
  afterEach(() => rmSync(cache, { recursive: true, force: true }));

  it('loads httpfs, bounds the HTTP timeouts, then creates the secret', async () => {
    const env = { ...NO_PROFILE, AWS_REGION: 'eu-west-1', RUNNER_TOOL_CACHE: cache };
    const file = httpfsPath(env, 'linux_amd64');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, 'installed');
    const statements: string[] = [];
    await enableS3(async (sql) => void statements.push(sql), { env, platform: 'linux_amd64', credentials: async () => KEYS, httpTimeoutSeconds: 7, httpRetries: 1 });
    expect(statements.slice(1)).toEqual([`LOAD '${file}'`, 'SET http_timeout = 7; SET http_retries = 1', s3SecretSql({ region: 'eu-west-1', credentials: KEYS })]);
  });

  it('DuckDB refusing the secret: an error that never quotes the statement or the credentials', async () => {
    const env = { ...NO_PROFILE, AWS_REGION: 'eu-west-1', RUNNER_TOOL_CACHE: cache };
    const file = httpfsPath(env, 'linux_amd64');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, 'installed');
    const run = async (sql: string) => {
      if (sql.startsWith('CREATE')) throw new Error(`Parser Error: syntax error at or near "${KEYS.secretAccessKey}"\n\nLINE 1: ${sql}`);
    };
    const error = await enableS3(run, { env, platform: 'linux_amd64', credentials: async () => KEYS }).catch((e: Error) => e);
    expect(error?.message).toBe('DuckDB refused the S3 settings (region eu-west-1): Parser Error: syntax error at or near "***"');
  });
});

describe('s3ReadProblem', () => {
  const cases: Array<[string, string]> = [
    [
      "HTTP Error: HTTP GET error reading 's3://nobucket/x/a.parquet' in region 'us-east-1' (HTTP 404 Not Found)\nNoSuchBucket: The specified bucket does not exist\nLINE 1: SELECT",
      'cannot read s3://nobucket/x/a.parquet: bucket nobucket does not exist (looked in region us-east-1)',
    ],
    ["HTTP Error: HTTP GET error reading 's3://bkt/nope.csv' in region 'us-east-1' (HTTP 404 Not Found)\n\nLINE 1: DESCRIBE", 'cannot read s3://bkt/nope.csv: no such object (HTTP 404)'],
    [
      "HTTP Error: HTTP GET error reading 's3://bkt/a.csv' in region 'us-east-1' (HTTP 403 Forbidden)\nAccessDenied: Access Denied",
      "cannot read s3://bkt/a.csv: access denied (HTTP 403) (AccessDenied: Access Denied); the job's AWS credentials need s3:GetObject on the objects and s3:ListBucket on bucket bkt",
    ],
    [
      "HTTP Error: HTTP GET error reading 'http://127.0.0.1:5055/bkt/x.csv' in region 'us-east-1' (HTTP 403 Forbidden)\n\nInvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.\n\nAuthentication Failure - this is usually caused by invalid or missing credentials.",
      'cannot read http://127.0.0.1:5055/bkt/x.csv: S3 refused the AWS credentials (HTTP 403) (InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.)',
    ],
    ['IO Error: No files found that match the pattern "s3://bkt/none/*.parquet"\n\nLINE 1: x', 'no object matches s3://bkt/none/*.parquet'],
    [
      "IO Error: Timeout was reached error for HTTP HEAD to 'http://127.0.0.1:39493/bkt1/x.csv'\n\nLINE 1: SELECT",
      "S3 did not answer in time: HTTP HEAD http://127.0.0.1:39493/bkt1/x.csv timed out (DuckDB's http_timeout, after its retries)",
    ],
    [
      "IO Error: Could not connect to server error for HTTP GET to 'http://127.0.0.1:1/bkt/?encoding-type=url&list-type=2&prefix='",
      'cannot reach S3: could not connect to server for HTTP GET http://127.0.0.1:1/bkt/',
    ],
  ];
  it.each(cases)('%s', (message, sentence) => {
    expect(s3ReadProblem(message)).toBe(sentence);
    // The engine's error mapping uses it: a DataSourceError (an input error), not an engine failure.
    expect(sourceError(new Error(message))?.message).toBe(sentence);
  });

  it('names the source as configured when it is known (httpfs may name the HTTP URL or a listed prefix)', () => {
    const message = "HTTP Error: HTTP GET error reading 's3://nobucket/x' in region 'us-east-1' (HTTP 404 Not Found)\n\nNoSuchBucket: The specified bucket does not exist";
    expect(s3ReadProblem(message, 's3://nobucket/x/*.parquet')).toBe('cannot read s3://nobucket/x/*.parquet: bucket nobucket does not exist (looked in region us-east-1)');
  });

  it('leaves other errors alone', () => {
    expect(s3ReadProblem('Binder Error: Referenced column "x" not found')).toBeUndefined();
  });
});
