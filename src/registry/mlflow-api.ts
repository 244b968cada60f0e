/**
 * The MLflow tracking server's REST API (the documented /api/2.0/mlflow endpoints), only the
 * calls the gate makes: read a model version (by number or alias), its run's metrics and metric
 * histories, download a run artifact through the server's artifact proxy, and write aliases and
 * version tags. Every request has a timeout; reads and the writes (all idempotent: setting an
 * alias or a tag twice leaves the same state) are retried on a lost connection, 429 and 5xx, so a
 * reply lost after the write landed is simply written again.
 *
 * Credentials come from the environment the way MLflow's own clients read them:
 * MLFLOW_TRACKING_TOKEN (bearer), or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD
 * (basic). They are never part of a message.
 */
import { systemClock } from '../core/clock.js';
import { RegistryError, type RegistryErrorKind } from './registry.js';

export interface MlflowModelVersion {
  name: string;
  version: string;
  runId?: string;
  source?: string;
  aliases: string[];
  tags: Record<string, string>;
}

export interface MlflowRun {
  runId: string;
  experimentId: string;
  artifactUri: string;
  /** Latest value of each metric. */
  metrics: Record<string, number>;
}

/** Why a call failed: the input names nothing (`not-found`), the credentials may not (`permission`), or the server cannot be reached or answered an error (`unavailable`). */
export type MlflowErrorKind = RegistryErrorKind;

export class MlflowError extends RegistryError {
  constructor(kind: MlflowErrorKind, message: string, status?: number) {
    super(kind, message, status);
    this.name = 'MlflowError';
  }
}

export interface MlflowClientOptions {
  /** The tracking server, like https://mlflow.example.com (a path prefix is kept). */
  uri: string;
  env?: NodeJS.ProcessEnv;
  /** Per request. Default 15 s. */
  timeoutMs?: number;
  /** Attempts per call on a lost connection, 429 or 5xx. Default 3. */
  attempts?: number;
  /** Waits between attempts; tests pass a fast one. Default 0.5 s, 1 s, 2 s... */
  backoffMs?: (attempt: number) => number;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 15_000;

export class MlflowClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly fetcher: typeof fetch;

  constructor(private readonly options: MlflowClientOptions) {
    const uri = options.uri.replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]/.test(uri)) throw new MlflowError('invalid', `the MLflow tracking URI must be an http(s) URL, got ${JSON.stringify(redactUrl(options.uri))}`);
    this.base = uri;
    this.headers = authHeaders(options.env ?? process.env);
    this.fetcher = options.fetch ?? fetch;
  }

  /** The server as messages name it (credentials in the URL removed). */
  describe(): string {
    return redactUrl(this.base);
  }

  async modelVersion(name: string, version: string): Promise<MlflowModelVersion> {
    const body = await this.call('GET', 'model-versions/get', { name, version }, `version ${version} of registered model '${name}'`);
    return toModelVersion(body.model_version);
  }

  async modelVersionByAlias(name: string, alias: string): Promise<MlflowModelVersion> {
    const body = await this.call('GET', 'registered-models/alias', { name, alias }, `alias '${alias}' of registered model '${name}'`);
    return toModelVersion(body.model_version);
  }

  async registeredModelExists(name: string): Promise<boolean> {
    try {
      await this.call('GET', 'registered-models/get', { name }, `registered model '${name}'`);
      return true;
    } catch (error) {
      if (error instanceof MlflowError && error.kind === 'not-found') return false;
      throw error;
    }
  }

  async run(runId: string): Promise<MlflowRun> {
    const body = await this.call('GET', 'runs/get', { run_id: runId }, `run ${runId}`);
    const run = body.run as { info?: Record<string, unknown>; data?: { metrics?: Array<{ key: string; value: number }> } } | undefined;
    const metrics: Record<string, number> = {};
    for (const m of run?.data?.metrics ?? []) if (typeof m.value === 'number' && Number.isFinite(m.value)) metrics[m.key] = m.value;
    return { runId, experimentId: String(run?.info?.experiment_id ?? ''), artifactUri: String(run?.info?.artifact_uri ?? ''), metrics };
  }

  /** A metric's values ordered by step (then time), every page. */
  async metricHistory(runId: string, key: string): Promise<number[]> {
    const points: Array<{ value: number; step: number; timestamp: number }> = [];
    let token: string | undefined;
    do {
      const body = await this.call('GET', 'metrics/get-history', { run_id: runId, metric_key: key, max_results: '25000', ...(token ? { page_token: token } : {}) }, `history of metric ${key} in run ${runId}`);
      for (const m of (body.metrics as Array<{ value: number; step?: number; timestamp?: number }> | undefined) ?? []) points.push({ value: m.value, step: Number(m.step ?? 0), timestamp: Number(m.timestamp ?? 0) });
      token = typeof body.next_page_token === 'string' && body.next_page_token !== '' ? body.next_page_token : undefined;
    } while (token);
    return points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp).map((p) => p.value);
  }

  /** Versions of a model whose tag `key` has `value`. */
  async versionsTagged(name: string, key: string, value: string): Promise<MlflowModelVersion[]> {
    const filter = `name=${sqlString(name)} and tags.\`${key}\`=${sqlString(value)}`;
    const body = await this.call('GET', 'model-versions/search', { filter, max_results: '200' }, `versions of registered model '${name}' tagged ${key}=${value}`);
    return ((body.model_versions as unknown[] | undefined) ?? []).map(toModelVersion);
  }

  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.call('POST', 'registered-models/alias', { name, alias, version }, `alias '${alias}' of registered model '${name}'`);
  }

  async setVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    await this.call('POST', 'model-versions/set-tag', { name, version, key, value }, `tag ${key} of version ${version} of registered model '${name}'`);
  }

  /**
   * A run artifact through the server's artifact proxy (`mlflow-artifacts:/…` URIs, what a
   * server started with --serve-artifacts gives its runs). Other stores (s3://, a local path)
   * are read by the tools that wrote them; the gate says so rather than guessing.
   */
  async downloadArtifact(artifactUri: string, path: string): Promise<Buffer> {
    const match = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(artifactUri);
    if (!match) {
      throw new MlflowError('invalid', `the run's artifacts are at ${artifactUri}, which the gate cannot download: it reads artifacts through the MLflow server's artifact proxy (mlflow-artifacts:/ URIs, a server started with --serve-artifacts)`);
    }
    const relative = [match[1]?.replace(/\/+$/, ''), path.replace(/^\/+/, '')].filter((p) => p).map((p) => p!.split('/').map(encodeURIComponent).join('/')).join('/');
    const response = await this.request('GET', `${this.base}/api/2.0/mlflow-artifacts/artifacts/${relative}`, undefined, `artifact ${path}`);
    return Buffer.from(await response.arrayBuffer());
  }

  private async call(method: 'GET' | 'POST', endpoint: string, params: Record<string, string>, what: string): Promise<Record<string, unknown>> {
    const url = `${this.base}/api/2.0/mlflow/${endpoint}`;
    const response =
      method === 'GET'
        ? await this.request('GET', `${url}?${new URLSearchParams(params).toString()}`, undefined, what)
        : await this.request('POST', url, JSON.stringify(params), what);
    const text = await response.text();
    try {
      return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      throw new MlflowError('unavailable', `${this.describe()} answered ${what} with something that is not JSON: ${text.slice(0, 120)}`);
    }
  }

  private async request(method: string, url: string, body: string | undefined, what: string): Promise<Response> {
    const attempts = this.options.attempts ?? 3;
    const backoff = this.options.backoffMs ?? ((n: number) => 500 * 2 ** (n - 1));
    let last: MlflowError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await systemClock.sleep(backoff(attempt - 1), this.options.signal);
      const timeout = AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      const signal = this.options.signal ? AbortSignal.any([timeout, this.options.signal]) : timeout;
      let response: Response;
      try {
        response = await this.fetcher(url, { method, headers: { ...this.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body } : {}), signal });
      } catch (error) {
        if (this.options.signal?.aborted) throw error;
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? (timeout.aborted ? `no answer within ${(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000} s` : (error as Error).message);
        last = new MlflowError('unavailable', `the MLflow server ${this.describe()} could not be reached for ${what} (${cause}, ${attempt} attempt${attempt === 1 ? '' : 's'})`);
        continue;
      }
      if (response.ok) return response;
      const detail = await errorDetail(response);
      if (response.status === 429 || response.status >= 500) {
        last = new MlflowError('unavailable', `the MLflow server ${this.describe()} answered ${response.status} for ${what}${detail} (${attempt} attempt${attempt === 1 ? '' : 's'})`, response.status);
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        throw new MlflowError('permission', `the MLflow server ${this.describe()} refused ${what} (${response.status}${detail}): the credentials in MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD lack ${method === 'GET' ? 'READ' : 'EDIT'} permission on the registered model, or are missing`, response.status);
      }
      // A missing alias is a 400 INVALID_PARAMETER_VALUE "Registered model alias x not found" (MLflow 3), the rest 404s.
      if (response.status === 404 || /RESOURCE_DOES_NOT_EXIST/.test(detail) || (response.status === 400 && /\bnot found\b/i.test(detail))) {
        throw new MlflowError('not-found', `${what} does not exist on ${this.describe()}${detail}`, response.status);
      }
      throw new MlflowError('invalid', `the MLflow server ${this.describe()} refused ${what} (${response.status}${detail})`, response.status);
    }
    throw last as MlflowError;
  }
}

/** `: RESOURCE_DOES_NOT_EXIST: Registered Model with name=x not found`, from MLflow's error body. */
async function errorDetail(response: Response): Promise<string> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    return '';
  }
  try {
    const body = JSON.parse(text) as { error_code?: string; message?: string };
    const parts = [body.error_code, body.message].filter((p): p is string => typeof p === 'string' && p !== '');
    return parts.length > 0 ? `: ${parts.join(': ').slice(0, 300)}` : '';
  } catch {
    return text.trim() === '' ? '' : `: ${text.trim().slice(0, 200)}`;
  }
}

function toModelVersion(raw: unknown): MlflowModelVersion {
  const v = (raw ?? {}) as { name?: string; version?: string | number; run_id?: string; source?: string; aliases?: string[]; tags?: Array<{ key: string; value: string }> };
  return {
    name: String(v.name ?? ''),
    version: String(v.version ?? ''),
    ...(v.run_id ? { runId: v.run_id } : {}),
    ...(v.source ? { source: v.source } : {}),
    aliases: v.aliases ?? [],
    tags: Object.fromEntries((v.tags ?? []).map((t) => [t.key, t.value])),
  };
}

function authHeaders(env: NodeJS.ProcessEnv): Record<string, string> {
  const token = env.MLFLOW_TRACKING_TOKEN;
  if (token) return { authorization: `Bearer ${token}` };
  const user = env.MLFLOW_TRACKING_USERNAME;
  const password = env.MLFLOW_TRACKING_PASSWORD;
  if (user && password) return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
  return {};
}

/** A URL without user:password@. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//');
}

/**
 * A quoted string for MLflow's search filter. MLflow strips the outer quotes and knows no
 * escapes, so a value with a single quote goes in double quotes; one with both cannot be searched.
 */
function sqlString(value: string): string {
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  throw new MlflowError('invalid', `cannot search MLflow for ${JSON.stringify(value)}: its search filter has no way to quote a value with both ' and "`);
}
