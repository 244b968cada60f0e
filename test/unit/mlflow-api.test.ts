/**
 * The MLflow REST client's failure handling, on a scripted fetch: retries, refusals, timeouts,
 * credentials. What the real server answers is tested in test/integration/mlflow-*.int.test.ts.
 */
import { MlflowClient, MlflowError, redactUrl } from '../../src/registry/mlflow-api.js';

type Step = { status: number; body?: unknown } | 'refused' | 'hang';

function scripted(steps: Step[]): { fetch: typeof fetch; calls: Array<{ url: string; init: RequestInit }> } {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fake = (async (url: string | URL, init: RequestInit = {}) => {
    calls.push({ url: String(url), init });
    const step = steps.shift() ?? { status: 500 };
    if (step === 'refused') throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    if (step === 'hang') {
      return new Promise<Response>((_, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    }
    return new Response(step.body === undefined ? '' : JSON.stringify(step.body), { status: step.status });
  }) as typeof fetch;
  return { fetch: fake, calls };
}

const client = (steps: Step[], env: NodeJS.ProcessEnv = {}, timeoutMs = 1_000) => {
  const s = scripted(steps);
  return { api: new MlflowClient({ uri: 'http://mlflow.test:5000/', env, fetch: s.fetch, backoffMs: () => 1, timeoutMs }), calls: s.calls };
};

const VERSION = { model_version: { name: 'churn-model', version: '7', run_id: 'r7', aliases: ['challenger'], tags: [{ key: 'k', value: 'v' }] } };

describe('MlflowClient', () => {
  it('reads a model version by alias over GET with the query in the URL', async () => {
    const { api, calls } = client([{ status: 200, body: VERSION }]);
    await expect(api.modelVersionByAlias('churn-model', 'challenger')).resolves.toEqual({ name: 'churn-model', version: '7', runId: 'r7', aliases: ['challenger'], tags: { k: 'v' } });
    expect(calls[0]!.url).toBe('http://mlflow.test:5000/api/2.0/mlflow/registered-models/alias?name=churn-model&alias=challenger');
  });

  it('retries a refused connection and a 503, then succeeds: three attempts', async () => {
    const { api, calls } = client(['refused', { status: 503, body: { error_code: 'TEMPORARILY_UNAVAILABLE' } }, { status: 200, body: VERSION }]);
    await expect(api.modelVersion('churn-model', '7')).resolves.toMatchObject({ version: '7' });
    expect(calls).toHaveLength(3);
  });

  it('writes an alias again when the reply to the first write was lost (the write is idempotent)', async () => {
    const { api, calls } = client(['refused', { status: 200, body: {} }]);
    await api.setAlias('churn-model', 'champion', '7');
    expect(calls.map((c) => [c.init.method, c.init.body])).toEqual([
      ['POST', '{"name":"churn-model","alias":"champion","version":"7"}'],
      ['POST', '{"name":"churn-model","alias":"champion","version":"7"}'],
    ]);
  });

  it('gives up after three attempts on a server that stays down, naming the server and the call', async () => {
    const { api } = client(['refused', 'refused', 'refused']);
    await expect(api.modelVersion('churn-model', '7')).rejects.toMatchObject({
      kind: 'unavailable',
      message: 'the MLflow server http://mlflow.test:5000 could not be reached for version 7 of registered model \'churn-model\' (ECONNREFUSED, 3 attempts)',
    });
  });

  it('never hangs on a server that does not answer: each attempt times out', async () => {
    const { api } = client(['hang', 'hang', 'hang'], {}, 50);
    await expect(api.run('r7')).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringContaining('no answer within 0.05 s, 3 attempts') });
  });

  it('does not retry a 404 and calls it not-found with MLflow\'s error code', async () => {
    const { api, calls } = client([{ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Registered Model with name=churn not found' } }]);
    await expect(api.modelVersion('churn', '1')).rejects.toMatchObject({ kind: 'not-found', message: expect.stringContaining('RESOURCE_DOES_NOT_EXIST: Registered Model with name=churn not found') });
    expect(calls).toHaveLength(1);
  });

  it('names the permission a refusal needs, and sends the token without ever printing it', async () => {
    const { api, calls } = client([{ status: 403, body: { error_code: 'PERMISSION_DENIED' } }], { MLFLOW_TRACKING_TOKEN: 'secret-token-123' });
    const error = await api.setVersionTag('churn-model', '7', 'k', 'v').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowError);
    expect((error as MlflowError).message).toMatch(/refused tag k of version 7 of registered model 'churn-model' \(403: PERMISSION_DENIED\): .* lack EDIT permission/);
    expect((error as MlflowError).message).not.toContain('secret-token-123');
    expect((calls[0]!.init.headers as Record<string, string>).authorization).toBe('Bearer secret-token-123');
  });

  it('uses basic auth from MLFLOW_TRACKING_USERNAME/PASSWORD, and refuses a URI that is not http(s)', () => {
    const { calls, fetch } = scripted([{ status: 200, body: VERSION }]);
    const api = new MlflowClient({ uri: 'https://mlflow.test', env: { MLFLOW_TRACKING_USERNAME: 'ci', MLFLOW_TRACKING_PASSWORD: 'pw' }, fetch });
    void api.modelVersion('m', '1');
    expect((calls[0]!.init.headers as Record<string, string>).authorization).toBe(`Basic ${Buffer.from('ci:pw').toString('base64')}`);
    expect(() => new MlflowClient({ uri: 'databricks', env: {} })).toThrow(/must be an http\(s\) URL, got "databricks"/);
    expect(redactUrl('https://user:pw@mlflow.test/x')).toBe('https://mlflow.test/x');
  });

  it('downloads a run artifact through the artifact proxy, and says why it cannot read another store', async () => {
    const { api, calls } = client([{ status: 200, body: 'label,score' }]);
    await api.downloadArtifact('mlflow-artifacts:/1/abc/artifacts', 'holdout/predictions v2.csv');
    expect(calls[0]!.url).toBe('http://mlflow.test:5000/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/holdout/predictions%20v2.csv');
    await expect(api.downloadArtifact('s3://bucket/1/abc/artifacts', 'p.csv')).rejects.toThrow(/artifacts are at s3:\/\/bucket\/1\/abc\/artifacts, which the gate cannot download/);
  });
});

describe('metricsFromStatistics (SageMaker model-quality statistics or an evaluation report)', () => {
  it('reads every {"value": n} of a *_metrics section, and plain or {"value"} numbers under "metrics"', async () => {
    const { metricsFromStatistics } = await import('../../src/registry/sagemaker.js');
    expect(
      metricsFromStatistics({
        version: 0,
        dataset: { item_count: 1000 },
        binary_classification_metrics: { auc: { value: 0.92, standard_deviation: 0.004 }, confusion_matrix: { '0': { '0': 700 } }, recall: { value: 0.7 } },
        regression_metrics: { rmse: { value: Number.NaN } },
      }),
    ).toEqual({ auc: 0.92, recall: 0.7 });
    expect(metricsFromStatistics({ metrics: { auc: 0.9, f1: { value: 0.6 }, note: 'x' } })).toEqual({ auc: 0.9, f1: 0.6 });
    expect(metricsFromStatistics([1, 2])).toEqual({});
    expect(metricsFromStatistics(null)).toEqual({});
  });
});
