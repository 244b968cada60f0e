import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatConfigError, loadConfig, parseConfigText } from '../../src/config/load.js';
import type { ConfigLoadResult, ConfigOverride } from '../../src/config/load.js';
import type { GateConfig } from '../../src/config/types.js';

const FILE = 'model-release.yml';

/** The config, or a failure that shows the errors (so a broken test says why). */
function valid(text: string, overrides?: ConfigOverride[]): GateConfig {
  const result = parseConfigText(text, FILE, overrides);
  if (!result.ok) throw new Error(`expected a valid config, got:\n${result.errors.map(formatConfigError).join('\n')}`);
  return result.config;
}

/** Every error as the user sees it. */
function errors(text: string, overrides?: ConfigOverride[]): string[] {
  return messages(parseConfigText(text, FILE, overrides));
}

function messages(result: ConfigLoadResult): string[] {
  if (result.ok) throw new Error(`expected errors, got a valid config: ${JSON.stringify(result.config)}`);
  return result.errors.map(formatConfigError);
}

/** Lines joined, so the line numbers in expectations can be counted in the source. */
const yaml = (...lines: string[]) => lines.join('\n') + '\n';

const DEFAULT_TRIGGER = { types: ['feat', 'fix', 'perf', 'revert'], scopes: ['api'] };
const DEFAULT_RELEASE = { tag: false, notes: true, tagPattern: 'model-v{version}', initialVersion: '0.1.0' };

describe('defaults', () => {
  it('an empty file gives a trigger-only config', () => {
    expect(valid('')).toEqual({ file: FILE, trigger: DEFAULT_TRIGGER, release: DEFAULT_RELEASE, report: {}, dryRun: false });
    expect(valid('# only a comment\n')).toEqual({ file: FILE, trigger: DEFAULT_TRIGGER, release: DEFAULT_RELEASE, report: {}, dryRun: false });
  });

  it('rollout: {} gets the whole default rollout', () => {
    expect(valid('rollout: {}\n').rollout).toEqual({
      plan: { strategy: 'linear', stepPercent: 10, intervalMs: 60_000 },
      preset: 'Linear10PercentEvery1Minute',
      pollMs: 15_000,
      finalBakeMs: 60_000,
      metricDelayMs: 60_000,
      judge: { type: 'threshold', windowMs: 300_000, maxErrors: 0 },
      minInvocations: 10,
      maxExtensionMs: 60_000,
      onInconclusive: 'rollback',
      onExistingCanary: 'refuse',
    });
  });

  it('a target publishes $LATEST unless a version is given', () => {
    const target = yaml('target:', '  function-name: churn-model', '  alias: prod');
    expect(valid(target).target).toEqual({ type: 'lambda', functionName: 'churn-model', alias: 'prod', publish: true });
    expect(valid(target + '  version: "7"\n').target).toEqual({ type: 'lambda', functionName: 'churn-model', alias: 'prod', publish: false, version: '7' });
    expect(valid(target + '  version: 12\n  publish: false\n').target?.version).toBe('12');
  });
});

describe('the full example', () => {
  it('maps every key to GateConfig', () => {
    const config = valid(
      yaml(
        '# yaml-language-server: $schema=./node_modules/model-release-gate/schema/model-release.schema.json',
        'trigger:',
        '  types: [feat, fix]',
        '  scopes: [api, model]',
        'target:',
        '  type: lambda',
        '  function-name: arn:aws:lambda:eu-west-1:123456789012:function:churn-model',
        '  alias: prod',
        '  region: eu-west-1',
        'rollout:',
        '  strategy: canary',
        '  percent: 20',
        '  interval: 2m',
        '  poll: 10s',
        '  final-bake: 0s',
        '  metric-delay: 2m',
        '  min-invocations: 0',
        '  max-extension: 90s',
        '  on-inconclusive: promote',
        '  on-existing-canary: rollback',
        '  judge:',
        '    type: threshold',
        '    window: 3m',
        '    max-errors: 2',
        '    max-error-rate: 0.01',
        '    p99-ms: 800',
        '    max-throttles: 0',
        'report:',
        '  json: out/report.json',
        '  junit: out/junit.xml',
        '  dotenv: out/release.env',
        'dry-run: true',
        'data: { dataset: train.csv, checks: [{ row_count: { min: 1 } }] }',
        'model: { metrics: x }',
        'pretraffic: { payloads: p.jsonl }',
      ),
    );
    expect(config).toEqual({
      file: FILE,
      trigger: { types: ['feat', 'fix'], scopes: ['api', 'model'] },
      release: DEFAULT_RELEASE,
      target: {
        type: 'lambda',
        functionName: 'arn:aws:lambda:eu-west-1:123456789012:function:churn-model',
        alias: 'prod',
        region: 'eu-west-1',
        publish: true,
      },
      rollout: {
        plan: { strategy: 'canary', percent: 20, intervalMs: 120_000 },
        pollMs: 10_000,
        finalBakeMs: 0,
        metricDelayMs: 120_000,
        judge: { type: 'threshold', windowMs: 180_000, maxErrors: 2, maxErrorRate: 0.01, p99Ms: 800, maxThrottles: 0 },
        minInvocations: 0,
        maxExtensionMs: 90_000,
        onInconclusive: 'promote',
        onExistingCanary: 'rollback',
      },
      report: { jsonPath: 'out/report.json', junitPath: 'out/junit.xml', dotenvPath: 'out/release.env' },
      dryRun: true,
      data: expect.objectContaining({ dataset: expect.objectContaining({ path: 'train.csv', format: 'auto' }), checks: [expect.objectContaining({ type: 'row_count', min: 1 })] }),
      model: { file: FILE, metricsPath: 'x', checks: [] },
      pretraffic: expect.objectContaining({ payloadsPath: 'p.jsonl', concurrency: 4, compareProduction: false }),
    });
  });
});

describe('plans', () => {
  const plan = (rollout: string) => valid(`rollout:\n${rollout}`).rollout;

  it.each([
    ['Linear10PercentEvery1Minute', { strategy: 'linear', stepPercent: 10, intervalMs: 60_000 }],
    ['Linear10PercentEvery10Minutes', { strategy: 'linear', stepPercent: 10, intervalMs: 600_000 }],
    ['Linear25PercentEvery3Minutes', { strategy: 'linear', stepPercent: 25, intervalMs: 180_000 }],
    ['Canary10Percent5Minutes', { strategy: 'canary', percent: 10, intervalMs: 300_000 }],
    ['Canary10Percent30Minutes', { strategy: 'canary', percent: 10, intervalMs: 1_800_000 }],
    ['Canary5Percent1Minute', { strategy: 'canary', percent: 5, intervalMs: 60_000 }],
    ['AllAtOnce', { strategy: 'all-at-once', bakeMs: 0 }],
    ['CodeDeployDefault.LambdaCanary10Percent5Minutes', { strategy: 'canary', percent: 10, intervalMs: 300_000 }],
  ])('preset %s', (preset, expected) => {
    const rollout = plan(`  preset: ${preset}\n`);
    expect(rollout?.plan).toEqual(expected);
    expect(rollout?.preset).toBe(preset);
  });

  it('linear strategy, with and without its keys', () => {
    expect(plan('  strategy: linear\n  step: 20\n  interval: 30s\n')?.plan).toEqual({ strategy: 'linear', stepPercent: 20, intervalMs: 30_000 });
    expect(plan('  strategy: linear\n')?.plan).toEqual({ strategy: 'linear', stepPercent: 10, intervalMs: 60_000 });
  });

  it('canary strategy defaults to the Canary10Percent5Minutes shape', () => {
    const rollout = plan('  strategy: canary\n');
    expect(rollout?.plan).toEqual({ strategy: 'canary', percent: 10, intervalMs: 300_000 });
    expect(rollout?.preset).toBeUndefined();
    expect(rollout?.maxExtensionMs).toBe(300_000);
  });

  it('all-at-once strategy with a bake; max-extension defaults to the bake', () => {
    const rollout = plan('  strategy: all-at-once\n  bake: 5m\n');
    expect(rollout?.plan).toEqual({ strategy: 'all-at-once', bakeMs: 300_000 });
    expect(rollout?.maxExtensionMs).toBe(300_000);
  });

  it('steps strategy; max-extension defaults to the shortest step', () => {
    const rollout = plan('  strategy: steps\n  steps:\n    - { percent: 5, duration: 2m }\n    - { percent: 25, duration: 5m }\n    - { percent: 100, duration: 1h }\n');
    expect(rollout?.plan).toEqual({
      strategy: 'steps',
      steps: [
        { percent: 5, durationMs: 120_000 },
        { percent: 25, durationMs: 300_000 },
        { percent: 100, durationMs: 3_600_000 },
      ],
    });
    expect(rollout?.maxExtensionMs).toBe(120_000);
  });

  it('infers the strategy from its keys when strategy is left out', () => {
    expect(plan('  step: 50\n')?.plan).toEqual({ strategy: 'linear', stepPercent: 50, intervalMs: 60_000 });
    expect(plan('  percent: 20\n  interval: 10m\n')?.plan).toEqual({ strategy: 'canary', percent: 20, intervalMs: 600_000 });
    expect(plan('  steps: [{ percent: 50, duration: 1m }]\n')?.plan).toEqual({ strategy: 'steps', steps: [{ percent: 50, durationMs: 60_000 }] });
  });
});

describe('plan errors', () => {
  it('preset and strategy together', () => {
    expect(errors(yaml('rollout:', '  preset: AllAtOnce', '  strategy: linear'))).toEqual([
      'model-release.yml:3:3 rollout.strategy: cannot be combined with preset; keep one of them (a preset, or a strategy with its keys)',
    ]);
  });

  it('a strategy key next to a preset, pointing at the key', () => {
    expect(errors(yaml('rollout:', '  preset: AllAtOnce', '  bake: 5m'))).toEqual([
      'model-release.yml:3:3 rollout.bake: does not apply to a preset; remove it, or replace preset with strategy: all-at-once',
    ]);
  });

  it('a key of another strategy', () => {
    expect(errors(yaml('rollout:', '  strategy: linear', '  percent: 20'))).toEqual([
      "model-release.yml:3:3 rollout.percent: does not apply to strategy 'linear' (it is a key of canary or ab)",
    ]);
  });

  it('keys of two strategies without a strategy', () => {
    expect(errors(yaml('rollout:', '  step: 20', '  bake: 1m'))).toEqual([
      'model-release.yml:3:3 rollout.bake: cannot be combined with step: step is a key of strategy linear, bake of strategy all-at-once; set strategy: linear, canary, all-at-once or steps',
    ]);
  });

  it('a canary of 100 percent, as a key or in a preset', () => {
    expect(errors(yaml('rollout:', '  strategy: canary', '  percent: 100'))).toEqual(['model-release.yml:3:12 rollout.percent: must be a number from 1 to 99']);
    expect(errors(yaml('rollout:', '  preset: Canary100Percent5Minutes'))).toEqual([
      'model-release.yml:2:11 rollout.preset: canary percent must be from 1 to 99, not 100 (use AllAtOnce to shift everything at once)',
    ]);
  });

  it('an unknown preset', () => {
    expect(errors(yaml('rollout:', '  preset: Blue-Green'))).toEqual([
      'model-release.yml:2:11 rollout.preset: must be a preset like Linear10PercentEvery1Minute, Canary10Percent5Minutes or AllAtOnce',
    ]);
  });

  it('steps that do not increase, and a 0s step', () => {
    expect(errors(yaml('rollout:', '  strategy: steps', '  steps:', '    - { percent: 25, duration: 2m }', '    - { percent: 25, duration: 0s }'))).toEqual([
      "model-release.yml:5:18 rollout.steps.1.percent: must be greater than the previous step's percent (25); steps only move traffic forward",
      'model-release.yml:5:32 rollout.steps.1.duration: must be longer than 0s: a step needs time to be judged',
    ]);
  });

  it('a step percent out of range, and a step without a duration', () => {
    expect(errors(yaml('rollout:', '  steps:', '    - { percent: 101, duration: 1m }', '    - percent: 50'))).toEqual([
      'model-release.yml:3:18 rollout.steps.0.percent: must be a number from 1 to 100',
      "model-release.yml:4:7 rollout.steps.1: missing required key 'duration'",
    ]);
  });

  it('strategy steps without steps', () => {
    expect(errors(yaml('rollout:', '  strategy: steps'))).toEqual(["model-release.yml:1:1 rollout: missing required key 'steps'"]);
  });

  it('a poll of 0s would be a busy loop', () => {
    expect(errors(yaml('rollout:', '  poll: 0s'))).toEqual(['model-release.yml:2:9 rollout.poll: must be longer than 0s: polling every 0s would be a busy loop']);
  });
});

describe('schema errors, in plain English at line:column', () => {
  it('a step of 0', () => {
    expect(errors(yaml('trigger:', '  types: [feat]', 'rollout:', '  strategy: linear', '  step: 0'))).toEqual([
      'model-release.yml:5:9 rollout.step: must be a number from 1 to 100',
    ]);
  });

  it('a step that is not a whole number, or not a number', () => {
    expect(errors(yaml('rollout:', '  step: 2.5'))).toEqual(['model-release.yml:2:9 rollout.step: must be a whole number from 1 to 100']);
    expect(errors(yaml('rollout:', '  step: ten'))).toEqual(['model-release.yml:2:9 rollout.step: must be a whole number from 1 to 100']);
  });

  it('an unknown key, with a suggestion, at the key', () => {
    expect(errors(yaml('rollout:', '  strategy: linear', '  stepp: 20'))).toEqual(["model-release.yml:3:3 rollout.stepp: unknown key 'stepp'; did you mean 'step'?"]);
    expect(errors(yaml('target:', '  functionName: x', '  alias: prod'))).toEqual([
      "model-release.yml:1:1 target: missing required key 'function-name'",
      "model-release.yml:2:3 target.functionName: unknown key 'functionName'; did you mean 'function-name'?",
    ]);
  });

  it('an unknown key with nothing close lists the allowed keys', () => {
    expect(errors(yaml('report:', '  pdf: r.pdf'))).toEqual(["model-release.yml:2:3 report.pdf: unknown key 'pdf'; allowed keys: json, junit, dotenv, chart, html, verbose"]);
  });

  it('report.html: the drift report path, ending in .html', () => {
    expect(valid(yaml('report:', '  html: out/drift.html')).report).toEqual({ htmlPath: 'out/drift.html' });
    expect(errors(yaml('report:', '  html: drift.txt'))).toEqual(['model-release.yml:2:9 report.html: must end in .html: the report is written as HTML']);
  });

  it('a bare number or a malformed duration', () => {
    expect(errors(yaml('rollout:', '  interval: 30'))).toEqual([
      'model-release.yml:2:13 rollout.interval: has no unit; a bare number is not a duration: write 30s, 30m or 30h (units h, m, s, ms)',
    ]);
    expect(errors(yaml('rollout:', '  judge:', '    window: 5 minutes'))).toEqual(["model-release.yml:3:13 rollout.judge.window: 'minutes' is not a unit (units h, m, s, ms); did you mean 5m?"]);
  });

  it('enum, type and pattern errors', () => {
    expect(
      errors(
        yaml('dry-run: yes please', 'rollout:', '  on-existing-canary: ignore', 'target:', '  function-name: my function', '  alias: "123"', '  region: Europe'),
      ),
    ).toEqual([
      'model-release.yml:1:10 dry-run: must be true or false',
      'model-release.yml:3:23 rollout.on-existing-canary: must be one of: refuse, rollback',
      'model-release.yml:5:18 target.function-name: must be a Lambda function name or ARN without a qualifier, like churn-model or arn:aws:lambda:eu-west-1:123456789012:function:churn-model',
      'model-release.yml:6:10 target.alias: must be a Lambda alias name (letters, digits, - and _, not only digits), like prod',
      'model-release.yml:7:11 target.region: must be an AWS region like eu-west-1',
    ]);
  });

  it('release: the tag pattern needs {version} once, the initial version is major.minor.patch', () => {
    expect(valid(yaml('release:', '  tag: true', '  tag-pattern: churn-api/{version}', '  initial-version: 1.0.0')).release).toEqual({
      tag: true,
      notes: true,
      tagPattern: 'churn-api/{version}',
      initialVersion: '1.0.0',
    });
    expect(errors(yaml('release:', '  tag-pattern: model-v', '  initial-version: "1.0"', '  tags: true'))).toEqual([
      'model-release.yml:2:16 release.tag-pattern: must contain {version} once, with only letters, digits and . _ / + - around it, like model-v{version}',
      'model-release.yml:3:20 release.initial-version: must be a version major.minor.patch, like 0.1.0 or 1.0.0',
      "model-release.yml:4:3 release.tags: unknown key 'tags'; did you mean 'tag'?",
    ]);
    expect(errors(yaml('release:', '  tag-pattern: "v{version}-{version}"'))).toHaveLength(1);
    // The action input create-tag overrides release.tag and is checked like the file.
    expect(valid('', [{ path: 'release.tag', value: 'true', source: "input 'create-tag'" }]).release.tag).toBe(true);
    expect(errors('', [{ path: 'release.tag', value: 'yes', source: "input 'create-tag'" }])).toEqual(["input 'create-tag' (release.tag): must be true or false"]);
  });

  it('a missing required key points at the map that lacks it', () => {
    expect(errors(yaml('trigger: {}', 'target:', '  function-name: churn-model'))).toEqual(["model-release.yml:2:1 target: missing required key 'alias'"]);
  });

  it('an empty section says how to ask for the defaults', () => {
    expect(errors(yaml('rollout:'))).toEqual(['model-release.yml:1:1 rollout: is empty; write {} to use the defaults, or give its keys']);
  });

  it('a version in the wrong form: one message, not the noise of each alternative', () => {
    const target = yaml('target:', '  function-name: f', '  alias: prod');
    expect(errors(target + '  version: $LATEST\n')).toEqual(['model-release.yml:4:12 target.version: must be a published version number like "7" ($LATEST is not a version)']);
    expect(errors(target + '  version: 0\n')).toEqual(['model-release.yml:4:12 target.version: must be a number of at least 1']);
    expect(errors(target + '  version: [7]\n')).toEqual(['model-release.yml:4:12 target.version: must be a string or a whole number']);
  });

  it('version with publish: true is a clear error', () => {
    expect(errors(yaml('target:', '  function-name: f', '  alias: prod', '  publish: true', '  version: "7"'))).toEqual([
      'model-release.yml:5:3 target.version: cannot be combined with publish: true; remove publish (or set it to false) to deploy this version, or remove version to publish $LATEST',
    ]);
  });

  it('reports all errors, sorted by line, each once', () => {
    expect(errors(yaml('rollout:', '  min-invocations: -1', '  judge:', '    max-error-rate: 2', '    p99-ms: 0', 'trigger:', '  types: [feat, feat]', '  scopes: []'))).toEqual([
      'model-release.yml:2:20 rollout.min-invocations: must be a number of at least 0',
      'model-release.yml:4:21 rollout.judge.max-error-rate: must be a number from 0 to 1',
      'model-release.yml:5:13 rollout.judge.p99-ms: must be a number greater than 0',
      'model-release.yml:7:10 trigger.types: lists "feat" more than once',
      'model-release.yml:8:11 trigger.scopes: must list at least one item',
    ]);
  });

  it('a file that is not a map', () => {
    expect(errors('- feat\n- fix\n')).toEqual(['model-release.yml:1:1 must be a map of keys']);
  });
});

describe('YAML errors', () => {
  it('a syntax error with its position', () => {
    expect(errors(yaml('trigger:', '  types: [feat, fix', 'rollout: {}'))).toEqual([
      'model-release.yml:3:1 Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('a duplicate key at the second occurrence', () => {
    expect(errors(yaml('rollout:', '  step: 10', '  poll: 5s', '  step: 20'))).toEqual([
      "model-release.yml:4:3 rollout.step: duplicate key 'step'; a key may appear only once in a map",
    ]);
  });

  it('a second document', () => {
    expect(errors(yaml('dry-run: true', '---', 'dry-run: false'))).toEqual([
      "model-release.yml:2:1 the file must hold one YAML document; remove the extra '---' document",
    ]);
  });

  it('CRLF line endings keep the same lines and columns', () => {
    const text = ['rollout:', '  strategy: linear', '  step: 0', ''].join('\r\n');
    expect(errors(text)).toEqual(['model-release.yml:3:9 rollout.step: must be a number from 1 to 100']);
    expect(valid(['rollout:', '  preset: AllAtOnce', 'dry-run: true', ''].join('\r\n'))).toMatchObject({ dryRun: true, rollout: { plan: { strategy: 'all-at-once' } } });
  });
});

describe('overrides', () => {
  const input = (path: string, value: string, name = path.split('.').at(-1)): ConfigOverride => ({ path, value, source: `input '${name}'` });

  it('apply over the file, typed as YAML scalars', () => {
    const config = valid(yaml('rollout:', '  strategy: linear', '  step: 10', 'dry-run: false'), [input('rollout.step', '20'), input('dry-run', 'true')]);
    expect(config.rollout?.plan).toEqual({ strategy: 'linear', stepPercent: 20, intervalMs: 60_000 });
    expect(config.dryRun).toBe(true);
  });

  it('create missing sections', () => {
    const config = valid('', [input('target.function-name', 'churn-model'), input('target.alias', 'prod'), input('target.version', '7'), input('rollout.preset', 'AllAtOnce')]);
    expect(config.target).toEqual({ type: 'lambda', functionName: 'churn-model', alias: 'prod', publish: false, version: '7' });
    expect(config.rollout?.plan).toEqual({ strategy: 'all-at-once', bakeMs: 0 });
  });

  it('fill an empty section', () => {
    expect(valid('rollout:\n', [input('rollout.preset', 'Canary10Percent5Minutes')]).rollout?.plan).toEqual({ strategy: 'canary', percent: 10, intervalMs: 300_000 });
  });

  it('keep text for keys that can only be text', () => {
    const config = valid('', [input('target.function-name', '1234'), input('target.alias', 'live'), input('report.json', '2026')]);
    expect(config.target?.type === 'lambda' && config.target.functionName).toBe('1234');
    expect(config.report.jsonPath).toBe('2026');
  });

  it('a later override of the same key wins', () => {
    expect(valid('', [input('dry-run', 'true'), { path: 'dry-run', value: 'false', source: 'flag --set' }]).dryRun).toBe(false);
  });

  it('name their source instead of a line', () => {
    expect(errors(yaml('rollout:', '  strategy: linear'), [input('rollout.step', '0')])).toEqual(["input 'step' (rollout.step): must be a number from 1 to 100"]);
    expect(errors('', [{ path: 'rollout.stepp', value: '5', source: 'flag --set' }])).toEqual(["flag --set (rollout.stepp): unknown key 'stepp'; did you mean 'step'?"]);
    expect(errors('', [input('rollout.interval', '30')])).toEqual([
      "input 'interval' (rollout.interval): has no unit; a bare number is not a duration: write 30s, 30m or 30h (units h, m, s, ms)",
    ]);
  });

  it('blame a section they created for what it lacks; file errors keep their lines', () => {
    expect(errors(yaml('rollout:', '  step: 0'), [input('target.function-name', 'f')])).toEqual([
      'model-release.yml:2:9 rollout.step: must be a number from 1 to 100',
      "input 'function-name' (target): missing required key 'alias'",
    ]);
  });

  it('a cross-key conflict caused by an override names it', () => {
    expect(errors(yaml('target:', '  function-name: f', '  alias: prod', '  publish: true'), [input('target.version', '7')])).toEqual([
      "input 'version' (target.version): cannot be combined with publish: true; remove publish (or set it to false) to deploy this version, or remove version to publish $LATEST",
    ]);
  });

  it('cannot descend into a value that is not a map', () => {
    expect(errors('dry-run: true\n', [input('dry-run.x', '1')])).toEqual(["input 'x' (dry-run.x): cannot be set: dry-run is not a map of keys"]);
    expect(errors('', [input('rollout..step', '1')])).toEqual(["input 'step' (rollout..step): is not a key path (expected e.g. rollout.step)"]);
  });
});

describe('formatConfigError', () => {
  it('renders file, line, column, path and message', () => {
    expect(formatConfigError({ file: FILE, line: 14, column: 7, path: 'rollout.step', message: 'must be a number from 1 to 100' })).toBe(
      'model-release.yml:14:7 rollout.step: must be a number from 1 to 100',
    );
    expect(formatConfigError({ file: 'ci/release.yml', path: '', message: 'config file not found' })).toBe('ci/release.yml: config file not found');
    expect(formatConfigError({ path: 'dry-run', message: 'must be true or false', source: 'flag --dry-run' })).toBe('flag --dry-run (dry-run): must be true or false');
  });
});

describe('loadConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mrg-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the defaults when the default file is absent', () => {
    expect(loadConfig({ explicit: false, cwd: dir })).toEqual({ ok: true, config: { trigger: DEFAULT_TRIGGER, release: DEFAULT_RELEASE, report: {}, dryRun: false } });
  });

  it('applies overrides even without a file', () => {
    const result = loadConfig({ explicit: false, cwd: dir, overrides: [{ path: 'dry-run', value: 'true', source: "input 'dry-run'" }] });
    expect(result.ok && result.config.dryRun).toBe(true);
  });

  it('a named file that is missing is an error naming the path', () => {
    expect(messages(loadConfig({ file: 'ci/release.yml', explicit: true, cwd: dir }))).toEqual([`ci/release.yml: config file not found (looked for ${join(dir, 'ci', 'release.yml')})`]);
  });

  it('reads model-release.yml from cwd and names it in errors', () => {
    writeFileSync(join(dir, 'model-release.yml'), 'rollout:\n  preset: AllAtOnce\n');
    const result = loadConfig({ explicit: false, cwd: dir });
    expect(result.ok && result.config).toMatchObject({ file: 'model-release.yml', rollout: { preset: 'AllAtOnce' } });
    mkdirSync(join(dir, 'ci'));
    writeFileSync(join(dir, 'ci', 'gate.yml'), 'dry-run: maybe\n');
    expect(messages(loadConfig({ file: 'ci/gate.yml', explicit: true, cwd: dir }))).toEqual(['ci/gate.yml:1:10 dry-run: must be true or false']);
  });

  it('an empty file gives the defaults', () => {
    writeFileSync(join(dir, 'model-release.yml'), '');
    expect(loadConfig({ explicit: true, cwd: dir })).toEqual({ ok: true, config: { file: 'model-release.yml', trigger: DEFAULT_TRIGGER, release: DEFAULT_RELEASE, report: {}, dryRun: false } });
  });

  it('a directory in place of the file is an error, not a crash', () => {
    mkdirSync(join(dir, 'model-release.yml'));
    expect(messages(loadConfig({ explicit: false, cwd: dir }))[0]).toMatch(/^model-release\.yml: cannot read the config file /);
  });
});
