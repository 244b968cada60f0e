/**
 * Read a hold-out predictions file (CSV or Parquet) into typed arrays: the label, the
 * candidate's and production's scores, and the segment columns the checks filter on.
 * Problems (missing file or column, nulls, non-numeric values) come back as messages that name
 * the column and the file, before any statistic runs.
 */
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { sourceError } from '../../data/engine/duckdb-engine.js';
import { duckdbDialect } from '../../data/sql/duckdb.js';
import { openDuckDb, quoteIdentifier, quoteLiteral, type QueryConnection } from './duckdb.js';

export interface Predictions {
  rows: number;
  label: Float64Array;
  candidate: Float64Array;
  production?: Float64Array;
  /** Segment column → its values as text, row by row. */
  segments: Map<string, string[]>;
}

export interface PredictionColumns {
  label: string;
  candidate: string;
  production?: string;
  segments: string[];
}

/** Bad predictions input; the gate attaches the check and config line. */
export class PredictionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PredictionsError';
  }
}

function scanOf(path: string): string {
  const ext = extname(path).toLowerCase();
  if (ext === '.parquet') return `read_parquet(${quoteLiteral(path)})`;
  // The data gate's CSV reader: a ragged row is an error with its line, not a sniffed one-column file.
  if (ext === '.csv') return duckdbDialect.from({ kind: 'files', path, format: 'csv' });
  if (ext === '.tsv' || ext === '.txt') return `read_csv(${quoteLiteral(path)}, header = true)`;
  throw new PredictionsError(`cannot tell the format of ${path}: use a .csv or .parquet file`);
}

/** DuckDB's errors about the file itself (ragged rows, a value of the wrong type) as PredictionsErrors. */
async function reading<T>(path: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const problem = sourceError(error);
    if (problem) throw new PredictionsError(problem.message.startsWith(path) ? problem.message : `${path}: ${problem.message}`);
    throw error;
  }
}

/** The column names of a predictions file. */
export async function predictionColumns(path: string): Promise<string[]> {
  const db = await openDuckDb();
  try {
    const rows = await db.rows(`DESCRIBE SELECT * FROM ${scanOf(path)}`);
    return rows.map((r) => String(r[0]));
  } finally {
    db.close();
  }
}

export async function loadPredictions(path: string, columns: PredictionColumns): Promise<Predictions> {
  if (!existsSync(path)) throw new PredictionsError(`predictions file not found: ${path}`);
  const scan = scanOf(path);
  const db = await openDuckDb();
  try {
    return await reading(path, () => readColumns(db, path, scan, columns));
  } finally {
    db.close();
  }
}

/** The columns the checks read, as typed arrays, once every problem with them has been named. */
async function readColumns(db: QueryConnection, path: string, scan: string, columns: PredictionColumns): Promise<Predictions> {
  const available = (await db.rows(`DESCRIBE SELECT * FROM ${scan}`)).map((r) => String(r[0]));
  const numeric = [columns.label, columns.candidate, ...(columns.production !== undefined ? [columns.production] : [])];
  const wanted = [...numeric, ...columns.segments];
  const missing = wanted.filter((c) => !available.includes(c));
  if (missing.length > 0) {
    throw new PredictionsError(`${path} has no column ${missing.map((c) => `'${c}'`).join(', ')} (its columns: ${available.join(', ')})`);
  }
  // One pass counts nulls, non-numbers and NaN per numeric column, so the error names them all.
  // NaN must never reach the statistics: it compares false with everything (a sort or a
  // threshold sweep over it does not end or means nothing).
  const probes = numeric.flatMap((c) => {
    const q = quoteIdentifier(c);
    return [
      `count(*) FILTER (WHERE ${q} IS NULL)`,
      `count(*) FILTER (WHERE ${q} IS NOT NULL AND TRY_CAST(${q} AS DOUBLE) IS NULL)`,
      `count(*) FILTER (WHERE isnan(TRY_CAST(${q} AS DOUBLE)))`,
    ];
  });
  const [counts] = await db.rows(`SELECT count(*), ${probes.join(', ')} FROM ${scan}`);
  const rows = Number(counts?.[0] ?? 0);
  const problems: string[] = [];
  for (const [k, c] of numeric.entries()) {
    const nulls = Number(counts?.[1 + 3 * k] ?? 0);
    const text = Number(counts?.[2 + 3 * k] ?? 0);
    const nan = Number(counts?.[3 + 3 * k] ?? 0);
    if (nulls > 0) problems.push(`column '${c}' has ${nulls} empty value${nulls === 1 ? '' : 's'}`);
    if (text > 0) {
      // The first one with its row and value, as for NaN below, so the file can be fixed.
      const q = quoteIdentifier(c);
      const [first] = await db.rows(
        `SELECT n, v FROM (SELECT row_number() OVER () AS n, CAST(${q} AS VARCHAR) AS v, ${q} IS NOT NULL AND TRY_CAST(${q} AS DOUBLE) IS NULL AS hit FROM ${scan}) WHERE hit ORDER BY n LIMIT 1`,
      );
      problems.push(`column '${c}' has ${text} ${text === 1 ? 'value that is not a number' : 'values that are not numbers'}${first ? `, the first ${JSON.stringify(String(first[1]))} on data row ${String(first[0])}` : ''}`);
    }
    if (nan > 0) {
      const q = quoteIdentifier(c);
      const [first] = await db.rows(`SELECT n FROM (SELECT row_number() OVER () AS n, ${q} AS v FROM ${scan}) WHERE isnan(TRY_CAST(v AS DOUBLE)) ORDER BY n LIMIT 1`);
      problems.push(`column '${c}' has ${nan} NaN value${nan === 1 ? '' : 's'}${first ? `, the first on data row ${String(first[0])}` : ''} (NaN is not a number)`);
    }
  }
  if (problems.length > 0) throw new PredictionsError(`${path}: ${problems.join('; ')}`);
  if (rows === 0) throw new PredictionsError(`${path} has no rows`);

  const label = new Float64Array(rows);
  const candidate = new Float64Array(rows);
  const production = columns.production !== undefined ? new Float64Array(rows) : undefined;
  const segments = new Map<string, string[]>(columns.segments.map((c) => [c, new Array<string>(rows)]));
  const select = [
    ...numeric.map((c) => `CAST(${quoteIdentifier(c)} AS DOUBLE)`),
    ...columns.segments.map((c) => `CAST(${quoteIdentifier(c)} AS VARCHAR)`),
  ];
  let offset = 0;
  await db.stream(`SELECT ${select.join(', ')} FROM ${scan}`, (chunk, count) => {
    const [ys, cs, ps] = chunk;
    for (let i = 0; i < count; i++) {
      label[offset + i] = ys![i] as number;
      candidate[offset + i] = cs![i] as number;
      if (production) production[offset + i] = ps![i] as number;
    }
    columns.segments.forEach((c, k) => {
      const values = chunk[numeric.length + k]!;
      const target = segments.get(c)!;
      for (let i = 0; i < count; i++) target[offset + i] = values[i] === null ? '' : String(values[i]);
    });
    offset += count;
  });
  return production ? { rows, label, candidate, production, segments } : { rows, label, candidate, segments };
}
