/**
 * The floor of bench/data: the aggregates the drift statistics need (src/data/drift/types.ts),
 * computed by hand-written DuckDB queries in the cheapest way we know, then the statistics.
 * The gate (bench/data/gate.ts) must come within 1.5× of this.
 *
 * 1. Reference query (200k rows, one statement, one scan): per numeric column count,
 *    stddev_pop, deciles (quantile_cont = type 7: the PSI cuts) and the values sorted in the
 *    aggregate (list ORDER BY); then, once over that one-row result, the grid = the type-1
 *    quantiles at p = 0, 1/1000, …, 1 (minimum and maximum included), the 100 smallest and
 *    largest values and the deciles; the histogram bounds = every grid point and the double just
 *    below it (nextafter); the reference's counts at or below each bound by binary search in its
 *    sorted values. Per categorical column count and histogram(c). One thread, allocator flushed.
 * 2. Dataset query (5M rows, one scan, streaming aggregates only, nothing sorted or kept): per
 *    numeric column count, histogram(x, bounds) with the bounds as DOUBLE literals (binary
 *    search per row, right-closed buckets), and the two tail sums outside the grid; per
 *    categorical column count and histogram(c).
 * 3. Every applicable method of the catalogue on every column (scoreDrift), W1 and KS from the
 *    CDFs on the grid (numericInputFromBuckets).
 *
 *   npx tsx bench/data/floor.ts bench/work/dataset.csv bench/work/reference.csv > floor.json
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { methodsFor, numericInputFromBuckets, scoreDrift, type DriftInput, type DriftScore } from '../../src/data/drift/index.js';

const GRID_STEPS = Number(process.env.GRID_STEPS ?? 1000);
const GRID_PROBABILITIES = Array.from({ length: GRID_STEPS + 1 }, (_, i) => i / GRID_STEPS);
const EXTREMES = Number(process.env.EXTREMES ?? 100);
const DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

type Row = Record<string, unknown>;

// CSV buffers of 4 MiB instead of 16: −60 MB peak RSS on the 550 MB file, same speed.
const source = (path: string): string => (path.endsWith('.parquet') ? `read_parquet('${path}')` : `read_csv('${path}', buffer_size = 4194304)`);
const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;
/**
 * A DOUBLE[] literal. Exponent notation on purpose: DuckDB reads `0.1234567890123456` as a
 * DECIMAL and its cast to DOUBLE can be one ulp off, which moves a bin bound off the data value
 * it was taken from; `1.234567890123456e-1` is parsed as a DOUBLE, exactly.
 */
const list = (xs: readonly number[]): string => `[${xs.map((x) => x.toExponential()).join(', ')}]::DOUBLE[]`;
const num = (x: number): string => `${x.toExponential()}::DOUBLE`;

/** histogram() comes back as [{key, value}] in bound order. */
function histogramEntries(value: unknown): { key: string; count: number }[] {
  return ((value as { key: unknown; value: unknown }[] | null) ?? []).map((e) => ({ key: String(e.key), count: Number(e.value) }));
}

export async function runFloor(datasetPath: string, referencePath: string): Promise<{ inputs: DriftInput[]; scores: DriftScore[]; timings: Record<string, number> }> {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    timings[name] = Math.round(now - t);
    t = now;
  };
  const instance = await DuckDBInstance.create(':memory:', { preserve_insertion_order: 'false' });
  const connection = await instance.connect();
  const threads = Number((await connection.runAndReadAll("SELECT current_setting('threads') AS t")).getRowObjectsJson()[0]?.t ?? 1);
  const all = async (sql: string): Promise<Row> => ((await connection.runAndReadAll(sql)).getRowObjectsJson()[0] ?? {}) as Row;

  const columns = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source(datasetPath)}`)).getRowObjectsJson() as Row[];
  const numeric = columns.filter((c) => /INT|DOUBLE|FLOAT|DECIMAL|REAL/.test(String(c.column_type))).map((c) => String(c.column_name));
  const categorical = columns.map((c) => String(c.column_name)).filter((c) => !numeric.includes(c));
  lap('describe');

  // 1. The reference, one scan: per numeric column the sorted sample (sorted in the aggregate),
  // then once over that row the grid, the bounds and the reference's counts at or below each
  // bound (a binary search per bound, written as list_reduce over 40 halvings). On one thread
  // with the allocator flushed after each task: 200k rows, and its memory is given back before
  // the dataset query instead of staying under it.
  const x = (c: string): string => `${q(c)}::DOUBLE`;
  const inner = [
    ...numeric.flatMap((c, i) => [
      `count(${q(c)}) AS n${i}`,
      `stddev_pop(${x(c)}) AS s${i}`,
      `quantile_cont(${x(c)}, ${list(DECILES)}) AS d${i}`,
      `list(${x(c)} ORDER BY ${x(c)}) FILTER (WHERE ${q(c)} IS NOT NULL) AS l${i}`,
    ]),
    ...categorical.flatMap((c, i) => [`count(${q(c)}) AS cn${i}`, `histogram(${q(c)}) AS ch${i}`]),
  ];
  const picked = (i: number): string => `list_transform(${list(GRID_PROBABILITIES)}, p -> l${i}[greatest(1, ceil(len(l${i}) * p))::BIGINT])`;
  const extremes = (i: number): string => `list_slice(l${i}, 1, ${EXTREMES}), list_slice(l${i}, greatest(1, len(l${i}) - ${EXTREMES - 1}), len(l${i}))`;
  const grid = (i: number): string => `list_sort(list_distinct(list_concat(${picked(i)}, d${i}, ${extremes(i)})))`;
  const bounds = (i: number): string => `list_sort(list_distinct(flatten(list_transform(${grid(i)}, v -> [nextafter(v, '-Infinity'::DOUBLE), v]))))`;
  const atOrBelow = (i: number): string => {
    const mid = '(acc.lo + acc.hi + 1) // 2';
    const step = `CASE WHEN acc.lo >= acc.hi THEN acc WHEN l${i}[${mid}] <= b THEN {'lo': ${mid}, 'hi': acc.hi} ELSE {'lo': acc.lo, 'hi': ${mid} - 1} END`;
    const steps = `list_transform(range(40), k -> {'lo': 0::BIGINT, 'hi': 0::BIGINT})`;
    return `list_transform(${bounds(i)}, b -> list_reduce(${steps}, (acc, k) -> ${step}, {'lo': 0::BIGINT, 'hi': len(l${i})::BIGINT}).lo)`;
  };
  const outer = [
    ...numeric.flatMap((_, i) => [`n${i}`, `s${i}`, `d${i}`, `${grid(i)} AS g${i}`, `${bounds(i)} AS b${i}`, `${atOrBelow(i)} AS c${i}`]),
    ...categorical.flatMap((_, i) => [`cn${i}`, `ch${i}`]),
  ];
  await connection.run("SET threads = 1; SET allocator_flush_threshold = '1MB'");
  const reference = await all(`SELECT ${outer.join(', ')} FROM (SELECT ${inner.join(', ')} FROM ${source(referencePath)})`);
  await connection.run(`SET threads = ${threads}; RESET allocator_flush_threshold`);
  lap('reference');

  const numbers = (v: unknown): number[] => ((v as unknown[] | null) ?? []).map(Number);
  const layout = numeric.map((_, i) => ({
    grid: numbers(reference[`g${i}`]),
    bounds: numbers(reference[`b${i}`]),
    binCuts: [...new Set(numbers(reference[`d${i}`]))].sort((a, b) => a - b),
    referenceStd: Number(reference[`s${i}`]),
  }));

  // 2. The dataset: one scan, streaming aggregates only.
  const datasetSelect = [
    ...numeric.flatMap((c, i) => {
      const { grid, bounds: b } = layout[i] as (typeof layout)[number];
      const lo = num(grid[0] as number);
      const hi = num(grid[grid.length - 1] as number);
      return [
        `count(${q(c)}) AS n${i}`,
        `histogram(${x(c)}, ${list(b)}) AS h${i}`,
        `sum(${lo} - ${x(c)}) FILTER (WHERE ${x(c)} < ${lo}) AS tb${i}`,
        `sum(${x(c)} - ${hi}) FILTER (WHERE ${x(c)} > ${hi}) AS ta${i}`,
      ];
    }),
    ...categorical.flatMap((c, i) => [`count(${q(c)}) AS cn${i}`, `histogram(${q(c)}) AS ch${i}`]),
  ];
  const dataset = await all(`SELECT ${datasetSelect.join(', ')} FROM ${source(datasetPath)}`);
  lap('dataset');
  connection.closeSync();
  instance.closeSync();

  const counts = (v: unknown): number[] => histogramEntries(v).map((e) => e.count);
  const differences = (atOrBelow: number[], n: number): number[] => [...atOrBelow, n].map((v, k) => v - (k === 0 ? 0 : (atOrBelow[k - 1] as number)));
  const inputs: DriftInput[] = [
    ...numeric.map((column, i): DriftInput =>
      numericInputFromBuckets(
        column,
        layout[i] as (typeof layout)[number],
        { count: Number(reference[`n${i}`]), bucketCounts: differences(numbers(reference[`c${i}`]), Number(reference[`n${i}`])) },
        {
          count: Number(dataset[`n${i}`]),
          bucketCounts: counts(dataset[`h${i}`]),
          tailSums: { below: Number(dataset[`tb${i}`] ?? 0), above: Number(dataset[`ta${i}`] ?? 0) },
        },
      ),
    ),
    ...categorical.map((column, i): DriftInput => {
      const d = new Map(histogramEntries(dataset[`ch${i}`]).map((e) => [e.key, e.count]));
      const r = new Map(histogramEntries(reference[`ch${i}`]).map((e) => [e.key, e.count]));
      const categories = [...new Set([...d.keys(), ...r.keys()])].sort();
      return {
        kind: 'categorical',
        column,
        datasetCount: Number(dataset[`cn${i}`]),
        referenceCount: Number(reference[`cn${i}`]),
        categories,
        datasetCounts: categories.map((c) => d.get(c) ?? 0),
        referenceCounts: categories.map((c) => r.get(c) ?? 0),
      };
    }),
  ];
  const scores = inputs.flatMap((input) => methodsFor(input.kind).map((method) => scoreDrift(input, { method })));
  lap('statistics');
  return { inputs, scores, timings };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [datasetPath, referencePath] = process.argv.slice(2);
  if (!datasetPath || !referencePath) throw new Error('usage: floor.ts DATASET REFERENCE');
  const { scores, timings } = await runFloor(datasetPath, referencePath);
  const byColumn: Record<string, Record<string, number>> = {};
  for (const s of scores) {
    const c = (byColumn[s.column] ??= {});
    c[s.method] = s.statistic;
    if (s.pValue !== undefined) c[`${s.method}_p`] = s.pValue;
  }
  console.error(`floor timings (ms): ${JSON.stringify(timings)}`);
  console.log(JSON.stringify(byColumn, null, 1));
}
