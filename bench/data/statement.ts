/**
 * One statement of the gate's plan, alone in a fresh DuckDB (DuckDbEngine, the gate's settings),
 * so /usr/bin/time can measure its wall time and peak RSS, or so EXPLAIN ANALYZE can show where
 * its time goes. The statements come from the `data.plan` result of a gate.ts run.
 *
 *   npx tsx bench/data/gate.ts DATASET REFERENCE full > gate.json
 *   npx tsx bench/data/statement.ts gate.json "dataset pass 2" [--explain] [--with-distinct COLUMN]
 *
 * `--with-distinct COLUMN` appends `count(DISTINCT COLUMN)` to the statement's outer SELECT
 * (dataset pass 1): what `unique` costs when pass 1 answers it instead of pass 2.
 */
import { readFileSync } from 'node:fs';
import { DuckDbEngine } from '../../src/data/engine/duckdb-engine.js';
import { loadDuckDb } from '../../src/data/engine/load-duckdb.js';

const [gateOutput, label, ...flags] = process.argv.slice(2);
if (!gateOutput || !label) throw new Error('usage: statement.ts GATE_JSON LABEL [--explain] [--with-distinct COLUMN]');
const plan = (JSON.parse(readFileSync(gateOutput, 'utf8')) as Array<{ id: string; details?: { queries?: Array<{ pass: string; sql: string }> } }>).find((r) => r.id === 'data.plan');
let sql = plan?.details?.queries?.find((q) => q.pass === label)?.sql;
if (!sql) throw new Error(`no statement "${label}" in ${gateOutput}: ${plan?.details?.queries?.map((q) => q.pass).join(', ')}`);
const distinctIndex = flags.indexOf('--with-distinct');
if (distinctIndex >= 0) {
  const column = flags[distinctIndex + 1];
  if (!column || !/^\s*SELECT\n/.test(sql)) throw new Error('--with-distinct needs a column and a plain SELECT … FROM statement');
  sql = sql.replace(/^\s*SELECT\n/, `SELECT\n  count(DISTINCT "${column.replace(/"/g, '""')}") AS __bench_distinct,\n`);
}
const engine = await DuckDbEngine.open(await loadDuckDb());
const started = performance.now();
try {
  if (flags.includes('--explain')) {
    const rows = await engine.query(`EXPLAIN ANALYZE ${sql}`);
    for (const row of rows) console.log(String(Object.values(row).at(-1)));
  } else {
    const rows = await engine.query(sql);
    const first = rows[0] ?? {};
    console.log(JSON.stringify(Object.fromEntries(Object.entries(first).filter(([k]) => k.startsWith('k') || k === '__bench_distinct' || k === 'a0')), (_, v) => (typeof v === 'bigint' ? Number(v) : v)));
  }
  console.error(`statement "${label}"${distinctIndex >= 0 ? ' + count(DISTINCT)' : ''}: ${Math.round(performance.now() - started)} ms`);
} finally {
  await engine.close();
}
