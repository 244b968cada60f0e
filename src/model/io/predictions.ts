/**
 * Read hold-out predictions (CSV or Parquet) into typed arrays: the label, the candidate's and
 * production's scores, and the segment columns the checks filter on. Both models' scores come
 * from one file (paired by row), or production's from a file of its own, paired with the
 * candidate's rows by an id column that each file holds exactly once per row.
 * Problems (missing file or column, nulls, non-numbers, NaN and infinities, ids that do not pair
 * one to one) come back as messages that name the column and the file, before any statistic runs.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { extname } from 'node:path';
import { explainSourceError } from '../../data/engine/duckdb-engine.js';
import { isS3Url } from '../../data/engine/duckdb-s3.js';
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
  /** Production's score column: in the same file, or in `pairing.productionPath`. */
  production?: string;
  segments: string[];
  /** Production's predictions in another file, paired with the candidate's rows by `id`. */
  pairing?: { productionPath: string; id: string };
}

/** Bad predictions input; the gate attaches the check and config line. */
export class PredictionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PredictionsError';
  }
}

/** How many ids a message lists when they do not pair. */
const LISTED_IDS = 5;

function scanOf(path: string): string {
  const ext = extname(path).toLowerCase();
  if (ext === '.parquet') return `read_parquet(${quoteLiteral(path)})`;
  // The data gate's CSV reader: a ragged row is an error with its line, not a sniffed one-column file.
  if (ext === '.csv') return duckdbDialect.from({ kind: 'files', path, format: 'csv' });
  // The same strictness with the delimiter said, never guessed: a guess turns a ragged file into
  // one column named after the whole header line.
  if (ext === '.tsv' || ext === '.txt') {
    const delimiter = ext === '.tsv' || headerLine(path).includes('\t') ? '\\t' : ',';
    return `read_csv(${quoteLiteral(path)}, header = true, skip = 0, delim = E'${delimiter}', quote = '"', escape = '"', strict_mode = true)`;
  }
  throw new PredictionsError(`cannot tell the format of ${path}: use a .csv or .parquet file`);
}

/** The first line of a text file (its first 64 KiB at most): a .txt file's header tells its delimiter. */
function headerLine(path: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(65536);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, read).toString('utf8').split('\n')[0] ?? '';
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** DuckDB's errors about a file itself (ragged rows with their line, a value of the wrong type) as PredictionsErrors. */
async function reading<T>(db: QueryConnection, paths: string[], read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const problem = await explainSourceError(error, (sql) => db.rows(sql), scanOf);
    if (problem) throw new PredictionsError(paths.some((p) => problem.message.includes(p)) ? problem.message : `${paths.join(' / ')}: ${problem.message}`);
    throw error;
  }
}

/** A database for these files: one that reads S3 too when any of them is an s3:// path. */
function openFor(paths: string[]): Promise<QueryConnection> {
  return openDuckDb(paths.some(isS3Url) ? { s3: {} } : {});
}

/** The column names of a predictions file. */
export async function predictionColumns(path: string): Promise<string[]> {
  const db = await openFor([path]);
  try {
    const rows = await db.rows(`DESCRIBE SELECT * FROM ${scanOf(path)}`);
    return rows.map((r) => String(r[0]));
  } finally {
    db.close();
  }
}

export async function loadPredictions(path: string, columns: PredictionColumns): Promise<Predictions> {
  const pairing = columns.pairing;
  for (const file of [path, ...(pairing ? [pairing.productionPath] : [])]) {
    // An s3:// object's absence is S3's answer to the first read (a sentence from sourceError).
    if (!isS3Url(file) && !existsSync(file)) throw new PredictionsError(`${pairing ? (file === path ? "candidate's " : "production's ") : ''}predictions file not found: ${file}`);
  }
  const scan = scanOf(path);
  const productionScan = pairing ? scanOf(pairing.productionPath) : undefined;
  const db = await openFor([path, ...(pairing ? [pairing.productionPath] : [])]);
  try {
    return await reading(db, [path, ...(pairing ? [pairing.productionPath] : [])], () => (pairing && productionScan ? readPaired(db, path, scan, pairing, productionScan, columns) : readColumns(db, path, scan, columns)));
  } finally {
    db.close();
  }
}

/** A file's columns, or an error naming those missing and those it has. */
async function requireColumns(db: QueryConnection, path: string, scan: string, wanted: string[]): Promise<void> {
  const available = (await db.rows(`DESCRIBE SELECT * FROM ${scan}`)).map((r) => String(r[0]));
  const missing = wanted.filter((c) => !available.includes(c));
  if (missing.length > 0) {
    throw new PredictionsError(`${path} has no column ${missing.map((c) => `'${c}'`).join(', ')} (its columns: ${available.join(', ')})`);
  }
}

/**
 * One pass counts nulls, non-numbers, NaN and infinities per numeric column, so the error names
 * them all, each with its first data row. NaN and ±∞ must never reach the statistics: NaN
 * compares false with everything (a sort or a sweep over it does not end or means nothing), an
 * infinite score or label turns every mean and difference into ∞ or NaN. Returns the row count.
 */
async function probeNumbers(db: QueryConnection, path: string, scan: string, numeric: string[], problems: string[]): Promise<number> {
  const probes = numeric.flatMap((c) => {
    const q = quoteIdentifier(c);
    return [
      `count(*) FILTER (WHERE ${q} IS NULL)`,
      `count(*) FILTER (WHERE ${q} IS NOT NULL AND TRY_CAST(${q} AS DOUBLE) IS NULL)`,
      `count(*) FILTER (WHERE isnan(TRY_CAST(${q} AS DOUBLE)))`,
      `count(*) FILTER (WHERE isinf(TRY_CAST(${q} AS DOUBLE)))`,
    ];
  });
  const [counts] = await db.rows(`SELECT count(*), ${probes.join(', ')} FROM ${scan}`);
  const rows = Number(counts?.[0] ?? 0);
  const own: string[] = [];
  /** The first data row (file order) where `condition` holds of the column, and its value as text. */
  const first = async (column: string, condition: (v: string) => string) => {
    const [row] = await db.rows(
      `SELECT n, v FROM (SELECT row_number() OVER () AS n, ${quoteIdentifier(column)} AS v FROM ${scan}) WHERE ${condition('v')} ORDER BY n LIMIT 1`,
    );
    return row ? { row: String(row[0]), value: String(row[1]) } : undefined;
  };
  for (const [k, c] of numeric.entries()) {
    const nulls = Number(counts?.[1 + 4 * k] ?? 0);
    const text = Number(counts?.[2 + 4 * k] ?? 0);
    const nan = Number(counts?.[3 + 4 * k] ?? 0);
    const infinite = Number(counts?.[4 + 4 * k] ?? 0);
    if (nulls > 0) own.push(`column '${c}' has ${nulls} empty value${nulls === 1 ? '' : 's'}`);
    if (text > 0) {
      // The first one with its row and value, as for NaN below, so the file can be fixed.
      const at = await first(c, (v) => `${v} IS NOT NULL AND TRY_CAST(${v} AS DOUBLE) IS NULL`);
      own.push(`column '${c}' has ${text} ${text === 1 ? 'value that is not a number' : 'values that are not numbers'}${at ? `, the first ${JSON.stringify(at.value)} on data row ${at.row}` : ''}`);
    }
    if (nan > 0) {
      const at = await first(c, (v) => `isnan(TRY_CAST(${v} AS DOUBLE))`);
      own.push(`column '${c}' has ${nan} NaN value${nan === 1 ? '' : 's'}${at ? `, the first on data row ${at.row}` : ''} (NaN is not a number)`);
    }
    if (infinite > 0) {
      const at = await first(c, (v) => `isinf(TRY_CAST(${v} AS DOUBLE))`);
      own.push(
        `column '${c}' has ${infinite} infinite value${infinite === 1 ? '' : 's'}${at ? `, the first ${infinity(at.value)} on data row ${at.row}` : ''} (only finite numbers can be scored)`,
      );
    }
  }
  if (own.length > 0) problems.push(`${path}: ${own.join('; ')}`);
  return rows;
}

/** `inf`, `+Infinity`… → `Infinity` or `-Infinity`: the value the file holds, in one spelling. */
function infinity(value: string): string {
  return /^-/.test(value.trim()) ? '-Infinity' : 'Infinity';
}

/** The columns the checks read from one file, as typed arrays, once every problem with them has been named. */
async function readColumns(db: QueryConnection, path: string, scan: string, columns: PredictionColumns): Promise<Predictions> {
  const numeric = [columns.label, columns.candidate, ...(columns.production !== undefined ? [columns.production] : [])];
  await requireColumns(db, path, scan, [...numeric, ...columns.segments]);
  const problems: string[] = [];
  const rows = await probeNumbers(db, path, scan, numeric, problems);
  if (problems.length > 0) throw new PredictionsError(problems.join('; '));
  if (rows === 0) throw new PredictionsError(`${path} has no rows`);
  const select = [...numeric.map((c) => `CAST(${quoteIdentifier(c)} AS DOUBLE)`), ...columns.segments.map((c) => `CAST(${quoteIdentifier(c)} AS VARCHAR)`)];
  return stream(db, `SELECT ${select.join(', ')} FROM ${scan}`, rows, columns);
}

/**
 * The candidate's file and production's, paired by id: each id once in each file, every id on
 * both sides. Anything else is an input error with the counts and the first few ids (in file
 * order), never a silent inner join. The pairs keep the candidate file's row order, so a
 * bootstrap seed gives the same resamples run after run.
 */
async function readPaired(
  db: QueryConnection,
  path: string,
  scan: string,
  pairing: { productionPath: string; id: string },
  productionScan: string,
  columns: PredictionColumns,
): Promise<Predictions> {
  const production = columns.production;
  if (production === undefined) throw new PredictionsError(`production's predictions in ${pairing.productionPath} need the column of their scores: set model.predictions.production`);
  const id = quoteIdentifier(pairing.id);
  await requireColumns(db, path, scan, [pairing.id, columns.label, columns.candidate, ...columns.segments]);
  await requireColumns(db, pairing.productionPath, productionScan, [pairing.id, production]);
  const problems: string[] = [];
  const rows = await probeNumbers(db, path, scan, [columns.label, columns.candidate], problems);
  const productionRows = await probeNumbers(db, pairing.productionPath, productionScan, [production], problems);
  if (problems.length > 0) throw new PredictionsError(problems.join('; '));
  if (rows === 0) throw new PredictionsError(`${path} has no rows`);
  if (productionRows === 0) throw new PredictionsError(`${pairing.productionPath} has no rows`);

  // Ids are compared as text, so an integer column in one file pairs with the same digits in the other.
  const keyed = (s: string) => `(SELECT row_number() OVER () AS n, CAST(${id} AS VARCHAR) AS k FROM ${s})`;
  const sides = [
    { path, scan },
    { path: pairing.productionPath, scan: productionScan },
  ];
  const idProblems: string[] = [];
  for (const side of sides) {
    const [empty] = await db.rows(`SELECT count(*), min(n) FROM ${keyed(side.scan)} WHERE k IS NULL`);
    const nulls = Number(empty?.[0] ?? 0);
    if (nulls > 0) idProblems.push(`${side.path} has ${nulls} empty id${nulls === 1 ? '' : 's'} in column '${pairing.id}', the first on data row ${String(empty?.[1])}`);
    const duplicated = await db.rows(
      `SELECT k, count(*) AS copies, count(*) OVER () AS ids FROM ${keyed(side.scan)} WHERE k IS NOT NULL GROUP BY k HAVING count(*) > 1 ORDER BY min(n) LIMIT ${LISTED_IDS}`,
    );
    if (duplicated.length > 0) {
      const total = Number(duplicated[0]![2]);
      idProblems.push(
        `${side.path} has ${total} id${total === 1 ? '' : 's'} on more than one row (first: ${duplicated.map((r) => `${JSON.stringify(String(r[0]))} ×${String(r[1])}`).join(', ')}${total > duplicated.length ? ', …' : ''})`,
      );
    }
  }
  for (const [side, other] of [
    [sides[0]!, sides[1]!],
    [sides[1]!, sides[0]!],
  ] as const) {
    const unmatched = await db.rows(
      `SELECT k, count(*) OVER () FROM (SELECT k, min(n) AS n FROM ${keyed(side.scan)} WHERE k IS NOT NULL GROUP BY k) a WHERE NOT EXISTS (SELECT 1 FROM ${keyed(other.scan)} b WHERE b.k = a.k) ORDER BY n LIMIT ${LISTED_IDS}`,
    );
    if (unmatched.length > 0) {
      const total = Number(unmatched[0]![1]);
      idProblems.push(
        `${total} id${total === 1 ? '' : 's'} of ${side.path} ${total === 1 ? 'is' : 'are'} not in ${other.path} (first: ${unmatched.map((r) => JSON.stringify(String(r[0]))).join(', ')}${total > unmatched.length ? ', …' : ''})`,
      );
    }
  }
  if (idProblems.length > 0) {
    throw new PredictionsError(`the candidate's and production's predictions must pair one to one by '${pairing.id}': ${idProblems.join('; ')}`);
  }

  const q = (c: string) => quoteIdentifier(c);
  const carried = [...new Set([columns.label, columns.candidate, ...columns.segments])];
  const candidateSide = `(SELECT row_number() OVER () AS __n, CAST(${id} AS VARCHAR) AS __k, ${carried.map((c) => `${q(c)} AS ${q(`c_${c}`)}`).join(', ')} FROM ${scan})`;
  const productionSide = `(SELECT CAST(${id} AS VARCHAR) AS __k, ${q(production)} AS __p FROM ${productionScan})`;
  const select = [
    `CAST(c.${q(`c_${columns.label}`)} AS DOUBLE)`,
    `CAST(c.${q(`c_${columns.candidate}`)} AS DOUBLE)`,
    'CAST(p.__p AS DOUBLE)',
    ...columns.segments.map((s) => `CAST(c.${q(`c_${s}`)} AS VARCHAR)`),
  ];
  return stream(db, `SELECT ${select.join(', ')} FROM ${candidateSide} c JOIN ${productionSide} p ON c.__k = p.__k ORDER BY c.__n`, rows, columns);
}

/** Stream `label, candidate[, production], segments…` rows into typed arrays. */
async function stream(db: QueryConnection, sql: string, rows: number, columns: PredictionColumns): Promise<Predictions> {
  const label = new Float64Array(rows);
  const candidate = new Float64Array(rows);
  const production = columns.production !== undefined ? new Float64Array(rows) : undefined;
  const numericCount = production ? 3 : 2;
  const segments = new Map<string, string[]>(columns.segments.map((c) => [c, new Array<string>(rows)]));
  let offset = 0;
  await db.stream(sql, (chunk, count) => {
    const [ys, cs, ps] = chunk;
    for (let i = 0; i < count; i++) {
      label[offset + i] = ys![i] as number;
      candidate[offset + i] = cs![i] as number;
      if (production) production[offset + i] = ps![i] as number;
    }
    columns.segments.forEach((c, k) => {
      const values = chunk[numericCount + k]!;
      const target = segments.get(c)!;
      for (let i = 0; i < count; i++) target[offset + i] = values[i] === null ? '' : String(values[i]);
    });
    offset += count;
  });
  if (offset !== rows) throw new PredictionsError(`read ${offset} rows where ${rows} were counted: the file changed while it was read`);
  return production ? { rows, label, candidate, production, segments } : { rows, label, candidate, segments };
}
