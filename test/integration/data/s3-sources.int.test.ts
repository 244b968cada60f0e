/**
 * s3:// sources on the embedded engine, for real: DuckDB's httpfs, installed on first use from
 * the pinned wheel (served by a package index on loopback, test/support/package-index.ts) into a
 * temporary tool cache, reads from a moto S3 server (test/support/moto.ts) with the credentials
 * the AWS SDK's default chain finds in the environment. The same files read locally give the
 * same results; what goes wrong (no bucket, no object, no match, denied, an endpoint that never
 * answers) is an input error naming the path and the reason; credentials appear nowhere.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbEngine } from '../../../src/data/engine/duckdb-engine.js';
import { parseConfigText } from '../../../src/config/load.js';
import { MemoryStateStore } from '../../../src/core/state.js';
import { duckDbPlatform, httpfsPath } from '../../../src/data/engine/duckdb-extensions.js';
import { loadDuckDb } from '../../../src/data/engine/load-duckdb.js';
import { runDataGate } from '../../../src/data/gate.js';
import { loadPredictions, PredictionsError } from '../../../src/model/io/predictions.js';
import { runPipeline } from '../../../src/pipeline.js';
import type { CheckResult } from '../../../src/report/result.js';
import { messagesToCommits } from '../../../src/trigger/sources/messages.js';
import { FakeTarget } from '../../support/fake-target.js';
import { createMotoAccessKey, putObjects, s3EnvFor, setMotoAuth, startMotoServer, stopMotoServer, type MotoServer } from '../../support/moto.js';
import { cachedHttpfsWheel, describeWithHttpfs, startPackageIndex, type PackageIndex } from '../../support/package-index.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import { CONFIG_FILE, TRAINING_HEADER, csv, dataConfig, trainingRows, workspace, write } from './fixtures.js';

const BUCKET = 'training-data';
/** Distinctive credentials, to look for in everything the gate returns and logs. */
const SESSION_TOKEN = 'session-token-that-must-never-show';

describeWithHttpfs('s3:// sources (DuckDB httpfs against moto)', { moto: true }, () => {
  let moto: MotoServer | undefined;
  let index: PackageIndex | undefined;
  let dir: string;
  let toolCache: string;
  const saved = { ...process.env };

  /** The environment a job has: the SDK's variables (as the OIDC step leaves them), the tool cache, the index. */
  function useEnv(vars: Record<string, string> = {}): void {
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_') || k === 'RUNNER_TOOL_CACHE' || k === 'MRG_PYPI_INDEX_URL' || k === 'PIP_INDEX_URL') delete process.env[k];
    Object.assign(
      process.env,
      { AWS_CONFIG_FILE: '/nonexistent/aws-config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials', RUNNER_TOOL_CACHE: toolCache, MRG_PYPI_INDEX_URL: index!.url },
      s3EnvFor(moto!.endpoint),
      { AWS_SESSION_TOKEN: SESSION_TOKEN },
      vars,
    );
    // An empty value removes the variable (the chain would read '' as a value).
    for (const [k, v] of Object.entries(vars)) if (v === '') delete process.env[k];
  }

  beforeAll(async () => {
    const wheel = cachedHttpfsWheel();
    if (!wheel.ok) throw new Error(wheel.reason);
    [moto, index] = await Promise.all([startMotoServer(), startPackageIndex({ [wheel.file]: wheel.bytes })]);
    toolCache = mkdtempSync(join(tmpdir(), 'mrg-toolcache-'));
    dir = workspace();
    write(dir, 'train.csv', csv(TRAINING_HEADER, trainingRows()));
    write(dir, 'prod.csv', csv(['plan', 'country', 'age'], [...Array.from({ length: 6 }, () => ['free', 'FR', 30]), ['enterprise', 'FR', 40], ['pro', 'DE', 50]]));
    // The training set as Parquet, whole and hive-partitioned by country, written by DuckDB.
    const engine = await DuckDbEngine.open(await loadDuckDb());
    const from = `read_csv('${join(dir, 'train.csv')}')`;
    await engine.query(`COPY (SELECT * FROM ${from}) TO '${join(dir, 'train.parquet')}' (FORMAT parquet)`);
    for (const country of ['DE', 'FR']) {
      mkdirSync(join(dir, 'hive', `country=${country}`), { recursive: true });
      await engine.query(`COPY (SELECT * EXCLUDE (country) FROM ${from} WHERE country = '${country}') TO '${join(dir, 'hive', `country=${country}`, 'part-0.parquet')}' (FORMAT parquet)`);
    }
    await engine.close();
    const file = (name: string) => readFileSync(join(dir, name));
    await putObjects(moto.endpoint, BUCKET, {
      'v1/train.csv': file('train.csv'),
      'v1/prod.csv': file('prod.csv'),
      'v1/train.parquet': file('train.parquet'),
      'hive/country=DE/part-0.parquet': file('hive/country=DE/part-0.parquet'),
      'hive/country=FR/part-0.parquet': file('hive/country=FR/part-0.parquet'),
    });
    useEnv();
  }, 90_000);

  afterAll(async () => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    await Promise.all([stopMotoServer(moto), index?.stop()]);
    rmSync(dir, { recursive: true, force: true });
    rmSync(toolCache, { recursive: true, force: true });
  });

  const CHECKS = [
    'row_count: { min: 50 }',
    'missing: { column: age, max-count: 3 }',
    'range: { column: age, min: 0, max: 120 }',
    'allowed: { column: plan, values: [free, pro, vip, gold, trial] }',
    'unique: { column: id }',
  ];

  async function run(dataset: string, options: { reference?: string; checks?: string[]; engine?: DuckDbEngine } = {}): Promise<{ results: CheckResult[]; log: string[] }> {
    const log: string[] = [];
    const config = dataConfig('data:', `  dataset: ${dataset}`, ...(options.reference ? [`  reference: ${options.reference}`] : []), '  checks:', ...(options.checks ?? CHECKS).map((c) => `    - ${c}`));
    const results = await runDataGate(config, { workspace: dir, configFile: CONFIG_FILE, log: (l) => log.push(l), ...(options.engine ? { engine: options.engine } : {}) });
    return { results, log };
  }

  /** Each result without the plan (its message names the paths) and without the location. */
  const outcomes = (results: CheckResult[]) => results.filter((r) => r.id !== 'data.plan').map(({ id, status, observed, message }) => ({ id, status, observed, message }));

  it('installs httpfs from the package index on first use, then reads a CSV object like the local file', async () => {
    const s3 = await run(`s3://${BUCKET}/v1/train.csv`);
    expect(index!.requests.filter((p) => p.endsWith('.whl'))).toHaveLength(1);
    expect(s3.log).toContainEqual(expect.stringMatching(/^Installing DuckDB's httpfs extension 1\.5\.5 .* \(first use on this runner\)\.\.\.$/));
    expect(outcomes(s3.results)).toEqual(outcomes((await run('train.csv')).results));
    expect(s3.results.find((r) => r.id === 'data.plan')?.message).toContain(`over s3://${BUCKET}/v1/train.csv (100 rows)`);
    expect(s3.results.map((r) => r.status)).not.toContain('error');
  });

  it('later runs load the installed extension without a download', async () => {
    const before = index!.requests.length;
    const s3 = await run(`s3://${BUCKET}/v1/train.parquet`);
    expect(index!.requests.length).toBe(before);
    expect(s3.log.filter((l) => l.includes('Installing'))).toEqual([]);
    expect(outcomes(s3.results)).toEqual(outcomes((await run('train.parquet')).results));
  });

  it('a reference on S3 too: drift and unseen categories as from local files', async () => {
    const checks = ['unseen_categories: { column: plan }', 'drift: { columns: [age, plan], method: psi }'];
    const s3 = await run(`s3://${BUCKET}/v1/train.parquet`, { reference: `s3://${BUCKET}/v1/prod.csv`, checks });
    expect(outcomes(s3.results)).toEqual(outcomes((await run('train.parquet', { reference: 'prod.csv', checks })).results));
    expect(s3.results.some((r) => r.id.startsWith('data.drift'))).toBe(true);
  });

  it('a hive-partitioned prefix: the partition key is a column, the same data as the local tree', async () => {
    const checks = [...CHECKS, 'allowed: { column: country, values: [DE, FR] }', 'schema: { required: { country: text, id: integer } }'];
    for (const pattern of [`s3://${BUCKET}/hive/*/*.parquet`, `s3://${BUCKET}/hive/**/*.parquet`]) {
      const s3 = await run(pattern, { checks });
      expect(outcomes(s3.results)).toEqual(outcomes((await run('hive/*/*.parquet', { checks })).results));
      expect(s3.results.filter((r) => r.id.endsWith('.country')).map((r) => `${r.id} ${r.status}`)).toEqual(['data.allowed.country pass', 'data.schema.country pass']);
    }
  });

  it('the credentials appear in no result and no log line', async () => {
    const runs = [await run(`s3://${BUCKET}/v1/train.csv`), await run(`s3://${BUCKET}/missing.csv`), await run(`s3://no-such-bucket-here/x/*.parquet`)];
    const text = JSON.stringify(runs);
    expect(text).not.toContain(SESSION_TOKEN);
    expect(text).not.toMatch(/SECRET|KEY_ID/);
  });

  /** The one input-error result of a run whose dataset cannot be read. */
  async function inputError(dataset: string, engine?: DuckDbEngine): Promise<CheckResult> {
    const { results } = await run(dataset, engine ? { engine } : {});
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ id: 'data.dataset', status: 'error', cause: 'input' });
    return results[0]!;
  }

  it('a bucket that does not exist: an input error naming the bucket', async () => {
    expect((await inputError('s3://no-such-bucket-here/train.csv')).message).toBe(
      `${CONFIG_FILE}:2 data.dataset: cannot read s3://no-such-bucket-here/train.csv: bucket no-such-bucket-here does not exist (looked in region us-east-1)`,
    );
    expect((await inputError('s3://no-such-bucket-here/x/*.parquet')).message).toBe(
      `${CONFIG_FILE}:2 data.dataset: cannot read s3://no-such-bucket-here/x/*.parquet: bucket no-such-bucket-here does not exist (looked in region us-east-1)`,
    );
  });

  it('an object that does not exist, and a glob that matches none: input errors naming the path', async () => {
    expect((await inputError(`s3://${BUCKET}/v1/nope.parquet`)).message).toBe(`${CONFIG_FILE}:2 data.dataset: cannot read s3://${BUCKET}/v1/nope.parquet: no such object (HTTP 404)`);
    expect((await inputError(`s3://${BUCKET}/v2/*.parquet`)).message).toBe(`${CONFIG_FILE}:2 data.dataset: no object matches s3://${BUCKET}/v2/*.parquet`);
  });

  it('an endpoint that accepts connections and never answers: an input error after the timeout, not a hang', async () => {
    const silent: Server = createServer(() => {}).listen(0, '127.0.0.1');
    await new Promise((resolve) => silent.once('listening', resolve));
    const port = (silent.address() as { port: number }).port;
    useEnv({ AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}` });
    try {
      const engine = await DuckDbEngine.open(await loadDuckDb(), { s3: { httpTimeoutSeconds: 1, httpRetries: 0 } });
      const started = Date.now();
      try {
        expect((await inputError(`s3://${BUCKET}/v1/train.csv`, engine)).message).toBe(
          `${CONFIG_FILE}:2 data.dataset: S3 did not answer in time reading s3://${BUCKET}/v1/train.csv: HTTP HEAD http://127.0.0.1:${port}/${BUCKET}/v1/train.csv timed out (DuckDB's http_timeout, after its retries)`,
        );
      } finally {
        await engine.close();
      }
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      useEnv();
      silent.close();
    }
  });

  it('credentials S3 does not accept, or that may not read the bucket: an input error that says access was denied', async () => {
    const user = await createMotoAccessKey(moto!.endpoint, 'no-policy');
    await setMotoAuth(moto!.endpoint, true);
    try {
      useEnv({ AWS_ACCESS_KEY_ID: user.accessKeyId, AWS_SECRET_ACCESS_KEY: user.secretAccessKey, AWS_SESSION_TOKEN: '' });
      const denied = await inputError(`s3://${BUCKET}/v1/train.csv`);
      expect(denied.message).toMatch(
        new RegExp(`^${CONFIG_FILE}:2 data\\.dataset: cannot read s3://${BUCKET}/v1/train\\.csv: access denied \\(HTTP 403\\).*; the job's AWS credentials need s3:GetObject on the objects and s3:ListBucket on bucket ${BUCKET}$`),
      );
      expect(denied.message).not.toContain(user.secretAccessKey);
      // A glob lists the prefix first: ListBucket is what is denied there.
      expect((await inputError(`s3://${BUCKET}/hive/*/*.parquet`)).message).toMatch(/cannot read s3:\/\/training-data\/hive\/\*\/\*\.parquet: access denied \(HTTP 403\)/);

      useEnv({ AWS_ACCESS_KEY_ID: 'AKIAUNKNOWN000000000', AWS_SECRET_ACCESS_KEY: 'not-a-real-secret', AWS_SESSION_TOKEN: '' });
      const refused = await inputError(`s3://${BUCKET}/v1/train.csv`);
      expect(refused.message).toBe(
        `${CONFIG_FILE}:2 data.dataset: cannot read s3://${BUCKET}/v1/train.csv: S3 refused the AWS credentials (HTTP 403) (InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.)`,
      );
      expect(refused.message).not.toContain('not-a-real-secret');
    } finally {
      await setMotoAuth(moto!.endpoint, false);
      useEnv();
    }
  });

  it("model predictions on S3: the same arrays as from the local file; a missing object is the model gate's input error", async () => {
    const text = ['y,c,tier', ...Array.from({ length: 40 }, (_, k) => `${k % 2},${((k % 2) * 0.5 + (k % 7) / 20).toFixed(3)},${k % 3 === 0 ? 'vip' : 'std'}`)].join('\n') + '\n';
    write(dir, 'preds.csv', text);
    await putObjects(moto!.endpoint, BUCKET, { 'eval/preds.csv': text });
    const columns = { label: 'y', candidate: 'c', segments: ['tier'] };
    const fromS3 = await loadPredictions(`s3://${BUCKET}/eval/preds.csv`, columns);
    const local = await loadPredictions(join(dir, 'preds.csv'), columns);
    expect({ ...fromS3, label: [...fromS3.label], candidate: [...fromS3.candidate] }).toEqual({ ...local, label: [...local.label], candidate: [...local.candidate] });
    await expect(loadPredictions(`s3://${BUCKET}/eval/nope.csv`, columns)).rejects.toThrow(new PredictionsError(`cannot read s3://${BUCKET}/eval/nope.csv: no such object (HTTP 404)`));
  });

  it('a release whose dataset bucket does not exist: exit 2, an input error headline, the target never created', async () => {
    const loaded = parseConfigText(
      ['target: { function-name: churn-model, alias: prod }', 'rollout: { strategy: all-at-once, bake: 1m }', 'data:', '  dataset: s3://no-such-bucket-here/train.parquet', '  checks:', '    - row_count: { min: 1 }'].join('\n') + '\n',
      CONFIG_FILE,
    );
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const clock = new VirtualClock();
    let targetsCreated = 0;
    const report = await runPipeline(
      { command: 'release', config: loaded.config, commits: { commits: messagesToCommits(['feat(api): new model']), source: 'test', warnings: [] }, force: false },
      {
        clock,
        state: new MemoryStateStore(),
        log: () => {},
        createTarget: () => {
          targetsCreated++;
          return new FakeTarget({ clock, version: '1' });
        },
        workspace: dir,
      },
    );
    expect({ exitCode: report.exitCode, outcome: report.outcome, targetsCreated }).toEqual({ exitCode: 2, outcome: 'aborted', targetsCreated: 0 });
    expect(report.headline).toContain('cannot read s3://no-such-bucket-here/train.parquet: bucket no-such-bucket-here does not exist');
    expect(JSON.stringify(report)).not.toContain(SESSION_TOKEN);
  });

  it('no extension and no package index within reach: an engine error (not an input error) that says how to provide it', async () => {
    const emptyCache = mkdtempSync(join(tmpdir(), 'mrg-toolcache-'));
    // A port nothing listens on (taken, then given back).
    const closed: Server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => closed.once('listening', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    useEnv({ RUNNER_TOOL_CACHE: emptyCache, MRG_PYPI_INDEX_URL: `http://127.0.0.1:${port}/simple` });
    try {
      const { results } = await run(`s3://${BUCKET}/v1/train.csv`);
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ id: 'data.engine', status: 'error' });
      expect(results[0]!.cause).toBeUndefined();
      expect(results[0]!.message).toMatch(
        /^model-release\.yml:2 data: the SQL engine failed: could not install DuckDB's httpfs extension \(needed for s3:\/\/ sources\): GET http:\/\/127\.0\.0\.1:\d+\/simple\/duckdb-extension-httpfs\/ failed: fetch failed \(.*ECONNREFUSED.*\); set MRG_PYPI_INDEX_URL \(or PIP_INDEX_URL\) to a package index that serves duckdb-extension-httpfs==1\.5\.5 .*, or put the extension from .* at .*/,
      );
    } finally {
      useEnv();
      rmSync(emptyCache, { recursive: true, force: true });
    }
  });

  it('the extension sits in the tool cache; a broken file there is replaced on the next use', async () => {
    const file = httpfsPath(process.env, duckDbPlatform()!);
    expect(readFileSync(file).length).toBeGreaterThan(1_000_000);
    // A new file, not the loaded one overwritten: this process has the extension mapped (DuckDB
    // loaded it), and truncating a mapped library under it ends the process (SIGBUS). The product
    // itself only ever renames a new file into place.
    rmSync(file);
    writeFileSync(file, 'half-written');
    const wheels = index!.requests.filter((p) => p.endsWith('.whl')).length;
    const s3 = await run(`s3://${BUCKET}/v1/train.csv`);
    expect(s3.log[0]).toMatch(/^DuckDB could not load .*httpfs\.duckdb_extension \(.*\); installing it again\.$/);
    expect(index!.requests.filter((p) => p.endsWith('.whl')).length).toBe(wheels + 1);
    expect(s3.results.map((r) => r.status)).not.toContain('error');
    expect(readFileSync(file).length).toBeGreaterThan(1_000_000);
  });
});
