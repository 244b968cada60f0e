import { DEFAULT_COMPARE_JUDGE } from '../../src/config/defaults.js';
import { formatConfigError, parseConfigText } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import type { GateConfig } from '../../src/config/types.js';

const FILE = 'model-release.yml';
const yaml = (...lines: string[]) => lines.join('\n') + '\n';

function valid(text: string): GateConfig {
  const result = parseConfigText(text, FILE);
  if (!result.ok) throw new Error(`expected a valid config, got:\n${result.errors.map(formatConfigError).join('\n')}`);
  return result.config;
}

function errors(text: string): string[] {
  const result = parseConfigText(text, FILE);
  if (result.ok) throw new Error(`expected errors, got a valid config: ${JSON.stringify(result.config)}`);
  return result.errors.map(formatConfigError);
}

interface Node {
  default?: unknown;
  properties?: Record<string, Node>;
}

function schemaDefault(path: string): unknown {
  let node = configSchema as unknown as Node;
  for (const key of path.split('.')) {
    const next = node.properties?.[key];
    if (!next) throw new Error(`no ${path} in the schema`);
    node = next;
  }
  return node.default;
}

describe('rollout.judge type: compare', () => {
  it('gets every default from `type: compare` alone', () => {
    expect(valid(yaml('rollout:', '  judge:', '    type: compare')).rollout?.judge).toEqual({
      type: 'compare',
      alpha: 0.05,
      beta: 0.1,
      minEffect: { ratio: 2, absolute: 0.005 },
      p99Tolerance: 0.2,
      finalLookShare: 0.5,
      dispersion: 'auto',
    });
  });

  it('reads every key', () => {
    const text = yaml('rollout:', '  judge:', '    type: compare', '    alpha: 0.01', '    beta: 0.2', '    min-effect:', '      ratio: 1.5', '      absolute: 0.01', '    p99-tolerance: 0.5', '    final-look-share: 0', '    dispersion: 3');
    expect(valid(text).rollout?.judge).toEqual({ type: 'compare', alpha: 0.01, beta: 0.2, minEffect: { ratio: 1.5, absolute: 0.01 }, p99Tolerance: 0.5, finalLookShare: 0, dispersion: 3 });
    // dispersion: auto (estimated) or a number ≥ 1; 1 is the independent-errors judge.
    expect(valid(yaml('rollout:', '  judge:', '    type: compare', '    dispersion: auto')).rollout?.judge).toMatchObject({ dispersion: 'auto' });
    expect(valid(yaml('rollout:', '  judge:', '    type: compare', '    dispersion: 1')).rollout?.judge).toMatchObject({ dispersion: 1 });
    // Half a min-effect keeps the other half's default.
    expect(valid(yaml('rollout:', '  judge:', '    type: compare', '    min-effect: { ratio: 3 }')).rollout?.judge).toMatchObject({ minEffect: { ratio: 3, absolute: 0.005 } });
  });

  it('keeps threshold the default judge', () => {
    expect(valid('rollout: {}\n').rollout?.judge.type).toBe('threshold');
  });

  it('announces the same defaults the loader applies', () => {
    expect(schemaDefault('rollout.judge.type')).toBe('threshold');
    expect(schemaDefault('rollout.judge.alpha')).toBe(DEFAULT_COMPARE_JUDGE.alpha);
    expect(schemaDefault('rollout.judge.beta')).toBe(DEFAULT_COMPARE_JUDGE.beta);
    expect(schemaDefault('rollout.judge.min-effect.ratio')).toBe(DEFAULT_COMPARE_JUDGE.minEffect.ratio);
    expect(schemaDefault('rollout.judge.min-effect.absolute')).toBe(DEFAULT_COMPARE_JUDGE.minEffect.absolute);
    expect(schemaDefault('rollout.judge.p99-tolerance')).toBe(DEFAULT_COMPARE_JUDGE.p99Tolerance);
    expect(schemaDefault('rollout.judge.final-look-share')).toBe(DEFAULT_COMPARE_JUDGE.finalLookShare);
    expect(schemaDefault('rollout.judge.dispersion')).toBe(DEFAULT_COMPARE_JUDGE.dispersion);
  });

  it('rejects out-of-range values at their line and column', () => {
    expect(
      errors(yaml('rollout:', '  judge:', '    type: compare', '    alpha: 0', '    beta: 0.7', '    min-effect:', '      ratio: 1', '      absolute: 2', '    p99-tolerance: -0.1')),
    ).toEqual([
      'model-release.yml:4:12 rollout.judge.alpha: must be a number greater than 0 and of at most 0.5',
      'model-release.yml:5:11 rollout.judge.beta: must be a number greater than 0 and of at most 0.5',
      'model-release.yml:7:14 rollout.judge.min-effect.ratio: must be a number greater than 1',
      'model-release.yml:8:17 rollout.judge.min-effect.absolute: must be a number greater than 0 and of at most 1',
      'model-release.yml:9:20 rollout.judge.p99-tolerance: must be a number of at least 0',
    ]);
    // All of α kept for the final look would leave the looks at every poll nothing: a rollback
    // could only come at the very end.
    expect(errors(yaml('rollout:', '  judge:', '    type: compare', '    final-look-share: 1'))).toEqual([
      'model-release.yml:4:23 rollout.judge.final-look-share: must be a number of at least 0 and less than 1',
    ]);
    expect(errors(yaml('rollout:', '  judge:', '    final-look-share: 0.5'))).toEqual([
      "model-release.yml:3:5 rollout.judge.final-look-share: does not apply to judge type 'threshold' (it is a key of type compare)",
    ]);
    // Below 1 would make the counts less variable than independent calls: not a dispersion.
    expect(errors(yaml('rollout:', '  judge:', '    type: compare', '    dispersion: 0.5'))).toEqual(['model-release.yml:4:17 rollout.judge.dispersion: must be auto or a number of at least 1']);
    expect(errors(yaml('rollout:', '  judge:', '    type: compare', '    dispersion: high'))).toEqual(['model-release.yml:4:17 rollout.judge.dispersion: must be auto or a number of at least 1']);
    expect(errors(yaml('rollout:', '  judge:', '    dispersion: 2'))).toEqual([
      "model-release.yml:3:5 rollout.judge.dispersion: does not apply to judge type 'threshold' (it is a key of type compare)",
    ]);
  });

  it('rejects an unknown type and unknown min-effect keys', () => {
    expect(errors(yaml('rollout:', '  judge:', '    type: sprt'))).toEqual(['model-release.yml:3:11 rollout.judge.type: must be one of: threshold, compare']);
    expect(errors(yaml('rollout:', '  judge:', '    type: compare', '    min-effect:', '      ratios: 2'))).toEqual([
      "model-release.yml:5:7 rollout.judge.min-effect.ratios: unknown key 'ratios'; did you mean 'ratio'?",
    ]);
  });

  it('rejects keys of the other judge type instead of ignoring them', () => {
    expect(errors(yaml('rollout:', '  judge:', '    type: compare', '    max-errors: 0', '    window: 5m'))).toEqual([
      "model-release.yml:4:5 rollout.judge.max-errors: does not apply to judge type 'compare' (it is a key of type threshold)",
      "model-release.yml:5:5 rollout.judge.window: does not apply to judge type 'compare' (it is a key of type threshold)",
    ]);
    expect(errors(yaml('rollout:', '  judge:', '    alpha: 0.01'))).toEqual([
      "model-release.yml:3:5 rollout.judge.alpha: does not apply to judge type 'threshold' (it is a key of type compare)",
    ]);
  });

  it('refuses compare with an all-at-once plan: there is no stable traffic to compare with', () => {
    expect(errors(yaml('rollout:', '  preset: AllAtOnce', '  judge:', '    type: compare'))).toEqual([
      expect.stringMatching(/^model-release\.yml:4:11 rollout\.judge\.type: compare needs a plan where the stable version still serves part of the traffic/),
    ]);
  });
});
