/**
 * `model-release-gate validate` reports every problem of a config in one run (issue #13): a
 * type error, an unknown key, a rule between keys, a bad duration and the rules checked after
 * the schema (data and model sections) together, each with its line, exit code 2, no AWS.
 * Run through the CLI adapter and runGate from src, as `src/cli.ts` wires them.
 */
import { jest } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGate } from '../../src/app.js';
import { CliPlatform, parseCli } from '../../src/platform/cli.js';
import { VirtualClock } from '../support/virtual-clock.js';

const yaml = (...lines: string[]) => lines.join('\n') + '\n';

const MISTAKES = yaml(
  'rollout:',
  '  strategy: linear',
  '  percent: 20', //                                      3: a key of another strategy
  '  interval: 10min', //                                  4: not a duration
  '  stepp: 20', //                                        5: misspelt key
  'dry-run: yes please', //                                6: not a boolean
  'data:',
  '  dataset: train.csv',
  '  checks:',
  '    - range: { column: age, min: 10, max: 5 }', //      10: min above max (found after the schema)
  'model:',
  '  metrics: artifacts/metrics.json',
  '  checks:',
  '    - type: metric', //                                 14: needs min or max (found after the schema)
  '      metric: auc',
);

async function runValidate(dir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const { command, options } = parseCli(args);
    if (command !== 'validate') throw new Error(`parsed as ${command}`);
    // No AWS: no credentials in the environment, and a target factory that fails the test if called.
    const code = await runGate(new CliPlatform(command, options, { CI_PROJECT_DIR: dir }), {
      clock: new VirtualClock(),
      env: {},
      createTarget: () => {
        throw new Error('validate must not touch AWS');
      },
    });
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('validate: every error in one run', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mrg-validate-all-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports schema errors, rules between keys, durations and the later section rules together, by line, exit 2', async () => {
    writeFileSync(join(dir, 'gate.yml'), MISTAKES);
    const { code, stdout, stderr } = await runValidate(dir, ['validate', '--config', 'gate.yml', '--json']);
    expect(code).toBe(2);
    const report = JSON.parse(stdout) as { command: string; exitCode: number; headline: string; results: Array<{ status: string; message: string; location?: { line?: number } }> };
    expect(report).toMatchObject({ command: 'validate', exitCode: 2, headline: 'Configuration is invalid (6 errors); nothing was run.' });
    expect(report.results.map((r) => [r.status, r.message])).toEqual([
      ['error', "gate.yml:3:3 rollout.percent: does not apply to strategy 'linear' (it is a key of canary or ab)"],
      ['error', "gate.yml:4:13 rollout.interval: 'min' is not a unit (units h, m, s, ms); did you mean 10m?"],
      ['error', "gate.yml:5:3 rollout.stepp: unknown key 'stepp'; did you mean 'step'?"],
      ['error', 'gate.yml:6:10 dry-run: must be true or false'],
      ['error', 'gate.yml:10:34 data.checks.0.range.min: range min 10 is greater than max 5'],
      ['error', "gate.yml:14:7 model.checks.0: a 'metric' check needs min or max"],
    ]);
    expect(report.results.map((r) => r.location?.line)).toEqual([3, 4, 5, 6, 10, 14]);
    // The same errors on stderr, one line each, for a person reading the job log.
    expect(stderr.trim().split('\n')).toHaveLength(6);
    expect(stderr).toContain('error: gate.yml:4:13 rollout.interval:');
  });

  it('the same file corrected validates with exit 0', async () => {
    writeFileSync(
      join(dir, 'model-release.yml'),
      MISTAKES.replace('  percent: 20\n', '')
        .replace('10min', '10m')
        .replace('stepp', 'step')
        .replace('yes please', 'true')
        .replace('min: 10, max: 5', 'min: 0, max: 120')
        .replace('metric: auc', 'metric: auc\n      min: 0.8'),
    );
    const { code, stdout } = await runValidate(dir, ['validate']);
    expect(stdout).toContain('model-release.yml is valid');
    expect(code).toBe(0);
  });
});
