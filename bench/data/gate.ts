/**
 * The "our gate" leg of bench/data: runDataGate (src/data/gate.ts) over the dataset and the
 * reference with one of two catalogues, and prints the results as JSON.
 * - `drift` (default, the committed results.md): one drift check per method on every column
 *   (ks and wasserstein apply to the numeric columns only);
 * - `full`: the checks of bench/data/catalogue-full.json (row_count, schema, missing, range,
 *   allowed, unique, unseen_categories, drift auto) as written.
 * On stderr, one `gate breakdown` JSON line: the time before runDataGate was called (node + tsx
 * + imports), each statement the gate ran (the `data.plan` result), and the rest of
 * runDataGate outside those statements (DESCRIBE, validation, planning, scoring, results).
 *
 *   npx tsx bench/data/gate.ts bench/work/dataset.csv bench/work/reference.csv [drift|full] > gate.json
 */
import { dirname, resolve } from 'node:path';
import type { DataCheck, DataGateConfig } from '../../src/config/data-types.js';
import { runDataGate } from '../../src/data/gate.js';
import { loadCatalogue } from './catalogue.js';

const [dataset, reference, catalogue = 'drift'] = process.argv.slice(2);
if (!dataset || !reference || !['drift', 'full'].includes(catalogue)) throw new Error('usage: gate.ts DATASET REFERENCE [drift|full]');
const datasetPath = resolve(dataset);
const referencePath = resolve(reference);

/** The numeric columns of bench/data/generate.ts. */
const NUMERIC = ['num_normal', 'num_lognormal', 'num_uniform', 'num_count', 'num_nullable', 'num_exp'];
const methods = ['psi', 'ks', 'chi2', 'jensen-shannon', 'wasserstein'] as const;

/** The drift-only catalogue of the committed results: every method on every column it applies to. */
function driftCatalogue(): DataCheck[] {
  return methods.map((method, index) => ({
    type: 'drift',
    index,
    severity: 'error',
    columns: method === 'ks' || method === 'wasserstein' ? NUMERIC : 'all',
    method,
    correction: 'none',
  }));
}

/** bench/data/catalogue-full.json, each check given its position and severity error. */
function fullCatalogue(): DataCheck[] {
  return loadCatalogue().map((check, index) => ({ ...check, index, severity: 'error' }) as unknown as DataCheck);
}

const config: DataGateConfig = {
  dataset: { path: datasetPath, format: 'auto' },
  reference: { path: referencePath, format: 'auto' },
  checks: catalogue === 'full' ? fullCatalogue() : driftCatalogue(),
} as DataGateConfig;

const beforeGate = performance.now();
const results = await runDataGate(config, { workspace: dirname(datasetPath), log: (line) => console.error(line) });
const gateMs = performance.now() - beforeGate;
const plan = results.find((r) => r.id === 'data.plan');
const queries = ((plan?.details as { queries?: Array<{ pass: string; ms: number }> } | undefined)?.queries ?? []).map((q) => ({ pass: q.pass, ms: q.ms }));
const queriesMs = queries.reduce((sum, q) => sum + q.ms, 0);
const breakdown = {
  catalogue,
  startupMs: Math.round(beforeGate),
  queries,
  outsideQueriesMs: Math.round(gateMs - queriesMs),
  runDataGateMs: Math.round(gateMs),
};
console.error(`gate: ${results.length} results in ${Math.round(gateMs)} ms`);
console.error(`gate breakdown ${JSON.stringify(breakdown)}`);
console.log(JSON.stringify(results, null, 1));
