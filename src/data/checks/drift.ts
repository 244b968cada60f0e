/**
 * drift: the inputs of the drift statistics (src/data/drift/types.ts), computed in SQL without
 * sorting the dataset.
 *
 * Numeric column.
 * - Reference pass (the small production sample, read once): count, population std, deciles
 *   (type-7 quantile_cont: the PSI / Jensen–Shannon cuts), and one sort of the values. Then,
 *   once over that one-row result (derived values): the grid = the inverse-CDF quantiles at
 *   p = 0, 1/1000, …, 1 (so the minimum and maximum), the 100 smallest and largest values (the
 *   tails, where quantile steps are widest) and the deciles; the histogram bounds = the grid
 *   points and the double just below each; the reference's counts at or below each bound, from
 *   one merged sort of its sample and the bounds (no second read, no join).
 * - Dataset pass 1 (streaming aggregates only): count, the counts in the same buckets (DuckDB
 *   `histogram(x, bounds)`: a binary search per row) with the bounds as DOUBLE literals, and the
 *   sums of the distances below the grid's first point and above its last (W1 tails).
 * Cumulative bucket counts are then the CDFs at the grid points and just below them, for both
 * samples (numericInputFromBuckets):
 * - KS: D on the grid (a lower bound of the exact D, within about 1/1000; the bound is reported);
 * - PSI / Jensen–Shannon / chi-square: the bins between the deciles, exact;
 * - Wasserstein: integrated over the CDFs plus the tails (wasserstein.ts), no quantiles.
 * NaN and ±∞ are left out of numeric columns like NULL.
 * Categorical column: the most frequent categories of each sample with their counts; the rest,
 * if any, pooled as one category.
 *
 * Which columns (`driftColumns`): a list is taken as given. `all` (and the object form
 * `columns: { id, categorical, numeric }`, which is `all` with those columns' treatment fixed) is
 * every column both samples have with a comparable type, minus `exclude` and `columns.id`; numbers
 * are numeric, text and booleans categorical, unless listed under `categorical` / `numeric`.
 * Inferred ids: under `all`, an integer or text column whose treatment is not fixed and whose
 * non-null values in the dataset (the check's segment) are all distinct, at least
 * ID_MIN_VALUES of them, is not drifted; its result says so (status skip). Decided in dataset
 * pass 1, which computes the column's drift aggregates anyway (one pass, nothing added for text):
 * - text: the dataset's top values are already every distinct value counted (a hash of all
 *   values), so "the most frequent value occurs once" is exactly "all distinct": free. That
 *   aggregate is itself heavy on an id (bench/data + 5M distinct strings: 15 s and 2.2 GB peak
 *   instead of 6 s and 250 MB), which is why known ids belong under columns.id (not read);
 * - integer: one `count(DISTINCT x)` in the same pass: a hash set of the column's distinct values
 *   (bench/data + a 5M-distinct BIGINT id, Parquet, 2 cores, DuckDB 1.5: dataset pass 4.7 s and
 *   440 MB peak, against 4.0 s / 260 MB comparing it under columns.numeric and 3.5 s / 250 MB not
 *   reading it; a column with few values: nothing measurable). Approximate counts cannot decide
 *   "all distinct" (DuckDB's approx_count_distinct was 2 % off on 5M distinct integers and 10 %
 *   on 5M distinct strings).
 * A column listed under `categorical`, `numeric` or `id`, or excluded, gets no such aggregate.
 */
import type { ColumnKind, DriftCheck } from '../../config/data-types.js';
import { closestKey } from '../../config/suggest.js';
import type { CategoricalDriftInput, DriftInput, DriftMethod, DriftScore } from '../drift/types.js';
import { methodsFor, numericInputFromBuckets, scoreColumns } from '../drift/index.js';
import type { CheckResult } from '../../report/result.js';
import { formatNumber } from '../../report/format.js';
import type { DriftCorrection } from '../../config/data-types.js';
import type { SqlValue } from '../engine/engine.js';
import type { Slot } from '../sql/passes.js';
import type { PlanContext, PlannedCheck, SampleSchema } from './context.js';
import { addTopValues, both, percent, segment, toNumber, toNumbers, toResult, toValueCounts } from './context.js';

/** Reference quantile probabilities of the grid (KS, Wasserstein): p = 0, 1/1000, …, 1. */
export const GRID_PROBABILITIES = Array.from({ length: 1001 }, (_, i) => i / 1000);
/** Smallest and largest reference values added to the grid one by one. */
export const GRID_EXTREMES = 100;
/** The PSI / Jensen–Shannon / chi-square bin cuts: reference deciles. */
export const DECILE_PROBABILITIES = Array.from({ length: 9 }, (_, i) => (i + 1) / 10);
/** Categories listed per column and sample; the rest are pooled. */
export const MAX_DRIFT_CATEGORIES = 1000;
/** The pooled category's name. */
export const OTHER_CATEGORY = '(other)';

/** Fewest non-null dataset values (in the check's segment) for a column to be inferred an id. */
export const ID_MIN_VALUES = 20;

/** A column a drift check compares. */
export interface DriftColumn {
  name: string;
  kind: DriftInput['kind'];
  /** Under `all`, an integer or text column whose treatment is not fixed: an id when its dataset values are all distinct. */
  idCandidate: boolean;
}

/**
 * The columns a drift check compares, with their kind: numbers numeric, text and booleans
 * categorical, unless `columns.categorical` / `columns.numeric` say otherwise (see the header).
 */
export function driftColumns(check: DriftCheck, ctx: Pick<PlanContext, 'dataset' | 'reference'>): DriftColumn[] {
  const kinds = check.kinds;
  const left = new Set([...(check.exclude ?? []), ...(kinds?.id ?? [])]);
  const forced = new Map<string, DriftInput['kind']>([
    ...(kinds?.categorical ?? []).map((n): [string, DriftInput['kind']] => [n, 'categorical']),
    ...(kinds?.numeric ?? []).map((n): [string, DriftInput['kind']] => [n, 'numeric']),
  ]);
  const all = check.columns === 'all';
  const names = all ? [...ctx.dataset.columns.keys()].filter((n) => ctx.reference?.columns.has(n) && !left.has(n)) : (check.columns as string[]);
  return names.flatMap((name): DriftColumn[] => {
    const type = ctx.dataset.columns.get(name)?.kind;
    const natural = driftKind(type);
    // Dates, lists…: not compared (validation rejects them when listed explicitly).
    if (natural === undefined) return [];
    const kind = forced.get(name) ?? natural;
    // Numbers only (validation rejects a text column under columns.numeric).
    if (kind === 'numeric' && natural !== 'numeric') return [];
    return [{ name, kind, idCandidate: all && !forced.has(name) && (type === 'integer' || type === 'text') }];
  });
}

/** Whether a column of this kind holds numbers. */
function isNumber(kind: ColumnKind | undefined): boolean {
  return kind === 'numeric' || kind === 'integer';
}

/** `; did you mean 'x'?` among the samples' columns, or the list of their columns. */
function suggestion(name: string, samples: readonly SampleSchema[]): string {
  const columns = [...new Set(samples.flatMap((s) => [...s.columns.keys()]))];
  const guess = closestKey(name, columns);
  return guess !== undefined ? `; did you mean '${guess}'?` : `; ${samples.length === 1 ? 'its' : 'the'} columns are ${columns.join(', ')}`;
}

/**
 * A drift check against the samples' real columns, before anything is computed: excluded and id
 * columns exist in at least one sample, forced kinds fit the columns' types, listed columns can
 * be compared, something is left to compare, and the method suits every compared column.
 */
export function driftProblems(check: DriftCheck, ctx: { dataset: SampleSchema; reference: SampleSchema }): string[] {
  const problems: string[] = [];
  const { dataset, reference } = ctx;
  const samples = [dataset, reference];
  const inNeither = (key: string, name: string): void => {
    if (!dataset.columns.has(name) && !reference.columns.has(name)) {
      problems.push(`${key}: column '${name}' is in neither the dataset ${dataset.label} nor the reference ${reference.label}${suggestion(name, samples)}`);
    }
  };
  for (const name of check.exclude ?? []) inNeither('exclude', name);
  for (const name of check.kinds?.id ?? []) inNeither('columns.id', name);
  for (const kind of ['categorical', 'numeric'] as const) {
    for (const name of check.kinds?.[kind] ?? []) {
      const missing = samples.find((s) => !s.columns.has(name));
      if (missing) {
        const which = missing === dataset ? 'dataset' : 'reference';
        problems.push(`columns.${kind}: column '${name}' is not in the ${which} ${missing.label}${suggestion(name, [missing])}`);
        continue;
      }
      for (const [which, sample] of [['dataset', dataset], ['reference', reference]] as const) {
        const column = sample.columns.get(name);
        if (!column) continue;
        if (kind === 'categorical' && driftKind(column.kind) === undefined) {
          problems.push(`columns.categorical: cannot measure drift of '${name}' (${column.type} in the ${which} ${sample.label}); drift compares numbers, text and booleans`);
          break;
        }
        if (kind === 'numeric' && !isNumber(column.kind)) {
          problems.push(`columns.numeric: '${name}' is ${column.type} in the ${which} ${sample.label}, not a number; list it under columns.categorical or leave it out`);
          break;
        }
      }
    }
  }
  const compared = driftColumns(check, ctx);
  if (check.columns !== 'all') {
    for (const name of check.columns) {
      const column = dataset.columns.get(name);
      if (column && !driftKind(column.kind)) problems.push(`cannot measure drift of '${name}' (${column.type}); drift compares numbers, text and booleans`);
    }
  } else if (compared.length === 0) {
    const shared = driftColumns({ ...check, exclude: [], kinds: { id: [], categorical: [], numeric: [] } }, ctx);
    problems.push(
      shared.length === 0
        ? `the dataset and the reference share no numeric, text or boolean column to compare`
        : `every column the dataset and the reference share (${shared.map((c) => c.name).join(', ')}) is excluded or under columns.id: nothing is left to compare`,
    );
  }
  if (check.method !== 'auto') {
    const method = check.method;
    for (const column of compared) {
      if (!methodsFor(column.kind).includes(method)) problems.push(`method '${method}' needs numeric columns; '${column.name}' is categorical (use psi, chi2 or jensen-shannon)`);
    }
  }
  return problems;
}

/** How a column of this kind is compared, undefined when it cannot be. */
export function driftKind(kind: ColumnKind | undefined): DriftInput['kind'] | undefined {
  if (kind === 'numeric' || kind === 'integer') return 'numeric';
  if (kind === 'text' || kind === 'boolean') return 'categorical';
  return undefined;
}

interface NumericSlots {
  kind: 'numeric';
  name: string;
  idCandidate: boolean;
  /** Distinct non-null dataset values, for an id candidate. */
  dataDistinct?: Slot;
  present: string;
  value: string;
  refCount: Slot;
  refStd: Slot;
  refDeciles: Slot;
  refGrid: Slot;
  refBounds: Slot;
  /** Reference values at or below each bound (cumulative). */
  refAtOrBelow: Slot;
  dataCount?: Slot;
  dataBuckets?: Slot;
  dataTailBelow?: Slot;
  dataTailAbove?: Slot;
}

interface CategoricalSlots {
  kind: 'categorical';
  name: string;
  idCandidate: boolean;
  refCount: Slot;
  refTop: Slot;
  dataCount: Slot;
  dataTop: Slot;
}

/** Bucket counts (the last one above every bound) from counts at or below each bound. */
export function differences(atOrBelow: readonly number[], total: number): number[] {
  return [...atOrBelow, total].map((v, k) => v - (k === 0 ? 0 : (atOrBelow[k - 1] as number)));
}

/** Bucket counts from Dialect.binnedCounts: an array in bucket order, or a map bucket index → count. */
export function toBucketCounts(value: SqlValue | undefined, buckets: number): number[] {
  if (!Array.isArray(value)) return [];
  if (value.every((v) => v === null || typeof v !== 'object')) return value.map((v) => toNumber(v) ?? 0);
  const counts = new Array<number>(buckets).fill(0);
  for (const entry of value) {
    if (entry !== null && typeof entry === 'object' && !Array.isArray(entry)) counts[Number(entry.key)] = Number(entry.value);
  }
  return counts;
}

/** The categorical input: union of both samples' listed categories; unlisted rows pooled. */
export function categoricalInput(
  name: string,
  reference: { count: number; top: Array<{ value: string; count: number }> },
  dataset: { count: number; top: Array<{ value: string; count: number }> },
): CategoricalDriftInput {
  const categories = [...new Set([...reference.top.map((c) => c.value), ...dataset.top.map((c) => c.value)])].sort();
  const ref = new Map(reference.top.map((c) => [c.value, c.count]));
  const data = new Map(dataset.top.map((c) => [c.value, c.count]));
  const referenceCounts = categories.map((c) => ref.get(c) ?? 0);
  const datasetCounts = categories.map((c) => data.get(c) ?? 0);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const refOther = reference.count - sum(referenceCounts);
  const dataOther = dataset.count - sum(datasetCounts);
  if (refOther > 0 || dataOther > 0) {
    categories.push(OTHER_CATEGORY);
    referenceCounts.push(refOther);
    datasetCounts.push(dataOther);
  }
  return { kind: 'categorical', column: name, datasetCount: dataset.count, referenceCount: reference.count, categories, datasetCounts, referenceCounts };
}

export function planDrift(check: DriftCheck, ctx: PlanContext): PlannedCheck {
  const d = ctx.dialect;
  const where = segment(check);
  const columns: Array<NumericSlots | CategoricalSlots> = driftColumns(check, ctx).map(({ name, kind, idCandidate }) => {
    const column = d.ident(name);
    if (kind === 'categorical') {
      const present = both(where, `${column} IS NOT NULL`);
      // Numbers compared as categories: as text, through DOUBLE when one sample has integers and
      // the other decimals (so 3 and 3.0 are the same category).
      const kinds = [ctx.dataset.columns.get(name)?.kind, ctx.reference?.columns.get(name)?.kind];
      const value = kinds.every(isNumber) && kinds[0] !== kinds[1] ? d.asDouble(column) : column;
      // An id candidate needs nothing more: the dataset's top values count every distinct value.
      return {
        kind,
        name,
        idCandidate,
        refCount: ctx.referencePass.add(d.filtered(`count(${column})`, where)),
        refTop: addTopValues(ctx.referencePass, d, value, present, MAX_DRIFT_CATEGORIES),
        dataCount: ctx.datasetPass.add(d.filtered(`count(${column})`, where)),
        dataTop: addTopValues(ctx.datasetPass, d, value, present, MAX_DRIFT_CATEGORIES),
      };
    }
    const value = d.asDouble(column);
    // Integers cannot be NaN or infinite; other numbers can, and are left out like NULL.
    const integer = ctx.dataset.columns.get(name)?.kind === 'integer' && ctx.reference?.columns.get(name)?.kind === 'integer';
    const present = both(where, integer ? `${column} IS NOT NULL` : d.isFinite(value)) as string;
    // The reference: one sort, then grid, bounds and the reference's own counts at the bounds
    // computed once from the sorted sample (derived values: no second read, no join).
    const sorted = ctx.referencePass.addHidden(d.sortedValues(value, present));
    // From the sorted sample where the dialect has no exact quantile aggregate (Trino).
    const deciles = d.quantilesOfSorted
      ? d.quantilesOfSorted(sorted, DECILE_PROBABILITIES)
      : ctx.referencePass.addHidden(d.filtered(d.quantiles(value, DECILE_PROBABILITIES), present));
    const grid = d.quantileGrid(sorted, GRID_PROBABILITIES, GRID_EXTREMES, deciles);
    const bounds = d.histogramBounds(grid);
    return {
      kind,
      name,
      idCandidate,
      // Exact: "all distinct" is an equality no approximate count can decide (see the header).
      ...(idCandidate ? { dataDistinct: ctx.datasetPass.add(d.filtered(`count(DISTINCT ${column})`, where)) } : {}),
      present,
      value,
      refCount: ctx.referencePass.add(d.countWhere(present)),
      refStd: ctx.referencePass.add(d.filtered(d.stddev(value), present)),
      refDeciles: ctx.referencePass.addDerived(deciles),
      refGrid: ctx.referencePass.addDerived(grid),
      refBounds: ctx.referencePass.addDerived(bounds),
      refAtOrBelow: ctx.referencePass.addDerived(d.countsAtOrBelow(sorted, bounds)),
    };
  });

  return {
    afterReference() {
      for (const column of columns) {
        if (column.kind !== 'numeric') continue;
        column.dataCount = ctx.datasetPass.add(d.countWhere(column.present));
        const grid = toNumbers(column.refGrid());
        const bounds = toNumbers(column.refBounds());
        const first = grid[0];
        const last = grid[grid.length - 1];
        // No reference value: nothing to bin against (the score is "no data", see scoreDrift).
        if (first === undefined || last === undefined) continue;
        column.dataBuckets = ctx.datasetPass.add(d.binnedCounts(column.value, d.array(bounds.map((b) => d.literal(b))), column.present));
        const lo = d.literal(first);
        const hi = d.literal(last);
        column.dataTailBelow = ctx.datasetPass.add(d.filtered(`sum(${lo} - ${column.value})`, both(column.present, `${column.value} < ${lo}`)));
        column.dataTailAbove = ctx.datasetPass.add(d.filtered(`sum(${column.value} - ${hi})`, both(column.present, `${column.value} > ${hi}`)));
      }
    },
    results() {
      // Inferred ids: all of at least ID_MIN_VALUES non-null dataset values distinct.
      const ids = new Map<string, number>();
      for (const c of columns) {
        if (!c.idCandidate) continue;
        const count = toNumber(c.dataCount?.()) ?? 0;
        const distinct = c.kind === 'categorical' ? (toValueCounts(c.dataTop())[0]?.count === 1 ? count : undefined) : toNumber(c.dataDistinct?.());
        if (count >= ID_MIN_VALUES && distinct === count) ids.set(c.name, count);
      }
      const compared = columns.filter((c) => !ids.has(c.name));
      const inputs = compared.map((c): DriftInput => {
        if (c.kind === 'categorical') {
          return categoricalInput(
            c.name,
            { count: toNumber(c.refCount()) ?? 0, top: toValueCounts(c.refTop()) },
            { count: toNumber(c.dataCount()) ?? 0, top: toValueCounts(c.dataTop()) },
          );
        }
        const bounds = toNumbers(c.refBounds());
        const dataCount = toNumber(c.dataCount?.()) ?? 0;
        const referenceCount = toNumber(c.refCount()) ?? 0;
        return numericInputFromBuckets(
          c.name,
          { grid: toNumbers(c.refGrid()), bounds, binCuts: [...new Set(toNumbers(c.refDeciles()))].sort((a, b) => a - b), referenceStd: toNumber(c.refStd()) ?? 0 },
          { count: referenceCount, bucketCounts: differences(toNumbers(c.refAtOrBelow()), referenceCount) },
          {
            count: dataCount,
            bucketCounts: toBucketCounts(c.dataBuckets?.(), bounds.length + 1),
            tailSums: { below: toNumber(c.dataTailBelow?.()) ?? 0, above: toNumber(c.dataTailAbove?.()) ?? 0 },
          },
        );
      });
      const options = { method: check.method, correction: check.correction, ...(check.threshold !== undefined ? { threshold: check.threshold } : {}), ...(check.alpha !== undefined ? { alpha: check.alpha } : {}) };
      const scored = scoreColumns(inputs, options);
      const shareMode = check.driftShare !== undefined;
      const scoredResults = scored.scores.map((score, i) => {
        const input = inputs[i] as DriftInput;
        // Tests (ks, chi2) decide on the p-value (after correction), distances on the statistic:
        // show the number the decision was made on, against its limit.
        const p = score.adjustedPValue ?? score.pValue;
        const decidedOn = p !== undefined ? p : score.statistic;
        const observed = Number.isFinite(decidedOn) ? Number(decidedOn.toPrecision(4)) : null;
        const expected = p !== undefined ? `p ≥ ${score.threshold}` : `< ${score.threshold}`;
        const details = { ...score, datasetCount: input.datasetCount, referenceCount: input.referenceCount, input };
        const { observedText, expectedText } = driftTexts(score, check.correction);
        // With drift-share the verdict is the share; a drifted column is then a warning.
        const result = toResult(check, { column: score.column, passed: !score.drifted, observed, expected, observedText, expectedText, message: `${score.column}: ${score.reason}`, details }, ctx.configFile);
        if (shareMode && result.status === 'fail') result.status = 'warn';
        return result;
      });
      // In column order: the compared columns' results, and a note for each inferred id.
      const byColumn = new Map(compared.map((c, i) => [c.name, scoredResults[i] as CheckResult]));
      const results = columns.map((c) => byColumn.get(c.name) ?? idResult(check, c, ids.get(c.name) as number, ctx.configFile));
      if (shareMode) {
        const limit = check.driftShare as number;
        const passed = scored.share < limit;
        const message = `${scored.drifted} of ${scored.total} columns drifted (${percent(100 * scored.share)}), ${passed ? 'below' : 'at or above'} the drift share ${percent(100 * limit)}.`;
        const observedText = `${scored.drifted} of ${scored.total} columns drifted (${percent(100 * scored.share)})`;
        const expectedText = `< ${percent(100 * limit)} of columns drifted`;
        results.push(toResult(check, { passed, observed: Number(scored.share.toFixed(4)), expected: `< ${limit}`, observedText, expectedText, message, details: { drifted: scored.scores.filter((s) => s.drifted).map((s) => s.column), total: scored.total } }, ctx.configFile));
      }
      return results;
    },
  };
}

/** The note for an inferred id column: not drifted, and how to drift it anyway. */
export function idResult(check: DriftCheck, column: { name: string; kind: DriftInput['kind'] }, distinct: number, configFile: string | undefined): CheckResult {
  const message = `${column.name} looks like an id (all ${distinct} values distinct): not drifted; list it under columns.${column.kind} to drift it anyway.`;
  const result = toResult(check, { column: column.name, passed: true, observed: distinct, observedText: `${distinct} distinct values (an id)`, message, details: { inferredId: true, distinctValues: distinct, datasetCount: distinct } }, configFile);
  return { ...result, status: 'skip' };
}

/** The statistic each distance method reports, named as the docs and the reasons name it. */
const STATISTIC_LABEL: Record<DriftMethod, string> = {
  psi: 'PSI',
  ks: 'KS D',
  chi2: 'chi²',
  'jensen-shannon': 'JS distance',
  wasserstein: 'Wasserstein (normalised)',
};

const ADJUSTED_LABEL: Record<Exclude<DriftCorrection, 'none'>, string> = { holm: 'Holm-adjusted', bh: 'Benjamini–Hochberg-adjusted' };

/** A p-value for a cell: 3 significant digits, `1.00` rather than `1`, `< 0.0001` for the tiny ones. */
export function formatPValue(p: number): string {
  if (p >= 1) return '1.00';
  if (p < 0.0001) return '< 0.0001';
  return String(Number(p.toPrecision(3)));
}

/**
 * What a drift result's observed and expected mean: the number the decision was made on with its
 * name (`PSI 0.31` against `PSI < 0.2`; `p (Holm-adjusted) 1.00` against `p ≥ 0.05`), so a
 * corrected p-value of 1 never stands in a cell unlabelled.
 */
export function driftTexts(score: DriftScore, correction: DriftCorrection): { observedText: string; expectedText: string } {
  if (score.pValue !== undefined) {
    const adjusted = score.adjustedPValue !== undefined && correction !== 'none';
    const name = adjusted ? `p (${ADJUSTED_LABEL[correction]})` : 'p';
    const p = adjusted ? score.adjustedPValue : score.pValue;
    const value = p !== undefined && Number.isFinite(p) ? formatPValue(p) : 'not computable';
    return { observedText: `${name} ${value}`, expectedText: `${name} ≥ ${score.threshold} (no drift)` };
  }
  const label = STATISTIC_LABEL[score.method];
  const value = Number.isFinite(score.statistic) ? formatNumber(Number(score.statistic.toPrecision(4))) : 'not computable';
  return { observedText: `${label} ${value}`, expectedText: `${label} < ${score.threshold}` };
}
