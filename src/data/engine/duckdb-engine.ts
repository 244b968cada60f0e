/**
 * The embedded engine: an in-memory DuckDB over the workspace's files and s3:// objects, through
 * `@duckdb/node-api` (loaded by load-duckdb.ts, so the action bundle does not carry it). S3 is
 * set up (duckdb-s3.ts) only when a source is an s3:// path, the first time one is read.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { duckdbDialect } from '../sql/duckdb.js';
import type { DataSource } from '../sql/dialect.js';
import { quoteString } from '../sql/dialect.js';
import type { ColumnInfo, Engine, QueryHints, Row, RowPosition } from './engine.js';
import { DataSourceError } from './engine.js';
import { enableS3, isS3Url, type S3ReadOptions } from './duckdb-s3.js';
import type { DuckDbModule } from './load-duckdb.js';
import { describeS3Failure, parseS3Failure, s3ReadProblem } from './s3-read-errors.js';

type Connection = Awaited<ReturnType<Awaited<ReturnType<DuckDbModule['DuckDBInstance']['create']>>['connect']>>;

const GLOB_CHARACTERS = /[*?[{]/;

export interface DuckDbEngineOptions {
  threads?: number;
  memoryLimit?: string;
  tempDirectory?: string;
  /** How s3:// sources are read (httpfs install, credentials, timeouts); defaults suit a CI job. */
  s3?: S3ReadOptions;
}

export class DuckDbEngine implements Engine {
  readonly dialect = duckdbDialect;
  /** Set once the first s3:// source is seen; a failure is remembered, not retried per source. */
  private s3Ready: Promise<void> | undefined;

  private constructor(
    private readonly close_: () => void,
    private readonly connection: Connection,
    /** The thread count to go back to after a small input. */
    private readonly threads: number,
    private readonly s3Options: S3ReadOptions,
  ) {}

  /**
   * An in-memory database. Every pass is an aggregate, so row order never matters:
   * `preserve_insertion_order = false` always. The rest is DuckDB's default unless set: `threads`
   * = all cores, `memoryLimit` = 80 % of RAM (e.g. '1GB': the unique/duplicates hash aggregate
   * then spills to `tempDirectory`, default `.tmp` under the working directory, instead of growing).
   */
  static async open(duckdb: DuckDbModule, options: DuckDbEngineOptions = {}): Promise<DuckDbEngine> {
    const config: Record<string, string> = { preserve_insertion_order: 'false' };
    if (options.threads !== undefined) config.threads = String(options.threads);
    if (options.memoryLimit !== undefined) config.memory_limit = options.memoryLimit;
    if (options.tempDirectory !== undefined) config.temp_directory = options.tempDirectory;
    const instance = await duckdb.DuckDBInstance.create(':memory:', config);
    const connection = await instance.connect();
    const threads = Number((await connection.runAndReadAll("SELECT current_setting('threads') AS t")).getRowObjectsJson()[0]?.t ?? 1);
    return new DuckDbEngine(
      () => {
        connection.closeSync();
        instance.closeSync();
      },
      connection,
      threads,
      options.s3 ?? {},
    );
  }

  async describe(source: DataSource): Promise<ColumnInfo[]> {
    await this.prepare(source);
    try {
      if (source.kind === 'files') await this.assertReadable(source.path);
      const rows = await this.query(`DESCRIBE SELECT * FROM ${this.dialect.from(source)}`);
      return rows.map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
    } catch (error) {
      if (source.kind === 'files' && isS3Url(source.path) && error instanceof DataSourceError) throw await this.explainS3Failure(source.path, error);
      throw error;
    }
  }

  async expressionType(source: DataSource, expression: string): Promise<string> {
    await this.prepare(source);
    const rows = await this.query(`DESCRIBE SELECT (${expression}) AS expression FROM ${this.dialect.from(source)}`);
    return String(rows[0]?.column_type ?? '');
  }

  /**
   * A small input (the reference sample) runs on one thread with DuckDB's allocator flushed after
   * each task: measured on bench/data (200k rows), the same time, and the memory it used is
   * returned before the dataset pass instead of staying on top of it (peak RSS of the run
   * 280 → 220 MB).
   */
  async query(sql: string, hints: QueryHints = {}): Promise<Row[]> {
    const small = hints.smallInput === true;
    try {
      if (small) await this.connection.run("SET threads = 1; SET allocator_flush_threshold = '1MB'");
      const reader = await this.connection.runAndReadAll(sql);
      return reader.getRowObjectsJson() as Row[];
    } catch (error) {
      const rows = async (text: string) => (await this.connection.runAndReadAll(text)).getRows();
      throw (await explainSourceError(error, rows, (file) => this.dialect.from({ kind: 'files', path: file, format: 'csv' }))) ?? error;
    } finally {
      if (small) await this.connection.run(`SET threads = ${this.threads}; RESET allocator_flush_threshold`);
    }
  }

  /**
   * Rows are numbered in file order with insertion order preserved for this one statement (the
   * session runs without it, as every other pass is an aggregate); a glob numbers the rows of
   * each file and names the file.
   */
  async firstRowWhere(source: DataSource, condition: string, value?: string): Promise<RowPosition | undefined> {
    await this.prepare(source);
    const glob = source.kind === 'files' && GLOB_CHARACTERS.test(source.path);
    const columns = [
      ...(glob ? ['filename AS f', 'row_number() OVER (PARTITION BY filename) AS n'] : ['row_number() OVER () AS n']),
      `(${condition}) AS hit`,
      ...(value !== undefined ? [`(${value}) AS v`] : []),
    ];
    await this.connection.run('SET preserve_insertion_order = true');
    try {
      const rows = await this.query(
        `SELECT * FROM (SELECT ${columns.join(', ')} FROM ${this.dialect.from(source)}) WHERE hit ORDER BY ${glob ? 'f, ' : ''}n LIMIT 1`,
      );
      const first = rows[0];
      if (!first) return undefined;
      return { row: Number(first.n), ...(glob ? { file: String(first.f) } : {}), ...(value !== undefined ? { value: first.v ?? null } : {}) };
    } finally {
      await this.connection.run('SET preserve_insertion_order = false');
    }
  }

  async close(): Promise<void> {
    this.close_();
  }

  /** httpfs and the credentials, before the first statement that reads an s3:// source. */
  private async prepare(source: DataSource): Promise<void> {
    if (source.kind !== 'files' || !isS3Url(source.path)) return;
    this.s3Ready ??= enableS3(async (sql) => {
      await this.connection.run(sql);
    }, this.s3Options);
    await this.s3Ready;
  }

  /**
   * An S3 error named by the configured path (httpfs may name the HTTP URL or the prefix it
   * listed). A 404 on one object does not say whether the bucket or the key is missing (HEAD has
   * no body): listing the key as a prefix tells, as S3 answers NoSuchBucket to a list.
   */
  private async explainS3Failure(path: string, error: DataSourceError): Promise<DataSourceError> {
    const failure = parseS3Failure(messageOf(error.cause));
    if (!failure) return error;
    if (failure.kind === 'http' && failure.status === 404 && failure.code === undefined && !GLOB_CHARACTERS.test(path)) {
      try {
        await this.query(`SELECT count(*) FROM glob(${quoteString(`${path}*`)})`);
      } catch (listError) {
        const listed = parseS3Failure(messageOf((listError as Error).cause ?? listError));
        if (listed?.kind === 'http' && listed.code === 'NoSuchBucket') return new DataSourceError(describeS3Failure(listed, path), { cause: listError });
      }
    }
    return new DataSourceError(describeS3Failure(failure, path), { cause: error.cause });
  }

  /** A missing file or an empty glob is a plain sentence, not DuckDB's "IO Error". */
  private async assertReadable(path: string): Promise<void> {
    const s3 = isS3Url(path);
    if (GLOB_CHARACTERS.test(path)) {
      // On S3 this lists the prefix: a missing bucket or a denied ListBucket fails here, in a sentence (sourceError).
      const rows = await this.query(`SELECT count(*) AS files FROM glob(${quoteString(path)})`);
      if (Number(rows[0]?.files ?? 0) === 0) throw new DataSourceError(`no ${s3 ? 'object' : 'file'} matches ${path}`);
      return;
    }
    // One object: the DESCRIBE that follows reads it, and its HTTP error becomes the sentence.
    if (s3) return;
    try {
      if (!statSync(path).isFile()) throw new DataSourceError(`${path} is not a file`);
      accessSync(path, constants.R_OK);
    } catch (error) {
      if (error instanceof DataSourceError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new DataSourceError(`file not found: ${path}`);
      throw new DataSourceError(`cannot read ${path}: ${(error as Error).message}`);
    }
  }
}

/**
 * sourceError, and when DuckDB's sniffer gave up on a CSV file (a ragged row among the rows it
 * samples), the line at fault, asked of DuckDB itself: see locateCsvProblem. `rows` runs SQL on
 * the connection that failed; `scanOf` is the read_csv(...) expression that failed, for a file.
 */
export async function explainSourceError(error: unknown, rows: (sql: string) => Promise<unknown[][]>, scanOf: (file: string) => string): Promise<DataSourceError | undefined> {
  const file = sniffFailure(error);
  if (file !== undefined) {
    const located = await locateCsvProblem(rows, scanOf(file), file).catch(() => undefined);
    if (located) return located;
  }
  return sourceError(error);
}

/** The file DuckDB's CSV sniffer could not make sense of, if that is what the error says. */
export function sniffFailure(error: unknown): string | undefined {
  return /Error when sniffing file "([^"]+)"/.exec(messageOf(error))?.[1];
}

let rejectsTables = 0;

/**
 * The first line of a CSV file that breaks the layout its header sets, found by DuckDB: the same
 * read_csv (same delimiter, quoting and strict mode) with every column read as text and the
 * rows that do not fit stored rather than fatal (`store_rejects`), then the first of them from
 * its rejects table, which records the line. A short or long row becomes "ragged CSV row at
 * line N: k fields where the header has m", the message a ragged row past the sniffer's sample
 * gets. Undefined when that read fails too (unbalanced quotes) or rejects nothing.
 */
export async function locateCsvProblem(rows: (sql: string) => Promise<unknown[][]>, scan: string, file: string): Promise<DataSourceError | undefined> {
  const table = `mrg_rejects_${++rejectsTables}`;
  const diagnostic = scan.replace(/\)\s*$/, `, all_varchar = true, store_rejects = true, rejects_table = '${table}', rejects_scan = '${table}_scan')`);
  if (diagnostic === scan) return undefined;
  try {
    await rows(`SELECT count(*) FROM ${diagnostic}`);
    const [first] = await rows(`SELECT line, error_type, error_message FROM ${table} ORDER BY line LIMIT 1`);
    if (!first) return undefined;
    const [line, type, message] = first.map((v) => String(v));
    const counts = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message ?? '');
    if ((type === 'MISSING COLUMNS' || type === 'TOO MANY COLUMNS') && counts) {
      return new DataSourceError(`${file}: ragged CSV row at line ${line}: ${fields(counts[2]!)} where the header has ${counts[1]}`);
    }
    return new DataSourceError(`${file}: line ${line}: ${message ?? type}`);
  } finally {
    await rows(`DROP TABLE IF EXISTS ${table}; DROP TABLE IF EXISTS ${table}_scan`).catch(() => undefined);
  }
}

function fields(count: string): string {
  return `${count} field${count === '1' ? '' : 's'}`;
}

function messageOf(error: unknown): string {
  // No instanceof: the native module's errors can come from another realm (jest's VM modules).
  return typeof (error as { message?: unknown })?.message === 'string' ? (error as { message: string }).message : String(error);
}

/**
 * DuckDB's errors about the data, in a sentence: ragged CSV rows with their line, files that
 * are not what their extension says, S3 objects that are missing, denied or out of reach.
 * Undefined for errors that are not about the data.
 */
export function sourceError(error: unknown): DataSourceError | undefined {
  const message = messageOf(error);
  const s3 = s3ReadProblem(message);
  // The cause keeps DuckDB's words, so DuckDbEngine.describe can name the source as configured.
  if (s3) return new DataSourceError(s3, { cause: error });
  const ragged = /CSV Error on Line: (\d+)[\s\S]*?Expected Number of Columns: (\d+) Found: (\d+)[\s\S]*?file = ([^\n]+)/.exec(message);
  if (ragged) {
    const [, line, expected, found, file] = ragged;
    return new DataSourceError(`${file?.trim()}: ragged CSV row at line ${line}: ${fields(found ?? '?')} where the header has ${expected}`);
  }
  // A value past the rows the sniffer sampled that does not fit the type it chose (`abc`, or
  // `NaN` in a column of integers): the file's fault, named with its line, column and value.
  const conversion = /CSV Error on Line: (\d+)[\s\S]*?Error when converting column "([^"]+)"\. Could not convert string "([^"]*)" to '([^']+)'[\s\S]*?file = ([^\n]+)/.exec(message);
  if (conversion) {
    const [, line, column, value, type, file] = conversion;
    return new DataSourceError(`${file?.trim()}: line ${line}: column '${column}' has "${value}", which is not a ${type} like the values before it`);
  }
  const sniff = /Error when sniffing file "([^"]+)"/.exec(message);
  if (sniff) {
    return new DataSourceError(
      `${sniff[1]}: not a consistent CSV file (rows with a different number of fields than the header, i.e. ragged rows, or unbalanced quotes)`,
    );
  }
  const mismatch = /Schema mismatch between globbed files[\s\S]*?Main file schema: ([^\n]+)[\s\S]*?Current file: ([^\n]+)/.exec(message);
  if (mismatch) return new DataSourceError(`the files do not share one set of columns: ${mismatch[1]?.trim()} and ${mismatch[2]?.trim()} differ`);
  if (/^(IO|Invalid Input) Error:/.test(message) && /(parquet|json|csv|file)/i.test(message)) {
    return new DataSourceError(message.split('\n')[0] ?? message);
  }
  return undefined;
}
