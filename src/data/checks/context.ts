/**
 * What a check planner works with: the dialect, the real columns of both samples, the passes it
 * adds aggregates to, and helpers that turn its verdict into the one result shape.
 */
import type { ColumnKind, DataCheck } from '../../config/data-types.js';
import type { CheckResult, Observation } from '../../report/result.js';
import type { SqlValue } from '../engine/engine.js';
import type { Dialect } from '../sql/dialect.js';
import type { AggregatePass, GroupingPass, Slot } from '../sql/passes.js';

export interface Column {
  name: string;
  type: string;
  kind: ColumnKind | undefined;
}

export interface SampleSchema {
  /** As the user named it (for messages). */
  label: string;
  columns: Map<string, Column>;
}

export interface PlanContext {
  dialect: Dialect;
  dataset: SampleSchema;
  reference?: SampleSchema;
  referencePass: AggregatePass;
  datasetPass: AggregatePass;
  groupingPass: GroupingPass;
  /** The config file, for result locations. */
  configFile?: string;
}

/** A check with its passes registered; results are read after every pass ran. */
export interface PlannedCheck {
  /** Register dataset aggregates that need the reference pass's values (cut points, categories). */
  afterReference?(): void;
  results(): CheckResult[] | Promise<CheckResult[]>;
}

/** `data.checks.3.range`: how messages name a check (the path in the config file). */
export function checkPath(check: DataCheck): string {
  return `data.checks.${check.index}.${check.type}`;
}

/** `model-release.yml:12 data.checks.3.range`, the prefix of every error about a check. */
export function checkLabel(check: DataCheck, configFile: string | undefined): string {
  const place = configFile === undefined ? '' : check.line === undefined ? `${configFile}: ` : `${configFile}:${check.line} `;
  return `${place}${checkPath(check)}`;
}

/** The segment condition, parenthesised, or undefined for the whole sample. */
export function segment(check: DataCheck): string | undefined {
  return check.where === undefined ? undefined : `(${check.where})`;
}

/** `a AND b` of the conditions that are set. */
export function both(...conditions: Array<string | undefined>): string | undefined {
  const set = conditions.filter((c): c is string => c !== undefined);
  return set.length === 0 ? undefined : set.join(' AND ');
}

export interface Verdict {
  column?: string;
  /** Stable id suffix when not the column (e.g. `customer_id+day`). */
  key?: string;
  passed: boolean;
  observed?: Observation;
  expected?: Observation;
  /** What observed and expected mean for this check, for people (CheckResult.observedText). */
  observedText?: string;
  expectedText?: string;
  message: string;
  details?: Record<string, unknown>;
}

/** A verdict as a CheckResult: a failure is `fail` or, for severity warn, `warn`. */
export function toResult(check: DataCheck, verdict: Verdict, configFile: string | undefined): CheckResult {
  const suffix = verdict.key ?? verdict.column;
  const result: CheckResult = {
    id: `data.${check.type}${suffix === undefined ? '' : `.${suffix}`}`,
    gate: 'data',
    status: verdict.passed ? 'pass' : check.severity === 'warn' ? 'warn' : 'fail',
    message: verdict.message + (check.where === undefined ? '' : ` (where ${check.where})`),
  };
  if (verdict.observed !== undefined) result.observed = verdict.observed;
  if (verdict.expected !== undefined) result.expected = verdict.expected;
  if (verdict.observedText !== undefined) result.observedText = verdict.observedText;
  if (verdict.expectedText !== undefined) result.expectedText = verdict.expectedText;
  if (configFile !== undefined) result.location = check.line === undefined ? { file: configFile } : { file: configFile, line: check.line };
  const details = { ...(verdict.details ?? {}), ...(check.where !== undefined ? { where: check.where } : {}), ...(check.severity === 'warn' ? { severity: 'warn' } : {}) };
  if (Object.keys(details).length > 0) result.details = details;
  return result;
}

/** An engine number (big integers arrive as text) as a JS number; null stays null. */
export function toNumber(value: SqlValue | undefined): number | null {
  if (value === null || value === undefined) return null;
  const number = Number(value);
  return Number.isNaN(number) ? null : number;
}

/** A list of numbers (quantiles); nulls dropped. */
export function toNumbers(value: SqlValue | undefined): number[] {
  if (!Array.isArray(value)) return [];
  return value.map((v) => toNumber(v)).filter((v): v is number => v !== null);
}

export interface ValueCount {
  value: string;
  count: number;
}

/** A top-values list ([{v, n}]) from Dialect.topValues. */
export function toValueCounts(value: SqlValue | undefined): ValueCount[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return [];
    return [{ value: String(entry.v), count: Number(entry.n) }];
  });
}

/**
 * How often each value of `expr` occurs as text where `condition` holds: a complete histogram
 * kept in the pass (hidden), returned as SQL that derived values read. Checks that ask about the
 * same values in the same rows (drift, allowed, unseen_categories on one column and segment)
 * share one, instead of each building its own histogram or testing a list on every row.
 */
export function textCounts(pass: AggregatePass, dialect: Dialect, expr: string, condition: string | undefined): string {
  return pass.addHidden(dialect.filtered(dialect.histogram(dialect.asText(expr)), condition));
}

/** Dialect.topValues, read from the pass's shared histogram of the values (textCounts). */
export function addTopValues(pass: AggregatePass, dialect: Dialect, expr: string, condition: string | undefined, limit: number): Slot {
  return pass.addDerived(dialect.topOfCounts(textCounts(pass, dialect, expr, condition), limit));
}

/** `12.5%` with at most two decimals. */
export function percent(value: number): string {
  return `${Number(value.toFixed(2))}%`;
}

/** `a: 3, b: 1` for a message. */
export function listValues(values: readonly ValueCount[], more: number): string {
  const shown = values.map((v) => `${JSON.stringify(v.value)} (${v.count})`).join(', ');
  return more > 0 ? `${shown} and ${more} more` : shown;
}
