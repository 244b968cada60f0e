/**
 * The engine `data.engine` asks for: DuckDB (the default, embedded, over files), or an engine
 * over tables, a Trino cluster or Athena, both a TableEngine over their own QueryRunner.
 */
import type { AthenaEngineConfig, DataEngineConfig, DuckDbEngineConfig, TrinoEngineConfig } from '../../config/data-types.js';
import { createAthenaRunner } from './athena-engine.js';
import type { Engine } from './engine.js';
import { TableEngine } from './table-engine.js';
import { createTrinoRunner } from './trino-runner.js';

/** The DuckDB settings of `data.engine`, undefined when it names another engine. */
export function duckDbSettings(config: DataEngineConfig | undefined): DuckDbEngineConfig | undefined {
  return config === undefined || config.type === undefined || config.type === 'duckdb' ? config : undefined;
}

/** Whether `data.engine` is an engine over tables (its sources are tables, not files). */
export function isTableEngine(config: DataEngineConfig | undefined): config is TrinoEngineConfig | AthenaEngineConfig {
  return config?.type === 'trino' || config?.type === 'athena';
}

/**
 * The engine of `data.engine`. DuckDB is opened by `openDuckDb` (the gate's, with its settings
 * and its loader); Trino and Athena connect lazily, at their first statement, and cancel the
 * statement that runs when `signal` aborts.
 */
export async function createEngine(config: DataEngineConfig | undefined, openDuckDb: () => Promise<Engine>, signal?: AbortSignal): Promise<Engine> {
  if (config?.type === 'trino') {
    return new TableEngine(createTrinoRunner({ url: config.url, catalog: config.catalog, schema: config.schema, ...(config.user !== undefined ? { user: config.user } : {}) }), signal);
  }
  if (config?.type === 'athena') {
    return new TableEngine(
      createAthenaRunner({
        workgroup: config.workgroup,
        database: config.database,
        ...(config.outputLocation !== undefined ? { outputLocation: config.outputLocation } : {}),
        ...(config.region !== undefined ? { region: config.region } : {}),
        ...(config.catalog !== undefined ? { catalog: config.catalog } : {}),
      }),
      signal,
    );
  }
  return openDuckDb();
}
