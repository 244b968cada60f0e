/**
 * The config against the data's real columns, before anything is computed: every column a
 * check names exists (with a "did you mean"), ranges are on numbers, allowed values fit the
 * column's type, checks that compare with production have a reference that shares columns,
 * and every `where:` is one boolean expression over the columns it is applied to.
 */
import type { DataCheck, DataGateConfig } from '../config/data-types.js';
import { closestKey } from '../config/suggest.js';
import { driftColumns, driftProblems } from './checks/drift.js';
import type { PlanContext, SampleSchema } from './checks/context.js';
import { checkPath } from './checks/context.js';
import type { Engine } from './engine/engine.js';
import type { DataSource, Dialect } from './sql/dialect.js';

/** A problem with the data or with a check against it; `check` undefined = about a source. */
export interface DataProblem {
  check?: DataCheck;
  /** The config key a source problem is about. */
  source?: 'dataset' | 'reference';
  message: string;
}

const USES_REFERENCE = new Set<DataCheck['type']>(['unseen_categories', 'drift']);

/** The columns a check reads (schema reads none: absent columns are its failures). */
function namedColumns(check: DataCheck): string[] {
  switch (check.type) {
    case 'row_count':
    case 'schema':
      return [];
    case 'duplicates':
      return check.columns ?? [];
    case 'drift':
      return check.columns === 'all' ? [] : check.columns;
    default:
      return check.columns;
  }
}

/**
 * The columns a check reads from the dataset, and from the reference when it compares with
 * production (drift over `all`: the columns both samples share that it can compare).
 */
export function columnsRead(check: DataCheck, ctx: Pick<PlanContext, 'dataset' | 'reference'>): { dataset: string[]; reference: string[] } {
  const names = check.type === 'drift' && check.columns === 'all' && ctx.reference ? driftColumns(check, ctx as PlanContext).map((c) => c.name) : namedColumns(check);
  return { dataset: names, reference: USES_REFERENCE.has(check.type) ? names : [] };
}

/** `which` says which sample it is: its label is the configured path, not `dataset` or `reference`. */
function unknownColumn(name: string, sample: SampleSchema, which: 'dataset' | 'reference'): string {
  const guess = closestKey(name, [...sample.columns.keys()]);
  const hint = guess !== undefined ? `; did you mean '${guess}'?` : `; its columns are ${[...sample.columns.keys()].join(', ')}`;
  return `column '${name}' is not in the ${which} ${sampleName(sample)}${hint}`;
}

function sampleName(sample: SampleSchema): string {
  return sample.label;
}

/** Every problem of the checks against the described samples (empty = ready to plan). */
export async function validateChecks(
  config: DataGateConfig,
  ctx: Pick<PlanContext, 'dataset' | 'reference' | 'dialect'>,
  sources: { engine: Engine; dataset: DataSource; reference?: DataSource },
): Promise<DataProblem[]> {
  const problems: DataProblem[] = [];
  const { dataset, reference } = ctx;
  if (reference && ![...reference.columns.keys()].some((name) => dataset.columns.has(name))) {
    problems.push({ source: 'reference', message: `the reference ${reference.label} shares no column with the dataset ${dataset.label}; compare samples of the same table` });
  }
  for (const check of config.checks) {
    const add = (message: string) => problems.push({ check, message });
    const usesReference = USES_REFERENCE.has(check.type);
    if (usesReference && !reference) {
      add(`needs data.reference (a production sample to compare the dataset with)`);
      continue;
    }
    for (const name of namedColumns(check)) {
      if (!dataset.columns.has(name)) add(unknownColumn(name, dataset, 'dataset'));
      else if (usesReference && reference && !reference.columns.has(name)) add(unknownColumn(name, reference, 'reference'));
    }
    if (check.type === 'range') {
      for (const name of check.columns) {
        const column = dataset.columns.get(name);
        if (column && column.kind !== 'numeric' && column.kind !== 'integer') {
          const stray = column.kind === 'text' ? await textAmongNumbers(name, ctx.dialect, sources.engine, sources.dataset, dataset.label) : undefined;
          add(stray ?? `range needs a numeric column; '${name}' is ${column.type} (${column.kind ?? 'not a number'}); use allowed for categories`);
        }
      }
    }
    if (check.type === 'allowed') {
      for (const name of check.columns) {
        const column = dataset.columns.get(name);
        const expected = column?.kind === 'numeric' || column?.kind === 'integer' ? 'number' : column?.kind === 'boolean' ? 'boolean' : undefined;
        const wrong = expected === undefined ? [] : check.values.filter((v) => typeof v !== expected);
        if (column && wrong.length > 0) add(`'${name}' is ${column.type}, so its allowed values must be ${expected}s; not ${wrong.map((v) => JSON.stringify(v)).join(', ')}`);
      }
    }
    // Excluded and id columns, forced kinds, what is left to compare, the method: checks/drift.ts.
    if (check.type === 'drift' && reference) driftProblems(check, { dataset, reference }).forEach(add);
    if (check.where !== undefined) {
      const whereProblem = await checkWhere(check.where, sources.engine, sources.dataset, 'dataset');
      if (whereProblem) add(whereProblem);
      else if (usesReference && sources.reference) {
        const referenceProblem = await checkWhere(check.where, sources.engine, sources.reference, 'reference');
        if (referenceProblem) add(referenceProblem);
      }
    }
  }
  return problems;
}

/**
 * A text column that is mostly numbers holds a value that is not one (`abc`, `n/a`): the reason
 * it was read as text, named with its row so the file can be fixed. Undefined when no value is
 * a number (a category column) or when the engine cannot say.
 */
async function textAmongNumbers(name: string, dialect: Dialect, engine: Engine, source: DataSource, label: string): Promise<string | undefined> {
  const column = dialect.ident(name);
  const number = `${dialect.tryAsDouble(column)} IS NOT NULL`;
  const other = `${column} IS NOT NULL AND ${dialect.tryAsDouble(column)} IS NULL`;
  try {
    const [row] = await engine.query(`SELECT ${dialect.countWhere(number)} AS numbers, ${dialect.countWhere(other)} AS others FROM ${dialect.from(source)}`);
    const numbers = Number(row?.numbers ?? 0);
    const others = Number(row?.others ?? 0);
    if (!(numbers > 0 && others > 0)) return undefined;
    const first = await engine.firstRowWhere?.(source, other, dialect.asText(column));
    const at = first ? `data row ${first.row}${first.file !== undefined ? ` of ${first.file}` : ''} has ${JSON.stringify(String(first.value))}, which is not a number` : 'a value is not a number';
    const share = others === 1 ? `the only one of its ${numbers + others} values that is not` : `${others} of its ${numbers + others} values are not numbers`;
    return `range needs numbers, but ${label} column '${name}' was read as text: ${at} (${share}); fix the file, or leave the field empty for a missing value`;
  } catch {
    return undefined;
  }
}

/**
 * `where:` must be one boolean expression over the sample's columns. The engine binds it
 * without reading rows (DESCRIBE), so a typo in a column name is caught here, not mid-scan.
 */
async function checkWhere(where: string, engine: Engine, source: DataSource, label: 'dataset' | 'reference'): Promise<string | undefined> {
  // One expression, not a statement list: the gate runs only the SQL it generates.
  if (where.includes(';')) return `where: must be one SQL condition, without ';'`;
  try {
    const type = await engine.expressionType(source, where);
    if (engine.dialect.columnKind(type) !== 'boolean') return `where: must be a condition (true or false), but "${where}" is ${type}`;
    return undefined;
  } catch (error) {
    const detail = errorText(error).split('\n')[0];
    return `where: "${where}" is not a valid condition on the ${label}: ${detail}`;
  }
}

/** An error's message; errors from the native module may come from another realm, so no instanceof. */
export function errorText(error: unknown): string {
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : String(error);
}

/** How a problem reads in the report: `model-release.yml:12 data.checks.3.range: …`. */
export function describeProblem(problem: DataProblem, config: DataGateConfig, configFile: string | undefined): { message: string; line?: number } {
  const line = problem.check ? problem.check.line : problem.source ? config[problem.source]?.line : config.line;
  const path = problem.check ? checkPath(problem.check) : problem.source ? `data.${problem.source}` : 'data';
  const place = configFile === undefined ? '' : line === undefined ? `${configFile}: ` : `${configFile}:${line} `;
  return { message: `${place}${path}: ${problem.message}`, ...(line !== undefined ? { line } : {}) };
}
