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
  dataset: string;
  reference?: string;
  format?: DataFormat;
  engine?: { 'memory-limit'?: string; threads?: number; 'temp-directory'?: string };
  checks: Array<Record<string, RawCheck>>;
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
  const source = (key: 'dataset' | 'reference', path: string): DataSourceConfig => withLine({ path, format }, lineOf(['data', key]));
  const config: DataGateConfig = withLine({ dataset: source('dataset', raw.dataset), checks: [] as DataCheck[] }, lineOf(['data']));
  if (raw.reference !== undefined) config.reference = source('reference', raw.reference);
  if (raw.engine !== undefined) {
    const { 'memory-limit': memoryLimit, threads, 'temp-directory': tempDirectory } = raw.engine;
    config.engine = {
      ...(memoryLimit !== undefined ? { memoryLimit: memoryLimit.replace(/\s+/g, '') } : {}),
      ...(threads !== undefined ? { threads } : {}),
      ...(tempDirectory !== undefined ? { tempDirectory } : {}),
    };
  }

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
