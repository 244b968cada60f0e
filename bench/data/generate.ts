/**
 * Generates the data-gate benchmark inputs in bench/work/ (git-ignored):
 *   dataset.csv / dataset.parquet      5,000,000 rows × 11 columns (training set)
 *   reference.csv / reference.parquet    200,000 rows, same columns, drifted (production sample)
 *
 * Columns: 6 numeric (normal, lognormal, uniform, integer counts, normal with 5 % nulls,
 * exponential) and 5 categorical (5 levels, 20 levels with 3 % nulls, binary, 100 Zipf-like
 * levels, 10 levels). The reference shifts 6 of the 11 columns (num_normal +0.1σ, num_lognormal
 * scale, num_count rate, num_exp rate, cat_5 proportions, cat_100 a new level), so a gate that
 * works flags some columns and not others.
 *
 * Deterministic without a seed: every "random" number is hash(row, column) mapped to [0, 1),
 * so the files are identical across runs and thread counts.
 *
 *   npx tsx bench/data/generate.ts [--rows 5000000] [--reference-rows 200000] [--out bench/work]
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const rows = Number(arg('rows', '5000000'));
const referenceRows = Number(arg('reference-rows', '200000'));
const out = resolve(arg('out', 'bench/work'));

/** Uniform in (0, 1) from the row id and a stream number. */
const u = (stream: number, salt: number): string => `(((hash(i * 131 + ${stream * 7919 + salt}) >> 11)::DOUBLE + 0.5) / 9007199254740992)`;
/** Standard normal by Box–Muller from two streams. */
const z = (stream: number, salt: number): string => `(sqrt(-2 * ln(${u(stream, salt)})) * cos(2 * pi() * ${u(stream + 100, salt)}))`;

/** The SELECT for one sample; `drift` = the reference's shifted parameters. */
function sampleSql(n: number, salt: number, drift: boolean): string {
  const cat = (stream: number, levels: string[], cumulative: number[]): string => {
    const x = u(stream, salt);
    const cases = cumulative.map((c, k) => `WHEN ${x} < ${c} THEN '${levels[k]}'`).join(' ');
    return `CASE ${cases} ELSE '${levels[levels.length - 1]}' END`;
  };
  const cat5 = drift ? [0.3, 0.55, 0.75, 0.9] : [0.35, 0.6, 0.8, 0.9];
  const levels100 = Array.from({ length: drift ? 101 : 100 }, (_, k) => `v${k}`);
  return `
    SELECT
      ${drift ? `0.1 + ` : ''}${z(1, salt)} AS num_normal,
      exp(${drift ? 0.55 : 0.5} * ${z(2, salt)}) AS num_lognormal,
      100 * ${u(3, salt)} AS num_uniform,
      floor(-ln(${u(4, salt)}) * ${drift ? 3.3 : 3.0})::INTEGER AS num_count,
      CASE WHEN ${u(5, salt + 1)} < 0.05 THEN NULL ELSE 50 + 10 * ${z(5, salt)} END AS num_nullable,
      -ln(${u(6, salt)}) / ${drift ? 0.9 : 1.0} AS num_exp,
      ${cat(7, ['a', 'b', 'c', 'd', 'e'], cat5)} AS cat_5,
      CASE WHEN ${u(8, salt + 1)} < 0.03 THEN NULL ELSE 'L' || lpad(floor(20 * ${u(8, salt)})::INTEGER::VARCHAR, 2, '0') END AS cat_20,
      CASE WHEN ${u(9, salt)} < 0.5 THEN 'yes' ELSE 'no' END AS cat_binary,
      'v' || least(floor(1 / ${u(10, salt)} - 1)::BIGINT, ${levels100.length - 1})::VARCHAR AS cat_100,
      ${cat(11, 'ABCDEFGHIJ'.split(''), [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])} AS cat_10
    FROM range(${n}) t(i)`.replace(/\n\s+/g, ' ');
}

mkdirSync(out, { recursive: true });
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const started = Date.now();
for (const [name, n, salt, drift] of [
  ['dataset', rows, 1, false],
  ['reference', referenceRows, 2, true],
] as const) {
  await connection.run(`CREATE OR REPLACE TABLE ${name} AS ${sampleSql(n, salt, drift)}`);
  await connection.run(`COPY ${name} TO '${out}/${name}.parquet' (FORMAT parquet, COMPRESSION zstd)`);
  await connection.run(`COPY ${name} TO '${out}/${name}.csv' (FORMAT csv, HEADER)`);
  await connection.run(`DROP TABLE ${name}`);
  console.log(`${name}: ${n} rows → ${out}/${name}.{csv,parquet} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
connection.closeSync();
instance.closeSync();
