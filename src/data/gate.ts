/**
 * The data gate: read the samples' columns, check the config against them, plan the checks
 * onto shared scans, run at most one pass over the reference and two over the dataset, and
 * turn the small vectors that come back into results.
 *
 * Passes per run:
 * - reference (only when a check compares with production): categories and counts, standard
 *   deviations, deciles, one sort per numeric column and, once over the result row, the grid
 *   and the reference's counts at it: one statement, one read of the reference (a file up to
 *   64 MiB on one thread, its memory returned before the dataset pass);
 * - dataset pass 1 (always): every per-column aggregate of every check, segments as FILTER;
 *   streaming aggregates only (drift: counts in the reference grid's buckets, no sort);
 * - dataset pass 2 (only for duplicates, multi-column unique keys, and one-column keys that pass 1's
 *   count(DISTINCT …) found repeated): one GROUP BY GROUPING SETS over those keys.
 * The `data.plan` result lists the statements, so a reader can see what ran.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DataCheck, DataGateConfig, DataSourceConfig } from '../config/data-types.js';
import { inputError } from '../report/input-error.js';
import type { CheckResult } from '../report/result.js';
import { planAllowed, planMissing, planRange, planRowCount, planSchema } from './checks/columns.js';
import type { Column, PlanContext, PlannedCheck, SampleSchema } from './checks/context.js';
import { planDrift } from './checks/drift.js';
import { planDuplicates, planUnique } from './checks/keys.js';
import { planUnseen } from './checks/unseen.js';
import { createEngine, duckDbSettings, isTableEngine } from './engine/create.js';
import { DuckDbEngine } from './engine/duckdb-engine.js';
import { isS3Url } from './engine/duckdb-s3.js';
import type { Engine } from './engine/engine.js';
import { DataSourceError } from './engine/engine.js';
import { loadDuckDb } from './engine/load-duckdb.js';
import { nanProblems, planNanProbes } from './nan.js';
import type { DataSource, FileFormat } from './sql/dialect.js';
import { AggregatePass, GroupingPass } from './sql/passes.js';
import { describeUsage, usageTotals } from './usage.js';
import { describeProblem, validateChecks } from './validate.js';
import type { DataProblem } from './validate.js';
import { plural } from '../core/plural.js';

export interface DataGateDeps {
  /** Directory the data paths are relative to. */
  workspace: string;
  /** Default: an in-memory DuckDB (loaded from node_modules or the tool cache). */
  engine?: Engine;
  /**
   * Settings of the default DuckDB (DuckDbEngine.open). The drift catalogue needs ~100 MB above
   * the process; unique / duplicates (pass 2) is a hash aggregate over every distinct key,
   * 1.2 GB for 5M rows × 11 columns with DuckDB's default limit (80 % of RAM), 620 MB at the same
   * speed with `memoryLimit: '500MB'` (it spills to `tempDirectory`; bench/data/results.md).
   */
  engineOptions?: { threads?: number; memoryLimit?: string; tempDirectory?: string };
  /** The config file, for result locations and messages. */
  configFile?: string;
  log?: (line: string) => void;
  /** The run's cancellation: an engine over tables cancels its running statement when it aborts. */
  signal?: AbortSignal;
}

/** One statement the gate ran, for the plan result. */
export interface ExecutedQuery {
  pass: string;
  sql: string;
  ms: number;
  /** On an engine that reports usage (Athena): its id of the statement, bytes scanned, estimated cost. */
  queryId?: string;
  bytesScanned?: number;
  costUsd?: number;
}

const FORMAT_BY_EXTENSION: Array<[RegExp, FileFormat]> = [
  [/\.csv(\.gz|\.zst)?$/i, 'csv'],
  [/\.parquet$/i, 'parquet'],
  [/\.(json|ndjson|jsonl)(\.gz|\.zst)?$/i, 'json'],
];

/** The file format of a source: the configured one, or by extension. */
export function resolveFormat(source: DataSourceConfig): FileFormat | undefined {
  if (source.format !== 'auto') return source.format;
  return FORMAT_BY_EXTENSION.find(([pattern]) => pattern.test(source.path))?.[1];
}

/**
 * Run every data check. Never throws for bad data or config: problems are `error` results
 * naming the check and its config line, and nothing is computed when there are any. Problems
 * with the data or with a check against it are input errors (`cause: 'input'`); the engine
 * failing to start or to finish (out of memory) is not.
 */
export async function runDataGate(config: DataGateConfig, deps: DataGateDeps): Promise<CheckResult[]> {
  const results = (problems: DataProblem[], cause: 'input' | 'engine'): CheckResult[] =>
    problems.map((problem) => {
      const { message, line } = describeProblem(problem, config, deps.configFile);
      const id = problem.check ? `data.${problem.check.type}` : `data.${problem.source ?? 'engine'}`;
      const result: Omit<CheckResult, 'status'> = {
        id,
        gate: 'data',
        message,
        ...(deps.configFile !== undefined ? { location: line === undefined ? { file: deps.configFile } : { file: deps.configFile, line } } : {}),
      };
      return cause === 'input' ? inputError(result) : { ...result, status: 'error' };
    });
  const errors = (problems: DataProblem[]): CheckResult[] => results(problems, 'input');
  const engineErrors = (problems: DataProblem[]): CheckResult[] => results(problems, 'engine');

  const sources: { dataset?: DataSource; reference?: DataSource } = {};
  const problems: DataProblem[] = [];
  for (const key of ['dataset', 'reference'] as const) {
    const source = config[key];
    if (!source) continue;
    if (source.table !== undefined) {
      sources[key] = { kind: 'table', name: source.table };
      continue;
    }
    const format = resolveFormat(source);
    if (!format) problems.push({ source: key, message: `cannot tell the format of ${source.path} from its extension; set data.format to csv, parquet or json` });
    // s3:// paths are read by DuckDB's httpfs as they are; only local paths are the workspace's.
    else sources[key] = { kind: 'files', path: isS3Url(source.path) ? source.path : resolve(deps.workspace, source.path), format };
  }
  if (problems.length > 0) return uniqueIds(errors(problems));

  let engine = deps.engine;
  try {
    engine ??= await createEngine(config.engine, async () => DuckDbEngine.open(await loadDuckDb({ log: deps.log }), { ...deps.engineOptions, s3: { log: deps.log } }), deps.signal);
  } catch (error) {
    return engineErrors([{ message: `cannot start the SQL engine: ${(error as Error).message}` }]);
  }
  try {
    return uniqueIds(await runWithEngine(config, deps, engine, sources as { dataset: DataSource; reference?: DataSource }, errors));
  } catch (error) {
    // The engine itself gave up (out of memory, disk full, …): an error result that says which
    // setting to change, not a crash of the whole run.
    return engineErrors([{ message: engineFailure(error, config) }]);
  } finally {
    if (!deps.engine) await engine.close();
  }
}

/** DuckDB's first line, and for running out of memory the `data.engine` keys that help. */
function engineFailure(error: unknown, config: DataGateConfig): string {
  const first = ((error as Error).message ?? String(error)).split('\n')[0]!.trim();
  if (!/out of memory/i.test(first)) return `the SQL engine failed: ${first}`;
  const memoryLimit = duckDbSettings(config.engine)?.memoryLimit;
  if (memoryLimit === undefined && isTableEngine(config.engine)) return `the SQL engine ran out of memory: ${first}`;
  const limit = memoryLimit !== undefined ? `data.engine.memory-limit (${memoryLimit})` : "data.engine.memory-limit (DuckDB's default, 80% of the machine's memory)";
  return `the SQL engine ran out of memory: ${first}. Raise ${limit}, lower data.engine.threads, or set data.engine.temp-directory so DuckDB can spill to disk.`;
}

async function describeSample(engine: Engine, source: DataSource, label: string): Promise<SampleSchema> {
  const columns = await engine.describe(source);
  return { label, columns: new Map(columns.map((c): [string, Column] => [c.name, { ...c, kind: engine.dialect.columnKind(c.type) }])) };
}

async function runWithEngine(
  config: DataGateConfig,
  deps: DataGateDeps,
  engine: Engine,
  sources: { dataset: DataSource; reference?: DataSource },
  errors: (problems: DataProblem[]) => CheckResult[],
): Promise<CheckResult[]> {
  const queries: ExecutedQuery[] = [];
  const run = async (pass: AggregatePass | GroupingPass, source: DataSource, key: 'dataset' | 'reference'): Promise<DataProblem | undefined> => {
    const sql = pass.sql(source);
    const started = performance.now();
    const statementsBefore = engine.usage?.().length ?? 0;
    try {
      const rows = await engine.query(sql, { smallInput: isSmall(source) });
      pass.load(rows[0] ?? {});
      const usage = engine.usage?.().slice(statementsBefore).at(-1);
      queries.push({
        pass: pass.label,
        sql,
        ms: Math.round(performance.now() - started),
        ...(usage ? { queryId: usage.id, ...(usage.bytesScanned !== undefined ? { bytesScanned: usage.bytesScanned } : {}), ...(usage.costUsd !== undefined ? { costUsd: usage.costUsd } : {}) } : {}),
      });
      return undefined;
    } catch (error) {
      if (error instanceof DataSourceError) return { source: key, message: error.message };
      throw error;
    }
  };

  // 1. The samples' columns (missing files, unreadable or ragged CSV fail here).
  const samples: { dataset?: SampleSchema; reference?: SampleSchema } = {};
  const problems: DataProblem[] = [];
  for (const key of ['dataset', 'reference'] as const) {
    const source = sources[key];
    const configured = config[key];
    if (!source || !configured) continue;
    try {
      samples[key] = await describeSample(engine, source, configured.path);
    } catch (error) {
      if (!(error instanceof DataSourceError)) throw error;
      problems.push({ source: key, message: error.message });
    }
  }
  if (problems.length > 0 || !samples.dataset) return errors(problems);

  // 2. The checks against the real columns.
  const ctx: PlanContext = {
    dialect: engine.dialect,
    dataset: samples.dataset,
    ...(samples.reference ? { reference: samples.reference } : {}),
    referencePass: new AggregatePass('reference', engine.dialect),
    datasetPass: new AggregatePass('dataset pass 1', engine.dialect),
    groupingPass: new GroupingPass('dataset pass 2', engine.dialect),
    ...(deps.configFile !== undefined ? { configFile: deps.configFile } : {}),
  };
  const invalid = await validateChecks(config, ctx, { engine, ...sources });
  if (invalid.length > 0) return errors(invalid);

  // 3. Plan, then run the passes in order: reference, dataset pass 1, dataset pass 2.
  const datasetRows = ctx.datasetPass.add('count(*)');
  const planned = config.checks.map((check) => planCheck(check, ctx));
  const nanProbes = { dataset: planNanProbes(config.checks, ctx, 'dataset'), reference: planNanProbes(config.checks, ctx, 'reference') };
  let referenceRows: (() => unknown) | undefined;
  if (!ctx.referencePass.isEmpty && sources.reference) {
    referenceRows = ctx.referencePass.add('count(*)');
    const failed = await run(ctx.referencePass, sources.reference, 'reference');
    if (failed) return errors([failed]);
    if (Number(referenceRows()) === 0) return errors([{ source: 'reference', message: `${config.reference?.path}: the reference has no rows; drift and unseen categories need a production sample` }]);
    const nan = await nanProblems(nanProbes.reference, { key: 'reference', label: config.reference?.path ?? 'the reference', source: sources.reference }, engine);
    if (nan.length > 0) return errors(nan);
  }
  for (const check of planned) check.afterReference?.();
  const failed = await run(ctx.datasetPass, sources.dataset, 'dataset');
  if (failed) return errors([failed]);
  if (Number(datasetRows()) === 0) return errors([{ source: 'dataset', message: `${config.dataset.path}: the dataset has no rows; there is nothing to check` }]);
  const nan = await nanProblems(nanProbes.dataset, { key: 'dataset', label: config.dataset.path, source: sources.dataset }, engine);
  if (nan.length > 0) return errors(nan);
  if (!ctx.groupingPass.isEmpty) {
    const failedKeys = await run(ctx.groupingPass, sources.dataset, 'dataset');
    if (failedKeys) return errors([failedKeys]);
  }

  const results: CheckResult[] = [];
  for (const check of planned) results.push(...(await check.results()));
  const datasetPasses = queries.filter((q) => q.pass.startsWith('dataset')).length;
  const referencePasses = queries.length - datasetPasses;
  // Every statement counts, the ones that read columns and bind expressions too: each is billed.
  const usage = engine.usage ? usageTotals(engine.usage()) : undefined;
  results.unshift({
    id: 'data.plan',
    gate: 'data',
    // What ran and how, not a check: it can neither pass nor fail the release.
    status: 'info',
    observed: queries.length,
    observedText: `${queries.length} quer${queries.length === 1 ? 'y' : 'ies'}`,
    message: `${config.checks.length} data check${config.checks.length === 1 ? '' : 's'} ran in ${queries.length} quer${queries.length === 1 ? 'y' : 'ies'}: ${datasetPasses} pass${datasetPasses === 1 ? '' : 'es'} over ${config.dataset.path} (${plural(Number(datasetRows()), 'row')})${referencePasses > 0 ? ` and 1 over ${config.reference?.path} (${plural(Number(referenceRows?.()), 'row')})` : ''}.${usage ? ` ${describeUsage(usage)}.` : ''}`,
    details: { engine: engine.dialect.name, datasetPasses, referencePasses, queries, ...(usage ? { usage } : {}) },
  });
  return results;
}

/** Sources up to this size read on one thread with the memory returned after (DuckDbEngine.query). */
export const SMALL_INPUT_BYTES = 64 * 1024 * 1024;

/** A single file of at most SMALL_INPUT_BYTES (globs and tables: not known, so not small). */
function isSmall(source: DataSource): boolean {
  if (source.kind !== 'files' || /[*?[{]/.test(source.path)) return false;
  try {
    return statSync(source.path).size <= SMALL_INPUT_BYTES;
  } catch {
    return false;
  }
}

function planCheck(check: DataCheck, ctx: PlanContext): PlannedCheck {
  switch (check.type) {
    case 'row_count':
      return planRowCount(check, ctx);
    case 'schema':
      return planSchema(check, ctx);
    case 'missing':
      return planMissing(check, ctx);
    case 'range':
      return planRange(check, ctx);
    case 'allowed':
      return planAllowed(check, ctx);
    case 'unique':
      return planUnique(check, ctx);
    case 'duplicates':
      return planDuplicates(check, ctx);
    case 'unseen_categories':
      return planUnseen(check, ctx);
    case 'drift':
      return planDrift(check, ctx);
  }
}

/** Two checks of the same kind on the same column get `#2`, `#3`… so ids stay unique in a report. */
function uniqueIds(results: CheckResult[]): CheckResult[] {
  const seen = new Map<string, number>();
  return results.map((result) => {
    const count = (seen.get(result.id) ?? 0) + 1;
    seen.set(result.id, count);
    return count === 1 ? result : { ...result, id: `${result.id}#${count}` };
  });
}

/** Whether the data results should stop the release: an error-severity check failed or could not run. */
export function dataGateFailed(results: readonly CheckResult[]): boolean {
  return results.some((r) => r.gate === 'data' && (r.status === 'fail' || r.status === 'error'));
}
