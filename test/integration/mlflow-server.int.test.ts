/**
 * The REST calls the MLflow registry integration (src/registry/mlflow-api.ts) makes, against a
 * real `mlflow server` (the version test/mlflow/requirements.txt pins; SQLite backend store,
 * artifacts served through the server) with versions registered by MLflow's own Python client.
 * Each test pins one call: the request the product sends and the response MLflow gives, written
 * out in a comment as observed with MLflow 3.17.2. One server for the whole file (~15 s to start).
 *
 * Error bodies are all `{ error_code, message, sqlstate, error_class }` with
 * `content-type: application/json`; the fields the product may rely on are error_code and message.
 */
import { describeWithMlflow, registerVersion, startMlflowServer, stopMlflowServer, type MlflowServer, type RegisteredVersion } from '../support/mlflow.js';

const MODEL = 'churn-model';
const RELEASE_TAG = 'model-release-gate.release-tag';
const PREDICTIONS = 'id,churned,score\n1,1,0.91\n2,0,0.12\n3,1,0.67\n';

/**
 * The artifact proxy URL of `path` in a run whose artifact_uri is `mlflow-artifacts:/<p>` (what a
 * server with --serve-artifacts gives its runs; `mlflow-artifacts://<host>/<p>` names a host,
 * which the product's own server URI replaces): <server>/api/2.0/mlflow-artifacts/artifacts/<p>/<path>,
 * each segment percent-encoded. <p> is relative to the server's --artifacts-destination, e.g.
 * mlflow-artifacts:/1/<run_id>/artifacts → /api/2.0/mlflow-artifacts/artifacts/1/<run_id>/artifacts/holdout/predictions.csv
 */
function artifactUrl(serverUri: string, artifactUri: string, path: string): string {
  const match = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*?)\/*$/.exec(artifactUri);
  if (!match) throw new Error(`not an mlflow-artifacts URI: ${artifactUri}`);
  const segments = [...(match[1] ?? '').split('/'), ...path.split('/')].filter((s) => s !== '');
  return `${serverUri}/api/2.0/mlflow-artifacts/artifacts/${segments.map(encodeURIComponent).join('/')}`;
}

describeWithMlflow('a real MLflow server: the REST calls the registry integration makes', () => {
  let server: MlflowServer | undefined;
  let v1: RegisteredVersion;
  let v2: RegisteredVersion;

  beforeAll(async () => {
    server = await startMlflowServer();
    v1 = await registerVersion(server, { name: MODEL, run_name: 'train-v1', metrics: { auc: 0.9 }, params: { max_depth: 6 }, aliases: ['champion'] });
    v2 = await registerVersion(server, {
      name: MODEL,
      run_name: 'train-v2',
      metrics: { auc: 0.92 },
      metric_history: { val_loss: [0.5, 0.4, 0.35] },
      artifacts: { 'holdout/predictions.csv': PREDICTIONS },
      aliases: ['challenger'],
    });
  }, 180_000);

  afterAll(() => stopMlflowServer(server), 60_000);

  function url(path: string, params: Record<string, string> = {}): string {
    const query = new URLSearchParams(params).toString();
    return `${server!.uri}/api/2.0/${path}${query ? `?${query}` : ''}`;
  }

  async function call(method: 'GET' | 'POST' | 'DELETE', path: string, params: Record<string, unknown> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
    const response =
      method === 'GET'
        ? await fetch(url(path, params as Record<string, string>), { signal: AbortSignal.timeout(15_000) })
        : await fetch(url(path), { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(params), signal: AbortSignal.timeout(15_000) });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  test('registration gave the versions and runs the tests expect', () => {
    expect(v1).toMatchObject({ name: MODEL, version: '1', experiment_id: expect.stringMatching(/^\d+$/) });
    expect(v2).toMatchObject({ name: MODEL, version: '2', experiment_id: v1.experiment_id });
    // The server proxies artifacts: a run's artifact URI is mlflow-artifacts:/<experiment_id>/<run_id>/artifacts.
    expect(v2.artifact_uri).toBe(`mlflow-artifacts:/${v2.experiment_id}/${v2.run_id}/artifacts`);
  });

  test('GET model-versions/get: one version, with its run, source, aliases and tags', async () => {
    // GET /api/2.0/mlflow/model-versions/get?name=churn-model&version=2 → 200
    // {"model_version": {"name": "churn-model", "version": "2", "creation_timestamp": 1796314348750,
    //   "last_updated_timestamp": 1796314348750, "current_stage": "None", "description": "",
    //   "source": "mlflow-artifacts:/1/<run_id>/artifacts/model", "run_id": "<run_id>", "status": "READY",
    //   "tags": [{"key": "...", "value": "..."}], "run_link": "", "aliases": ["challenger"]}}
    // version is a string; "tags" (and "aliases") are left out, not [], when the version has none.
    const { status, body } = await call('GET', 'mlflow/model-versions/get', { name: MODEL, version: '2' });
    expect(status).toBe(200);
    expect(body.model_version).toEqual({
      name: MODEL,
      version: '2',
      creation_timestamp: expect.any(Number),
      last_updated_timestamp: expect.any(Number),
      current_stage: 'None',
      description: '',
      source: `${v2.artifact_uri}/model`,
      run_id: v2.run_id,
      status: 'READY',
      run_link: '',
      aliases: ['challenger'],
    });

    const first = await call('GET', 'mlflow/model-versions/get', { name: MODEL, version: '1' });
    expect(first.body.model_version).toMatchObject({ version: '1', run_id: v1.run_id, aliases: ['champion'] });
    expect(first.body.model_version).not.toHaveProperty('tags');

    // A version or model that does not exist → 404
    // {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Model Version (name=churn-model, version=99) not found", ...}
    const missing = await call('GET', 'mlflow/model-versions/get', { name: MODEL, version: '99' });
    expect(missing).toEqual({ status: 404, body: expect.objectContaining({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Model Version (name=${MODEL}, version=99) not found` }) });
    const noModel = await call('GET', 'mlflow/model-versions/get', { name: 'no-such-model', version: '1' });
    expect(noModel).toEqual({ status: 404, body: expect.objectContaining({ error_code: 'RESOURCE_DOES_NOT_EXIST' }) });
  });

  test('GET registered-models/alias: the version an alias names; a missing alias is a 400, not a 404', async () => {
    // GET /api/2.0/mlflow/registered-models/alias?name=churn-model&alias=champion → 200
    // {"model_version": {...same shape as model-versions/get..., "version": "1", "aliases": ["champion"]}}
    const { status, body } = await call('GET', 'mlflow/registered-models/alias', { name: MODEL, alias: 'champion' });
    expect(status).toBe(200);
    expect(body.model_version).toMatchObject({ name: MODEL, version: '1', run_id: v1.run_id, source: `${v1.artifact_uri}/model`, status: 'READY', aliases: ['champion'] });

    // An alias the model does not have → 400 (not 404, and not RESOURCE_DOES_NOT_EXIST)
    // {"error_code": "INVALID_PARAMETER_VALUE", "message": "Registered model alias production not found.", ...}
    const noAlias = await call('GET', 'mlflow/registered-models/alias', { name: MODEL, alias: 'production' });
    expect(noAlias).toEqual({ status: 400, body: expect.objectContaining({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Registered model alias production not found.' }) });
    // Aliases are case-sensitive.
    expect((await call('GET', 'mlflow/registered-models/alias', { name: MODEL, alias: 'Champion' })).status).toBe(400);

    // A model that does not exist → 404
    // {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Registered Model with name=no-such-model not found", ...}
    const noModel = await call('GET', 'mlflow/registered-models/alias', { name: 'no-such-model', alias: 'champion' });
    expect(noModel).toEqual({ status: 404, body: expect.objectContaining({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Registered Model with name=no-such-model not found' }) });
  });

  test('GET registered-models/get: a missing model is a 404 RESOURCE_DOES_NOT_EXIST', async () => {
    // GET /api/2.0/mlflow/registered-models/get?name=no-such-model → 404
    // {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Registered Model with name=no-such-model not found",
    //  "sqlstate": "KAM00", "error_class": "RESOURCE_NOT_FOUND"}
    const missing = await call('GET', 'mlflow/registered-models/get', { name: 'no-such-model' });
    expect(missing).toEqual({ status: 404, body: expect.objectContaining({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Registered Model with name=no-such-model not found' }) });

    // An existing one → 200 {"registered_model": {"name", "creation_timestamp", "last_updated_timestamp",
    //   "latest_versions": [{...version...}], "aliases": [{"alias": "challenger", "version": "2"}, {"alias": "champion", "version": "1"}]}}
    const found = await call('GET', 'mlflow/registered-models/get', { name: MODEL });
    expect(found.status).toBe(200);
    expect(found.body.registered_model).toMatchObject({ name: MODEL, aliases: expect.arrayContaining([{ alias: 'champion', version: '1' }, { alias: 'challenger', version: '2' }]) });
  });

  test('GET runs/get: data.metrics is a list of each metric\'s latest value', async () => {
    // GET /api/2.0/mlflow/runs/get?run_id=<run_id> → 200
    // {"run": {"info": {"run_uuid", "run_id", "experiment_id": "1", "run_name": "train-v2", "user_id", "status": "FINISHED",
    //     "start_time", "end_time", "artifact_uri": "mlflow-artifacts:/1/<run_id>/artifacts", "lifecycle_stage": "active"},
    //   "data": {"metrics": [{"key": "auc", "value": 0.92, "timestamp": 1796314348617, "step": 0},
    //                        {"key": "val_loss", "value": 0.35, "timestamp": ..., "step": 2}],
    //            "tags": [{"key": "mlflow.runName", "value": "train-v2"}]},
    //   "inputs": {}, "outputs": {}}}
    // A metric logged at several steps appears once, with the value of its highest step. "params"
    // ([{"key", "value"}], values as strings) is left out when the run has none.
    const { status, body } = await call('GET', 'mlflow/runs/get', { run_id: v2.run_id });
    expect(status).toBe(200);
    const run = body.run as { info: Record<string, unknown>; data: { metrics: unknown[]; params?: unknown[] } };
    expect(run.info).toMatchObject({ run_id: v2.run_id, experiment_id: v2.experiment_id, artifact_uri: v2.artifact_uri, status: 'FINISHED', lifecycle_stage: 'active' });
    expect([...run.data.metrics].sort((a, b) => String((a as { key: string }).key).localeCompare((b as { key: string }).key))).toEqual([
      { key: 'auc', value: 0.92, timestamp: expect.any(Number), step: 0 },
      { key: 'val_loss', value: 0.35, timestamp: expect.any(Number), step: 2 },
    ]);
    expect(run.data).not.toHaveProperty('params');

    const first = await call('GET', 'mlflow/runs/get', { run_id: v1.run_id });
    expect((first.body.run as { data: unknown }).data).toMatchObject({ metrics: [{ key: 'auc', value: 0.9, step: 0 }], params: [{ key: 'max_depth', value: '6' }] });

    // {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Run with id=0123... not found", ...}
    const missing = await call('GET', 'mlflow/runs/get', { run_id: '0123456789abcdef0123456789abcdef' });
    expect(missing).toEqual({ status: 404, body: expect.objectContaining({ error_code: 'RESOURCE_DOES_NOT_EXIST' }) });
  });

  test('GET metrics/get-history: every step of one metric', async () => {
    // GET /api/2.0/mlflow/metrics/get-history?run_id=<run_id>&metric_key=val_loss&max_results=25000 → 200
    // {"metrics": [{"key": "val_loss", "value": 0.5, "timestamp": ..., "step": 0},
    //              {"key": "val_loss", "value": 0.4, "timestamp": ..., "step": 1},
    //              {"key": "val_loss", "value": 0.35, "timestamp": ..., "step": 2}]}
    // No next_page_token when everything fit. A metric the run does not have → 200 {} (no "metrics" key).
    const { status, body } = await call('GET', 'mlflow/metrics/get-history', { run_id: v2.run_id, metric_key: 'val_loss', max_results: '25000' });
    expect(status).toBe(200);
    expect(body).toEqual({
      metrics: [
        { key: 'val_loss', value: 0.5, timestamp: expect.any(Number), step: 0 },
        { key: 'val_loss', value: 0.4, timestamp: expect.any(Number), step: 1 },
        { key: 'val_loss', value: 0.35, timestamp: expect.any(Number), step: 2 },
      ],
    });
    expect(await call('GET', 'mlflow/metrics/get-history', { run_id: v2.run_id, metric_key: 'train_loss' })).toEqual({ status: 200, body: {} });
  });

  test('GET mlflow-artifacts/artifacts/<path from artifact_uri>/<artifact>: a run artifact through the server', async () => {
    // artifact_uri mlflow-artifacts:/1/<run_id>/artifacts, artifact holdout/predictions.csv →
    // GET /api/2.0/mlflow-artifacts/artifacts/1/<run_id>/artifacts/holdout/predictions.csv → 200, the file's bytes,
    // content-type: text/plain (by extension), content-disposition: attachment; filename=predictions.csv
    const location = artifactUrl(server!.uri, v2.artifact_uri, 'holdout/predictions.csv');
    expect(location).toBe(`${server!.uri}/api/2.0/mlflow-artifacts/artifacts/${v2.experiment_id}/${v2.run_id}/artifacts/holdout/predictions.csv`);
    const response = await fetch(location, { signal: AbortSignal.timeout(15_000) });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(PREDICTIONS);

    // A missing artifact → 404 application/json
    // {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "No such artifact: '1/<run_id>/artifacts/holdout/missing.csv'", ...}
    const missing = await fetch(artifactUrl(server!.uri, v2.artifact_uri, 'holdout/missing.csv'), { signal: AbortSignal.timeout(15_000) });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: `No such artifact: '${v2.experiment_id}/${v2.run_id}/artifacts/holdout/missing.csv'` });
  });

  test('POST and DELETE registered-models/alias: move an alias, remove one', async () => {
    // POST /api/2.0/mlflow/registered-models/alias {"name": "churn-model", "alias": "champion", "version": "2"} → 200 {}
    // Moves the alias if another version held it.
    expect(await call('POST', 'mlflow/registered-models/alias', { name: MODEL, alias: 'champion', version: '2' })).toEqual({ status: 200, body: {} });
    expect((await call('GET', 'mlflow/registered-models/alias', { name: MODEL, alias: 'champion' })).body.model_version).toMatchObject({ version: '2', aliases: ['challenger', 'champion'] });
    expect(await call('POST', 'mlflow/registered-models/alias', { name: MODEL, alias: 'champion', version: '1' })).toEqual({ status: 200, body: {} });
    expect((await call('GET', 'mlflow/registered-models/alias', { name: MODEL, alias: 'champion' })).body.model_version).toMatchObject({ version: '1' });

    // "version" must be a JSON string: 2 → 400 {"error_code": "INVALID_PARAMETER_VALUE", "message": "Invalid value 2 for parameter 'version' supplied: ..."}
    expect(await call('POST', 'mlflow/registered-models/alias', { name: MODEL, alias: 'champion', version: 2 })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    // A version that does not exist → 404 {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Model Version (name=churn-model, version=99) not found", ...}
    expect(await call('POST', 'mlflow/registered-models/alias', { name: MODEL, alias: 'champion', version: '99' })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    // Reserved names → 400 INVALID_PARAMETER_VALUE: "'latest' alias name (case insensitive) is reserved.", and v<digits> ("Version alias name 'v3' is reserved.").
    expect(await call('POST', 'mlflow/registered-models/alias', { name: MODEL, alias: 'latest', version: '1' })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });

    // DELETE /api/2.0/mlflow/registered-models/alias with a JSON body {"name": "churn-model", "alias": "staging"} → 200 {},
    // also when the model has no such alias. The query string is not read for DELETE:
    // ?name=…&alias=… → 400 {"error_code": "INVALID_PARAMETER_VALUE", "message": "Missing value for required parameter 'name'. ..."}
    expect((await call('POST', 'mlflow/registered-models/alias', { name: MODEL, alias: 'staging', version: '2' })).status).toBe(200);
    expect(await call('DELETE', 'mlflow/registered-models/alias', { name: MODEL, alias: 'staging' })).toEqual({ status: 200, body: {} });
    expect((await call('GET', 'mlflow/registered-models/alias', { name: MODEL, alias: 'staging' })).status).toBe(400);
    expect(await call('DELETE', 'mlflow/registered-models/alias', { name: MODEL, alias: 'staging' })).toEqual({ status: 200, body: {} });
    const byQuery = await fetch(url('mlflow/registered-models/alias', { name: MODEL, alias: 'challenger' }), { method: 'DELETE', signal: AbortSignal.timeout(15_000) });
    expect(byQuery.status).toBe(400);
    expect(await byQuery.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
    expect((await call('GET', 'mlflow/registered-models/alias', { name: MODEL, alias: 'challenger' })).body.model_version).toMatchObject({ version: '2' });
  });

  test('POST model-versions/set-tag: a tag on a version (key with dots and dashes)', async () => {
    // POST /api/2.0/mlflow/model-versions/set-tag {"name": "churn-model", "version": "2", "key": "model-release-gate.outcome", "value": "promoted"} → 200 {}
    // Setting it again overwrites the value.
    expect(await call('POST', 'mlflow/model-versions/set-tag', { name: MODEL, version: '2', key: 'model-release-gate.outcome', value: 'rolled-back' })).toEqual({ status: 200, body: {} });
    expect(await call('POST', 'mlflow/model-versions/set-tag', { name: MODEL, version: '2', key: 'model-release-gate.outcome', value: 'promoted' })).toEqual({ status: 200, body: {} });
    const { body } = await call('GET', 'mlflow/model-versions/get', { name: MODEL, version: '2' });
    expect((body.model_version as { tags: unknown }).tags).toEqual([{ key: 'model-release-gate.outcome', value: 'promoted' }]);

    // A version that does not exist → 404 {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Model Version (name=churn-model, version=99) not found", ...}
    expect(await call('POST', 'mlflow/model-versions/set-tag', { name: MODEL, version: '99', key: 'k', value: 'v' })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
  });

  test('GET model-versions/search: versions by a tag whose key has dots and dashes', async () => {
    expect((await call('POST', 'mlflow/model-versions/set-tag', { name: MODEL, version: '1', key: RELEASE_TAG, value: 'v1.1.0' })).status).toBe(200);
    expect((await call('POST', 'mlflow/model-versions/set-tag', { name: MODEL, version: '2', key: RELEASE_TAG, value: 'v1.2.0' })).status).toBe(200);

    // GET /api/2.0/mlflow/model-versions/search?filter=name='churn-model' and tags.`model-release-gate.release-tag`='v1.2.0'&max_results=200 → 200
    // {"model_versions": [{...version as in model-versions/get, WITHOUT "aliases"...}]}; no match → 200 {}.
    // The key must be quoted: backticks (as here), "double" or 'single' quotes all work; unquoted →
    // 400 INVALID_PARAMETER_VALUE "Invalid comparison clause. Expected 'Identifier' found 'tags.model-release-gate.release-tag'".
    // String values are quoted with ' or " (see the end of this test for a value holding a quote).
    const search = (filter: string) => call('GET', 'mlflow/model-versions/search', { filter, max_results: '200' });
    const { status, body } = await search(`name='${MODEL}' and tags.\`${RELEASE_TAG}\`='v1.2.0'`);
    expect(status).toBe(200);
    const versions = body.model_versions as Array<Record<string, unknown>>;
    expect(versions.map((v) => v.version)).toEqual(['2']);
    expect(versions[0]).toMatchObject({ name: MODEL, run_id: v2.run_id, tags: expect.arrayContaining([{ key: RELEASE_TAG, value: 'v1.2.0' }]) });
    expect(versions[0]).not.toHaveProperty('aliases');

    expect(await search(`name='${MODEL}' and tags.\`${RELEASE_TAG}\`='v9.9.9'`)).toEqual({ status: 200, body: {} });
    expect((await search(`name='${MODEL}' and tags."${RELEASE_TAG}"='v1.1.0'`)).body.model_versions).toEqual([expect.objectContaining({ version: '1' })]);
    expect(await search(`name='${MODEL}' and tags.${RELEASE_TAG}='v1.2.0'`)).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });

    // A value holding a single quote: MLflow only trims the quotes off (no escapes), so 'it''s'
    // looks for it''s and finds nothing; double quotes find it ("it's"). A value with both kinds
    // of quote cannot be searched for.
    expect((await call('POST', 'mlflow/model-versions/set-tag', { name: MODEL, version: '1', key: 'model-release-gate.reason', value: "it's slower" })).status).toBe(200);
    expect(await search(`name='${MODEL}' and tags.\`model-release-gate.reason\`='it''s slower'`)).toEqual({ status: 200, body: {} });
    expect((await search(`name='${MODEL}' and tags.\`model-release-gate.reason\`="it's slower"`)).body.model_versions).toEqual([expect.objectContaining({ version: '1' })]);
  });
});
