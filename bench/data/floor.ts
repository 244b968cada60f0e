/**
 * The floor of bench/data: one hand-written DuckDB query over the dataset that computes exactly
 * the aggregates the drift statistics need (src/data/drift/types.ts), then the statistics.
 *
 * 1. Reference pass (200k rows, small): per numeric column count, stddev_pop, deciles
 *    (quantile_cont = type 7: the PSI cuts) and quantile_disc at u_i = (i − ½)/1000 (the
 *    Wasserstein quantiles, which also form the KS grid); per categorical column histogram(c).
 * 2. The dataset query (5M rows, one scan): per numeric column count, quantile_disc at the same
 *    1,000 probabilities, and histogram(x, grid) — DuckDB counts x ≤ bound per bucket
 *    (right-closed, binary search), so the CDF on the grid is its cumulative sum and the PSI bin
 *    counts are differences of that CDF at the decile cuts (the cuts are part of the grid); per
 *    categorical column histogram(c). The reference's histogram on the same grid is a second
 *    small query.
 * 3. Every applicable method of the catalogue on every column (scoreDrift).
 *
 *   npx tsx bench/data/floor.ts bench/work/dataset.csv bench/work/reference.csv > floor.json
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { methodsFor, scoreDrift, type DriftInput, type DriftScore } from '../../src/data/drift/index.js';

const QUANTILES = 1000;
const PROBABILITIES = Array.from({ length: QUANTILES }, (_, i) => (i + 0.5) / QUANTILES);
const DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

type Row = Record<string, unknown>;

const source = (path: string): string => (path.endsWith('.parquet') ? `read_parquet('${path}')` : `read_csv('${path}')`);
const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;
/**
 * A DOUBLE[] literal. Exponent notation on purpose: DuckDB reads `0.1234567890123456` as a
 * DECIMAL and its cast to DOUBLE can be one ulp off, which moves a bin bound off the data value
 * it was taken from; `1.234567890123456e-1` is parsed as a DOUBLE, exactly.
 */
const list = (xs: readonly number[]): string => `[${xs.map((x) => x.toExponential()).join(', ')}]::DOUBLE[]`;

/**
 * Inverse-CDF quantiles (type 1) at PROBABILITIES from a sorted non-null list: the ⌈n·p⌉-th
 * value. quantile_disc(x, [1,000 probabilities]) is O(n) per probability in DuckDB 1.5 (7 s per
 * million rows per column); one sort per column is ~0.5 s.
 */
const quantilesOf = (sortedList: string): string =>
  `list_transform(${list(PROBABILITIES)}, p -> ${sortedList}[greatest(1, ceil(len(${sortedList}) * p))::BIGINT])`;
// list() aggregates in parallel, then one list_sort per column: 2× faster than list(x ORDER BY x).
const sortedNonNull = (column: string): string => `list_sort(list(${q(column)}) FILTER (WHERE ${q(column)} IS NOT NULL))`;

/** histogram() comes back as [{key, value}]; keys are numbers (or "Infinity") or strings. */
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
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const all = async (sql: string): Promise<Row> => ((await connection.runAndReadAll(sql)).getRowObjectsJson()[0] ?? {}) as Row;

  const columns = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source(datasetPath)}`)).getRowObjectsJson() as Row[];
  const numeric = columns.filter((c) => /INT|DOUBLE|FLOAT|DECIMAL|REAL/.test(String(c.column_type))).map((c) => String(c.column_name));
  const categorical = columns.map((c) => String(c.column_name)).filter((c) => !numeric.includes(c));
  lap('describe');

  const referenceSelect = [
    ...numeric.flatMap((c, i) => [
      `count(${q(c)}) AS n${i}`,
      `stddev_pop(${q(c)}) AS s${i}`,
      `quantile_cont(${q(c)}, ${list(DECILES)}) AS d${i}`,
      `${sortedNonNull(c)} AS l${i}`,
    ]),
    ...categorical.flatMap((c, i) => [`count(${q(c)}) AS cn${i}`, `histogram(${q(c)}) AS ch${i}`]),
  ];
  const referenceOuter = [
    ...numeric.flatMap((_, i) => [`n${i}`, `s${i}`, `d${i}`, `${quantilesOf(`l${i}`)} AS q${i}`]),
    ...categorical.flatMap((_, i) => [`cn${i}`, `ch${i}`]),
  ];
  const reference = await all(`SELECT ${referenceOuter.join(', ')} FROM (SELECT ${referenceSelect.join(', ')} FROM ${source(referencePath)})`);
  lap('reference');

  const cuts = numeric.map((_, i) => [...new Set((reference[`d${i}`] as number[]).map(Number))].sort((a, b) => a - b));
  const grids = numeric.map((_, i) => [...new Set([...(reference[`q${i}`] as number[]).map(Number), ...(cuts[i] ?? [])])].sort((a, b) => a - b));

  // The floor: one scan of the dataset.
  const datasetSelect = [
    ...numeric.flatMap((c, i) => [
      `count(${q(c)}) AS n${i}`,
      `${sortedNonNull(c)} AS l${i}`,
      `histogram(${q(c)}, ${list(grids[i] ?? [])}) AS h${i}`,
    ]),
    ...categorical.flatMap((c, i) => [`count(${q(c)}) AS cn${i}`, `histogram(${q(c)}) AS ch${i}`]),
  ];
  const datasetOuter = [
    ...numeric.flatMap((_, i) => [`n${i}`, `${quantilesOf(`l${i}`)} AS q${i}`, `h${i}`]),
    ...categorical.flatMap((_, i) => [`cn${i}`, `ch${i}`]),
  ];
  const dataset = await all(`SELECT ${datasetOuter.join(', ')} FROM (SELECT ${datasetSelect.join(', ')} FROM ${source(datasetPath)})`);
  lap('dataset');

  const referenceHistograms = await all(
    `SELECT ${numeric.map((c, i) => `histogram(${q(c)}, ${list(grids[i] ?? [])}) AS h${i}`).join(', ')} FROM ${source(referencePath)}`,
  );
  lap('referenceGrid');
  connection.closeSync();
  instance.closeSync();

  const cdfOn = (grid: number[], entries: { key: string; count: number }[], n: number): number[] => {
    // histogram(x, bounds) has one entry per bound, in order, plus the overflow (+∞) bucket.
    const keysMatch = entries.length === grid.length + 1 && grid.every((g, k) => Number(entries[k]?.key) === g);
    if (!keysMatch) throw new Error('histogram bounds differ from the grid sent');
    let running = 0;
    return grid.map((_, k) => (running += entries[k]?.count ?? 0) / n);
  };
  const binCountsFrom = (grid: number[], cdf: number[], binCuts: number[], n: number): number[] => {
    const at = binCuts.map((c) => Math.round((cdf[grid.indexOf(c)] ?? 0) * n));
    return [...at, n].map((v, k) => v - (k === 0 ? 0 : (at[k - 1] as number)));
  };

  const inputs: DriftInput[] = [
    ...numeric.map((column, i): DriftInput => {
      const grid = grids[i] ?? [];
      const binCuts = cuts[i] ?? [];
      const datasetCount = Number(dataset[`n${i}`]);
      const referenceCount = Number(reference[`n${i}`]);
      const datasetCdf = cdfOn(grid, histogramEntries(dataset[`h${i}`]), datasetCount);
      const referenceCdf = cdfOn(grid, histogramEntries(referenceHistograms[`h${i}`]), referenceCount);
      return {
        kind: 'numeric',
        column,
        datasetCount,
        referenceCount,
        binCuts,
        datasetBinCounts: binCountsFrom(grid, datasetCdf, binCuts, datasetCount),
        referenceBinCounts: binCountsFrom(grid, referenceCdf, binCuts, referenceCount),
        probabilities: PROBABILITIES,
        datasetQuantiles: (dataset[`q${i}`] as number[]).map(Number),
        referenceQuantiles: (reference[`q${i}`] as number[]).map(Number),
        grid,
        datasetCdf,
        referenceCdf,
        referenceStd: Number(reference[`s${i}`]),
      };
    }),
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
