/**
 * The Trino runner's protocol handling against a scripted HTTP server on loopback (no Trino
 * needed): pages followed to the end, credentials from the environment, cancellation on abort,
 * and the transport failures that must be clear errors rather than hangs. The real server is in
 * trino-agreement.int.test.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSourceError, type Engine } from '../../../src/data/engine/engine.js';
import { parseCell, TableEngine } from '../../../src/data/engine/table-engine.js';
import { createTrinoRunner } from '../../../src/data/engine/trino-runner.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let url: string;
let seen: Seen[];
let handle: (req: Seen, res: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(entry);
      handle(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
});

const json = (res: ServerResponse, body: unknown, status = 200) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

/** A query that runs for `polls` empty pages, then returns its one row. */
function scripted(polls: number): (req: Seen, res: ServerResponse) => void {
  let n = 0;
  return (req, res) => {
    if (req.method === 'DELETE') return json(res, {});
    if (req.method === 'POST') return json(res, { id: 'q1', nextUri: `${url}/v1/statement/executing/q1/1` });
    n += 1;
    if (n <= polls) return json(res, { id: 'q1', nextUri: `${url}/v1/statement/executing/q1/${n + 1}`, stats: { state: 'RUNNING' } });
    return json(res, {
      id: 'q1',
      columns: [{ name: 'a0', type: 'varchar' }, { name: 'n', type: 'bigint' }],
      // A bigint beyond 2^53 would lose digits in the client's JSON.parse: the gate's result
      // columns are JSON text (Dialect.resultColumn), parsed by TableEngine, which keeps them.
      data: [['{"v":"x","n":3}', 1234567]],
      stats: { state: 'FINISHED', processedBytes: 2048, elapsedTimeMillis: 15 },
    });
  };
}

describe('the Trino runner', () => {
  it('follows nextUri to the end; cells as text; usage from the stats; user and token from the environment', async () => {
    handle = scripted(3);
    const runner = createTrinoRunner({ url, catalog: 'hive', schema: 'ml', env: { TRINO_USER: 'ci', TRINO_ACCESS_TOKEN: 'tok' } });
    const result = await runner.run('SELECT 1');
    expect(result).toEqual({
      columns: [{ name: 'a0', type: 'varchar' }, { name: 'n', type: 'bigint' }],
      rows: [['{"v":"x","n":3}', '1234567']],
      usage: { id: 'q1', bytesScanned: 2048, engineMs: 15 },
    });
    expect(seen.map((s) => s.method)).toEqual(['POST', 'GET', 'GET', 'GET', 'GET']);
    expect(seen[0]).toMatchObject({ url: '/v1/statement', body: 'SELECT 1', headers: { 'x-trino-user': 'ci', 'x-trino-catalog': 'hive', 'x-trino-schema': 'ml', authorization: 'Bearer tok' } });
    expect(runner.usage()).toEqual([result.usage]);
  });

  it('a busy coordinator (503) is asked again, as the protocol says', async () => {
    const script = scripted(1);
    let busy = 2;
    handle = (req, res) => (req.method === 'GET' && busy-- > 0 ? json(res, {}, 503) : script(req, res));
    const result = await createTrinoRunner({ url, catalog: 'c', schema: 's', env: {} }).run('SELECT 1');
    expect(result.usage.id).toBe('q1');
    expect(seen.map((s) => s.method)).toEqual(['POST', 'GET', 'GET', 'GET', 'GET']);
  });

  it('TRINO_PASSWORD: HTTP basic as TRINO_USER', async () => {
    handle = scripted(0);
    await createTrinoRunner({ url, catalog: 'c', schema: 's', env: { TRINO_USER: 'ci', TRINO_PASSWORD: 'secret' } }).run('SELECT 1');
    expect(seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from('ci:secret').toString('base64')}`);
  });

  it('an abort cancels the query in Trino (DELETE /v1/query/{id}) and rejects with the reason', async () => {
    handle = scripted(1_000_000);
    const runner = createTrinoRunner({ url, catalog: 'c', schema: 's', env: {} });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('job cancelled')), 200);
    await expect(runner.run('SELECT slow', controller.signal)).rejects.toThrow('job cancelled');
    expect(seen.at(-1)).toMatchObject({ method: 'DELETE', url: '/v1/query/q1' });
  });

  it("a failed query: the user's error is a DataSourceError with Trino's words, others an engine error", async () => {
    const failing = (errorType: string) => (req: Seen, res: ServerResponse) =>
      req.method === 'POST'
        ? json(res, { id: 'q2', nextUri: `${url}/v1/statement/q2/1` })
        : json(res, { id: 'q2', error: { message: "line 1:15: Table 'hive.ml.nope' does not exist", errorName: 'TABLE_NOT_FOUND', errorType, errorCode: 46 } });
    handle = failing('USER_ERROR');
    const runner = createTrinoRunner({ url, catalog: 'hive', schema: 'ml', env: {} });
    const error = await runner.run('SELECT * FROM nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataSourceError);
    expect((error as Error).message).toBe("line 1:15: Table 'hive.ml.nope' does not exist (Trino TABLE_NOT_FOUND, query q2)");
    handle = failing('INTERNAL_ERROR');
    const internal = await runner.run('SELECT 1').catch((e: unknown) => e);
    expect(internal).not.toBeInstanceOf(DataSourceError);
    expect((internal as Error).message).toMatch(/^Trino at http:\/\/127\.0\.0\.1:\d+ \(catalog hive, schema ml\) failed: /);
  });

  it('refused credentials and a coordinator that never answers: clear errors, no hang', async () => {
    handle = (_req, res) => json(res, { message: 'Unauthorized' }, 401);
    await expect(createTrinoRunner({ url, catalog: 'c', schema: 's', env: {} }).run('SELECT 1')).rejects.toThrow(
      /refused the credentials \(HTTP 401\); set TRINO_USER and TRINO_PASSWORD, or TRINO_ACCESS_TOKEN$/,
    );
    handle = () => undefined;
    const started = Date.now();
    await expect(createTrinoRunner({ url, catalog: 'c', schema: 's', env: {}, requestTimeoutMs: 300 }).run('SELECT 1')).rejects.toThrow(/did not answer within 0.3 s while submitting a query$/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('TableEngine', () => {
  it('parses cells as DuckDB returns them: JSON text, integers (big ones as text), doubles, booleans', () => {
    expect(parseCell('[{"v":"a","n":2}]', { name: 'a', type: 'varchar' })).toEqual([{ v: 'a', n: 2 }]);
    expect(parseCell('{"key":12345678901234567,"value":1}', { name: 'a', type: 'varchar' })).toEqual({ key: '12345678901234567', value: 1 });
    expect(parseCell('not json', { name: 'a', type: 'varchar' })).toBe('not json');
    expect(parseCell('12345678901234567', { name: 'a', type: 'bigint' })).toBe('12345678901234567');
    expect(parseCell('42', { name: 'a', type: 'bigint' })).toBe(42);
    expect(parseCell('0.1', { name: 'a', type: 'double' })).toBe(0.1);
    expect(parseCell('1.50', { name: 'a', type: 'decimal(10,2)' })).toBe(1.5);
    expect(parseCell('true', { name: 'a', type: 'boolean' })).toBe(true);
    expect(parseCell(null, { name: 'a', type: 'varchar' })).toBeNull();
  });

  it('columns and expression types from LIMIT 0 statements, which read no rows', async () => {
    handle = (req, res) =>
      req.method === 'POST'
        ? json(res, { id: 'q3', nextUri: `${url}/v1/statement/q3/1` })
        : json(res, { id: 'q3', columns: req.url.includes('q3') ? [{ name: 'id', type: 'bigint' }, { name: 'plan', type: 'varchar(10)' }] : [], data: [], stats: {} });
    const engine = new TableEngine(createTrinoRunner({ url, catalog: 'c', schema: 's', env: {} }));
    expect(await engine.describe({ kind: 'table', name: 'ml.train' })).toEqual([{ name: 'id', type: 'bigint' }, { name: 'plan', type: 'varchar(10)' }]);
    expect(seen[0]!.body).toBe('SELECT * FROM "ml"."train" LIMIT 0');
    expect((engine as Engine).firstRowWhere).toBeUndefined();
  });
});
