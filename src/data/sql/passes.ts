/**
 * Scans shared by many checks. A check never writes a query: it adds the aggregates it needs to
 * a pass and receives a slot to read after the pass ran. Each pass is one SQL statement that
 * reads its source once and returns one row of small values.
 *
 * - AggregatePass: `SELECT agg AS a0, agg AS a1, … FROM source`. With "pre-aggregates" (values
 *   other aggregates depend on, e.g. quantile cut points of the same sample) the source is read
 *   once into a CTE kept in memory, the pre-aggregates computed over it, and the aggregates
 *   over it and the one-row pre-aggregate result. "Derived" values (scalars over the pass's
 *   one-row result, e.g. a grid picked from a sorted sample and counts at it) are computed once
 *   by an outer SELECT, from "hidden" aggregates that never leave the engine.
 * - GroupingPass: one GROUP BY GROUPING SETS over every key that must be unique (and every
 *   row-identity for duplicates), each set restricted to its segment, reduced to counts and
 *   the top offending keys per set.
 */
import type { Row, SqlValue } from '../engine/engine.js';
import type { DataSource, Dialect } from './dialect.js';

/** A value of the pass's result row, readable after the pass ran. */
export type Slot = () => SqlValue;

const PREFIX = '__mrg_';

/** A column of the statement's result in the dialect's result form (Dialect.resultColumn). */
function resultColumn(dialect: Dialect, expression: string): string {
  return dialect.resultColumn ? dialect.resultColumn(expression) : expression;
}

export class AggregatePass {
  private readonly aggregates = new Map<string, string>();
  private readonly preAggregates = new Map<string, string>();
  private readonly hidden = new Map<string, string>();
  private readonly derived = new Map<string, string>();
  private row: Row | undefined;

  constructor(
    /** Shown in the plan: `reference`, `dataset pass 1`. */
    readonly label: string,
    private readonly dialect: Dialect,
  ) {}

  get isEmpty(): boolean {
    return this.aggregates.size === 0 && this.derived.size === 0;
  }

  /** Add an aggregate (identical expressions are computed once) and get its slot. */
  add(expression: string): Slot {
    let alias = this.aggregates.get(expression);
    if (alias === undefined) {
      alias = `a${this.aggregates.size}`;
      this.aggregates.set(expression, alias);
    }
    const key = alias;
    return () => {
      if (!this.row) throw new Error(`the ${this.label} pass has not run`);
      return this.row[key] ?? null;
    };
  }

  /**
   * Add an aggregate over the whole source that other aggregates of this pass use (cut points);
   * returns the SQL that refers to its value inside them.
   */
  addPre(expression: string): string {
    let alias = this.preAggregates.get(expression);
    if (alias === undefined) {
      alias = `${PREFIX}p${this.preAggregates.size}`;
      this.preAggregates.set(expression, alias);
    }
    return `${this.dialect.ident(`${PREFIX}pre`)}.${this.dialect.ident(alias)}`;
  }

  /**
   * Add an aggregate whose value only derived values use (e.g. a sorted sample); returns the SQL
   * that refers to it inside them. It does not leave the engine.
   */
  addHidden(expression: string): string {
    let alias = this.hidden.get(expression);
    if (alias === undefined) {
      alias = `${PREFIX}h${this.hidden.size}`;
      this.hidden.set(expression, alias);
    }
    return this.dialect.ident(alias);
  }

  /**
   * Add a scalar expression over the pass's one-row result (its aggregates and hidden aggregates,
   * e.g. a grid picked from a sorted sample), computed once after the scan; get its slot.
   */
  addDerived(expression: string): Slot {
    let alias = this.derived.get(expression);
    if (alias === undefined) {
      alias = `d${this.derived.size}`;
      this.derived.set(expression, alias);
    }
    const key = alias;
    return () => {
      if (!this.row) throw new Error(`the ${this.label} pass has not run`);
      return this.row[key] ?? null;
    };
  }

  sql(source: DataSource): string {
    const inner = this.scanSql(source);
    if (this.derived.size === 0) return inner;
    const d = this.dialect;
    // Derived values: an outer SELECT over the one-row result, so the source is still read once.
    const outputs = [
      ...[...this.aggregates.values()].map((alias) => (d.resultColumn ? `  ${d.resultColumn(d.ident(alias))} AS ${d.ident(alias)}` : `  ${d.ident(alias)}`)),
      ...[...this.derived].map(([expression, alias]) => `  ${resultColumn(d, expression)} AS ${d.ident(alias)}`),
    ];
    return `SELECT\n${outputs.join(',\n')}\nFROM (\n${inner}\n) AS ${d.ident(`${PREFIX}row`)}`;
  }

  private scanSql(source: DataSource): string {
    const d = this.dialect;
    // The outermost SELECT's columns in the dialect's result form; under an outer SELECT (derived
    // values) they stay as they are, the outer SELECT converts them.
    const output = (expression: string) => (this.derived.size === 0 ? resultColumn(d, expression) : expression);
    const select = [...[...this.aggregates].map(([expression, alias]): [string, string] => [output(expression), alias]), ...this.hidden]
      .map(([expression, alias]) => `  ${expression} AS ${d.ident(alias)}`)
      .join(',\n');
    if (this.preAggregates.size === 0) return `SELECT\n${select}\nFROM ${d.from(source)}`;
    const scanned = d.ident(`${PREFIX}source`);
    const pre = [...this.preAggregates].map(([expression, alias]) => `    ${expression} AS ${d.ident(alias)}`).join(',\n');
    return [
      `WITH ${d.scanOnce(`${PREFIX}source`, `SELECT * FROM ${d.from(source)}`)},`,
      `${d.ident(`${PREFIX}pre`)} AS (\n  SELECT\n${pre}\n  FROM ${scanned}\n)`,
      `SELECT\n${select}\nFROM ${scanned} CROSS JOIN ${d.ident(`${PREFIX}pre`)}`,
    ].join('\n');
  }

  load(row: Row): void {
    this.row = row;
  }
}

/** One key's counts, for unique and duplicates. */
export interface KeySetCounts {
  /** Rows in the segment. */
  rows: number;
  /** Distinct keys that occur more than once. */
  repeatedKeys: number;
  /** Rows whose key occurs more than once (all copies, first included). */
  rowsWithRepeatedKeys: number;
  /** Up to 10 repeated keys, most rows first: the key's values as text (null as null) and its row count. */
  top: Array<{ key: Array<string | null>; count: number }>;
}

interface KeySet {
  columns: string[];
  where: string | undefined;
  index: number;
  /** Undefined: always grouped. Otherwise grouped only when one of these says so (read after pass 1). */
  neededWhen: Array<() => boolean> | undefined;
}

/** Offending keys reported per check. */
export const TOP_OFFENDERS = 10;

export class GroupingPass {
  private readonly sets = new Map<string, KeySet>();
  private row: Row | undefined;

  constructor(
    readonly label: string,
    private readonly dialect: Dialect,
  ) {}

  /** No key set to group: the pass does not run. Read after dataset pass 1 (see addKey). */
  get isEmpty(): boolean {
    return this.neededSets().length === 0;
  }

  private neededSets(): KeySet[] {
    return [...this.sets.values()].filter((s) => s.neededWhen === undefined || s.neededWhen.some((needed) => needed()));
  }

  /**
   * Count repeated values of a key (a list of columns) in the rows where `where` holds. With
   * `neededWhen`, the key is grouped only if it returns true once dataset pass 1 ran (a check
   * that learnt there that no key repeats needs no GROUP BY); its counts must not be read otherwise.
   */
  addKey(columns: string[], where: string | undefined, neededWhen?: () => boolean): () => KeySetCounts {
    const id = JSON.stringify([columns, where ?? null]);
    let set = this.sets.get(id);
    if (!set) {
      set = { columns, where, index: this.sets.size, neededWhen: neededWhen ? [neededWhen] : undefined };
      this.sets.set(id, set);
    } else if (set.neededWhen !== undefined) {
      if (neededWhen) set.neededWhen.push(neededWhen);
      else set.neededWhen = undefined;
    }
    const index = set.index;
    return () => {
      const row = this.row;
      if (!row) throw new Error(`the ${this.label} pass has not run`);
      const top = Array.isArray(row[`k${index}_top`]) ? (row[`k${index}_top`] as SqlValue[][]) : [];
      return {
        rows: Number(row[`k${index}_rows`] ?? 0),
        repeatedKeys: Number(row[`k${index}_keys`] ?? 0),
        rowsWithRepeatedKeys: Number(row[`k${index}_dup_rows`] ?? 0),
        // Each entry is [count, value1, value2, …] as text (see sql()).
        top: top
          .map((entry) => ({ count: Number(entry[0]), key: entry.slice(1).map((v) => (v === null ? null : String(v))) }))
          .sort((a, b) => b.count - a.count || JSON.stringify(a.key).localeCompare(JSON.stringify(b.key))),
      };
    };
  }

  sql(source: DataSource): string {
    const d = this.dialect;
    const sets = this.neededSets();
    const flag = (i: number) => d.ident(`${PREFIX}s${i}`);
    const grouping = (i: number) => d.ident(`${PREFIX}g${i}`);
    const n = d.ident(`${PREFIX}n`);
    const columns = [...new Set(sets.flatMap((s) => s.columns))];
    const flags = sets.map((s, i) => `COALESCE(${s.where === undefined ? 'TRUE' : `(${s.where})`}, FALSE) AS ${flag(i)}`);
    const groupingSets = sets.map((s, i) => `(${[flag(i), ...s.columns.map((c) => d.ident(c))].join(', ')})`);
    // Output names by the set's index (what addKey's reader looks for), whichever sets run.
    const outputs = sets.flatMap((s, i) => {
      const inSet = `${grouping(i)} = 0 AND ${flag(i)}`;
      const repeated = `${inSet} AND ${n} > 1`;
      const key = [n, ...s.columns.map((c) => d.ident(c))];
      return [
        `  ${resultColumn(d, `COALESCE(${d.filtered(`sum(${n})`, inSet)}, 0)`)} AS ${d.ident(`k${s.index}_rows`)}`,
        `  ${resultColumn(d, d.countWhere(repeated))} AS ${d.ident(`k${s.index}_keys`)}`,
        `  ${resultColumn(d, `COALESCE(${d.filtered(`sum(${n})`, repeated)}, 0)`)} AS ${d.ident(`k${s.index}_dup_rows`)}`,
        `  ${resultColumn(d, d.topRowsAsText(key, n, TOP_OFFENDERS, repeated))} AS ${d.ident(`k${s.index}_top`)}`,
      ];
    });
    return [
      `WITH ${d.ident(`${PREFIX}flagged`)} AS (`,
      `  SELECT *, ${flags.join(', ')}`,
      `  FROM ${d.from(source)}`,
      `), ${d.ident(`${PREFIX}groups`)} AS (`,
      `  SELECT ${sets.map((_, i) => `GROUPING(${flag(i)}) AS ${grouping(i)}`).join(', ')},`,
      `    ${[...sets.map((_, i) => flag(i)), ...columns.map((c) => d.ident(c))].join(', ')}, count(*) AS ${n}`,
      `  FROM ${d.ident(`${PREFIX}flagged`)}`,
      `  GROUP BY GROUPING SETS (${groupingSets.join(', ')})`,
      `)`,
      `SELECT\n${outputs.join(',\n')}`,
      `FROM ${d.ident(`${PREFIX}groups`)}`,
    ].join('\n');
  }

  load(row: Row): void {
    this.row = row;
  }
}
