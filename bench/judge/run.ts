/**
 * Benchmark of the canary judges: `npx tsx bench/judge/run.ts [--runs 1000] [--out bench/judge]`.
 *
 * An in-process model of the simulator's traffic (test/sim/traffic.ts + behaviour.ts): Poisson
 * arrivals, each routed to the canary with the weight in force and failing with its version's
 * error probability. By Poisson thinning that is exactly Poisson(rate · w · Δt) canary and
 * Poisson(rate · (1 − w) · Δt) stable arrivals per 15 s slice, each with Binomial errors, which
 * is what is drawn here (seeded mulberry32 from test/sim/random.ts). Slices add up to per-minute
 * datapoints, readable 60 s after their minute ends (CloudWatch's delay, metric-delay 1m).
 *
 * The rollout follows src/rollout/loop.ts: steps from the real `buildSteps`, a poll every 15 s
 * (start to start) plus one at each step's end and deadline, fail → rollback at once, pass at
 * or after the step's end → next step, continue at the deadline → one extension of one step
 * interval, then inconclusive (on-inconclusive rollback, the default), the last step judged for
 * one more period + delay. Every judge sees the same seeds, so the same traffic until its runs
 * diverge.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, loadavg } from 'node:os';
import { join } from 'node:path';
import type { CompareJudgeConfig, PlanConfig, ThresholdJudgeConfig } from '../../src/config/types.js';
import { DEFAULT_COMPARE_JUDGE } from '../../src/config/defaults.js';
import type { Verdict } from '../../src/rollout/judge.js';
import { judgeThreshold } from '../../src/rollout/judge.js';
import { decisiveStepIndex, judgeCompare } from '../../src/rollout/judge-compare.js';
import type { RolloutStep } from '../../src/rollout/plan.js';
import { buildSteps } from '../../src/rollout/plan.js';
import type { VersionMetrics } from '../../src/targets/target.js';
import { SeededRandom } from '../../test/sim/random.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const SLICE_MS = 15 * SECOND;
const POLL_MS = 15 * SECOND;
const METRIC_DELAY_MS = MINUTE;
const SETTLE_MS = MINUTE + METRIC_DELAY_MS;
const MIN_INVOCATIONS = 10;
/** The CodeDeploy-style alarm: canary error rate above this in 1 of 1 one-minute datapoints. */
const ALARM_ERROR_RATE = 0.01;
/** One-sided z for alpha 0.05: the fixed-window test's critical value. */
const Z_05 = 1.6448536269514722;

// ---- arguments -----------------------------------------------------------------------

const args = process.argv.slice(2);
function arg(name: string, fallback: string): string {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1]! : fallback;
}
const RUNS = Number(arg('runs', '1000'));
/** results.json goes here; the markdown table goes to stdout (results.md quotes it with its reading). */
const OUT_DIR = arg('out', 'bench/judge');

// ---- scenarios -----------------------------------------------------------------------

interface Plan {
  name: string;
  config: PlanConfig;
  finalBakeMs: number;
  maxExtensionMs: number;
}

const PLANS: Plan[] = [
  { name: 'Linear10PercentEvery1Minute (default, 10 min)', config: { strategy: 'linear', stepPercent: 10, intervalMs: MINUTE }, finalBakeMs: MINUTE, maxExtensionMs: MINUTE },
  {
    name: 'steps 10% 10m, 25% 10m, 50% 10m (30 min)',
    config: { strategy: 'steps', steps: [{ percent: 10, durationMs: 10 * MINUTE }, { percent: 25, durationMs: 10 * MINUTE }, { percent: 50, durationMs: 10 * MINUTE }] },
    finalBakeMs: MINUTE,
    maxExtensionMs: 10 * MINUTE,
  },
];

interface Scenario {
  stableRate: number;
  /** Label of the canary's behaviour. */
  canary: string;
  canaryRate: number;
  /** The canary turns bad from this time after the first shift (0: from the start). */
  regressionFromMs: number | 'middle';
  healthy: boolean;
  rpm: number;
}

function scenarios(): Scenario[] {
  const list: Scenario[] = [];
  for (const rpm of [10, 100, 1000]) {
    for (const stableRate of [0, 0.001, 0.01, 0.05]) {
      list.push({ stableRate, canary: 'healthy', canaryRate: stableRate, regressionFromMs: 0, healthy: true, rpm });
      for (const factor of [2, 5]) {
        // 2× or 5× of 0% is 0%: at a 0% baseline the regressions are absolute, +0.5 and +2.5 points.
        const canaryRate = stableRate > 0 ? stableRate * factor : factor === 2 ? 0.005 : 0.025;
        const label = stableRate > 0 ? `${factor}×` : `+${factor === 2 ? '0.5' : '2.5'}pt`;
        list.push({ stableRate, canary: `${label} from start`, canaryRate, regressionFromMs: 0, healthy: false, rpm });
        list.push({ stableRate, canary: `${label} from middle`, canaryRate, regressionFromMs: 'middle', healthy: false, rpm });
      }
    }
  }
  return list;
}

// ---- random draws --------------------------------------------------------------------

function poisson(random: SeededRandom, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 60) {
    // Normal approximation with continuity correction: at these means its error is far below
    // the Monte Carlo error of 1000 runs, and it keeps the run short.
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * random.normal()));
  }
  const limit = Math.exp(-mean);
  let count = 0;
  let product = random.next();
  while (product > limit) {
    count++;
    product *= random.next();
  }
  return count;
}

/** Binomial(n, p) by geometric gaps between successes: O(n·p) draws. */
function binomial(random: SeededRandom, n: number, p: number): number {
  if (p <= 0 || n === 0) return 0;
  if (p >= 1) return n;
  const logQ = Math.log1p(-p);
  let successes = 0;
  let position = Math.floor(Math.log(1 - random.next()) / logQ);
  while (position < n) {
    successes++;
    position += 1 + Math.floor(Math.log(1 - random.next()) / logQ);
  }
  return successes;
}

// ---- judges --------------------------------------------------------------------------

interface JudgeContext {
  canary: VersionMetrics;
  stable: VersionMetrics;
  /** Metrics of [max(now − 5m, first shift), now], for the seed rule. */
  canaryWindow: VersionMetrics;
  stableWindow: VersionMetrics;
  requireEvidence: boolean;
  /** True at the poll at (or after) the current step's planned end. */
  stepEnd: boolean;
}

type Judge = (context: JudgeContext) => Verdict['verdict'];

const SEED_RULE: ThresholdJudgeConfig = { type: 'threshold', windowMs: 5 * MINUTE, maxErrors: 0 };
const COMPARE: CompareJudgeConfig = { ...DEFAULT_COMPARE_JUDGE, minEffect: { ...DEFAULT_COMPARE_JUDGE.minEffect } };

const JUDGES: Record<string, Judge> = {
  compare: (c) => judgeCompare({ canary: c.canary, stable: c.stable, config: COMPARE, minInvocations: MIN_INVOCATIONS, requireEvidence: c.requireEvidence }).verdict,
  seed: (c) => judgeThreshold({ canary: c.canaryWindow, stable: c.stableWindow, config: SEED_RULE, minInvocations: MIN_INVOCATIONS }).verdict,
  // CodeDeploy rolls back on an alarm; a CloudWatch alarm with 1 of 1 datapoints breaches on
  // any published minute above the threshold, and missing data does not breach.
  alarm: (c) => (c.canary.periods.some((p) => p.errors / p.invocations > ALARM_ERROR_RATE) ? 'fail' : 'pass'),
  // Fixed-window two-proportion z-test, pooled, one-sided, alpha 0.05, on all data since the
  // first shift, evaluated once at each step's end; no correction for the repeated looks.
  fixed: (c) => {
    if (!c.stepEnd) return 'continue';
    return twoProportionZ(c.canary, c.stable) > Z_05 ? 'fail' : c.canary.invocations >= MIN_INVOCATIONS ? 'pass' : 'continue';
  },
};

function twoProportionZ(canary: VersionMetrics, stable: VersionMetrics): number {
  const n1 = canary.invocations;
  const n2 = stable.invocations;
  if (n1 === 0 || n2 === 0) return 0;
  const pooled = (canary.errors + stable.errors) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return se > 0 ? (canary.errors / n1 - stable.errors / n2) / se : 0;
}

// ---- one rollout ---------------------------------------------------------------------

interface Bucket {
  canaryInvocations: number;
  canaryErrors: number;
  stableInvocations: number;
  stableErrors: number;
}

interface RunResult {
  outcome: 'promoted' | 'fail' | 'inconclusive';
  atMs: number;
  requests: number;
}

function simulate(scenario: Scenario, steps: RolloutStep[], plan: Plan, judge: Judge, seed: number, middleMs: number): RunResult {
  const random = new SeededRandom(seed);
  const buckets: Bucket[] = [];
  let simulatedToMs = 0;
  let weight = 0;
  let requests = 0;
  const badFromMs = scenario.regressionFromMs === 'middle' ? middleMs : scenario.regressionFromMs;

  const advanceTo = (nowMs: number) => {
    while (simulatedToMs + SLICE_MS <= nowMs) {
      const sliceMean = (scenario.rpm * SLICE_MS) / MINUTE;
      const canaryN = poisson(random, sliceMean * weight);
      const stableN = poisson(random, sliceMean * (1 - weight));
      const canaryRate = simulatedToMs >= badFromMs ? scenario.canaryRate : scenario.stableRate;
      const minute = Math.floor(simulatedToMs / MINUTE);
      const bucket = (buckets[minute] ??= { canaryInvocations: 0, canaryErrors: 0, stableInvocations: 0, stableErrors: 0 });
      bucket.canaryInvocations += canaryN;
      bucket.canaryErrors += binomial(random, canaryN, canaryRate);
      bucket.stableInvocations += stableN;
      bucket.stableErrors += binomial(random, stableN, scenario.stableRate);
      requests += canaryN + stableN;
      simulatedToMs += SLICE_MS;
    }
  };

  const metrics = (nowMs: number, fromMs: number, which: 'canary' | 'stable'): VersionMetrics => {
    const periods: VersionMetrics['periods'] = [];
    for (let minute = Math.floor(fromMs / MINUTE); (minute + 1) * MINUTE + METRIC_DELAY_MS <= nowMs; minute++) {
      const b = buckets[minute];
      if (b === undefined) continue;
      const invocations = which === 'canary' ? b.canaryInvocations : b.stableInvocations;
      if (invocations === 0) continue;
      periods.push({ startMs: minute * MINUTE, invocations, errors: which === 'canary' ? b.canaryErrors : b.stableErrors, throttles: 0, p99Ms: null });
    }
    return {
      version: which,
      invocations: periods.reduce((s, p) => s + p.invocations, 0),
      errors: periods.reduce((s, p) => s + p.errors, 0),
      throttles: 0,
      p99Ms: null,
      periods,
    };
  };

  const decisive = decisiveStepIndex(steps);
  let stepStartMs = 0;
  let nextPollMs = POLL_MS;
  for (const [index, step] of steps.entries()) {
    weight = step.weight;
    const isLast = index === steps.length - 1;
    const stepEndsAtMs = stepStartMs + step.durationMs + (isLast ? SETTLE_MS : 0);
    let deadlineMs = stepEndsAtMs;
    let extended = false;
    for (;;) {
      const nowMs = Math.min(nextPollMs, deadlineMs);
      nextPollMs = nowMs + POLL_MS;
      advanceTo(nowMs);
      const timeUp = nowMs >= stepEndsAtMs;
      const windowFrom = Math.max(nowMs - SEED_RULE.windowMs, 0);
      const verdict = judge({
        canary: metrics(nowMs, 0, 'canary'),
        stable: metrics(nowMs, 0, 'stable'),
        canaryWindow: metrics(nowMs, windowFrom, 'canary'),
        stableWindow: metrics(nowMs, windowFrom, 'stable'),
        requireEvidence: index === decisive,
        stepEnd: timeUp,
      });
      if (verdict === 'fail') return { outcome: 'fail', atMs: nowMs, requests };
      if (verdict === 'pass' && timeUp) break;
      if (verdict === 'continue' && nowMs >= deadlineMs) {
        if (!extended && plan.maxExtensionMs > 0) {
          extended = true;
          deadlineMs = stepEndsAtMs + plan.maxExtensionMs;
          continue;
        }
        return { outcome: 'inconclusive', atMs: nowMs, requests };
      }
    }
    stepStartMs = nextPollMs - POLL_MS; // the shift happens at the poll that passed the step
  }
  return { outcome: 'promoted', atMs: stepStartMs, requests };
}

// ---- the table -----------------------------------------------------------------------

interface Cell {
  runs: number;
  promoted: number;
  fail: number;
  inconclusive: number;
  medianRequests: number;
  medianMinutes: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function runCell(scenario: Scenario, plan: Plan, steps: RolloutStep[], judge: Judge, scenarioIndex: number): Cell {
  const planMs = steps.reduce((s, st) => s + st.durationMs, 0);
  const results: RunResult[] = [];
  for (let run = 0; run < RUNS; run++) results.push(simulate(scenario, steps, plan, judge, 1 + run * 7919 + scenarioIndex * 104_729, Math.floor(planMs / 2 / MINUTE) * MINUTE));
  return {
    runs: RUNS,
    promoted: results.filter((r) => r.outcome === 'promoted').length,
    fail: results.filter((r) => r.outcome === 'fail').length,
    inconclusive: results.filter((r) => r.outcome === 'inconclusive').length,
    medianRequests: median(results.map((r) => r.requests)),
    medianMinutes: median(results.map((r) => r.atMs / MINUTE)),
  };
}

function pct(count: number, runs: number): string {
  return `${((100 * count) / runs).toFixed(1)}%`;
}

function cellText(cell: Cell, healthy: boolean): string {
  const back = cell.fail + cell.inconclusive;
  const split = cell.inconclusive > 0 ? ` (${pct(cell.fail, cell.runs)} fail)` : '';
  const rate = healthy ? `${pct(back, cell.runs)}${split}` : `**${pct(back, cell.runs)}**${split}`;
  return `${rate} · ${cell.medianRequests} req · ${cell.medianMinutes.toFixed(2)} min`;
}

const startedAt = Date.now();
const judgeNames = Object.keys(JUDGES);
const output: Array<{ plan: string; scenario: Scenario; judges: Record<string, Cell> }> = [];
const markdown: string[] = [];
for (const plan of PLANS) {
  const steps = buildSteps(plan.config, plan.finalBakeMs);
  markdown.push(`### Plan: ${plan.name}`, '');
  markdown.push(`| stable | canary | req/min | ${judgeNames.join(' | ')} |`, `| --- | --- | ---: | ${judgeNames.map(() => '---').join(' | ')} |`);
  for (const [scenarioIndex, scenario] of scenarios().entries()) {
    const judges: Record<string, Cell> = {};
    for (const name of judgeNames) judges[name] = runCell(scenario, plan, steps, JUDGES[name]!, scenarioIndex);
    output.push({ plan: plan.name, scenario, judges });
    markdown.push(`| ${(scenario.stableRate * 100).toFixed(1)}% | ${scenario.canary} | ${scenario.rpm} | ${judgeNames.map((n) => cellText(judges[n]!, scenario.healthy)).join(' | ')} |`);
    process.stderr.write('.');
  }
  markdown.push('');
}
process.stderr.write('\n');
const elapsedS = (Date.now() - startedAt) / 1000;

const meta = {
  command: `npx tsx bench/judge/run.ts --runs ${RUNS}`,
  date: new Date().toISOString(),
  machine: `${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, ${process.platform}-${process.arch}, load ${loadavg()[0]?.toFixed(2)}`,
  node: process.version,
  runsPerScenario: RUNS,
  elapsedSeconds: elapsedS,
  compareConfig: COMPARE,
  alarmErrorRate: ALARM_ERROR_RATE,
  pollMs: POLL_MS,
  metricDelayMs: METRIC_DELAY_MS,
  minInvocations: MIN_INVOCATIONS,
};
mkdirSync(OUT_DIR, { recursive: true });
writeFileSync(join(OUT_DIR, 'results.json'), JSON.stringify({ meta, results: output }, null, 2) + '\n');
process.stdout.write(`${JSON.stringify(meta, null, 2)}\n\n${markdown.join('\n')}\n`);
