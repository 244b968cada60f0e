/**
 * S3 as the product will read it (e.g. a SageMaker model package's metrics JSON at
 * ModelMetrics.ModelQuality.Statistics.S3Uri), against a real S3-compatible server: moto
 * (test/support/moto.ts, the version test/s3/requirements.txt pins). The object is put with the
 * SDK, then read back by a plain S3Client that gets everything from the environment, as a product
 * process would; and the errors the product has to turn into clear messages are pinned as the
 * SDK surfaces them, observed with moto 5.2.5 and @aws-sdk/client-s3 3.1178. One server for the
 * whole file (~1-2 s to start).
 *
 * Every S3 error is an S3ServiceException subclass with `name` (= `Code`), `message`,
 * `$fault: 'client'` and `$metadata.httpStatusCode`; these are what the product may rely on.
 */
import { GetObjectCommand, HeadObjectCommand, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { rejectionOf } from '../sim/test-clients.js';
import { createMotoAccessKey, describeWithMoto, MOTO_REGION, motoS3Client, putObjects, s3EnvFor, setMotoAuth, startMotoServer, stopMotoServer, type MotoServer } from '../support/moto.js';

const BUCKET = 'models';
const KEY = 'metrics/evaluation.json';
const METRICS = { regression_metrics: { mse: { value: 0.0128, standard_deviation: 0.0031 } }, binary_classification_metrics: { auc: { value: 0.93 } } };

/**
 * Runs `fn` with exactly `vars` as the AWS settings of this process: every other AWS_* variable
 * is removed and the shared config and credentials files point at nothing, so a developer's
 * ~/.aws cannot help or hinder. Restores the environment afterwards.
 */
async function withAwsEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('AWS_')));
  for (const k of Object.keys(saved)) delete process.env[k];
  Object.assign(process.env, { AWS_CONFIG_FILE: '/nonexistent/aws-config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials' }, vars);
  try {
    return await fn();
  } finally {
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

/** The host and path of each request `client` sends, recorded after serialization (endpoint and addressing applied). */
function recordRequests(client: S3Client): Array<{ hostname: string; path: string }> {
  const seen: Array<{ hostname: string; path: string }> = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { hostname: string; path: string };
      seen.push({ hostname: request.hostname, path: request.path });
      return next(args);
    },
    { step: 'build', name: 'recordRequests' },
  );
  return seen;
}

const bodyText = (output: GetObjectCommandOutput) => output.Body!.transformToString();

describeWithMoto('a real S3 server (moto): reading objects as the product will', () => {
  let server: MotoServer | undefined;

  beforeAll(async () => {
    server = await startMotoServer();
    await putObjects(server.endpoint, BUCKET, { [KEY]: JSON.stringify(METRICS) });
  }, 90_000);

  afterAll(() => stopMotoServer(server), 30_000);

  test('a plain S3Client configured only by s3EnvFor\'s environment reads the object (path style, by itself)', async () => {
    const env = s3EnvFor(server!.endpoint);
    expect(env).toEqual({ AWS_ENDPOINT_URL_S3: server!.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: MOTO_REGION });
    // AWS_ENDPOINT_URL (every service) points at a closed port: the S3-specific variable wins,
    // so S3 can be moto while the other services are the AWS simulator.
    await withAwsEnv({ ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }, async () => {
      const s3 = new S3Client({});
      const requests = recordRequests(s3);
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }));
        expect(JSON.parse(await bodyText(object))).toEqual(METRICS);
        expect(object.$metadata.httpStatusCode).toBe(200);
        expect(object.ContentLength).toBe(JSON.stringify(METRICS).length);
        expect(object.ETag).toMatch(/^"[0-9a-f]{32}"$/);
        // The endpoint's host is an IP address, so the SDK's S3 rules address the bucket in the
        // path without forcePathStyle: GET http://127.0.0.1:<port>/models/metrics/evaluation.json
        expect(requests).toEqual([{ hostname: '127.0.0.1', path: `/${BUCKET}/${KEY}` }]);
      } finally {
        s3.destroy();
      }
    });
  });

  test('an endpoint with a host name needs forcePathStyle: no environment variable sets it', async () => {
    // The JS SDK v3 has no environment (or config file) setting for path style. With a host name
    // it sends virtual-hosted requests to <bucket>.<host>, which do not resolve for localhost,
    // minio, localstack...: the product must set forcePathStyle when an endpoint is configured.
    const endpoint = server!.endpoint.replace('127.0.0.1', 'localhost');
    await withAwsEnv(s3EnvFor(endpoint), async () => {
      const virtualHosted = new S3Client({ maxAttempts: 1 });
      const requests = recordRequests(virtualHosted);
      // Stop before sending: whether models.localhost resolves depends on the machine's resolver.
      virtualHosted.middlewareStack.add(
        () => async () => {
          throw new Error('not sent');
        },
        { step: 'build', name: 'stopBeforeSending' },
      );
      try {
        expect((await rejectionOf(virtualHosted.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY })))).message).toBe('not sent');
        expect(requests).toEqual([{ hostname: `${BUCKET}.localhost`, path: `/${KEY}` }]);
      } finally {
        virtualHosted.destroy();
      }

      const pathStyle = new S3Client({ forcePathStyle: true });
      const pathRequests = recordRequests(pathStyle);
      try {
        expect(JSON.parse(await bodyText(await pathStyle.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }))))).toEqual(METRICS);
        expect(pathRequests).toEqual([{ hostname: 'localhost', path: `/${BUCKET}/${KEY}` }]);
      } finally {
        pathStyle.destroy();
      }
    });
  });

  test('a missing key: NoSuchKey, 404 (HeadObject: NotFound, no details)', async () => {
    await withAwsEnv(s3EnvFor(server!.endpoint), async () => {
      const s3 = new S3Client({});
      try {
        // GetObject → 404 <Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>…</Key>…
        const error = await rejectionOf(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'metrics/missing.json' })));
        expect(error).toMatchObject({ name: 'NoSuchKey', Code: 'NoSuchKey', message: 'The specified key does not exist.', Key: 'metrics/missing.json', $fault: 'client', $metadata: { httpStatusCode: 404 } });
        // HEAD responses have no body: only the status tells what is missing.
        const head = await rejectionOf(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'metrics/missing.json' })));
        expect(head).toMatchObject({ name: 'NotFound', message: 'UnknownError', $metadata: { httpStatusCode: 404 } });
      } finally {
        s3.destroy();
      }
    });
  });

  test('a missing bucket: NoSuchBucket, 404 (HeadObject: NotFound, the same as a missing key)', async () => {
    await withAwsEnv(s3EnvFor(server!.endpoint), async () => {
      const s3 = new S3Client({});
      try {
        // GetObject → 404 <Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>…</BucketName>…
        const error = await rejectionOf(s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: KEY })));
        expect(error).toMatchObject({ name: 'NoSuchBucket', Code: 'NoSuchBucket', message: 'The specified bucket does not exist', BucketName: 'no-such-bucket', $fault: 'client', $metadata: { httpStatusCode: 404 } });
        const head = await rejectionOf(s3.send(new HeadObjectCommand({ Bucket: 'no-such-bucket', Key: KEY })));
        expect(head).toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } });
      } finally {
        s3.destroy();
      }
    });
  });

  test('no permission: AccessDenied, 403; an unknown access key and a wrong secret are 403 too, by other names', async () => {
    const reader = await createMotoAccessKey(server!.endpoint, 'no-policy-reader');
    const clients = {
      denied: motoS3Client(server!.endpoint, reader),
      unknownKey: motoS3Client(server!.endpoint, { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'test' }),
      wrongSecret: motoS3Client(server!.endpoint, { accessKeyId: reader.accessKeyId, secretAccessKey: 'not-the-secret' }),
    };
    await setMotoAuth(server!.endpoint, true);
    try {
      const get = (s3: S3Client) => rejectionOf(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY })));
      // A user whose policies do not allow s3:GetObject (the role lacks the permission).
      expect(await get(clients.denied)).toMatchObject({ name: 'AccessDenied', Code: 'AccessDenied', message: 'Access Denied', $fault: 'client', $metadata: { httpStatusCode: 403 } });
      expect(await get(clients.unknownKey)).toMatchObject({
        name: 'InvalidAccessKeyId',
        message: 'The AWS Access Key Id you provided does not exist in our records.',
        $metadata: { httpStatusCode: 403 },
      });
      expect(await get(clients.wrongSecret)).toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    } finally {
      await setMotoAuth(server!.endpoint, false);
      for (const s3 of Object.values(clients)) s3.destroy();
    }
    // Auth is off again: the dummy credentials read the object. (Its body must be read, or
    // destroyed, before the client is: destroy() with the body unread makes the response stream
    // emit an uncaught 'aborted' error.)
    await withAwsEnv(s3EnvFor(server!.endpoint), async () => {
      const s3 = new S3Client({});
      try {
        expect(JSON.parse(await bodyText(await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }))))).toEqual(METRICS);
      } finally {
        s3.destroy();
      }
    });
  });
});
