/**
 * Small datasets with known answers, written into a temporary workspace, and the config text
 * (parsed by the real loader, so check lines are real lines).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigText } from '../../../src/config/load.js';
import type { DataGateConfig } from '../../../src/config/types.js';
import { DuckDbEngine } from '../../../src/data/engine/duckdb-engine.js';
import { loadDuckDb } from '../../../src/data/engine/load-duckdb.js';

export const CONFIG_FILE = 'model-release.yml';

export function workspace(): string {
  return mkdtempSync(join(tmpdir(), 'mrg-data-'));
}

/** CSV text from a header and rows; null is an empty field. */
export function csv(header: string[], rows: Array<Array<string | number | null>>): string {
  return [header.join(','), ...rows.map((r) => r.map((v) => (v === null ? '' : String(v))).join(','))].join('\n') + '\n';
}

export function write(dir: string, name: string, text: string): void {
  writeFileSync(join(dir, name), text);
}

/** The data section of a config (lines joined), or a failure showing the config errors. */
export function dataConfig(...lines: string[]): DataGateConfig {
  const loaded = parseConfigText(lines.join('\n') + '\n', CONFIG_FILE);
  if (!loaded.ok) throw new Error(`test config is invalid: ${JSON.stringify(loaded.errors)}`);
  if (!loaded.config.data) throw new Error('test config has no data section');
  return loaded.config.data;
}

/**
 * The training set: 100 customers.
 * - id 1..100 unique; day = 1 + id % 5
 * - age = 18 + (id % 50) (18 to 67), null for ids 1..4 (4 missing), 130 for id 100 (one out of [0, 120])
 * - plan: free (50), pro (30), vip (15), gold (3), trial (2)
 * - country: FR for odd ids (50), DE for even ids (50)
 * - income = 1000 * id
 */
export function trainingRows(): Array<Array<string | number | null>> {
  const rows: Array<Array<string | number | null>> = [];
  for (let id = 1; id <= 100; id++) {
    const age = id <= 4 ? null : id === 100 ? 130 : 18 + (id % 50);
    const plan = id <= 50 ? 'free' : id <= 80 ? 'pro' : id <= 95 ? 'vip' : id <= 98 ? 'gold' : 'trial';
    rows.push([id, 1 + (id % 5), age, plan, id % 2 === 1 ? 'FR' : 'DE', 1000 * id]);
  }
  return rows;
}
export const TRAINING_HEADER = ['id', 'day', 'age', 'plan', 'country', 'income'];

/**
 * CSV text whose data rows are numbered 1..n (row i is `row(i)`, fields already joined), for
 * files with a bad value at a known data row: data row i is on line i + 1 of the file.
 */
export function numberedCsv(header: string, n: number, row: (i: number) => string): string {
  return [header, ...Array.from({ length: n }, (_, k) => row(k + 1))].join('\n') + '\n';
}

/** A Parquet file in `dir` written by DuckDB itself from a query, e.g. `SELECT … FROM range(1, 11) t(i) ORDER BY i`. */
export async function writeParquet(dir: string, name: string, query: string): Promise<string> {
  const path = join(dir, name);
  const engine = await DuckDbEngine.open(await loadDuckDb());
  try {
    await engine.query(`COPY (${query}) TO '${path.replace(/'/g, "''")}' (FORMAT parquet)`);
  } finally {
    await engine.close();
  }
  return path;
}
