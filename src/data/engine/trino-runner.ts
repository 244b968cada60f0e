/**
 * A QueryRunner over Trino's HTTP protocol (a Trino or Starburst cluster), through the official
 * JS client (trino-client): POST /v1/statement, then the pages at each nextUri until there is
 * none. Credentials come from the environment, never from the config file: TRINO_USER with
 * TRINO_PASSWORD (HTTP basic), or TRINO_ACCESS_TOKEN (a bearer token, e.g. from an identity
 * provider). A statement that is aborted, times out or fails in this process is cancelled in
 * Trino (DELETE /v1/query/{id}), so no query is left running on the cluster.
 */
import { BasicAuth, Trino } from 'trino-client';
import type { QueryResult as TrinoPage } from 'trino-client';
import { DataSourceError } from './engine.js';
import type { QueryColumn, QueryResult, QueryRunner, QueryUsage } from './query-runner.js';

/** The user Trino sees when neither the config nor TRINO_USER names one. */
export const DEFAULT_TRINO_USER = 'model-release-gate';

/** Longest wait for one HTTP exchange with the coordinator (a page is long-polled for about a second). */
export const DEFAULT_TRINO_REQUEST_TIMEOUT_MS = 60_000;

export interface TrinoRunnerOptions {
  /** The coordinator, e.g. `https://trino.example.com:8443`. */
  url: string;
  catalog: string;
  schema: string;
  /** Trino user; default TRINO_USER, else DEFAULT_TRINO_USER. */
  user?: string;
  /** Where the credentials are read from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  requestTimeoutMs?: number;
}

/**
 * Trino's error types that say the statement or the data is the problem (a missing table, no
 * permission, a value that does not cast): the gate reports them as input errors. Others
 * (INTERNAL_ERROR, INSUFFICIENT_RESOURCES, EXTERNAL) are the engine failing.
 */
const USER_ERROR = 'USER_ERROR';

/** Busy answers Trino's protocol asks a client to retry: the same request again, after a pause. */
const RETRY_STATUSES = new Set([502, 503, 504]);
const RETRIES = 3;

/**
 * A runner sending each statement to the coordinator at `url` with `catalog` and `schema` as the
 * session's defaults; nothing is sent before the first statement.
 */
export function createTrinoRunner(options: TrinoRunnerOptions): QueryRunner {
  const env = options.env ?? process.env;
  const user = options.user ?? env.TRINO_USER ?? DEFAULT_TRINO_USER;
  const url = options.url.replace(/\/+$/, '');
  const token = env.TRINO_ACCESS_TOKEN;
  const password = env.TRINO_PASSWORD;
  const client = Trino.create({
    server: url,
    catalog: options.catalog,
    schema: options.schema,
    source: 'model-release-gate',
    ...(password !== undefined && password !== '' ? { auth: new BasicAuth(user, password) } : {}),
    extraHeaders: { 'X-Trino-User': user, ...(token !== undefined && token !== '' ? { Authorization: `Bearer ${token}` } : {}) },
  });
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_TRINO_REQUEST_TIMEOUT_MS;
  const description = `Trino at ${url} (catalog ${options.catalog}, schema ${options.schema})`;
  const history: QueryUsage[] = [];
  const running = new Set<string>();

  /**
   * The client's HTTP layer: the headers, session and auth it set up, one request at a time with
   * our own abort signal and time-out. Its query iterator cannot be given either, and it polls
   * every page without data inside one call, so a long aggregate would be one unbounded wait
   * with no query id to cancel.
   */
  const http = (client as unknown as { client?: TrinoHttp }).client;
  if (typeof http?.request !== 'function') throw new Error('trino-client has no request() (an unexpected version): cannot run Trino statements');
  const request = async (config: TrinoRequest, signal: AbortSignal | undefined, doing: string): Promise<TrinoPage> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await http.request<TrinoPage>({ ...config, timeout: timeoutMs, ...(signal ? { signal } : {}) });
      } catch (error) {
        if (signal?.aborted) throw signal.reason ?? new Error('aborted');
        const status = (error as { response?: { status?: number } }).response?.status;
        if (status === undefined || !RETRY_STATUSES.has(status) || attempt >= RETRIES) throw transportError(error, description, doing, timeoutMs);
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
  };

  // DELETE /v1/query/{id}: the query fails as cancelled on the cluster, whatever its state.
  const cancel = async (id: string): Promise<void> => {
    running.delete(id);
    await http.request({ method: 'DELETE', url: `/v1/query/${encodeURIComponent(id)}`, timeout: timeoutMs }).catch(() => undefined);
  };

  return {
    description,
    async run(sql: string, signal?: AbortSignal): Promise<QueryResult> {
      signal?.throwIfAborted();
      let page = await request({ method: 'POST', url: '/v1/statement', data: sql }, signal, 'submitting a query');
      const id = page.id;
      running.add(id);
      try {
        let columns: QueryColumn[] | undefined;
        const rows: (string | null)[][] = [];
        for (;;) {
          if (page.error) {
            running.delete(id);
            const { errorName, errorType, message } = page.error;
            const text = `${message} (Trino ${errorName}, query ${id})`;
            throw errorType === USER_ERROR ? new DataSourceError(text) : new Error(`${description} failed: ${text}`);
          }
          columns ??= page.columns?.map((c) => ({ name: c.name, type: c.type }));
          for (const row of page.data ?? []) rows.push((row as unknown[]).map(asText));
          if (!page.nextUri) break;
          page = await request({ method: 'GET', url: page.nextUri }, signal, `waiting for query ${id}`);
        }
        running.delete(id);
        const usage: QueryUsage = {
          id,
          ...(page.stats?.processedBytes !== undefined ? { bytesScanned: page.stats.processedBytes } : {}),
          ...(page.stats?.elapsedTimeMillis !== undefined ? { engineMs: page.stats.elapsedTimeMillis } : {}),
        };
        history.push(usage);
        return { columns: columns ?? [], rows, usage };
      } catch (error) {
        if (running.has(id)) await cancel(id);
        throw error;
      }
    },
    usage: () => [...history],
    async close(): Promise<void> {
      await Promise.all([...running].map(cancel));
    },
  };
}

/** One HTTP exchange, as trino-client's Client.request takes it (an axios request config). */
interface TrinoRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  data?: string;
  timeout?: number;
  signal?: AbortSignal;
}

interface TrinoHttp {
  request<T>(config: TrinoRequest): Promise<T>;
}

/** A cell as text: Trino's JSON values are text already for varchar, numbers and booleans as written, lists as JSON. */
function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** An HTTP failure as a sentence naming the server: refused, unreachable, 401, a time-out. */
function transportError(error: unknown, description: string, doing: string, timeoutMs: number): Error {
  const status = (error as { response?: { status?: number; data?: unknown } }).response?.status;
  const code = (error as { code?: string }).code;
  const message = (error as Error)?.message ?? String(error);
  if (status === 401 || status === 403) {
    return new Error(`${description} refused the credentials (HTTP ${status}); set TRINO_USER and TRINO_PASSWORD, or TRINO_ACCESS_TOKEN`);
  }
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') return new Error(`${description} did not answer within ${timeoutMs / 1000} s while ${doing}`);
  const reason = status !== undefined ? `HTTP ${status}` : code !== undefined ? `${code}: ${message}` : message;
  return new Error(`cannot reach ${description} (${doing}): ${reason}`);
}
