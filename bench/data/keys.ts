/**
 * Memory of dataset pass 2 (unique / duplicates: one hash aggregate over every distinct key) on
 * the bench dataset, with DuckDB's defaults or a memory limit (spilling to a temp directory).
 * Not part of the drift catalogue legs; run by run.sh as its own legs.
 *
 *   npx tsx bench/data/keys.ts bench/work/dataset.parquet [memory_limit] > keys.json
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { DataCheck, DataGateConfig } from '../../src/config/data-types.js';
import { DuckDbEngine } from '../../src/data/engine/duckdb-engine.js';
import { loadDuckDb } from '../../src/data/engine/load-duckdb.js';
import { runDataGate } from '../../src/data/gate.js';

const [path, memoryLimit] = process.argv.slice(2);
if (!path) throw new Error('usage: keys.ts DATASET [MEMORY_LIMIT]');
const datasetPath = resolve(path);
const checks = [
  { type: 'duplicates', index: 0, severity: 'error', maxPercent: 0 },
  { type: 'unique', index: 1, severity: 'error', columns: ['num_normal', 'num_exp'] },
] as unknown as DataCheck[];
const config = { dataset: { path: datasetPath, format: 'auto' }, checks } as DataGateConfig;
const temp = mkdtempSync(join(tmpdir(), 'mrg-spill-'));
const engine = await DuckDbEngine.open(await loadDuckDb(), memoryLimit ? { memoryLimit, tempDirectory: temp } : {});
const started = performance.now();
try {
  const results = await runDataGate(config, { workspace: dirname(datasetPath), engine });
  console.error(`keys (memory_limit ${memoryLimit ?? 'default'}): ${results.length} results in ${Math.round(performance.now() - started)} ms`);
  console.log(JSON.stringify(results, null, 1));
} finally {
  await engine.close();
  rmSync(temp, { recursive: true, force: true });
}
