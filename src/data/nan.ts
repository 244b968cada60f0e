/**
 * NaN is not a number, and infinity is not a measurement. DuckDB reads `NaN` and `inf` in a CSV
 * column of floats (and Parquet stores them) as the IEEE values, and the aggregates then go on as
 * if they were numbers: a range check calls NaN out of range with a maximum of NaN, a missing
 * check does not count it, drift leaves it out or cannot bin an infinity. So each floating-point
 * column a check reads gets a NaN count and an infinity count in the pass that already scans its
 * sample, and one found there is an input error naming the file, the column and the first row,
 * before any check is judged. */
import type { DataCheck } from '../config/data-types.js';
import type { PlanContext } from './checks/context.js';
import type { Engine } from './engine/engine.js';
import type { DataSource, Dialect } from './sql/dialect.js';
import type { Slot } from './sql/passes.js';
import { columnsRead, type DataProblem } from './validate.js';

/** The NaN and infinity counts of one column, readable after its sample's pass ran. */
export interface NanProbe {
  column: string;
  count: Slot;
  infinite: Slot;
}

function nanCondition(dialect: Dialect, column: string): string {
  return dialect.isNaN(dialect.asDouble(dialect.ident(column)));
}

/** ±Infinity (`inf`, `Infinity` in a CSV): a range check would call it out of range, drift cannot bin it. */
function infiniteCondition(dialect: Dialect, column: string): string {
  return dialect.isInfinite(dialect.asDouble(dialect.ident(column)));
}

/** Adds a NaN count to the sample's pass for every floating-point (or decimal) column the checks read from it. */
export function planNanProbes(checks: readonly DataCheck[], ctx: PlanContext, sample: 'dataset' | 'reference'): NanProbe[] {
  const schema = ctx[sample];
  if (!schema) return [];
  const pass = sample === 'dataset' ? ctx.datasetPass : ctx.referencePass;
  const names = new Set(checks.flatMap((check) => columnsRead(check, ctx)[sample]));
  return [...names].flatMap((name) =>
    schema.columns.get(name)?.kind === 'numeric'
      ? [{ column: name, count: pass.add(ctx.dialect.countWhere(nanCondition(ctx.dialect, name))), infinite: pass.add(ctx.dialect.countWhere(infiniteCondition(ctx.dialect, name))) }]
      : [],
  );
}

/**
 * One problem per column whose probe counted NaN, with the first row holding one when the
 * engine can tell (one more statement, run only when there is a NaN to point at).
 */
export async function nanProblems(
  probes: readonly NanProbe[],
  sample: { key: 'dataset' | 'reference'; label: string; source: DataSource },
  engine: Engine,
): Promise<DataProblem[]> {
  const problems: DataProblem[] = [];
  for (const probe of probes) {
    const count = Number(probe.count() ?? 0);
    if (count > 0) {
      const first = await engine.firstRowWhere?.(sample.source, nanCondition(engine.dialect, probe.column));
      const where = first ? `, the first at data row ${first.row}${first.file !== undefined ? ` of ${first.file}` : ''}` : '';
      problems.push({
        source: sample.key,
        message: `${sample.label}: column '${probe.column}' has ${count} NaN value${count === 1 ? '' : 's'}${where}; NaN is not a number, so no check can judge it (leave the field empty for a missing value)`,
      });
    }
    const infinite = Number(probe.infinite() ?? 0);
    if (infinite > 0) {
      const first = await engine.firstRowWhere?.(sample.source, infiniteCondition(engine.dialect, probe.column), engine.dialect.asText(engine.dialect.ident(probe.column)));
      const where = first ? `, the first ${String(first.value)} at data row ${first.row}${first.file !== undefined ? ` of ${first.file}` : ''}` : '';
      problems.push({
        source: sample.key,
        message: `${sample.label}: column '${probe.column}' has ${infinite} infinite value${infinite === 1 ? '' : 's'}${where}; only finite numbers can be checked (leave the field empty for a missing value)`,
      });
    }
  }
  return problems;
}
