/** The data: section through the real loader: typed checks with their lines, and the schema's errors. */
import { formatConfigError, parseConfigText } from '../../../src/config/load.js';

const yaml = (...lines: string[]) => lines.join('\n') + '\n';

function errors(text: string): string[] {
  const result = parseConfigText(text, 'model-release.yml');
  if (result.ok) throw new Error('expected errors');
  return result.errors.map(formatConfigError);
}

it('builds typed checks with defaults and the line of each check', () => {
  const result = parseConfigText(
    yaml(
      'data:',
      '  dataset: data/train/*.parquet',
      '  reference: data/prod-sample.csv',
      '  checks:',
      '    - row_count: { min: 10000 }',
      '    - missing: { columns: [age, income], max-percent: 5 }',
      "    - range: { column: age, min: 0, max: 120, where: \"country = 'FR'\", severity: warn }",
      '    - unique: { column: id }',
      '    - unseen_categories:',
      '        columns: [plan]',
      '    - drift: { correction: bh, drift-share: 0.3 }',
    ),
    'model-release.yml',
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  expect(result.config.data).toEqual({
    line: 2,
    dataset: { path: 'data/train/*.parquet', format: 'auto', line: 2 },
    reference: { path: 'data/prod-sample.csv', format: 'auto', line: 3 },
    checks: [
      { type: 'row_count', index: 0, line: 5, severity: 'error', min: 10000 },
      { type: 'missing', index: 1, line: 6, severity: 'error', columns: ['age', 'income'], maxPercent: 5 },
      { type: 'range', index: 2, line: 7, severity: 'warn', where: "country = 'FR'", columns: ['age'], min: 0, max: 120 },
      { type: 'unique', index: 3, line: 8, severity: 'error', columns: ['id'] },
      { type: 'unseen_categories', index: 4, line: 9, severity: 'error', columns: ['plan'], minCount: 1 },
      { type: 'drift', index: 5, line: 11, severity: 'error', columns: 'all', method: 'auto', correction: 'bh', driftShare: 0.3 },
    ],
  });
});

it('reports what the schema and the builder see, at the line', () => {
  expect(
    errors(
      yaml(
        'data:',
        '  dataset: train.csv',
        '  checks:',
        '    - rowcount: { min: 1 }',
        '    - range: { column: age }',
        '    - missing: { max-count: 1 }',
        '    - allowed: { column: plan, values: [a], severity: fatal }',
        '    - { row_count: { min: 1 }, schema: { forbidden: [ssn] } }',
      ),
    ),
  ).toEqual([
    "model-release.yml:4:7 data.checks.0.rowcount: unknown key 'rowcount'; did you mean 'row_count'?",
    // Rules between keys are in the schema too, so they come out in the same run.
    'model-release.yml:5:7 data.checks.1.range: give min, max or both',
    "model-release.yml:6:7 data.checks.2.missing: missing required key 'column' (or 'columns')",
    'model-release.yml:7:55 data.checks.3.allowed.severity: must be one of: error, warn',
    "model-release.yml:8:7 data.checks.4: must be a map with one key naming the check, e.g. '- missing: { columns: [age] }'",
  ]);
});

it('checks the rules that span keys once the schema passes', () => {
  expect(
    errors(
      yaml(
        'data:',
        '  dataset: train.csv',
        '  checks:',
        '    - range: { column: age, min: 5, max: 1 }',
        '    - missing: { max-count: 1 }',
        '    - range: { column: age }',
      ),
    ),
  ).toEqual([
    'model-release.yml:4:34 data.checks.0.range.min: range min 5 is greater than max 1',
    "model-release.yml:5:7 data.checks.1.missing: missing required key 'column' (or 'columns')",
    'model-release.yml:6:7 data.checks.2.range: give min, max or both',
  ]);
});

it('reads data.engine for small runners and names a bad size in its own words', () => {
  const result = parseConfigText(
    yaml('data:', '  dataset: train.csv', '  engine: { memory-limit: 1.5 GiB, threads: 2, temp-directory: .tmp/duckdb }', '  checks:', '    - row_count: { min: 1 }'),
    'model-release.yml',
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  expect(result.config.data?.engine).toEqual({ memoryLimit: '1.5GiB', threads: 2, tempDirectory: '.tmp/duckdb' });
  expect(errors(yaml('data:', '  dataset: train.csv', '  engine:', '    memory-limit: lots', '    threads: 0', '    spill: yes', '  checks:', '    - row_count: { min: 1 }'))).toEqual([
    'model-release.yml:4:19 data.engine.memory-limit: must be a size like 2GB, 512MB or 1.5GiB',
    'model-release.yml:5:14 data.engine.threads: must be a number of at least 1',
    "model-release.yml:6:5 data.engine.spill: unknown key 'spill'; allowed keys: type, url, catalog, schema, user, workgroup, database, output-location, region, memory-limit, threads, temp-directory",
  ]);
});
