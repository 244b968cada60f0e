/**
 * data.engine: DuckDB (default) over files; trino and athena over tables. Each engine's keys and
 * required keys; a table with DuckDB and a file with an engine over tables are errors naming
 * the key and what was expected.
 */
import { parseConfigText } from '../../src/config/load.js';
import { CONFIG_FILE, configErrors, yaml } from '../support/config-errors.js';

const CHECKS = ['  checks:', '    - row_count: { min: 1 }'];

function data(text: string) {
  const result = parseConfigText(text, CONFIG_FILE);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config.data;
}

describe('data.engine and table sources', () => {
  it('trino: url, catalog, schema, user; tables as sources', () => {
    const config = data(
      yaml('data:', '  dataset: { table: ml.train }', '  reference: { table: ml.prod }', '  engine: { type: trino, url: "https://trino.example.com:8443", catalog: hive, schema: ml, user: gate }', ...CHECKS),
    );
    expect(config?.engine).toEqual({ type: 'trino', url: 'https://trino.example.com:8443', catalog: 'hive', schema: 'ml', user: 'gate' });
    expect(config?.dataset).toMatchObject({ path: 'ml.train', table: 'ml.train', line: 2 });
    expect(config?.reference).toMatchObject({ table: 'ml.prod', line: 3 });
  });

  it('athena: workgroup, database, output-location, region, catalog', () => {
    const config = data(
      yaml('data:', '  dataset: { table: train }', '  engine:', '    type: athena', '    workgroup: primary', '    database: ml', '    output-location: s3://results/gate/', '    region: eu-west-1', ...CHECKS),
    );
    expect(config?.engine).toEqual({ type: 'athena', workgroup: 'primary', database: 'ml', outputLocation: 's3://results/gate/', region: 'eu-west-1' });
  });

  it('duckdb stays the default, with its settings', () => {
    expect(data(yaml('data:', '  dataset: train.csv', '  engine: { memory-limit: 1 GB, threads: 2 }', ...CHECKS))?.engine).toEqual({ memoryLimit: '1GB', threads: 2 });
    expect(data(yaml('data:', '  dataset: train.csv', '  engine: { type: duckdb }', ...CHECKS))?.engine).toEqual({ type: 'duckdb' });
  });

  it('a table with DuckDB, a file with trino: which key, what was expected', () => {
    expect(configErrors(yaml('data:', '  dataset: { table: ml.train }', ...CHECKS))).toEqual([
      'model-release.yml:2:21 data.dataset.table: a table needs an engine over tables: set data.engine.type to trino or athena, or give dataset a file path for DuckDB',
    ]);
    expect(configErrors(yaml('data:', '  dataset: train.csv', '  reference: { table: prod }', '  engine: { type: trino, url: "http://127.0.0.1:8080", catalog: memory, schema: ml }', ...CHECKS))).toEqual([
      'model-release.yml:2:12 data.dataset: the trino engine reads tables, not files: write dataset: { table: <name> } (a table over train.csv), or use the duckdb engine for files',
    ]);
  });

  it('missing and foreign engine keys', () => {
    expect(configErrors(yaml('data:', '  dataset: { table: t }', '  engine: { type: trino, url: "http://127.0.0.1:8080", threads: 2 }', ...CHECKS))).toEqual([
      'model-release.yml:3:3 data.engine: the trino engine needs catalog (url, catalog, schema are required)',
      'model-release.yml:3:3 data.engine: the trino engine needs schema (url, catalog, schema are required)',
      'model-release.yml:3:56 data.engine.threads: threads is a setting of the duckdb engine, not of trino',
    ]);
    expect(configErrors(yaml('data:', '  dataset: train.csv', '  engine: { workgroup: primary }', ...CHECKS))).toEqual([
      expect.stringMatching(/^model-release.yml:3:\d+ data.engine.workgroup: workgroup is a setting of the athena engine, not of duckdb \(the default; set type: athena\)$/),
    ]);
  });

  it('schema errors: a source that is neither a path nor a table, a bad table name, a bad url', () => {
    expect(configErrors(yaml('data:', '  dataset: { path: x }', ...CHECKS))).toEqual([
      "model-release.yml:2:3 data.dataset: missing required key 'table'",
      'model-release.yml:2:12 data.dataset: must be a file path or glob (e.g. data/train/*.parquet), or { table: <name> } with the trino or athena engine',
      "model-release.yml:2:14 data.dataset.path: unknown key 'path'; allowed keys: table",
    ]);
    expect(configErrors(yaml('data:', '  dataset: { table: "a.b.c.d" }', '  engine: { type: athena, workgroup: w, database: d }', ...CHECKS))).toEqual([
      expect.stringMatching(/^model-release.yml:2:\d+ data.dataset: must be a file path or glob/),
      'model-release.yml:2:21 data.dataset.table: must be a table name: table, schema.table or catalog.schema.table',
    ]);
    expect(configErrors(yaml('data:', '  dataset: { table: t }', '  engine: { type: trino, url: "trino:8080", catalog: c, schema: s }', ...CHECKS))).toEqual([
      expect.stringMatching(/^model-release.yml:3:\d+ data.engine.url: must be an http:\/\/ or https:\/\/ URL/),
    ]);
  });
});
