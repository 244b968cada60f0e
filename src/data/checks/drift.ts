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
 */
import type { ColumnKind, DriftCheck } from '../../config/data-types.js';
import type { CategoricalDriftInput, DriftInput } from '../drift/types.js';
import { numericInputFromBuckets, scoreColumns } from '../drift/index.js';
import type { SqlValue } from '../engine/engine.js';
import type { Slot } from '../sql/passes.js';
import type { PlanContext, PlannedCheck } from './context.js';
import { both, percent, segment, toNumber, toNumbers, toResult, toValueCounts } from './context.js';

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

/** The columns a drift check compares, with their kind: numbers numeric, text and booleans categorical. */
export function driftColumns(check: DriftCheck, ctx: PlanContext): Array<{ name: string; kind: DriftInput['kind'] }> {
  const names = check.columns === 'all' ? [...ctx.dataset.columns.keys()].filter((n) => ctx.reference?.columns.has(n)) : check.columns;
  return names.flatMap((name): Array<{ name: string; kind: DriftInput['kind'] }> => {
    const kind = driftKind(ctx.dataset.columns.get(name)?.kind);
    // Dates, lists…: not compared (validation rejects them when listed explicitly).
    return kind === undefined ? [] : [{ name, kind }];
  });
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
  const columns: Array<NumericSlots | CategoricalSlots> = driftColumns(check, ctx).map(({ name, kind }) => {
    const column = d.ident(name);
    if (kind === 'categorical') {
      const present = both(where, `${column} IS NOT NULL`);
      return {
        kind,
        name,
        refCount: ctx.referencePass.add(d.filtered(`count(${column})`, where)),
        refTop: ctx.referencePass.add(d.topValues(column, present, MAX_DRIFT_CATEGORIES)),
        dataCount: ctx.datasetPass.add(d.filtered(`count(${column})`, where)),
        dataTop: ctx.datasetPass.add(d.topValues(column, present, MAX_DRIFT_CATEGORIES)),
      };
    }
    const value = d.asDouble(column);
    // Integers cannot be NaN or infinite; other numbers can, and are left out like NULL.
    const integer = ctx.dataset.columns.get(name)?.kind === 'integer' && ctx.reference?.columns.get(name)?.kind === 'integer';
    const present = both(where, integer ? `${column} IS NOT NULL` : d.isFinite(value)) as string;
    // The reference: one sort, then grid, bounds and the reference's own counts at the bounds
    // computed once from the sorted sample (derived values: no second read, no join).
    const sorted = ctx.referencePass.addHidden(d.sortedValues(value, present));
    const deciles = ctx.referencePass.addHidden(d.filtered(d.quantiles(value, DECILE_PROBABILITIES), present));
    const grid = d.quantileGrid(sorted, GRID_PROBABILITIES, GRID_EXTREMES, deciles);
    const bounds = d.histogramBounds(grid);
    return {
      kind,
      name,
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
      const inputs = columns.map((c): DriftInput => {
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
      const results = scored.scores.map((score, i) => {
        const input = inputs[i] as DriftInput;
        // Tests (ks, chi2) decide on the p-value (after correction), distances on the statistic:
        // show the number the decision was made on, against its limit.
        const p = score.adjustedPValue ?? score.pValue;
        const decidedOn = p !== undefined ? p : score.statistic;
        const observed = Number.isFinite(decidedOn) ? Number(decidedOn.toPrecision(4)) : null;
        const expected = p !== undefined ? `p ≥ ${score.threshold}` : `< ${score.threshold}`;
        const details = { ...score, datasetCount: input.datasetCount, referenceCount: input.referenceCount, input };
        // With drift-share the verdict is the share; a drifted column is then a warning.
        const result = toResult(check, { column: score.column, passed: !score.drifted, observed, expected, message: `${score.column}: ${score.reason}`, details }, ctx.configFile);
        if (shareMode && result.status === 'fail') result.status = 'warn';
        return result;
      });
      if (shareMode) {
        const limit = check.driftShare as number;
        const passed = scored.share < limit;
        const message = `${scored.drifted} of ${scored.total} columns drifted (${percent(100 * scored.share)}), ${passed ? 'below' : 'at or above'} the drift share ${percent(100 * limit)}.`;
        results.push(toResult(check, { passed, observed: Number(scored.share.toFixed(4)), expected: `< ${limit}`, message, details: { drifted: scored.scores.filter((s) => s.drifted).map((s) => s.column), total: scored.total } }, ctx.configFile));
      }
      return results;
    },
  };
}
