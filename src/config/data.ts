/**
 * From the schema-valid `data:` section (kebab-case, one-key check items) to DataGateConfig,
 * recording each check's line. The schema says which keys a check needs or cannot combine
 * (column or columns, min or max...); rules it cannot express are issues here; rules that
 * need the data (does the column exist, is it numeric) are checked by the data gate against
 * the files' real schema.
 */
import type {
  ColumnKind,
  DataCheck,
  DataEngineConfig,
  DataFormat,
  DataGateConfig,
  DataSourceConfig,
  DriftColumnKinds,
  DriftCorrection,
  DriftCheck,
} from './data-types.js';
import type { DriftMethod } from '../data/drift/types.js';
import type { ConfigIssue } from './issues.js';

/** The `data:` section as written, once it has passed the JSON Schema. */
export interface RawDataSection {
  dataset: string | { table: string };
  reference?: string | { table: string };
  format?: DataFormat;
  engine?: RawDataEngine;
  checks: Array<Record<string, RawCheck>>;
}

interface RawDataEngine {
  type?: 'duckdb' | 'trino' | 'athena';
  'memory-limit'?: string;
  threads?: number;
  'temp-directory'?: string;
  url?: string;
  catalog?: string;
  schema?: string;
  user?: string;
  workgroup?: string;
  database?: string;
  'output-location'?: string;
  region?: string;
}

/** The keys each engine takes under data.engine (besides `type`), and those it requires. */
const ENGINE_KEYS: Record<'duckdb' | 'trino' | 'athena', { keys: Array<keyof RawDataEngine>; required: Array<keyof RawDataEngine> }> = {
  duckdb: { keys: ['memory-limit', 'threads', 'temp-directory'], required: [] },
  trino: { keys: ['url', 'catalog', 'schema', 'user'], required: ['url', 'catalog', 'schema'] },
  athena: { keys: ['workgroup', 'database', 'output-location', 'region', 'catalog'], required: ['workgroup', 'database'] },
};

/**
 * data.engine as typed config: each engine's keys, the keys it requires, and no key of another
 * engine (a `url` under DuckDB is a mistake worth saying, not a setting to ignore).
 */
function buildEngine(raw: RawDataEngine, lineOf: LineOf, issues: ConfigIssue[]): DataEngineConfig {
  const type = raw.type ?? 'duckdb';
  const path = ['data', 'engine'];
  const { keys, required } = ENGINE_KEYS[type];
  for (const key of Object.keys(raw) as Array<keyof RawDataEngine>) {
    if (key === 'type' || keys.includes(key)) continue;
    const owner = (['duckdb', 'trino', 'athena'] as const).filter((t) => ENGINE_KEYS[t].keys.includes(key));
    issues.push({ path: [...path, key], message: `${key} is a setting of the ${owner.join(' and ')} engine, not of ${type}${raw.type === undefined ? ' (the default; set type: ' + owner[0] + ')' : ''}`, at: 'key' });
  }
  for (const key of required) {
    // A key that is in the file but failed the schema has its own error already.
    if (raw[key] === undefined && lineOf([...path, key]) === undefined) issues.push({ path, message: `the ${type} engine needs ${key} (${required.join(', ')} are required)`, at: 'key' });
  }
  if (type === 'trino') {
    return { type, url: raw.url ?? '', catalog: raw.catalog ?? '', schema: raw.schema ?? '', ...(raw.user !== undefined ? { user: raw.user } : {}) };
  }
  if (type === 'athena') {
    return {
      type,
      workgroup: raw.workgroup ?? '',
      database: raw.database ?? '',
      ...(raw['output-location'] !== undefined ? { outputLocation: raw['output-location'] } : {}),
      ...(raw.region !== undefined ? { region: raw.region } : {}),
      ...(raw.catalog !== undefined ? { catalog: raw.catalog } : {}),
    };
  }
  const { 'memory-limit': memoryLimit, threads, 'temp-directory': tempDirectory } = raw;
  return {
    ...(raw.type !== undefined ? { type: 'duckdb' as const } : {}),
    ...(memoryLimit !== undefined ? { memoryLimit: memoryLimit.replace(/\s+/g, '') } : {}),
    ...(threads !== undefined ? { threads } : {}),
    ...(tempDirectory !== undefined ? { tempDirectory } : {}),
  };
}

interface RawCheck {
  where?: string;
  severity?: 'error' | 'warn';
  column?: string;
  columns?: string[] | 'all' | Partial<DriftColumnKinds>;
  exclude?: string[];
  min?: number;
  max?: number;
  required?: Record<string, ColumnKind>;
  forbidden?: string[];
  'max-count'?: number;
  'max-percent'?: number;
  values?: Array<string | number | boolean>;
  'min-count'?: number;
  method?: DriftMethod | 'auto';
  threshold?: number;
  alpha?: number;
  correction?: DriftCorrection;
  'drift-share'?: number;
}

/** Line of the node at a key path in the config file, when it came from the file. */
export type LineOf = (path: string[]) => number | undefined;

/** Checks that name the column(s) they look at with `column` or `columns`. */
const COLUMN_CHECKS = new Set(['missing', 'range', 'allowed', 'unique', 'unseen_categories']);

function withLine<T extends object>(value: T, line: number | undefined): T & { line?: number } {
  return line === undefined ? value : { ...value, line };
}

/** A drift check's `columns`: the object form means every column (with its overrides). */
function driftColumnsOf(columns: RawCheck['columns']): string[] | 'all' {
  return columns === undefined || columns === 'all' || !Array.isArray(columns) ? 'all' : columns;
}

/** The object form of a drift check's `columns`, every kind listed (empty when not given). */
function driftKindsOf(columns: RawCheck['columns']): DriftColumnKinds | undefined {
  if (columns === undefined || columns === 'all' || Array.isArray(columns)) return undefined;
  return { id: columns.id ?? [], categorical: columns.categorical ?? [], numeric: columns.numeric ?? [] };
}

const DRIFT_KINDS = ['id', 'categorical', 'numeric'] as const;

/**
 * Rules between a drift check's column keys the schema cannot say: `exclude` goes with `all` (or
 * the object form), a column has one kind, and an excluded column is not also given a kind.
 */
function driftColumnIssues(drift: DriftCheck, path: string[], issues: ConfigIssue[]): void {
  if (drift.exclude !== undefined && Array.isArray(drift.columns)) {
    issues.push({
      path: [...path, 'exclude'],
      message: 'exclude goes with columns: all (or columns: { id, categorical, numeric }); with a list of columns, leave the excluded ones out of the list',
      at: 'key',
    });
  }
  const kinds = drift.kinds;
  if (!kinds) return;
  const kindOf = new Map<string, (typeof DRIFT_KINDS)[number]>();
  for (const kind of DRIFT_KINDS) {
    kinds[kind].forEach((name, i) => {
      const first = kindOf.get(name);
      if (first !== undefined) issues.push({ path: [...path, 'columns', kind, String(i)], message: `'${name}' is under both columns.${first} and columns.${kind}; give each column one kind` });
      else kindOf.set(name, kind);
    });
  }
  (drift.exclude ?? []).forEach((name, i) => {
    const kind = kindOf.get(name);
    if (kind !== undefined) issues.push({ path: [...path, 'exclude', String(i)], message: `'${name}' is both excluded and under columns.${kind}; keep one` });
  });
}

/** Map the section; `issues` receives the cross-key problems. */
export function buildDataConfig(raw: RawDataSection, lineOf: LineOf, issues: ConfigIssue[]): DataGateConfig {
  const format = raw.format ?? 'auto';
  const engineType = raw.engine?.type ?? 'duckdb';
  // Files for DuckDB, tables for the engines over tables: the other way round is a config error.
  const source = (key: 'dataset' | 'reference', value: string | { table: string }): DataSourceConfig => {
    const line = lineOf(['data', key]);
    if (typeof value === 'string') {
      if (engineType !== 'duckdb') {
        issues.push({ path: ['data', key], message: `the ${engineType} engine reads tables, not files: write ${key}: { table: <name> } (a table over ${value}), or use the duckdb engine for files` });
      }
      return withLine({ path: value, format }, line);
    }
    if (engineType === 'duckdb') {
      issues.push({ path: ['data', key, 'table'], message: `a table needs an engine over tables: set data.engine.type to trino or athena, or give ${key} a file path for DuckDB` });
    }
    return withLine({ path: value.table, table: value.table, format }, line);
  };
  const config: DataGateConfig = withLine({ dataset: source('dataset', raw.dataset), checks: [] as DataCheck[] }, lineOf(['data']));
  if (raw.reference !== undefined) config.reference = source('reference', raw.reference);
  if (raw.engine !== undefined) config.engine = buildEngine(raw.engine, lineOf, issues);

  raw.checks.forEach((item, index) => {
    const [type, body] = Object.entries(item)[0] ?? [];
    if (type === undefined || body === undefined) return;
    const path = ['data', 'checks', String(index), type];
    const check = buildCheck(type, body, index, path, issues);
    if (check) config.checks.push(withLine(check, lineOf(['data', 'checks', String(index)])));
  });
  return config;
}

function buildCheck(type: string, raw: RawCheck, index: number, path: string[], issues: ConfigIssue[]): DataCheck | undefined {
  const base = { index, severity: raw.severity ?? 'error', ...(raw.where !== undefined ? { where: raw.where } : {}) } as const;
  // The schema requires exactly one of column and columns on these checks.
  let columns: string[] = [];
  if (COLUMN_CHECKS.has(type)) columns = raw.column !== undefined ? [raw.column] : Array.isArray(raw.columns) ? raw.columns : [];
  const bounds = (min: number | undefined, max: number | undefined, noun: string): void => {
    if (min !== undefined && max !== undefined && min > max) issues.push({ path: [...path, 'min'], message: `${noun} min ${min} is greater than max ${max}` });
  };

  switch (type) {
    case 'row_count':
      bounds(raw.min, raw.max, 'row_count');
      return { ...base, type, ...(raw.min !== undefined ? { min: raw.min } : {}), ...(raw.max !== undefined ? { max: raw.max } : {}) };
    case 'schema':
      for (const name of raw.forbidden ?? []) {
        if (raw.required?.[name] !== undefined) issues.push({ path: [...path, 'forbidden'], message: `'${name}' is both required and forbidden` });
      }
      return { ...base, type, required: raw.required ?? {}, forbidden: raw.forbidden ?? [] };
    case 'missing':
      return {
        ...base,
        type,
        columns,
        ...(raw['max-percent'] !== undefined ? { maxPercent: raw['max-percent'] } : { maxCount: raw['max-count'] ?? 0 }),
      };
    case 'range':
      bounds(raw.min, raw.max, 'range');
      return { ...base, type, columns, ...(raw.min !== undefined ? { min: raw.min } : {}), ...(raw.max !== undefined ? { max: raw.max } : {}) };
    case 'allowed':
      return { ...base, type, columns, values: raw.values ?? [] };
    case 'unique':
      return { ...base, type, columns };
    case 'duplicates':
      return { ...base, type, maxPercent: raw['max-percent'] ?? 0, ...(Array.isArray(raw.columns) ? { columns: raw.columns } : {}) };
    case 'unseen_categories':
      return { ...base, type, columns, minCount: raw['min-count'] ?? 1 };
    case 'drift': {
      const drift: DriftCheck = { ...base, type, columns: driftColumnsOf(raw.columns), method: raw.method ?? 'auto', correction: raw.correction ?? 'holm' };
      const kinds = driftKindsOf(raw.columns);
      if (kinds) drift.kinds = kinds;
      if (raw.exclude !== undefined) drift.exclude = raw.exclude;
      driftColumnIssues(drift, path, issues);
      if (raw.threshold !== undefined) drift.threshold = raw.threshold;
      if (raw.alpha !== undefined) drift.alpha = raw.alpha;
      if (raw['drift-share'] !== undefined) drift.driftShare = raw['drift-share'];
      return drift;
    }
    default:
      // The schema lists the check names, so this is unreachable for a validated config.
      issues.push({ path, message: `unknown check '${type}'`, at: 'key' });
      return undefined;
  }
}
