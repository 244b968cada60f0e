/**
 * drift: the inputs of the drift statistics (src/data/drift/types.ts), computed in SQL.
 *
 * Numeric column. The reference pass computes the reference's discrete quantiles at
 * p = 0.01 … 0.99 (observed values: the grid), and over the same scan the count of reference
 * values in each grid bucket (bucket = number of grid points below the value). The dataset
 * pass counts its values in the same buckets with the grid as literals. Cumulative bucket
 * counts are then the counts at or below each grid point, for both samples:
 * - KS: the empirical CDFs at the (de-duplicated) grid;
 * - PSI / Jensen–Shannon: bins cut at the reference deciles (grid points at p = 0.1 … 0.9);
 * - Wasserstein: continuous quantiles at p = 0.005 … 0.995 of each sample, in its own pass.
 * Categorical column: the most frequent categories of each sample with their counts; the rest,
 * if any, pooled as one category.
 */
import type { ColumnKind, DriftCheck } from '../../config/data-types.js';
import type { CategoricalDriftInput, DriftInput, NumericDriftInput } from '../drift/types.js';
import { scoreColumns } from '../drift/index.js';
import type { Slot } from '../sql/passes.js';
import type { PlanContext, PlannedCheck } from './context.js';
import { both, percent, segment, toCounts, toNumber, toNumbers, toResult, toValueCounts } from './context.js';

/** Reference quantile probabilities that define the grid (KS) and, every tenth, the bin cuts. */
export const GRID_PROBABILITIES = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);
export const DECILE_PROBABILITIES = Array.from({ length: 9 }, (_, i) => (i + 1) / 10);
/** Quantile probabilities of the Wasserstein distance: midpoints of 100 equal slices. */
export const WASSERSTEIN_PROBABILITIES = Array.from({ length: 100 }, (_, i) => (i + 0.5) / 100);
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
  refCount: Slot;
  refStd: Slot;
  refGrid: Slot;
  refBuckets: Slot;
  refQuantiles: Slot;
  dataCount?: Slot;
  dataBuckets?: Slot;
  dataQuantiles?: Slot;
  grid: number[];
}

interface CategoricalSlots {
  kind: 'categorical';
  name: string;
  refCount: Slot;
  refTop: Slot;
  dataCount: Slot;
  dataTop: Slot;
}

/** Counts at or below each grid point, from bucket counts (bucket b = values with b grid points below them). */
function cumulativeAtGrid(buckets: Map<number, number>, gridLength: number): number[] {
  const cumulative: number[] = [];
  let running = 0;
  for (let j = 0; j < gridLength; j++) {
    running += buckets.get(j) ?? 0;
    cumulative.push(running);
  }
  return cumulative;
}

/** The numeric input from the two passes' values; the grid is the reference's, de-duplicated. */
export function numericInput(
  name: string,
  reference: { count: number; std: number; grid: number[]; buckets: Map<number, number>; quantiles: number[] },
  dataset: { count: number; buckets: Map<number, number>; quantiles: number[] },
): NumericDriftInput {
  // The reference buckets are over the raw grid (repeats included); a value's count at or below
  // a grid point depends only on the point's value, so the last index of each value is used.
  const rawCumulative = cumulativeAtGrid(reference.buckets, reference.grid.length);
  const grid = [...new Set(reference.grid)].sort((a, b) => a - b);
  const refAt = new Map<number, number>();
  reference.grid.forEach((value, i) => refAt.set(value, rawCumulative[i] ?? 0));
  const dataCumulative = cumulativeAtGrid(dataset.buckets, grid.length);
  const dataAt = new Map(grid.map((value, i) => [value, dataCumulative[i] ?? 0]));

  const deciles = DECILE_PROBABILITIES.map((p) => reference.grid[Math.round(p * 100) - 1]).filter((v): v is number => v !== undefined);
  const binCuts = [...new Set(deciles)].sort((a, b) => a - b);
  const bins = (at: Map<number, number>, total: number): number[] => {
    const counts: number[] = [];
    let below = 0;
    for (const cut of binCuts) {
      const upTo = at.get(cut) ?? below;
      counts.push(upTo - below);
      below = upTo;
    }
    counts.push(total - below);
    return counts;
  };
  return {
    kind: 'numeric',
    column: name,
    datasetCount: dataset.count,
    referenceCount: reference.count,
    binCuts,
    datasetBinCounts: bins(dataAt, dataset.count),
    referenceBinCounts: bins(refAt, reference.count),
    probabilities: WASSERSTEIN_PROBABILITIES,
    datasetQuantiles: dataset.quantiles,
    referenceQuantiles: reference.quantiles,
    grid,
    datasetCdf: grid.map((g) => (dataset.count === 0 ? 0 : (dataAt.get(g) ?? 0) / dataset.count)),
    referenceCdf: grid.map((g) => (reference.count === 0 ? 0 : (refAt.get(g) ?? 0) / reference.count)),
    referenceStd: reference.std,
  };
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
    const present = both(where, `${column} IS NOT NULL`);
    if (kind === 'categorical') {
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
    const grid = ctx.referencePass.addPre(d.filtered(d.discreteQuantiles(value, GRID_PROBABILITIES), present));
    return {
      kind,
      name,
      refCount: ctx.referencePass.add(d.filtered(`count(${column})`, where)),
      refStd: ctx.referencePass.add(d.filtered(d.stddev(value), where)),
      refGrid: ctx.referencePass.add(d.anyValue(grid)),
      refBuckets: ctx.referencePass.add(d.filtered(d.histogram(d.bucketIndex(value, grid)), present)),
      refQuantiles: ctx.referencePass.add(d.filtered(d.quantiles(value, WASSERSTEIN_PROBABILITIES), present)),
      grid: [],
    };
  });

  return {
    afterReference() {
      for (const column of columns) {
        if (column.kind !== 'numeric') continue;
        const value = d.asDouble(d.ident(column.name));
        const present = both(where, `${d.ident(column.name)} IS NOT NULL`);
        column.grid = [...new Set(toNumbers(column.refGrid()))].sort((a, b) => a - b);
        column.dataCount = ctx.datasetPass.add(d.filtered(`count(${d.ident(column.name)})`, where));
        column.dataQuantiles = ctx.datasetPass.add(d.filtered(d.quantiles(value, WASSERSTEIN_PROBABILITIES), present));
        const cuts = d.array(column.grid.map((g) => d.literal(g)));
        column.dataBuckets = ctx.datasetPass.add(d.filtered(d.histogram(d.bucketIndex(value, cuts)), present));
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
        return numericInput(
          c.name,
          { count: toNumber(c.refCount()) ?? 0, std: toNumber(c.refStd()) ?? 0, grid: toNumbers(c.refGrid()), buckets: toCounts(c.refBuckets()), quantiles: toNumbers(c.refQuantiles()) },
          { count: toNumber(c.dataCount?.()) ?? 0, buckets: toCounts(c.dataBuckets?.()), quantiles: toNumbers(c.dataQuantiles?.()) },
        );
      });
      const options = { method: check.method, correction: check.correction, ...(check.threshold !== undefined ? { threshold: check.threshold } : {}), ...(check.alpha !== undefined ? { alpha: check.alpha } : {}) };
      const scored = scoreColumns(inputs, options);
      const shareMode = check.driftShare !== undefined;
      const results = scored.scores.map((score, i) => {
        const input = inputs[i] as DriftInput;
        const observed = Number.isFinite(score.statistic) ? Number(score.statistic.toPrecision(4)) : null;
        const details = { ...score, datasetCount: input.datasetCount, referenceCount: input.referenceCount, input };
        // With drift-share the verdict is the share; a drifted column is then a warning.
        const result = toResult(check, { column: score.column, passed: !score.drifted, observed, expected: `< ${score.threshold}`, message: `${score.column}: ${score.reason}`, details }, ctx.configFile);
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
