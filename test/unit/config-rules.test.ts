/**
 * The rules between keys live in the JSON Schema (so editors show them as you type), compile
 * under a fresh strict draft 2020-12 validator, and each reads as one plain message at the
 * key it is about: never "must match then schema".
 */
import Ajv2020 from 'ajv/dist/2020.js';
import { JUDGE_KEYS } from '../../src/config/build.js';
import { parseConfigText } from '../../src/config/load.js';
import { PLAN_KEYS, STRATEGY_KEYS, parsePreset } from '../../src/config/plan.js';
import { EDITOR_HINT_KEYWORDS, configSchema } from '../../src/config/schema.js';
import { CONFIG_FILE, configErrors, yaml } from '../support/config-errors.js';

const FILE = CONFIG_FILE;
const errors = configErrors;

function isValid(text: string): boolean {
  return parseConfigText(text, FILE).ok;
}

type Node = Record<string, unknown>;
const rollout = (configSchema.properties.rollout as unknown as Node);

describe('the schema under a fresh strict Ajv2020', () => {
  it('compiles with the editor hints declared, and has a stable $id', () => {
    const ajv = new Ajv2020.default({ strict: true, allErrors: true });
    for (const definition of EDITOR_HINT_KEYWORDS) ajv.addKeyword(definition);
    const validate = ajv.compile(configSchema);
    expect(validate({ rollout: { preset: 'AllAtOnce' } })).toBe(true);
    expect(validate({ rollout: { preset: 'AllAtOnce', strategy: 'linear' } })).toBe(false);
    expect(configSchema.$id).toBe('urn:model-release-gate:config:v1');
  });

  it('declares only string annotations: strict mode refuses anything else there, and undeclared keywords', () => {
    const ajv = new Ajv2020.default({ strict: true });
    for (const definition of EDITOR_HINT_KEYWORDS) ajv.addKeyword(definition);
    expect(() => ajv.compile({ type: 'string', errorMessage: { type: 'x' } })).toThrow(/errorMessage/);
    expect(() => new Ajv2020.default({ strict: true }).compile(configSchema)).toThrow(/unknown keyword: "(errorMessage|patternErrorMessage)"/);
  });
});

describe('rollout plan rules', () => {
  const words = (list: readonly string[]) => (list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} or ${list.at(-1)}`);
  const using = (key: string) => Object.entries(STRATEGY_KEYS).filter(([, keys]) => (keys as readonly string[]).includes(key)).map(([name]) => name);
  const VALUES: Record<string, string> = { step: '20', interval: '2m', percent: '20', bake: '1m', steps: '[{ percent: 50, duration: 1m }]' };

  const cases = Object.entries(STRATEGY_KEYS).flatMap(([strategy, keys]) =>
    PLAN_KEYS.filter((key) => !keys.includes(key)).map((key) => [strategy, key] as const),
  );
  it.each(cases)("strategy %s refuses the key %s, at the key", (strategy, key) => {
    // What each strategy needs besides its keys: steps its list, ab the compare judge.
    const needs = strategy === 'steps' ? ['  steps: [{ percent: 50, duration: 1m }]'] : strategy === 'ab' ? ['  judge: { type: compare }'] : [];
    expect(errors(yaml('rollout:', `  strategy: ${strategy}`, ...needs, `  ${key}: ${VALUES[key]}`))).toEqual([
      `model-release.yml:${3 + needs.length}:3 rollout.${key}: does not apply to strategy '${strategy}' (it is a key of ${words(using(key))})`,
    ]);
  });

  it.each(PLAN_KEYS)('a preset refuses the key %s', (key) => {
    expect(errors(yaml('rollout:', '  preset: Canary10Percent5Minutes', `  ${key}: ${VALUES[key]}`))).toEqual([
      `model-release.yml:3:3 rollout.${key}: does not apply to a preset; remove it, or replace preset with strategy: ${words(using(key))}`,
    ]);
  });

  it('strategy steps needs its steps', () => {
    expect(errors(yaml('rollout:', '  strategy: steps'))).toEqual(["model-release.yml:1:1 rollout: missing required key 'steps'"]);
  });

  const pairs = PLAN_KEYS.flatMap((a, i) => PLAN_KEYS.slice(i + 1).map((b) => [a, b] as const)).filter(
    ([a, b]) => !Object.values(STRATEGY_KEYS).some((keys) => (keys as readonly string[]).includes(a) && (keys as readonly string[]).includes(b)),
  );
  it.each(pairs)('without a strategy, %s and %s cannot be combined (keys of different strategies)', (a, b) => {
    expect(errors(yaml('rollout:', `  ${a}: ${VALUES[a]}`, `  ${b}: ${VALUES[b]}`))).toEqual([
      `model-release.yml:3:3 rollout.${b}: cannot be combined with ${a}: ${a} is a key of strategy ${words(using(a))}, ${b} of strategy ${words(using(b))}; set strategy: linear, canary, all-at-once or steps`,
    ]);
    expect(isValid(yaml('rollout:', `  strategy: ${using(a)[0]}`, `  ${a}: ${VALUES[a]}`))).toBe(true);
  });

  it.each([
    ['interval', yaml('rollout:', '  interval: 0s'), 2, 13, 'must be longer than 0s: a step needs time to be judged'],
    ['steps.0.duration', yaml('rollout:', '  steps: [{ percent: 50, duration: 0m0s }]'), 2, 36, 'must be longer than 0s: a step needs time to be judged'],
    ['poll', yaml('rollout:', '  poll: 0ms'), 2, 9, 'must be longer than 0s: polling every 0s would be a busy loop'],
    ['judge.window', yaml('rollout:', '  judge:', '    window: 00s'), 3, 13, 'must be longer than 0s: a 0s window sees no metrics'],
  ])('rollout.%s must leave time to pass', (key, text, line, column, message) => {
    expect(errors(text)).toEqual([`model-release.yml:${line}:${column} rollout.${key}: ${message}`]);
  });

  it('zero is refused only where time must pass', () => {
    expect(isValid(yaml('rollout:', '  final-bake: 0s', '  metric-delay: 0s', '  strategy: all-at-once', '  bake: 0s'))).toBe(true);
    expect(isValid(yaml('rollout:', '  poll: 0m5s'))).toBe(true);
  });

  it('the schema and plan.ts agree on the keys of each strategy', () => {
    // Only plan keys: a strategy's block may rule on other keys too (ab: final-bake, judge).
    const refusals = (rollout.allOf as Node[])
      .filter((rule) => typeof ((rule.if as Node).properties as Node | undefined)?.strategy === 'object')
      .map((rule) => {
        const strategy = (((rule.if as Node).properties as Node).strategy as Node).const as string;
        const properties = (rule.then as Node).properties as Node;
        const refused = Object.keys(properties).filter((k) => (PLAN_KEYS as readonly string[]).includes(k) && properties[k] !== true);
        return [strategy, refused.sort()];
      });
    expect(refusals.map(([strategy]) => strategy)).toEqual(Object.keys(STRATEGY_KEYS));
    expect(Object.fromEntries(refusals)).toEqual(
      Object.fromEntries(Object.entries(STRATEGY_KEYS).map(([s, keys]) => [s, PLAN_KEYS.filter((k) => !keys.includes(k)).sort()])),
    );
  });
});

describe('preset limits', () => {
  it.each([
    ['Canary100Percent5Minutes', 'canary percent must be from 1 to 99, not 100 (use AllAtOnce to shift everything at once)'],
    ['Canary0Percent5Minutes', 'canary percent must be from 1 to 99, not 0 (use AllAtOnce to shift everything at once)'],
    ['Canary10Percent0Minutes', 'the canary interval must be at least 1 minute'],
    ['Linear0PercentEvery1Minute', 'linear step must be from 1 to 100 percent, not 0'],
    ['Linear101PercentEvery1Minute', 'linear step must be from 1 to 100 percent, not 101'],
    ['Linear10PercentEvery0Minutes', 'the linear interval must be at least 1 minute'],
  ])('%s: says which limit', (preset, message) => {
    expect(errors(yaml('rollout:', `  preset: ${preset}`))).toEqual([`model-release.yml:2:11 rollout.preset: ${message}`]);
  });

  it('the schema pattern accepts exactly the presets parsePreset accepts', () => {
    const pattern = new RegExp(((rollout.properties as Node).preset as Node).pattern as string);
    const names = [
      'AllAtOnce', 'CodeDeployDefault.LambdaAllAtOnce', 'Canary10Percent5Minutes', 'Canary99Percent1Minute', 'Canary010Percent05Minutes',
      'Linear100PercentEvery1Minute', 'Linear0100PercentEvery10Minutes', 'Linear1PercentEvery1Minutes', 'Canary100Percent5Minutes',
      'Canary0Percent5Minutes', 'Canary000Percent5Minutes', 'Linear101PercentEvery1Minute', 'Linear10PercentEvery0Minute', 'Blue-Green', '',
    ];
    for (const name of names) expect([name, pattern.test(name)]).toEqual([name, parsePreset(name).ok]);
  });
});

describe('judge rules', () => {
  const VALUES: Record<string, string> = { 'min-effect': '{ ratio: 3 }', dispersion: 'auto', window: '5m', 'max-errors': '1', 'max-throttles': '1' };
  const cases = [
    ...JUDGE_KEYS.compare.map((key) => ['threshold', key, 'compare'] as const),
    ...JUDGE_KEYS.threshold.map((key) => ['compare', key, 'threshold'] as const),
  ];
  it.each(cases)('type %s refuses the key %s (of type %s)', (type, key, other) => {
    const typeLine = type === 'compare' ? ['    type: compare'] : [];
    expect(errors(yaml('rollout:', '  judge:', ...typeLine, `    ${key}: ${VALUES[key] ?? '0.1'}`))).toEqual([
      `model-release.yml:${3 + typeLine.length}:5 rollout.judge.${key}: does not apply to judge type '${type}' (it is a key of type ${other})`,
    ]);
  });

  it('the schema and build.ts agree on the keys of each judge type', () => {
    const judge = (rollout.properties as Node).judge as Node;
    const refused = (branch: 'then' | 'else') => Object.keys((judge[branch] as Node).properties as Node).sort();
    expect(((judge.if as Node).properties as Node).type).toEqual({ const: 'compare' });
    expect(refused('then')).toEqual([...JUDGE_KEYS.threshold].sort());
    expect(refused('else')).toEqual([...JUDGE_KEYS.compare].sort());
  });

  it.each([
    ['a preset', '  preset: CodeDeployDefault.LambdaAllAtOnce'],
    ['a strategy', '  strategy: all-at-once'],
    ['bake without a strategy', '  bake: 5m'],
  ])('compare is refused with an all-at-once plan given by %s', (_, planLine) => {
    expect(errors(yaml('rollout:', planLine, '  judge:', '    type: compare'))).toEqual([
      'model-release.yml:4:11 rollout.judge.type: compare needs a plan where the stable version still serves part of the traffic; all-at-once never does (use type threshold or a linear, canary or steps plan)',
    ]);
    expect(isValid(yaml('rollout:', '  preset: Canary10Percent5Minutes', '  judge:', '    type: compare'))).toBe(true);
  });
});

describe('target rules', () => {
  it('version with publish: true', () => {
    const target = yaml('target:', '  function-name: f', '  alias: prod');
    expect(errors(target + '  publish: true\n  version: "7"\n')).toEqual([
      'model-release.yml:5:3 target.version: cannot be combined with publish: true; remove publish (or set it to false) to deploy this version, or remove version to publish $LATEST',
    ]);
    expect(isValid(target + '  publish: false\n  version: "7"\n')).toBe(true);
    expect(isValid(target + '  version: 7\n')).toBe(true);
  });
});

describe('data check rules', () => {
  const data = (check: string) => yaml('data:', '  dataset: train.csv', '  checks:', `    - ${check}`);
  it.each([
    ['range: { column: age, columns: [age], min: 0 }', '4:29 data.checks.0.range.columns: give column or columns, not both'],
    ['unique: {}', "4:7 data.checks.0.unique: missing required key 'column' (or 'columns')"],
    ['missing: { column: age, max-count: 1, max-percent: 5 }', '4:45 data.checks.0.missing.max-percent: give max-count or max-percent, not both'],
    ['row_count: { where: "x > 1" }', '4:7 data.checks.0.row_count: give min, max or both'],
    ['range: { column: age }', '4:7 data.checks.0.range: give min, max or both'],
    ['schema: { severity: warn }', '4:7 data.checks.0.schema: give required, forbidden or both'],
  ])('%s', (check, message) => {
    expect(errors(data(check))).toEqual([`model-release.yml:${message}`]);
  });

  it('every column check takes column or columns', () => {
    for (const type of ['missing', 'range', 'allowed', 'unique', 'unseen_categories']) {
      const extra = type === 'range' ? ', min: 0' : type === 'allowed' ? ', values: [a]' : '';
      expect(isValid(data(`${type}: { column: a${extra} }`))).toBe(true);
      expect(isValid(data(`${type}: { columns: [a]${extra} }`))).toBe(true);
      expect(errors(data(`${type}: { column: a, columns: [a]${extra} }`))).toEqual([expect.stringContaining('give column or columns, not both')]);
    }
  });
});
