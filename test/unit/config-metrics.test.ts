import { parseConfigText } from '../../src/config/load.js';
import { analyzeFeasibility } from '../../src/rollout/feasibility.js';
import { aggregateStat, rateMetrics, substituteDimensions } from '../../src/signals/metrics.js';

const parse = (metrics: string, target = 'target:\n  function-name: churn-model\n  alias: prod\n') => parseConfigText(`${target}rollout:\n  metrics:\n${metrics}`, 'model-release.yml');
const errors = (metrics: string, target?: string) => {
  const loaded = parse(metrics, target);
  return loaded.ok ? [] : loaded.errors.map((e) => `${e.path}: ${e.message}`);
};
const query = (fields: string) => `    - { name: q, namespace: ChurnModel, metric: ProxyErrors, dimensions: { ModelVersion: "{version}" }, ${fields} }\n`;

describe('rollout.metrics config', () => {
  it('builds threshold and compare queries', () => {
    const loaded = parse(`${query('stat: Sum, judge: { compare: { calls: invocations } }')}    - { name: fb, namespace: ChurnModel, metric: FallbackAnswers, stat: Average, judge: { max: 0.05 } }\n`);
    expect(loaded.ok && loaded.config.rollout?.metrics).toEqual([
      { name: 'q', namespace: 'ChurnModel', metric: 'ProxyErrors', dimensions: { ModelVersion: '{version}' }, stat: 'Sum', judge: { type: 'compare', calls: 'invocations' } },
      { name: 'fb', namespace: 'ChurnModel', metric: 'FallbackAnswers', dimensions: {}, stat: 'Average', judge: { type: 'threshold', max: 0.05 } },
    ]);
  });

  it('refuses an unknown stat, a missing name, duplicate names and bad placeholders with clear messages', () => {
    expect(errors(query('stat: Mean, judge: { max: 1 }')).join()).toMatch(/must be a CloudWatch statistic: Sum, Average, Minimum, Maximum, SampleCount, or a percentile like p99/);
    expect(errors('    - { namespace: N, metric: M, stat: Sum, judge: { max: 1 } }\n').join()).toMatch(/name/);
    expect(errors(query('stat: Sum, judge: { max: 1 }') + query('stat: Sum, judge: { max: 2 }')).join()).toMatch(/names query 'q' a second time: each rollout.metrics name must be unique/);
    expect(errors('    - { name: q, namespace: N, metric: M, dimensions: { EndpointName: "{endpoint}" }, stat: Sum, judge: { max: 1 } }\n').join()).toMatch(
      /dimensions.EndpointName.*unknown placeholder \{endpoint\}: a Lambda target substitutes \{version\}, \{alias\}, \{function\}/,
    );
    const sagemaker = 'target:\n  type: sagemaker\n  endpoint-name: e\n  version: m\n';
    expect(errors('    - { name: q, namespace: N, metric: M, dimensions: { V: "{variant}", E: "{endpoint}" }, stat: Sum, judge: { max: 1 } }\n', sagemaker)).toEqual([]);
  });

  it('refuses a compare that is not a count, calls that do not exist, and judges that judge nothing', () => {
    expect(errors(query('stat: Average, judge: { compare: { calls: invocations } }')).join()).toMatch(/stat must be Sum/);
    expect(errors(query('stat: Sum, judge: { compare: { calls: requests } }')).join()).toMatch(/'requests', which is neither invocations nor the name of another rollout.metrics query/);
    expect(errors(query('stat: Sum, judge: { compare: { calls: q } }')).join()).toMatch(/names the query itself/);
    expect(errors(query('stat: Sum')).join()).toMatch(/has no judge and no other query uses it/);
    expect(errors(query('stat: Sum, judge: { max: 1, compare: { calls: invocations } }')).join()).toMatch(/not both/);
  });
});

describe('rollout.metrics delay (a metric published later than the Lambda metrics)', () => {
  it('makes the rollout wait for the latest publication, and says which key set it', () => {
    const loaded = parse(query('stat: Sum, delay: 2m30s, judge: { compare: { calls: invocations } }') + '    - { name: fb, namespace: N, metric: F, stat: Average, delay: 30s, judge: { max: 0.05 } }\n');
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.config.rollout?.metrics?.map((q) => q.delayMs)).toEqual([150_000, 30_000]);
    expect(loaded.config.rollout).toMatchObject({ metricDelayMs: 150_000, metricDelayKey: "rollout.metrics 'q' delay" });
  });

  it('leaves metric-delay alone when it is the later one', () => {
    const loaded = parseConfigText('target:\n  function-name: f\n  alias: prod\nrollout:\n  metric-delay: 3m\n  metrics:\n' + query('stat: Sum, delay: 2m, judge: { max: 1 }'), 'model-release.yml');
    expect(loaded.ok && loaded.config.rollout).toMatchObject({ metricDelayMs: 180_000 });
    expect(loaded.ok && loaded.config.rollout?.metricDelayKey).toBeUndefined();
  });

  it('is refused when it is not a duration', () => {
    expect(errors(query('stat: Sum, delay: soon, judge: { max: 1 }')).join()).toMatch(/delay/);
  });

  it('makes 1-minute steps infeasible, naming the query whose delay they cannot hold', () => {
    const loaded = parse(query('stat: Sum, delay: 2m30s, judge: { compare: { calls: invocations } }'));
    expect(loaded.ok).toBe(true);
    if (!loaded.ok || loaded.config.rollout === undefined) return;
    const analysis = analyzeFeasibility(loaded.config.rollout);
    expect(analysis.canNeverPass).toBe(true);
    expect(analysis.steps[0]?.message).toMatch(/published only 3m30s after it starts \(1m period \+ 2m30s rollout.metrics 'q' delay\)/);
  });
});

describe('rollout.metrics judge distribution (output drift)', () => {
  it('needs no stat, and fills in the defaults: 10 bins, max-psi 0.2, min-samples 100', () => {
    const loaded = parse(query('judge: { distribution: {} }'));
    expect(loaded.ok && loaded.config.rollout?.metrics?.[0]).toMatchObject({ stat: 'distribution', judge: { type: 'distribution', bins: 10, maxPsi: 0.2, minSamples: 100 } });
    const tuned = parse(query("judge: { distribution: { bins: 5, 'max-psi': 0.1, 'min-samples': 400 } }"));
    expect(tuned.ok && tuned.config.rollout?.metrics?.[0]?.judge).toEqual({ type: 'distribution', bins: 5, maxPsi: 0.1, minSamples: 400 });
  });

  it('refuses a stat beside it, another judge beside it, a missing stat without it, and too few samples per bin', () => {
    expect(errors(query('stat: Average, judge: { distribution: {} }')).join()).toMatch(/stat: does not apply with judge\.distribution: it reads the percentiles and bin counts \(TC\) it needs itself/);
    expect(errors(query('judge: { max: 1, distribution: {} }')).join()).toMatch(/max: does not apply with distribution/);
    expect(errors(query('judge: { max: 1 }')).join()).toMatch(/stat/);
    expect(errors(query("judge: { distribution: { bins: 20, 'min-samples': 50 } }")).join()).toMatch(/min-samples: is 50, fewer than 5 per bin \(20 bins need at least 100\)/);
    expect(errors(query('judge: { distribution: { bins: 1 } }')).join()).toMatch(/bins/);
  });
});

describe('metric query arithmetic', () => {
  it('substitutes placeholders and leaves unknown ones as written', () => {
    expect(substituteDimensions({ ModelVersion: '{version}', Fn: '{function}:{alias}', X: '{nope}' }, { version: '4', function: 'f', alias: 'prod' })).toEqual([
      { Name: 'ModelVersion', Value: '4' },
      { Name: 'Fn', Value: 'f:prod' },
      { Name: 'X', Value: '{nope}' },
    ]);
  });

  it('aggregates minutes: counts summed, Average weighted by samples, percentiles by the worst minute', () => {
    const values = new Map([[0, 0.1], [60_000, 0.4]]);
    expect(aggregateStat('Sum', values, undefined, 'max')).toBeCloseTo(0.5);
    expect(aggregateStat('Average', values, new Map([[0, 300], [60_000, 100]]), 'max')).toBeCloseTo(0.175);
    expect(aggregateStat('p99', values, undefined, 'max')).toBe(0.4);
    expect(aggregateStat('p99', values, undefined, 'min')).toBe(0.1);
    expect(aggregateStat('Sum', new Map(), undefined, 'max')).toBeNull();
  });

  it('builds a rate as VersionMetrics for the compare judge, events capped at calls', () => {
    const m = rateMetrics('4', [0, 60_000], new Map([[0, 3], [60_000, 9]]), new Map([[0, 100], [60_000, 5]]));
    expect(m).toMatchObject({ version: '4', invocations: 105, errors: 8, p99Ms: null });
    expect(m.periods).toEqual([
      { startMs: 0, invocations: 100, errors: 3, throttles: 0, p99Ms: null },
      { startMs: 60_000, invocations: 5, errors: 5, throttles: 0, p99Ms: null },
    ]);
  });
});
