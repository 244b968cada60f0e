/**
 * Which columns a drift check compares and how (issue #17), without an engine: the config keys
 * (`exclude`, `columns: { id, categorical, numeric }`) through the real loader, the rules against
 * a sample's columns (driftColumns, driftProblems), the SQL the id inference adds, and the
 * wording of an inferred id's result.
 */
import { formatConfigError, parseConfigText } from '../../../src/config/load.js';
import type { ColumnKind, DriftCheck } from '../../../src/config/data-types.js';
import type { PlanContext, SampleSchema } from '../../../src/data/checks/context.js';
import { ID_MIN_VALUES, driftColumns, driftProblems, idResult, planDrift } from '../../../src/data/checks/drift.js';
import { duckdbDialect } from '../../../src/data/sql/duckdb.js';
import { AggregatePass, GroupingPass } from '../../../src/data/sql/passes.js';

const yaml = (...lines: string[]) => lines.join('\n') + '\n';

/** The drift check of a one-check config (`drift: <body>` on line 5). */
function load(body: string): { ok: true; check: DriftCheck } | { ok: false; errors: string[] } {
  const result = parseConfigText(yaml('data:', '  dataset: train.csv', '  reference: prod.csv', '  checks:', `    - drift: ${body}`), 'model-release.yml');
  if (!result.ok) return { ok: false, errors: result.errors.map(formatConfigError) };
  return { ok: true, check: result.config.data?.checks[0] as DriftCheck };
}

function errors(body: string): string[] {
  const loaded = load(body);
  if (loaded.ok) throw new Error(`expected errors for ${body}`);
  return loaded.errors;
}

function check(body: string): DriftCheck {
  const loaded = load(body);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.check;
}

const TYPES: Record<ColumnKind, string> = { integer: 'BIGINT', numeric: 'DOUBLE', text: 'VARCHAR', boolean: 'BOOLEAN', date: 'DATE', timestamp: 'TIMESTAMP' };

function sample(label: string, columns: Record<string, ColumnKind>): SampleSchema {
  return { label, columns: new Map(Object.entries(columns).map(([name, kind]) => [name, { name, type: TYPES[kind], kind }])) };
}

const dataset = sample('train.csv', { customer_id: 'integer', session: 'text', store: 'integer', age: 'integer', income: 'numeric', plan: 'text', member: 'boolean', day: 'date', label: 'integer' });
const reference = sample('prod.csv', { customer_id: 'integer', session: 'text', store: 'integer', age: 'integer', income: 'numeric', plan: 'text', member: 'boolean', day: 'date', label: 'integer', prod_only: 'text' });
const samples = { dataset, reference };

describe('config', () => {
  it('reads exclude and the object form of columns (every column, with these kinds fixed)', () => {
    expect(check('{ columns: { id: [customer_id], categorical: [store] }, exclude: [label] }')).toEqual({
      type: 'drift',
      index: 0,
      line: 5,
      severity: 'error',
      columns: 'all',
      kinds: { id: ['customer_id'], categorical: ['store'], numeric: [] },
      exclude: ['label'],
      method: 'auto',
      correction: 'holm',
    });
    expect(check('{ exclude: [label] }')).toMatchObject({ columns: 'all', exclude: ['label'] });
    expect(check('{ columns: [age] }')).not.toHaveProperty('kinds');
  });

  it('refuses exclude beside a list, a column with two kinds, and a column both excluded and given a kind', () => {
    expect(errors('{ columns: [age], exclude: [label] }')).toEqual([
      'model-release.yml:5:32 data.checks.0.drift.exclude: exclude goes with columns: all (or columns: { id, categorical, numeric }); with a list of columns, leave the excluded ones out of the list',
    ]);
    expect(errors('{ columns: { id: [a], categorical: [b], numeric: [b, a] }, exclude: [a] }')).toEqual([
      "model-release.yml:5:64 data.checks.0.drift.columns.numeric.0: 'b' is under both columns.categorical and columns.numeric; give each column one kind",
      "model-release.yml:5:67 data.checks.0.drift.columns.numeric.1: 'a' is under both columns.id and columns.numeric; give each column one kind",
      "model-release.yml:5:83 data.checks.0.drift.exclude.0: 'a' is both excluded and under columns.id; keep one",
    ]);
  });

  it('says what the object form takes', () => {
    expect(errors('{ columns: {} }')).toEqual(['model-release.yml:5:16 data.checks.0.drift.columns: give id, categorical or numeric, each a list of columns']);
    expect(errors('{ columns: { ids: [a] } }')).toEqual(["model-release.yml:5:27 data.checks.0.drift.columns.ids: unknown key 'ids'; did you mean 'id'?"]);
    expect(errors('{ columns: { id: a } }')).toEqual(['model-release.yml:5:31 data.checks.0.drift.columns.id: must be a list']);
    expect(errors('{ columns: { categorical: [] } }')).toEqual(['model-release.yml:5:40 data.checks.0.drift.columns.categorical: must list at least one item']);
    expect(errors('{ exclude: [] }')).toEqual(['model-release.yml:5:25 data.checks.0.drift.exclude: must list at least one item']);
    // The list and `all` forms keep their own messages.
    expect(errors('{ columns: [a, a] }')).toEqual(['model-release.yml:5:25 data.checks.0.drift.columns: lists "a" more than once']);
    expect(errors('{ columns: alll }')).toEqual(['model-release.yml:5:25 data.checks.0.drift.columns: must be "all"']);
  });
});

describe('driftColumns', () => {
  it('all: the shared comparable columns; integer and text ones are id candidates', () => {
    expect(driftColumns(check('{ columns: all }'), samples)).toEqual([
      { name: 'customer_id', kind: 'numeric', idCandidate: true },
      { name: 'session', kind: 'categorical', idCandidate: true },
      { name: 'store', kind: 'numeric', idCandidate: true },
      { name: 'age', kind: 'numeric', idCandidate: true },
      { name: 'income', kind: 'numeric', idCandidate: false },
      { name: 'plan', kind: 'categorical', idCandidate: true },
      { name: 'member', kind: 'categorical', idCandidate: false },
      { name: 'label', kind: 'numeric', idCandidate: true },
    ]);
  });

  it('the object form: ids and excluded columns left out, fixed kinds are never id candidates', () => {
    const columns = driftColumns(check('{ columns: { id: [session], categorical: [store, income], numeric: [customer_id] }, exclude: [label, day] }'), samples);
    expect(columns).toEqual([
      { name: 'customer_id', kind: 'numeric', idCandidate: false },
      { name: 'store', kind: 'categorical', idCandidate: false },
      { name: 'age', kind: 'numeric', idCandidate: true },
      { name: 'income', kind: 'categorical', idCandidate: false },
      { name: 'plan', kind: 'categorical', idCandidate: true },
      { name: 'member', kind: 'categorical', idCandidate: false },
    ]);
  });

  it('a list: exactly these columns, nothing inferred', () => {
    expect(driftColumns(check('{ columns: [customer_id, plan] }'), samples)).toEqual([
      { name: 'customer_id', kind: 'numeric', idCandidate: false },
      { name: 'plan', kind: 'categorical', idCandidate: false },
    ]);
  });
});

describe('driftProblems', () => {
  it('an excluded or id column must be in one of the samples, with a guess', () => {
    expect(driftProblems(check('{ columns: { id: [sesion] }, exclude: [lable, prod_only] }'), samples)).toEqual([
      "exclude: column 'lable' is in neither the dataset train.csv nor the reference prod.csv; did you mean 'label'?",
      "columns.id: column 'sesion' is in neither the dataset train.csv nor the reference prod.csv; did you mean 'session'?",
    ]);
  });

  it('a fixed kind needs the column in both samples, of a type it fits', () => {
    expect(driftProblems(check('{ columns: { categorical: [day, prod_only], numeric: [plan, member] } }'), samples)).toEqual([
      "columns.categorical: cannot measure drift of 'day' (DATE in the dataset train.csv); drift compares numbers, text and booleans",
      "columns.categorical: column 'prod_only' is not in the dataset train.csv; its columns are customer_id, session, store, age, income, plan, member, day, label",
      "columns.numeric: 'plan' is VARCHAR in the dataset train.csv, not a number; list it under columns.categorical or leave it out",
      "columns.numeric: 'member' is BOOLEAN in the dataset train.csv, not a number; list it under columns.categorical or leave it out",
    ]);
    // The reference's type counts too.
    const textInProduction = sample('prod.csv', { store: 'text' });
    expect(driftProblems(check('{ columns: { numeric: [store] } }'), { dataset, reference: textInProduction })).toEqual([
      "columns.numeric: 'store' is VARCHAR in the reference prod.csv, not a number; list it under columns.categorical or leave it out",
    ]);
  });

  it('nothing left to compare names what the two samples share', () => {
    const small = { dataset: sample('train.csv', { id: 'integer', y: 'integer', d: 'date' }), reference: sample('prod.csv', { id: 'integer', y: 'integer', d: 'date' }) };
    expect(driftProblems(check('{ columns: { id: [id] }, exclude: [y] }'), small)).toEqual([
      'every column the dataset and the reference share (id, y) is excluded or under columns.id: nothing is left to compare',
    ]);
    const dates = { dataset: sample('train.csv', { d: 'date' }), reference: sample('prod.csv', { d: 'date' }) };
    expect(driftProblems(check('{ columns: all }'), dates)).toEqual(['the dataset and the reference share no numeric, text or boolean column to compare']);
  });

  it('a method for numbers refuses a column made categorical; the explicit list keeps its messages', () => {
    expect(driftProblems(check('{ columns: { categorical: [store] }, exclude: [session, plan, member], method: wasserstein }'), samples)).toEqual([
      "method 'wasserstein' needs numeric columns; 'store' is categorical (use psi, chi2 or jensen-shannon)",
    ]);
    expect(driftProblems(check('{ columns: [day] }'), samples)).toEqual(["cannot measure drift of 'day' (DATE); drift compares numbers, text and booleans"]);
  });
});

describe('planning the id inference', () => {
  function plan(body: string): { dataset: string; reference: string } {
    const ctx: PlanContext = {
      dialect: duckdbDialect,
      dataset,
      reference,
      referencePass: new AggregatePass('reference', duckdbDialect),
      datasetPass: new AggregatePass('dataset pass 1', duckdbDialect),
      groupingPass: new GroupingPass('dataset pass 2', duckdbDialect),
    };
    planDrift(check(body), ctx);
    const table = { kind: 'table', name: 't' } as const;
    return { dataset: ctx.datasetPass.sql(table), reference: ctx.referencePass.sql(table) };
  }

  it('one exact distinct count per integer candidate in dataset pass 1, in the segment; nothing for text', () => {
    const { dataset: sql, reference: ref } = plan('{ columns: all, where: "age > 30" }');
    expect(sql.match(/count\(DISTINCT "\w+"\)[^,\n]*(?= AS )/g)).toEqual([
      'count(DISTINCT "customer_id") FILTER (WHERE (age > 30))',
      'count(DISTINCT "store") FILTER (WHERE (age > 30))',
      'count(DISTINCT "age") FILTER (WHERE (age > 30))',
      'count(DISTINCT "label") FILTER (WHERE (age > 30))',
    ]);
    expect(ref).not.toContain('DISTINCT');
  });

  it('none for a list, fixed kinds or ids', () => {
    expect(plan('{ columns: [customer_id, age] }').dataset).not.toContain('DISTINCT');
    const sql = plan('{ columns: { id: [customer_id], categorical: [store], numeric: [age, label] } }').dataset;
    expect(sql).not.toContain('DISTINCT');
    expect(sql).not.toContain('"customer_id"');
  });
});

describe('the inferred id result', () => {
  it('says why and how to drift it anyway, by kind; a skip whatever the severity', () => {
    const warn = check('{ columns: all, severity: warn }');
    expect(idResult(warn, { name: 'customer_id', kind: 'numeric' }, 10000, 'model-release.yml')).toEqual({
      id: 'data.drift.customer_id',
      gate: 'data',
      status: 'skip',
      observed: 10000,
      observedText: '10000 distinct values (an id)',
      message: 'customer_id looks like an id (all 10000 values distinct): not drifted; list it under columns.numeric to drift it anyway.',
      location: { file: 'model-release.yml', line: 5 },
      details: { inferredId: true, distinctValues: 10000, datasetCount: 10000, severity: 'warn' },
    });
    expect(idResult(warn, { name: 'session', kind: 'categorical' }, 20, undefined).message).toBe(
      'session looks like an id (all 20 values distinct): not drifted; list it under columns.categorical to drift it anyway.',
    );
    expect(ID_MIN_VALUES).toBe(20);
  });
});
