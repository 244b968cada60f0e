/**
 * `rollout.strategy: ab`: one split held for the whole interval, then promotion (no bake at
 * 100 %) if the compare judge finds no regression, else rollback. Config rules, the steps, the
 * loop on the simulated clock, and the offline check that the test can be decided in time.
 */
import { DEFAULT_COMPARE_JUDGE } from '../../src/config/defaults.js';
import { formatConfigError, parseConfigText } from '../../src/config/load.js';
import { defaultMaxExtensionMs } from '../../src/config/plan.js';
import type { PlanConfig, RolloutConfig } from '../../src/config/types.js';
import { MemoryStateStore } from '../../src/core/state.js';
import { analyzeFeasibility, feasibilityResults } from '../../src/rollout/feasibility.js';
import { runRollout } from '../../src/rollout/loop.js';
import { buildSteps, describeAbTest } from '../../src/rollout/plan.js';
import type { FakeTargetOptions, VersionBehaviour } from '../support/fake-target.js';
import { FakeTarget } from '../support/fake-target.js';
import { rolloutConfig } from '../support/rollout-config.js';
import { VirtualClock } from '../support/virtual-clock.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const FILE = 'model-release.yml';
const yaml = (...lines: string[]) => lines.join('\n') + '\n';
/** A virtual epoch on a minute boundary (the default one is 20 s into a minute). */
const ON_THE_MINUTE = 1_699_999_980_000;

function rollout(text: string): RolloutConfig | undefined {
  const result = parseConfigText(text, FILE);
  if (!result.ok) throw new Error(`expected a valid config, got: ${result.errors.map(formatConfigError).join('; ')}`);
  return result.config.rollout;
}

function errors(text: string): string[] {
  const result = parseConfigText(text, FILE);
  if (result.ok) throw new Error(`expected errors, got a valid config: ${JSON.stringify(result.config)}`);
  return result.errors.map(formatConfigError);
}

const NEEDS_COMPARE =
  'strategy ab needs rollout.judge.type: compare (add judge: { type: compare }): an A/B test promotes only when the compare judge finds no regression against the stable version, and the default threshold judge does not compare the two versions';

describe('config: strategy ab', () => {
  it('defaults to 50% for 1h, no extension, the compare judge as configured', () => {
    const config = rollout(yaml('rollout:', '  strategy: ab', '  judge: { type: compare }'));
    expect(config?.plan).toEqual({ strategy: 'ab', percent: 50, intervalMs: HOUR });
    // The A/B test decides at the end of its interval instead of holding the split longer.
    expect(config?.maxExtensionMs).toBe(0);
    expect(config?.judge).toEqual(DEFAULT_COMPARE_JUDGE);
  });

  it('reads percent and interval; max-extension can still be set', () => {
    const config = rollout(yaml('rollout:', '  strategy: ab', '  percent: 30', '  interval: 2h', '  max-extension: 10m', '  judge: { type: compare, alpha: 0.01 }'));
    expect(config?.plan).toEqual({ strategy: 'ab', percent: 30, intervalMs: 2 * HOUR });
    expect(config?.maxExtensionMs).toBe(10 * MINUTE);
    expect(config?.judge).toMatchObject({ type: 'compare', alpha: 0.01 });
  });

  it.each([
    ['step', '10', "rollout.step: does not apply to strategy 'ab' (it is a key of linear)"],
    ['bake', '5m', "rollout.bake: does not apply to strategy 'ab' (it is a key of all-at-once)"],
    ['steps', '[{ percent: 50, duration: 1m }]', "rollout.steps: does not apply to strategy 'ab' (it is a key of steps)"],
    [
      'final-bake',
      '1m',
      "rollout.final-bake: does not apply to strategy 'ab': an A/B test promotes right after its interval, with no bake at 100% (use strategy canary for a bake before promotion)",
    ],
  ])('refuses %s, at the key', (key, value, message) => {
    expect(errors(yaml('rollout:', '  strategy: ab', '  judge: { type: compare }', `  ${key}: ${value}`))).toEqual([`${FILE}:4:3 ${message}`]);
  });

  it('refuses final-bake 0s too: it does not apply at all', () => {
    expect(errors(yaml('rollout:', '  strategy: ab', '  final-bake: 0s', '  judge: { type: compare }'))).toHaveLength(1);
  });

  it('needs the compare judge, and says which key to set and to what', () => {
    expect(errors(yaml('rollout:', '  strategy: ab'))).toEqual([`${FILE}:2:3 rollout: ${NEEDS_COMPARE}`]);
    expect(errors(yaml('rollout:', '  strategy: ab', '  judge:', '    window: 5m'))).toEqual([
      `${FILE}:4:5 rollout.judge: needs type: compare with strategy ab (rollout.judge.type): the default threshold judge does not compare the candidate with the stable version`,
    ]);
    expect(errors(yaml('rollout:', '  strategy: ab', '  judge:', '    type: threshold'))).toEqual([
      `${FILE}:4:11 rollout.judge.type: must be compare with strategy ab: an A/B test promotes only when the compare judge finds no regression against the stable version, and a threshold judge does not compare the two versions`,
    ]);
  });

  it('keeps percent within 1..99 (all traffic is not a test) and interval at least a minute', () => {
    expect(errors(yaml('rollout:', '  strategy: ab', '  percent: 100', '  judge: { type: compare }'))).toEqual([`${FILE}:3:12 rollout.percent: must be a number from 1 to 99`]);
    expect(errors(yaml('rollout:', '  strategy: ab', '  percent: 0', '  judge: { type: compare }'))).toEqual([`${FILE}:3:12 rollout.percent: must be a number from 1 to 99`]);
    expect(errors(yaml('rollout:', '  strategy: ab', '  interval: 59s', '  judge: { type: compare }'))).toEqual([
      `${FILE}:3:13 rollout.interval: must be at least 1m for strategy ab: CloudWatch has one datapoint a minute, and a split held for less gives the compare judge no whole minute of both versions to compare`,
    ]);
    expect(rollout(yaml('rollout:', '  strategy: ab', '  interval: 60s', '  judge: { type: compare }'))?.plan).toEqual({ strategy: 'ab', percent: 50, intervalMs: MINUTE });
  });

  it('is never chosen by keys alone: percent and interval without a strategy stay a canary', () => {
    expect(rollout(yaml('rollout:', '  percent: 50'))?.plan).toEqual({ strategy: 'canary', percent: 50, intervalMs: 5 * MINUTE });
    expect(rollout(yaml('rollout:', '  percent: 50', '  interval: 2h', '  judge: { type: compare }'))?.plan).toEqual({ strategy: 'canary', percent: 50, intervalMs: 2 * HOUR });
  });

  it('cannot be combined with a preset', () => {
    expect(errors(yaml('rollout:', '  preset: Canary10Percent5Minutes', '  strategy: ab', '  judge: { type: compare }'))).toContain(
      `${FILE}:3:3 rollout.strategy: cannot be combined with preset; keep one of them (a preset, or a strategy with its keys)`,
    );
  });
});

describe('buildSteps: strategy ab', () => {
  const plan: PlanConfig = { strategy: 'ab', percent: 50, intervalMs: 2 * HOUR };

  it('is exactly one partial step at the percent for the interval, with no bake at 100% whatever final-bake says', () => {
    for (const finalBakeMs of [0, MINUTE, 10 * MINUTE]) {
      expect(buildSteps(plan, finalBakeMs)).toEqual([{ weight: 0.5, durationMs: 2 * HOUR, final: false }]);
    }
    expect(buildSteps({ strategy: 'ab', percent: 7, intervalMs: MINUTE }, MINUTE)).toEqual([{ weight: 0.07, durationMs: MINUTE, final: false }]);
  });

  it('is not extended by default, and is described in plain words', () => {
    expect(defaultMaxExtensionMs(plan)).toBe(0);
    expect(describeAbTest({ strategy: 'ab', percent: 50, intervalMs: 2 * HOUR })).toBe(
      'A/B test: 50% on the candidate for 2h, then promote if the compare judge finds no regression, else roll back',
    );
  });
});

/** A small seeded generator, so error counts are drawn per call yet reproducible. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each call of a version fails with its rate, drawn per period and version. */
function errorRates(rates: Record<string, number>): VersionBehaviour {
  return (period) => {
    const random = seeded(period.startMs / MINUTE + 7919 * Number(period.version));
    let errors = 0;
    for (let i = 0; i < period.invocations; i++) if (random() < (rates[period.version] ?? 0)) errors++;
    return { errors };
  };
}

function abConfig(plan: Partial<Extract<PlanConfig, { strategy: 'ab' }>> = {}, overrides: Partial<RolloutConfig> = {}): RolloutConfig {
  return rolloutConfig({
    plan: { strategy: 'ab', percent: 50, intervalMs: 30 * MINUTE, ...plan },
    judge: { ...DEFAULT_COMPARE_JUDGE },
    maxExtensionMs: 0,
    // Set on purpose: an A/B test ignores it (buildSteps), the config refuses it.
    finalBakeMs: 5 * MINUTE,
    ...overrides,
  });
}

async function runAb(options: Partial<FakeTargetOptions>, config: RolloutConfig, { dryRun = false, startMs = ON_THE_MINUTE } = {}) {
  const clock = new VirtualClock(startMs);
  const target = new FakeTarget({ clock, version: '7', requestsPerMinute: 2000, ...options });
  const result = await runRollout({ target, clock, state: new MemoryStateStore() }, { candidateVersion: '8', config, dryRun });
  const writes = target.appliedWrites();
  const firstShiftAtMs = writes.find((w) => w.op === 'shiftTraffic')?.atMs ?? Number.NaN;
  return { result, target, writes, firstShiftAtMs, startMs };
}

describe('runRollout: strategy ab', () => {
  it('holds 50% for the whole interval, then promotes a healthy candidate with no 100% step in between', async () => {
    const { result, target, writes, firstShiftAtMs } = await runAb({ behaviour: errorRates({ '7': 0.01, '8': 0.01 }) }, abConfig());
    expect(result.outcome).toBe('promoted');
    // Two writes: the split, then the promotion. Nothing at 100% through the weight.
    expect(writes.map((w) => [w.op, w.weight])).toEqual([
      ['shiftTraffic', 0.5],
      ['promote', undefined],
    ]);
    expect(target.peek()).toMatchObject({ version: '8', additionalWeights: {} });
    // Promoted at the end of the interval and the settling of its last minute (1m + 1m delay),
    // not earlier however soon the evidence sufficed: the split is held for the interval.
    const promotedAtMs = writes[1]!.atMs;
    expect(promotedAtMs - firstShiftAtMs).toBe(30 * MINUTE + 2 * MINUTE);
    const passes = result.timeline.filter((r) => r.event === 'observe' && r.verdict === 'pass');
    expect(passes.length).toBeGreaterThan(1); // it passed well before the end, and kept the split anyway
    expect(result.timeline.filter((r) => r.event === 'shift').map((r) => r.reason)).toEqual([
      'Routed 50% of traffic to version 8. A/B test: 50% on the candidate for 30m, then promote if the compare judge finds no regression, else roll back.',
    ]);
    expect(result.timeline.some((r) => r.event === 'extend')).toBe(false);
    expect(result.reason).toMatch(/^Version 8 promoted on .* after its A\/B test \(50% for 30m\) in 32m/);
    expect(result.completedSteps).toEqual([1]);
  });

  it('rolls back a candidate with a clearly higher error rate before the interval ends', async () => {
    const { result, target, writes, firstShiftAtMs } = await runAb({ behaviour: errorRates({ '7': 0.01, '8': 0.04 }) }, abConfig());
    expect(result.outcome).toBe('rolled-back');
    expect(writes.map((w) => w.op)).toEqual(['shiftTraffic', 'rollBack']);
    expect(writes[1]!.atMs - firstShiftAtMs).toBeLessThan(10 * MINUTE);
    expect(result.reason).toMatch(/^Step 1 \(50%\) failed: Canary [\d.]+% vs stable [\d.]+% errors: a regression of at least 2×; the step fails — canary \d+ of \d+/);
    expect(target.peek()).toMatchObject({ version: '7', additionalWeights: {} });
  });

  it('decides at the end of the interval without extending it: too little traffic to promote rolls back then', async () => {
    // 10 req/min, no errors: about 150 clean candidate calls by the end, fewer than the compare
    // judge needs to promote (analyzeFeasibility below), so the test is inconclusive at its end.
    const { result, writes, firstShiftAtMs } = await runAb({ requestsPerMinute: 10 }, abConfig());
    expect(result.outcome).toBe('rolled-back');
    expect(writes.map((w) => w.op)).toEqual(['shiftTraffic', 'rollBack']);
    expect(writes[1]!.atMs - firstShiftAtMs).toBe(32 * MINUTE);
    expect(result.timeline.some((r) => r.event === 'extend')).toBe(false);
    expect(result.reason).toMatch(/^Step 1 \(50%\) inconclusive after 32m: not enough evidence to pass or fail it; rolling back, as on-inconclusive is 'rollback'\. Last look: Canary .*: no sign of a [\d.]+× regression yet; needs more calls to promote — /);
  });

  it('dry run: describes the A/B test and plans the promotion right after it', async () => {
    const { result, writes } = await runAb({}, abConfig({ intervalMs: 2 * HOUR }), { dryRun: true });
    expect(result.outcome).toBe('planned');
    expect(writes).toEqual([]);
    expect(result.reason).toContain(
      '(revision rev-1)): A/B test: 50% on the candidate for 2h, then promote if the compare judge finds no regression, else roll back; expected duration 2h2m',
    );
    expect(result.timeline.map((r) => [r.event, r.atMs, r.weight, r.reason])).toEqual([
      ['preflight', 0, 0, expect.any(String)],
      ['shift', 0, 0.5, 'Planned: route 50% of traffic to version 8 and hold it 2h (A/B test).'],
      ['promote', 2 * HOUR + 2 * MINUTE, 1, 'Planned: point the alias at version 8 if the compare judge finds no regression (else roll back to version 7).'],
    ]);
  });
});

describe('analyzeFeasibility: can the A/B test be decided in its interval?', () => {
  function check(plan: Partial<Extract<PlanConfig, { strategy: 'ab' }>>, overrides: Partial<RolloutConfig> = {}) {
    const config = abConfig(plan, overrides);
    const analysis = analyzeFeasibility(config);
    return { config, analysis, results: feasibilityResults(analysis, config) };
  }

  it('without expected-rpm: says what traffic a decision needs, from the judge itself', () => {
    const { analysis, results } = check({ intervalMs: HOUR });
    expect(analysis.canNeverPass).toBe(false);
    expect(analysis.steps).toHaveLength(1);
    // Decided at the end of the hour plus its last minute's publication: 61 published minutes.
    expect(analysis.abDecision).toMatchObject({ weight: 0.5, decisionAtMs: HOUR + 2 * MINUTE, comparedMinutes: 61, status: 'pass' });
    // With no errors the only route is the one-sample bound: about ln(1/β)/min-effect.absolute
    // = ln(10)/0.005 ≈ 460 clean candidate calls, at 7.5 a minute over 61 minutes.
    const { minimumRpm, minimumCanaryCalls } = analysis.abDecision!;
    expect(minimumCanaryCalls).toBeGreaterThanOrEqual(Math.log(10) / 0.005);
    expect(minimumCanaryCalls).toBeLessThan(520);
    expect(minimumRpm).toBe(15);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ id: 'rollout.plan', status: 'pass' });
    expect(results[0]!.message).toMatch(/^A\/B test: 50% on the candidate for 1h, then promote if the compare judge finds no regression, else roll back\. /);
    expect(results[0]!.message).toContain(`from about ${minimumCanaryCalls} candidate calls (15 req/min on the alias) if neither version errs`);
    expect(results[0]!.message).toContain('set rollout.expected-rpm');
  });

  it('with expected-rpm too low: a warning with the numbers (the test would end inconclusive)', () => {
    const { analysis, results } = check({ intervalMs: HOUR }, { expectedRpm: 5 });
    expect(analysis.canNeverPass).toBe(false);
    expect(analysis.abDecision).toMatchObject({ status: 'warn', expectedCanaryCalls: 3 * 61 });
    const row = results.find((r) => r.id === 'rollout.plan.ab-decision');
    expect(row).toMatchObject({ status: 'warn', observed: 183, expected: analysis.abDecision!.minimumCanaryCalls });
    expect(row?.message).toContain('It cannot reach a decision in its interval at the expected 5 req/min: the candidate gets about 183 calls (50% of 5 req/min) by the decision at +1h2m');
    expect(row?.message).toContain('would always end inconclusive and roll back. Lengthen interval or raise percent.');
    expect(results[0]).toMatchObject({ id: 'rollout.plan', status: 'warn' });
  });

  it('with enough expected traffic: passes and says how much the candidate gets', () => {
    const { analysis, results } = check({ intervalMs: 2 * HOUR }, { expectedRpm: 600 });
    expect(analysis.abDecision).toMatchObject({ status: 'pass', comparedMinutes: 121, expectedCanaryCalls: 300 * 121 });
    expect(results).toHaveLength(1);
    expect(results[0]!.message).toContain('At the expected 600 req/min the candidate gets about 36300 calls (50% of 600 req/min) by the decision at +2h2m');
  });

  it('agrees with the loop: at the traffic it names a clean candidate is promoted, below it the test ends inconclusive', async () => {
    const config = abConfig({ intervalMs: 10 * MINUTE });
    const needed = analyzeFeasibility(config).abDecision!.minimumRpm!;
    expect(needed).toBeGreaterThan(4);
    const enough = await runAb({ requestsPerMinute: needed }, config);
    expect(enough.result.outcome).toBe('promoted');
    const short = await runAb({ requestsPerMinute: needed - 4 }, config);
    expect(short.result.outcome).toBe('rolled-back');
    expect(short.result.reason).toContain('inconclusive');
  });

  it('an A/B plan with a threshold judge (only possible outside the config file) can never pass', () => {
    const { analysis, results } = check({}, { judge: { type: 'threshold', windowMs: 5 * MINUTE, maxErrors: 0 } });
    expect(analysis.canNeverPass).toBe(true);
    expect(results.find((r) => r.id === 'rollout.plan.ab-decision')).toMatchObject({ status: 'error', cause: 'input', message: expect.stringContaining('set rollout.judge.type: compare') });
  });
});
