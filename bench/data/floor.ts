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
 * With `full` (catalogue-full.json), the same two statements do the rest of the catalogue, in
 * the cheapest way we know, and the output gains `checks` (the verdicts, catalogue.ts):
 * - the dataset query adds count(*), and per range column min, max and the count outside;
 *   per unique column count(DISTINCT c) and its nulls (unique ⇔ distinct + [nulls > 0] = rows:
 *   nulls compare equal, as in the gate; a compound key counts as a struct); per integer column count(DISTINCT c) (drift `all`
 *   leaves out integer columns whose values are all distinct, as the gate does);
 * - missing, allowed and unseen_categories come from the counts and category histograms the
 *   drift statistics already need (no extra aggregate); schema from the DESCRIBE;
 * - a unique column with repeated keys gets one follow-up GROUP BY for its 10 most repeated
 *   keys: a second read only when the check fails;
 * - drift `auto`: per column the method chooseMethod picks, scored from the same inputs.
 * Not done here (the gate does them): NaN / ±∞ probes, text-typed id inference beyond the
 * category histogram, the 1000-category cap.
 *
 *   npx tsx bench/data/floor.ts bench/work/dataset.csv bench/work/reference.csv [drift|full] > floor.json
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { methodsFor, numericInputFromBuckets, scoreDrift, type DriftInput, type DriftScore } from '../../src/data/drift/index.js';
import { loadCatalogue, type CatalogueCheck, type Verdict } from './catalogue.js';

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

export type Catalogue = 'drift' | 'full';

export interface FloorRun {
  inputs: DriftInput[];
  scores: DriftScore[];
  /** `full` only: the verdict per check and column. */
  checks?: Record<string, Verdict>;
  timings: Record<string, number>;
}

export async function runFloor(datasetPath: string, referencePath: string, catalogue: Catalogue = 'drift'): Promise<FloorRun> {
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
  const typeOf = new Map(columns.map((c) => [String(c.column_name), String(c.column_type)]));
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
  const full = catalogue === 'full' ? fullCatalogueAggregates(loadCatalogue(), typeOf) : undefined;
  if (full) datasetSelect.push(...full.select);
  const dataset = await all(`SELECT ${datasetSelect.join(', ')} FROM ${source(datasetPath)}`);
  lap('dataset');
  const repeated = full ? await repeatedKeys(full.unique, dataset, (sql) => connection.runAndReadAll(sql).then((r) => r.getRowObjectsJson() as Row[]), source(datasetPath)) : {};
  if (full) lap('unique follow-up');
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
  if (!full) {
    const scores = inputs.flatMap((input) => methodsFor(input.kind).map((method) => scoreDrift(input, { method })));
    lap('statistics');
    return { inputs, scores, timings };
  }
  // drift `all`: an integer column whose values are all distinct is an id, not compared.
  const ids = new Set(full.idCandidates.filter((c, k) => Number(dataset[`idd${k}`]) === Number(dataset[`n${numeric.indexOf(c)}`])));
  const scores = inputs.filter((input) => !ids.has(input.column)).map((input) => scoreDrift(input, { method: 'auto' }));
  const checks = fullCatalogueVerdicts(loadCatalogue(), {
    rows: Number(dataset.rows),
    typeOf,
    nonNull: (c) => Number(numeric.includes(c) ? dataset[`n${numeric.indexOf(c)}`] : dataset[`cn${categorical.indexOf(c)}`]),
    datasetCategories: (c) => new Map(histogramEntries(dataset[`ch${categorical.indexOf(c)}`]).map((e) => [e.key, e.count])),
    referenceCategories: (c) => new Map(histogramEntries(reference[`ch${categorical.indexOf(c)}`]).map((e) => [e.key, e.count])),
    dataset,
    full,
    repeated,
    scores,
  });
  lap('statistics');
  return { inputs, scores, checks, timings };
}

/** The dataset query's extra aggregates for the full catalogue (see the header). */
function fullCatalogueAggregates(checks: CatalogueCheck[], typeOf: Map<string, string>) {
  const select = ['count(*) AS rows'];
  const ranges: Array<{ column: string; min?: number; max?: number; k: number }> = [];
  for (const check of checks) {
    if (check.type !== 'range') continue;
    for (const column of check.columns) {
      const k = ranges.length;
      const outside = [...(check.min !== undefined ? [`${q(column)} < ${num(check.min)}`] : []), ...(check.max !== undefined ? [`${q(column)} > ${num(check.max)}`] : [])].join(' OR ');
      select.push(`min(${q(column)}) AS rmin${k}`, `max(${q(column)}) AS rmax${k}`, `count(*) FILTER (WHERE ${outside}) AS rout${k}`);
      ranges.push({ column, ...(check.min !== undefined ? { min: check.min } : {}), ...(check.max !== undefined ? { max: check.max } : {}), k });
    }
  }
  const unique = checks.flatMap((check) => (check.type === 'unique' ? [check.columns] : []));
  unique.forEach((key, k) => {
    // count(DISTINCT c) skips NULL, so a single column also counts its nulls (one more key when
    // there are any); a compound key is a struct, never NULL itself, so DISTINCT counts its
    // null-holding keys already.
    if (key.length === 1) select.push(`count(DISTINCT ${q(key[0] as string)}) AS ud${k}`, `count(*) FILTER (WHERE ${q(key[0] as string)} IS NULL) AS un${k}`);
    else select.push(`count(DISTINCT (${key.map(q).join(', ')})) AS ud${k}`, `0 AS un${k}`);
  });
  const idCandidates = [...typeOf].filter(([, type]) => /INT/.test(type)).map(([column]) => column);
  idCandidates.forEach((column, k) => select.push(`count(DISTINCT ${q(column)}) AS idd${k}`));
  return { select, ranges, unique, idCandidates };
}

/** The 10 most repeated keys of each unique column that has repeats: a GROUP BY only then. */
async function repeatedKeys(unique: string[][], dataset: Row, read: (sql: string) => Promise<Row[]>, from: string): Promise<Record<number, Row[]>> {
  const out: Record<number, Row[]> = {};
  for (const [k, key] of unique.entries()) {
    const distinct = Number(dataset[`ud${k}`]) + (Number(dataset[`un${k}`]) > 0 ? 1 : 0);
    if (distinct === Number(dataset.rows)) continue;
    const columns = key.map(q).join(', ');
    out[k] = await read(`SELECT ${columns}, count(*) AS n FROM ${from} GROUP BY ALL HAVING count(*) > 1 ORDER BY n DESC LIMIT 10`);
  }
  return out;
}

interface VerdictInputs {
  rows: number;
  typeOf: Map<string, string>;
  nonNull: (column: string) => number;
  datasetCategories: (column: string) => Map<string, number>;
  referenceCategories: (column: string) => Map<string, number>;
  dataset: Row;
  full: ReturnType<typeof fullCatalogueAggregates>;
  repeated: Record<number, Row[]>;
  scores: DriftScore[];
}

const KIND_OF_TYPE: Array<[RegExp, string]> = [
  [/INT/, 'integer'],
  [/DOUBLE|FLOAT|DECIMAL|REAL/, 'numeric'],
  [/VARCHAR/, 'text'],
  [/BOOLEAN/, 'boolean'],
];

/** The verdict per check and column, from the two statements' results. */
function fullCatalogueVerdicts(checks: CatalogueCheck[], v: VerdictInputs): Record<string, Verdict> {
  const out: Record<string, Verdict> = {};
  for (const check of checks) {
    switch (check.type) {
      case 'row_count':
        out.row_count = { passed: (check.min === undefined || v.rows >= check.min) && (check.max === undefined || v.rows <= check.max), observed: v.rows };
        break;
      case 'schema':
        for (const [column, kind] of Object.entries(check.required)) {
          const type = v.typeOf.get(column) ?? '';
          const actual = KIND_OF_TYPE.find(([pattern]) => pattern.test(type))?.[1] ?? 'missing';
          // An integer column is numeric too.
          out[`schema:${column}`] = { passed: actual === kind || (kind === 'numeric' && actual === 'integer'), observed: actual };
        }
        break;
      case 'missing':
        for (const column of check.columns) {
          const missing = v.rows - v.nonNull(column);
          const limit = check.maxCount ?? ((check.maxPercent ?? 0) / 100) * v.rows;
          out[`missing:${column}`] = { passed: missing <= limit, observed: missing };
        }
        break;
      case 'range':
        for (const r of v.full.ranges.filter((r) => check.columns.includes(r.column) && r.min === check.min && r.max === check.max)) {
          const outside = Number(v.dataset[`rout${r.k}`]);
          out[`range:${r.column}`] = { passed: outside === 0, observed: outside };
        }
        break;
      case 'allowed':
        for (const column of check.columns) {
          const allowed = new Set(check.values.map(String));
          const outside = [...v.datasetCategories(column)].filter(([value]) => !allowed.has(value)).reduce((sum, [, n]) => sum + n, 0);
          out[`allowed:${column}`] = { passed: outside === 0, observed: outside };
        }
        break;
      case 'unique': {
        const k = v.full.unique.findIndex((key) => key.join('+') === check.columns.join('+'));
        const keys = v.repeated[k] ?? [];
        out[`unique:${check.columns.join('+')}`] = { passed: keys.length === 0, observed: v.rows - Number(v.dataset[`ud${k}`]) - (Number(v.dataset[`un${k}`]) > 0 ? 1 : 0) };
        break;
      }
      case 'unseen_categories':
        for (const column of check.columns) {
          const training = v.datasetCategories(column);
          const failing = [...v.referenceCategories(column).keys()].filter((value) => (training.get(value) ?? 0) < check.minCount);
          out[`unseen_categories:${column}`] = { passed: failing.length === 0, observed: failing.length };
        }
        break;
      case 'drift':
        for (const s of v.scores) out[`drift:${s.column}`] = { passed: !s.drifted, observed: s.statistic };
        break;
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [datasetPath, referencePath, catalogue = 'drift'] = process.argv.slice(2);
  if (!datasetPath || !referencePath || (catalogue !== 'drift' && catalogue !== 'full')) throw new Error('usage: floor.ts DATASET REFERENCE [drift|full]');
  const { scores, checks, timings } = await runFloor(datasetPath, referencePath, catalogue);
  const byColumn: Record<string, Record<string, number>> = {};
  for (const s of scores) {
    const c = (byColumn[s.column] ??= {});
    c[s.method] = s.statistic;
    if (s.pValue !== undefined) c[`${s.method}_p`] = s.pValue;
  }
  console.error(`floor timings (ms): ${JSON.stringify(timings)}`);
  // drift: the committed shape (column → statistics); full: { drift, checks }.
  console.log(JSON.stringify(checks ? { drift: byColumn, checks } : byColumn, null, 1));
}
