/** Generated SQL for both dialects: the checks plan the same passes; only the dialect's words differ. */
import { duckdbDialect } from '../../../src/data/sql/duckdb.js';
import { trinoDialect } from '../../../src/data/sql/trino.js';
import { AggregatePass, GroupingPass } from '../../../src/data/sql/passes.js';
import type { Dialect } from '../../../src/data/sql/dialect.js';

const files = { kind: 'files', path: "/data/it's/train.parquet", format: 'parquet' } as const;
const table = { kind: 'table', name: 'ml.train' } as const;

describe('dialects', () => {
  it('quote identifiers and strings the same way', () => {
    for (const d of [duckdbDialect, trinoDialect]) {
      expect(d.ident('order "id"')).toBe('"order ""id"""');
      expect(d.literal("it's")).toBe("'it''s'");
      expect(d.literal(true)).toBe('TRUE');
    }
    expect(duckdbDialect.literal(3)).toBe('3.0');
    expect(trinoDialect.literal(3)).toBe("DOUBLE '3.0'");
  });

  it('read files (DuckDB) versus tables (Trino)', () => {
    expect(duckdbDialect.from(files)).toBe("read_parquet('/data/it''s/train.parquet')");
    expect(duckdbDialect.from({ kind: 'files', path: '/d/*.csv', format: 'csv' })).toBe(
      "read_csv('/d/*.csv', header = true, skip = 0, delim = ',', quote = '\"', escape = '\"', strict_mode = true, buffer_size = 4194304)",
    );
    expect(duckdbDialect.from({ kind: 'files', path: '/d/a.ndjson', format: 'json' })).toBe("read_json('/d/a.ndjson', format = 'auto')");
    expect(trinoDialect.from(table)).toBe('"ml"."train"');
    expect(() => trinoDialect.from(files)).toThrow(/reads tables, not files/);
  });

  it('quantiles, filtered counts, buckets and arrays', () => {
    // Doubles in exponent notation (DuckDB would read 0.25 as a DECIMAL), small integers as `3.0`.
    expect(duckdbDialect.quantiles('x', [0.25, 0.5])).toBe('quantile_cont(x, [2.5e-1, 5e-1])');
    expect(duckdbDialect.discreteQuantiles('x', [0.5])).toBe('quantile_disc(x, [5e-1])');
    expect(trinoDialect.quantiles('x', [0.25, 0.5])).toBe("approx_percentile(x, ARRAY[DOUBLE '2.5e-1', DOUBLE '5e-1'])");
    expect(duckdbDialect.literal(0.1234567890123456)).toBe('1.234567890123456e-1');
    expect(duckdbDialect.literal(-3)).toBe('-3.0');
    expect(duckdbDialect.literal(2 ** 40)).toBe('1.099511627776e+12');
    expect(trinoDialect.literal(0.5)).toBe("DOUBLE '5e-1'");
    expect(duckdbDialect.stddev('x')).toBe('stddev_pop(x)');
    expect(duckdbDialect.binnedCounts('x', '[1.0]', 'x > 0')).toBe('map_values(histogram(x, CAST([1.0] AS DOUBLE[])) FILTER (WHERE x > 0))');
    expect(duckdbDialect.sortedValues('x', undefined)).toBe('list(x ORDER BY x)');
    expect(duckdbDialect.histogramBounds('g')).toContain("nextafter(g, '-Infinity'::DOUBLE)");
    expect(duckdbDialect.countWhere('x > 1')).toBe('count(*) FILTER (WHERE x > 1)');
    expect(trinoDialect.countWhere('x > 1')).toBe('count_if(x > 1)');
    expect(duckdbDialect.bucketIndex('x', '[1.0, 2.0]')).toBe('len(list_filter([1.0, 2.0], c -> c < x))');
    expect(trinoDialect.bucketIndex('x', 'ARRAY[1.0, 2.0]')).toBe('cardinality(filter(ARRAY[1.0, 2.0], c -> c < x))');
    expect(duckdbDialect.scanOnce('s', 'SELECT 1')).toBe('"s" AS MATERIALIZED (SELECT 1)');
    expect(trinoDialect.scanOnce('s', 'SELECT 1')).toBe('"s" AS (SELECT 1)');
    expect(trinoDialect.topValues('c', undefined, 10)).toContain('array_sort(map_entries(histogram(CAST(c AS VARCHAR)))');
  });

  it('map engine types to the kinds schema checks speak of', () => {
    expect(['BIGINT', 'DECIMAL(10,2)', 'DOUBLE', 'VARCHAR', 'BOOLEAN', 'DATE', 'TIMESTAMP WITH TIME ZONE', 'INTEGER[]'].map((t) => duckdbDialect.columnKind(t))).toEqual([
      'integer',
      'numeric',
      'numeric',
      'text',
      'boolean',
      'date',
      'timestamp',
      undefined,
    ]);
    expect(['bigint', 'decimal(10,2)', 'varchar(20)', 'boolean', 'timestamp(3)'].map((t) => trinoDialect.columnKind(t))).toEqual(['integer', 'numeric', 'text', 'boolean', 'timestamp']);
  });
});

describe('passes', () => {
  function pass(d: Dialect): AggregatePass {
    const p = new AggregatePass('dataset pass 1', d);
    p.add('count(*)');
    p.add(d.countWhere('"age" IS NULL'));
    p.add('count(*)'); // shared, not repeated
    return p;
  }

  it('an aggregate pass is one SELECT of distinct aggregates over one source', () => {
    expect(pass(duckdbDialect).sql(files)).toBe(
      `SELECT\n  count(*) AS "a0",\n  count(*) FILTER (WHERE "age" IS NULL) AS "a1"\nFROM read_parquet('/data/it''s/train.parquet')`,
    );
    // Trino: every result column as JSON text (query-runner.ts).
    expect(pass(trinoDialect).sql(table)).toBe(`SELECT\n  json_format(CAST(count(*) AS JSON)) AS "a0",\n  json_format(CAST(count_if("age" IS NULL) AS JSON)) AS "a1"\nFROM "ml"."train"`);
  });

  it('pre-aggregates read the source once into a CTE the aggregates join', () => {
    const p = new AggregatePass('reference', duckdbDialect);
    const grid = p.addPre(duckdbDialect.discreteQuantiles('x', [0.5]));
    p.add(duckdbDialect.histogram(duckdbDialect.bucketIndex('x', grid)));
    const sql = p.sql(files);
    expect(sql).toContain(`WITH "__mrg_source" AS MATERIALIZED (SELECT * FROM read_parquet('/data/it''s/train.parquet')),`);
    expect(sql).toContain(`histogram(len(list_filter("__mrg_pre"."__mrg_p0", c -> c < x))) AS "a0"`);
    expect(sql).toContain('FROM "__mrg_source" CROSS JOIN "__mrg_pre"');
    expect(sql.match(/read_parquet/g)).toHaveLength(1);
  });

  it('derived values are computed once over the one-row result, from hidden aggregates, with one read', () => {
    const p = new AggregatePass('reference', duckdbDialect);
    p.add('count(*)');
    const sorted = p.addHidden(duckdbDialect.sortedValues('x', 'x IS NOT NULL'));
    expect(sorted).toBe('"__mrg_h0"');
    const grid = duckdbDialect.quantileGrid(sorted, [0, 1], 1, 'NULL');
    p.addDerived(grid);
    p.addDerived(duckdbDialect.countsAtOrBelow(sorted, duckdbDialect.histogramBounds(grid)));
    p.addDerived(grid); // shared, not repeated
    const sql = p.sql(files);
    expect(sql).toMatch(/^SELECT\n {2}"a0",\n {2}list_sort\(list_distinct\(list_concat\(/);
    expect(sql).toContain(' AS "d0",\n');
    expect(sql).toContain(' AS "d1"\nFROM (\nSELECT\n  count(*) AS "a0",\n  list(x ORDER BY x) FILTER (WHERE x IS NOT NULL) AS "__mrg_h0"\nFROM read_parquet(');
    expect(sql).not.toContain('"d2"');
    expect(sql).not.toContain('CROSS JOIN');
    expect(sql.match(/read_parquet/g)).toHaveLength(1);
  });

  it('a grouping pass groups every key in one GROUPING SETS, each with its segment flag', () => {
    for (const d of [duckdbDialect, trinoDialect]) {
      const p = new GroupingPass('dataset pass 2', d);
      p.addKey(['id'], undefined);
      p.addKey(['id', 'day'], "country = 'FR'");
      p.addKey(['id'], undefined); // same key, same set
      const sql = p.sql(d === duckdbDialect ? files : table);
      expect(sql).toContain('GROUP BY GROUPING SETS (("__mrg_s0", "id"), ("__mrg_s1", "id", "day"))');
      expect(sql).toContain(`COALESCE((country = 'FR'), FALSE) AS "__mrg_s1"`);
      expect(sql).toContain('max_by(');
      expect(sql).not.toContain('k2_rows');
    }
  });

  it('a grouping pass keeps the top keys typed through max_by and casts only the winners to text', () => {
    const duck = new GroupingPass('dataset pass 2', duckdbDialect);
    duck.addKey(['id', 'day'], undefined);
    expect(duck.sql(files)).toContain(
      `list_transform(max_by({'v0': "__mrg_n", 'v1': "id", 'v2': "day"}, "__mrg_n", 10) FILTER (WHERE "__mrg_g0" = 0 AND "__mrg_s0" AND "__mrg_n" > 1), e -> [CAST(e.v0 AS VARCHAR), CAST(e.v1 AS VARCHAR), CAST(e.v2 AS VARCHAR)]) AS "k0_top"`,
    );
    const trino = new GroupingPass('dataset pass 2', trinoDialect);
    trino.addKey(['id'], undefined);
    expect(trino.sql(table)).toContain(
      `transform(max_by(ROW("__mrg_n", "id"), "__mrg_n", 10) FILTER (WHERE "__mrg_g0" = 0 AND "__mrg_s0" AND "__mrg_n" > 1), e -> ARRAY[CAST(e[1] AS VARCHAR), CAST(e[2] AS VARCHAR)])`,
    );
  });

  it('a grouping pass groups a conditional key only when it is needed, under its own output names', () => {
    const p = new GroupingPass('dataset pass 2', duckdbDialect);
    let repeats = false;
    p.addKey(['id'], undefined, () => repeats);
    expect(p.isEmpty).toBe(true);
    p.addKey(['day'], undefined);
    expect(p.sql(files)).toContain('GROUP BY GROUPING SETS (("__mrg_s0", "day"))');
    expect(p.sql(files)).toContain('"k1_rows"');
    expect(p.sql(files)).not.toContain('"k0_rows"');
    repeats = true;
    expect(p.sql(files)).toContain('GROUP BY GROUPING SETS (("__mrg_s0", "id"), ("__mrg_s1", "day"))');
    // Registered again without a condition: always grouped.
    const q = new GroupingPass('dataset pass 2', duckdbDialect);
    q.addKey(['id'], undefined, () => false);
    q.addKey(['id'], undefined);
    expect(q.isEmpty).toBe(false);
  });

  it('histogram helpers: a histogram restricted to or without listed values, its total, size and top values', () => {
    expect(duckdbDialect.countsOfValues('h', ["'a'", "'b'"], false)).toBe("map_from_entries(list_filter(map_entries(h), e -> NOT list_contains(['a', 'b'], e.key)))");
    expect(trinoDialect.countsOfValues('h', ["'a'"], true)).toBe("map_filter(h, (k, v) -> contains(ARRAY['a'], k))");
    for (const d of [duckdbDialect, trinoDialect]) {
      expect(d.topValues('c', undefined, 10)).toBe(d.topOfCounts('histogram(CAST(c AS VARCHAR))', 10));
      expect(d.countsSize('h')).toBe('CAST(cardinality(h) AS BIGINT)');
    }
  });
});
