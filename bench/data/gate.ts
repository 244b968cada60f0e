/**
 * The "our gate" leg of bench/data: runDataGate (src/data/gate.ts) with the full drift
 * catalogue — one drift check per method on every column (ks and wasserstein apply to the numeric
 * columns only) — over the dataset and the reference. Prints the results as JSON.
 *
 *   npx tsx bench/data/gate.ts bench/work/dataset.csv bench/work/reference.csv > gate.json
 */
import { dirname, resolve } from 'node:path';
import type { DataCheck, DataGateConfig } from '../../src/config/data-types.js';
import { runDataGate } from '../../src/data/gate.js';

const [datasetPath, referencePath] = process.argv.slice(2).map((p) => resolve(p));
if (!datasetPath || !referencePath) throw new Error('usage: gate.ts DATASET REFERENCE');

/** The numeric columns of bench/data/generate.ts. */
const NUMERIC = ['num_normal', 'num_lognormal', 'num_uniform', 'num_count', 'num_nullable', 'num_exp'];
const methods = ['psi', 'ks', 'chi2', 'jensen-shannon', 'wasserstein'] as const;
const checks: DataCheck[] = methods.map((method, index) => ({
  type: 'drift',
  index,
  severity: 'error',
  columns: method === 'ks' || method === 'wasserstein' ? NUMERIC : 'all',
  method,
  correction: 'none',
}));
const config: DataGateConfig = {
  dataset: { path: datasetPath, format: 'auto' },
  reference: { path: referencePath, format: 'auto' },
  checks,
} as DataGateConfig;

const started = performance.now();
const results = await runDataGate(config, { workspace: dirname(datasetPath), log: (line) => console.error(line) });
console.error(`gate: ${results.length} results in ${Math.round(performance.now() - started)} ms`);
console.log(JSON.stringify(results, null, 1));
