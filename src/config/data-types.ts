/**
 * The typed `data:` section: where the training data and the production sample are, and the
 * checks to run on them. Every check remembers its line in the config file, so a result, an
 * annotation or a data error can point at the check that produced it.
 */
import type { DriftMethod } from '../data/drift/types.js';

/** File formats the data gate reads; `auto` picks by extension. */
export type DataFormat = 'auto' | 'csv' | 'parquet' | 'json';

/** What `schema.required` can ask of a column, independent of the engine's type names. */
export type ColumnKind = 'numeric' | 'integer' | 'text' | 'boolean' | 'date' | 'timestamp';

export type CheckSeverity = 'error' | 'warn';

export type CheckType = DataCheck['type'];

/** A file or glob to read (or a table, on an engine over tables), and where the config names it. */
export interface DataSourceConfig {
  /** As written in the config, relative to the workspace; for a table, its name (how messages name the source). */
  path: string;
  /** `{ table: db.train }`: a table of the Trino / Athena engine instead of files. */
  table?: string;
  format: DataFormat;
  /** 1-based line of the key in the config file. */
  line?: number;
}

interface CheckBase {
  /** 1-based line of the check (its `- name:` item) in the config file. */
  line?: number;
  /** Position in `data.checks`, 0-based (for messages when there is no line). */
  index: number;
  /** SQL boolean expression selecting the segment the check looks at. */
  where?: string;
  severity: CheckSeverity;
}

export interface RowCountCheck extends CheckBase {
  type: 'row_count';
  min?: number;
  max?: number;
}

export interface SchemaCheck extends CheckBase {
  type: 'schema';
  required: Record<string, ColumnKind>;
  forbidden: string[];
}

export interface MissingCheck extends CheckBase {
  type: 'missing';
  columns: string[];
  /** At most this many missing values per column; 0 when neither limit is given. */
  maxCount?: number;
  maxPercent?: number;
}

export interface RangeCheck extends CheckBase {
  type: 'range';
  columns: string[];
  min?: number;
  max?: number;
}

export interface AllowedCheck extends CheckBase {
  type: 'allowed';
  columns: string[];
  values: Array<string | number | boolean>;
}

export interface UniqueCheck extends CheckBase {
  type: 'unique';
  /** The key: one column, or the columns of a compound key. */
  columns: string[];
}

export interface DuplicatesCheck extends CheckBase {
  type: 'duplicates';
  maxPercent: number;
  /** Compare only these columns; undefined = every column. */
  columns?: string[];
}

export interface UnseenCategoriesCheck extends CheckBase {
  type: 'unseen_categories';
  columns: string[];
  /** A production category needs at least this many training rows. 1 = only unseen ones fail. */
  minCount: number;
}

export type DriftCorrection = 'holm' | 'bh' | 'none';

/**
 * The `columns: { id, categorical, numeric }` form of a drift check: every column both samples
 * have (as with `all`), with these columns' treatment fixed instead of inferred.
 */
export interface DriftColumnKinds {
  /** Never drifted (and never read). */
  id: string[];
  /** Compared as categories (chi-square, PSI, Jensen–Shannon over values), even if integer-typed. */
  categorical: string[];
  /** Compared as numbers (KS, Wasserstein, PSI over quantile bins), and never inferred to be an id. */
  numeric: string[];
}

export interface DriftCheck extends CheckBase {
  type: 'drift';
  /**
   * 'all' = every column both samples have (with a usable type), minus `exclude` and `kinds.id`, minus the
   * integer and text columns whose values are all distinct in the dataset (inferred ids); a list
   * = exactly these columns, nothing inferred.
   */
  columns: string[] | 'all';
  /** With 'all': columns never drifted. */
  exclude?: string[];
  /** The object form of `columns` (columns is then 'all'): per-column treatment. */
  kinds?: DriftColumnKinds;
  method: DriftMethod | 'auto';
  /** Distance threshold (psi, jensen-shannon, wasserstein); default per method. */
  threshold?: number;
  /** Significance level of the tests (ks, chi2) before correction; default 0.05. */
  alpha?: number;
  correction: DriftCorrection;
  /** Fail when at least this share of the columns drift; unset = any drifted column fails. */
  driftShare?: number;
}

export type DataCheck =
  | RowCountCheck
  | SchemaCheck
  | MissingCheck
  | RangeCheck
  | AllowedCheck
  | UniqueCheck
  | DuplicatesCheck
  | UnseenCategoriesCheck
  | DriftCheck;

export interface DataGateConfig {
  /** The training data. */
  dataset: DataSourceConfig;
  /** A recent production sample, for unseen_categories and drift. */
  reference?: DataSourceConfig;
  checks: DataCheck[];
  /** DuckDB settings for small runners (`data.engine`); DuckDB's own defaults when absent. */
  engine?: DataEngineConfig;
  /** Line of the `data:` key, for errors about the section as a whole. */
  line?: number;
}

/**
 * `data.engine`: DuckDB (the default, over files), a Trino cluster or Athena (over tables).
 * DuckDB's settings sit at the top level, as before the other engines existed.
 */
export type DataEngineConfig = DuckDbEngineConfig | TrinoEngineConfig | AthenaEngineConfig;

/** A Trino or Starburst cluster over Trino's HTTP protocol; credentials come from the environment. */
export interface TrinoEngineConfig {
  type: 'trino';
  url: string;
  catalog: string;
  schema: string;
  user?: string;
}

export interface AthenaEngineConfig {
  type: 'athena';
  workgroup: string;
  database: string;
  outputLocation?: string;
  region?: string;
  catalog?: string;
}

export interface DuckDbEngineConfig {
  type?: 'duckdb';
  /** DuckDB memory_limit, e.g. `2GB`: beyond it, sorts and hash tables spill to tempDirectory. */
  memoryLimit?: string;
  /** Worker threads (DuckDB's default: every core). */
  threads?: number;
  /** Where DuckDB spills, resolved against the workspace (DuckDB's default: `.tmp` beside the database, here the working directory). */
  tempDirectory?: string;
}
