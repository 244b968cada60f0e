/**
 * Time from fault to safe on a SageMaker endpoint, measured: for each fault scenario, run a real
 * release (pipeline, the product's SageMaker target from `defaultTargetFactory` on the shared
 * VirtualClock, SageMaker / SageMaker Runtime / CloudWatch SDK clients over HTTP) against the
 * AWS simulator, and measure in simulated time from the fault's onset:
 *
 * - `detected`: the accepted rollback call, i.e. the last UpdateEndpointWeightsAndCapacities
 *   answered 200 that sets the candidate variant's DesiredWeight to 0 (from the request log);
 * - `safe`: the first moment the endpoint is InService with the candidate's CurrentWeight 0.
 *
 * How `safe` is measured (the honest way, both halves kept): a clock listener, registered after
 * the traffic generator, reads `sim.getEndpointState` at the end of every jump of the virtual
 * clock and records status, weights, instance counts and the traffic tally. Time only moves in
 * those jumps, so each reading is the exact state at that instant; but the jumps are the
 * product's own sleeps (its DescribeEndpoint back-off: 2, 4, 8, 15, 15 s ...), so the first
 * reading that shows the endpoint safe is when the GATE could first see it, not when it became
 * safe: that instant lies somewhere inside the jump. The simulator changes current weights
 * exactly `weightsUpdateMs` (+ `instanceChangeMs` when the call changes an instance count) after
 * the call, so `safe` = rollback call + that duration, and it is reported only when the listener
 * confirms it: the reading at the end of the jump containing that instant is the first safe one
 * after the call, the one before it was not safe, no later write undid it, and no client request
 * reached the candidate after it (tally). A run where they disagree is reported as such.
 * (A ticker sleeping in 1 s steps would not help: VirtualClock sleeps do not add up, and it
 * would move time while the product's HTTP calls are in flight, i.e. change what is measured.)
 *
 * Bounds (threshold judge only): `detected` is compared with the Lambda bound
 * `worstCaseTimeToRollbackMs` for the same poll and metric delay with apiCallMs = 0 (simulated API
 * calls take no simulated time), and `safe` with that bound + the simulator's `weightsUpdateMs`.
 * `instanceChangeMs` is added only if the rollback call changes an instance count; it should not
 * (it names weights only, the candidate keeps its instances), and each row checks that it did not.
 * That bound is a poll bound: it does not describe the compare judge, a sequential test whose
 * detection time is the time it takes to accumulate evidence. Compare rows show the bound as
 * "n/a (sequential test)", count neither for nor against "within bound", and report instead how
 * many client requests reached the candidate between onset and safe (the traffic tally).
 *
 * Instances: the product's default `target.instances: match` (the candidate's variant gets the
 * stable variant's instance count when it is added, so every shift is a weights-only update);
 * a row with `instances: 'auto'` puts `instances: auto` into the target section (the candidate
 * scales with its share: 1 instance up to 50 %, 2 from the 60 % shift, which then takes
 * weightsUpdateMs + instanceChangeMs).
 *
 * Compare judge: the loop leaves out only the minutes in which the routing actually changed:
 * for each shift, from the minute of the last DescribeEndpoint read that still showed the old
 * CurrentWeights (`appliedWithin.fromMs`) up to the first whole minute after the first read that
 * showed the new ones (`appliedWithin.toMs`); see src/rollout/loop.ts shift(). The bench records
 * what the product's shiftTraffic returned (a wrapper around the target) and checks it against
 * the request log (DescribeEndpoint after each shift's weights call) and the listener's readings
 * (the routing at each read), then rebuilds the compared minutes from it.
 *
 * Lambda reference: the compare scenario is also run on a Lambda alias (the simulator setup of
 * bench/rollout/run.ts; stable 1 % errors, canary 5 % from the first step's first whole minute,
 * same plan), so the two targets are compared side by side in one run. A Lambda shift applies
 * during the write call, so there `safe` = `detected`.
 *
 * Onsets are placed by the listener during the run: at the top of the Nth whole minute after the
 * endpoint is first seen InService with the candidate at the step's weight (the step's first
 * whole minute of its own traffic, as the Lambda bench puts its onsets at the top of a minute).
 *
 *   npx tsx bench/rollout/sagemaker.ts
 *
 * Writes bench/rollout/sagemaker-results.md and sagemaker-results.json next to this file.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { defaultTargetFactory } from '../../src/app.js';
import { buildSteps } from '../../src/rollout/plan.js';
import { METRIC_PERIOD_MS, firstWholeMinuteMs, formatDuration, formatWeight, worstCaseTimeToRollbackMs } from '../../src/rollout/timing.js';
import { VirtualClock, startSimulator, type EndpointTimings, type RequestLogEntry, type Simulator } from '../../test/sim/index.js';
import { lastRollbackWrite, loadTestConfig, pointSdkAt, releaseWith, updateAliasCalls } from '../../test/support/sim-release.js';
import type { TargetConfig } from '../../src/config/types.js';
import type { RolloutTarget } from '../../src/targets/target.js';

const MINUTE = 60_000;
const ENDPOINT = 'churn-endpoint';
const STABLE_MODEL = 'churn-model-v1';
const STABLE_INSTANCES = 2;
const STABLE_VARIANT = 'AllTraffic';
/** The rollout starts 20 s into its first minute, as in the Lambda bench; onsets are relative to the top of that minute. */
const START_OFFSET_MS = 20_000;
const MINUTE0_MS = Date.UTC(2026, 2, 2, 9, 0, 0);
const REQUESTS_PER_MINUTE = 600;
const DEFAULT_TIMINGS = { endpointUpdateMs: 5 * MINUTE, weightsUpdateMs: 30_000, instanceChangeMs: 4 * MINUTE };

const FN = 'churn-model';
const ALIAS = 'prod';

type Instances = 'auto' | 'match';

/** The target section; `instances` set only when the scenario sets it (the product's default is `match`). */
const sagemakerTarget = (instances?: Instances) => `
target:
  type: sagemaker
  endpoint-name: ${ENDPOINT}
  region: us-east-1
${instances !== undefined ? `  instances: ${instances}\n` : ''}  model:
    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-inference:1.4.0
    model-data: s3://churn-models/1.4.0/model.tar.gz
    execution-role: arn:aws:iam::123456789012:role/churn-sagemaker-execution
`;
/** bench/rollout/run.ts's target: alias prod of churn-model, 3 → 4. */
const LAMBDA_TARGET = `
target:
  function-name: ${FN}
  alias: ${ALIAS}
  region: us-east-1
`;

/** The Lambda bench's plan: linear 20 % every minute, poll 15 s, final bake 1 m, metric delay 1 m. */
const PLAN = `
rollout:
  strategy: linear
  step: 20
  interval: 1m
  poll: 15s
  final-bake: 1m
  metric-delay: 1m
  min-invocations: 10
`;
const THRESHOLD_JUDGE = `  judge:
    window: 5m
    max-errors: 0
    p99-ms: 800
`;
const COMPARE_JUDGE = `  judge: { type: compare }
`;
const configOf = (scenario: Scenario) => `${sagemakerTarget(scenario.instances)}${PLAN}${scenario.judge === 'compare' ? COMPARE_JUDGE : THRESHOLD_JUDGE}`;
const LAMBDA_COMPARE = `${LAMBDA_TARGET}${PLAN}${COMPARE_JUDGE}`;

interface Scenario {
  name: string;
  judge: 'threshold' | 'compare';
  /** Puts `instances: <value>` into the target section; unset, the product's default (`match`). */
  instances?: Instances;
  /** 1-based step of the plan (5 = the final bake at 100 %). */
  step: number;
  /** Onset at the top of this whole minute of the step's own traffic (1 = its first). */
  minute?: number;
  sagemaker?: Partial<EndpointTimings>;
  /** Behaviours before the candidate exists (a baseline error rate). */
  setup?: (sim: Simulator) => void;
  /** Injects the fault on the candidate model from `onsetMs` (called when the onset is placed, before it). */
  fault: (sim: Simulator, candidate: string, onsetMs: number) => void;
}

const errors = (rate: number) => (sim: Simulator, modelName: string, fromMs: number) => sim.scenarios.variantErrors({ endpointName: ENDPOINT, modelName, rate, fromMs });

const SCENARIOS: Scenario[] = [
  { name: 'errors 100% at step 1', judge: 'threshold', step: 1, fault: errors(1) },
  { name: 'errors 5% at step 3', judge: 'threshold', step: 3, fault: errors(0.05) },
  {
    name: 'latency p99 1500 ms (p99-ms 800) at step 2',
    judge: 'threshold',
    step: 2,
    fault: (sim, modelName, fromMs) => sim.scenarios.variantLatency({ endpointName: ENDPOINT, modelName, p99: 1500, p50: 300, fromMs }),
  },
  { name: 'errors 100% in the final bake (stable at weight 0)', judge: 'threshold', step: 5, fault: errors(1) },
  { name: 'errors 100% at step 1, weightsUpdateMs 2m', judge: 'threshold', step: 1, sagemaker: { weightsUpdateMs: 2 * MINUTE }, fault: errors(1) },
  {
    // Not in the Lambda bench's list: step 2's second minute is published while the gate waits for
    // the 60 % shift, which with `instances: auto` changes the candidate's instance count (1 → 2)
    // and so takes 30 s + 4 min: the cost of scaling with the share.
    name: "errors 100% from step 2's 2nd minute, instances: auto (published during the 60% shift's instance change)",
    judge: 'threshold',
    instances: 'auto',
    step: 2,
    minute: 2,
    fault: errors(1),
  },
  {
    // Its twin with the default `instances: match`: the 60 % shift is weights-only (30 s).
    name: "errors 100% from step 2's 2nd minute, default instances: match (the 60% shift is weights-only)",
    judge: 'threshold',
    step: 2,
    minute: 2,
    fault: errors(1),
  },
  {
    // Not in the Lambda bench's list either: no instance change, the 40 % shift's 2-minute weights update in flight.
    name: "errors 100% from step 1's 2nd minute, weightsUpdateMs 2m (published during the 40% shift's update)",
    judge: 'threshold',
    step: 1,
    minute: 2,
    sagemaker: { weightsUpdateMs: 2 * MINUTE },
    fault: errors(1),
  },
  {
    name: 'compare judge: errors 1% on both, candidate 5% from step 1',
    judge: 'compare',
    step: 1,
    setup: (sim) => sim.scenarios.variantErrors({ endpointName: ENDPOINT, modelName: STABLE_MODEL, rate: 0.01 }),
    fault: (sim, modelName, onsetMs) => sim.scenarios.variantErrors({ endpointName: ENDPOINT, modelName, rate: (tMs) => (tMs >= onsetMs ? 0.05 : 0.01) }),
  },
];

/** The endpoint at the end of one jump of the virtual clock (exact: time moves only in jumps). */
interface Reading {
  fromMs: number;
  atMs: number;
  status: string;
  candidateWeight: number | null;
  candidateInstances: number | null;
  stableWeight: number | null;
  stableInstances: number | null;
  /** Client requests the candidate's variant has answered so far (traffic tally). */
  candidateRequests: number;
}

interface WeightsBody {
  DesiredWeightsAndCapacities?: Array<{ VariantName: string; DesiredWeight?: number; DesiredInstanceCount?: number }>;
}

/** One shiftTraffic call as the product's target returned it (recorded by a wrapper around the target). */
interface ShiftRecord {
  weight: number;
  requestedMs: number;
  returnedMs: number;
  /** When the new routing took effect, as the target reported it; null when it took effect during the write call (Lambda). */
  appliedWithin: { fromMs: number; toMs: number } | null;
}

interface Row {
  scenario: string;
  target: 'sagemaker' | 'lambda';
  /** SageMaker `target.instances` (set by the row, or the product's default `match`); null on Lambda. */
  instances: Instances | null;
  judge: string;
  weightsUpdateMs: number | null;
  onset: string;
  onsetOffsetMs: number | null;
  weightAtOnset: number | null;
  outcome: string;
  verdict: string;
  /** Fault onset → accepted rollback call, simulated ms. */
  detectedMs: number | null;
  /** Fault onset → the candidate's traffic stopped: SageMaker InService with its CurrentWeight 0 (rollback call + update time, confirmed by the listener); Lambda the rollback write. */
  safeMs: number | null;
  /** Fault onset → the listener's (and the gate's) first reading of the safe endpoint or alias. */
  safeSeenMs: number | null;
  /** The threshold judge's poll bound; null for the compare judge (a sequential test: "n/a"). */
  boundMs: number | null;
  safeBoundMs: number | null;
  detectedWithinBound: boolean | null;
  safeWithinBound: boolean | null;
  /** Null for the compare judge: counted neither for nor against. */
  withinBound: boolean | null;
  /** Rolled back, safe at the end, no problem found (the whole check of a compare row). */
  clean: boolean;
  /** The rollback call changed an instance count (it should not); null on Lambda. */
  rollbackChangesInstances: boolean | null;
  rollbackBody: unknown;
  /** The first faulty minute's publication → rollback call. */
  afterPublicationMs: number | null;
  /** The listener saw what the formula says: not safe before, safe at the end of the jump holding `safe`. */
  safeConfirmed: boolean;
  /** All traffic on the stable model (version) at the end of the run. */
  finalSafe: boolean;
  /** Client requests answered by the candidate between onset and safe (faulty answers a client saw). */
  candidateRequestsExposed: number | null;
  candidateRequestsAfterSafe: number | null;
  /** The product's shifts before the rollback, with the minutes the compare judge's rule leaves out for each. */
  shifts: Array<ShiftRecord & { excludedMinutes: string[] }>;
  /** Compare judge: the minutes the candidate served, published by the rollback call, and those it compared. */
  servedMinutes: string[] | null;
  comparedMinutes: string[] | null;
  problems: string[];
  /** Why a row took longer than the bound (shift waits overlapping the publication); for the compare judge, its compared minutes. */
  notes: string[];
  wallMs: number;
}

function weightsCalls(sim: Simulator): Array<RequestLogEntry & { body: WeightsBody }> {
  return sim.requestLog.filter((e): e is RequestLogEntry & { body: WeightsBody } => e.operation === 'UpdateEndpointWeightsAndCapacities' && e.status === 200 && e.lostReply === undefined);
}

const rel = (ms: number) => (ms === MINUTE0_MS ? '+0s' : `+${formatDuration(ms - MINUTE0_MS)}`);

/** The targets `factory` creates, with every shiftTraffic call recorded into `shifts` (what the loop got back). */
function recordingShifts(factory: (config: TargetConfig) => RolloutTarget, clock: VirtualClock, shifts: ShiftRecord[]): (config: TargetConfig) => RolloutTarget {
  return (config) => {
    const target = factory(config);
    const shiftTraffic = target.shiftTraffic.bind(target);
    target.shiftTraffic = async (candidate, weight, expectedRevisionId) => {
      const requestedMs = clock.now();
      const state = await shiftTraffic(candidate, weight, expectedRevisionId);
      shifts.push({ weight, requestedMs, returnedMs: clock.now(), appliedWithin: state.appliedWithin ?? null });
      return state;
    };
    return target;
  };
}

/** The loop's rule (src/rollout/loop.ts, shift()): the minutes from the one holding `fromMs` up to the first whole minute after `toMs`. */
function excludedMinutesOf(shift: ShiftRecord): number[] {
  const fromMs = shift.appliedWithin?.fromMs ?? shift.requestedMs;
  const toMs = shift.appliedWithin?.toMs ?? shift.returnedMs;
  const minutes: number[] = [];
  for (let m = Math.floor(fromMs / METRIC_PERIOD_MS) * METRIC_PERIOD_MS; m < firstWholeMinuteMs(toMs); m += METRIC_PERIOD_MS) minutes.push(m);
  return minutes;
}

/**
 * Checks a SageMaker shift's `appliedWithin` against the request log and the listener: the
 * DescribeEndpoint reads after its weights call until shiftTraffic returned, each read's
 * routing (CurrentWeights) from the listener's reading at that instant; `fromMs` must be the
 * last read still showing the routing from before the call, `toMs` the first showing another.
 */
function checkAppliedWithin(sim: Simulator, shift: ShiftRecord, readings: Reading[], candidate: string): string | undefined {
  const call = weightsCalls(sim).find(
    (e) => e.atMs >= shift.requestedMs && e.atMs <= shift.returnedMs && (e.body.DesiredWeightsAndCapacities ?? []).some((d) => d.VariantName === candidate && d.DesiredWeight === shift.weight),
  );
  if (call === undefined) return `no accepted weights call for the ${formatWeight(shift.weight)} shift requested at ${rel(shift.requestedMs)}`;
  const routingAt = (atMs: number) => {
    const r = readings.filter((x) => x.atMs <= atMs).at(-1);
    return r === undefined ? undefined : `${r.stableWeight}/${r.candidateWeight}`;
  };
  const old = routingAt(call.atMs);
  let fromMs = shift.requestedMs;
  let toMs: number | undefined;
  for (const e of sim.requestLog.slice(sim.requestLog.indexOf(call) + 1)) {
    if (e.atMs > shift.returnedMs) break;
    if (e.operation !== 'DescribeEndpoint' || e.status !== 200) continue;
    if (routingAt(e.atMs) === old) fromMs = e.atMs;
    else toMs ??= e.atMs;
  }
  const got = shift.appliedWithin;
  if (got === null || got.fromMs !== fromMs || got.toMs !== (toMs ?? shift.returnedMs)) {
    return `the ${formatWeight(shift.weight)} shift's appliedWithin ${got === null ? 'is absent' : `${rel(got.fromMs)}–${rel(got.toMs)}`}, the reads say ${rel(fromMs)}–${toMs === undefined ? 'never' : rel(toMs)}`;
  }
  return undefined;
}

/**
 * The compare judge's minutes by the rollback call: those the candidate served (from the minute of
 * the first shift's routing change on: before it, its weight was 0) that were published by then,
 * less the minutes the loop left out (each shift's `appliedWithin`, src/rollout/loop.ts).
 */
function compareMinutes(shifts: ShiftRecord[], rollbackAtMs: number, metricDelayMs: number): { perShift: Array<ShiftRecord & { excludedMinutes: string[] }>; served: number[]; compared: number[]; note: string } {
  const perShift = shifts.map((s) => ({ ...s, excludedMinutes: excludedMinutesOf(s).map(rel) }));
  const excluded = new Set(shifts.flatMap(excludedMinutesOf));
  const first = shifts[0];
  const served: number[] = [];
  if (first !== undefined) {
    for (let m = Math.floor((first.appliedWithin?.fromMs ?? first.requestedMs) / METRIC_PERIOD_MS) * METRIC_PERIOD_MS; m + METRIC_PERIOD_MS + metricDelayMs <= rollbackAtMs; m += METRIC_PERIOD_MS) served.push(m);
  }
  const compared = served.filter((m) => !excluded.has(m));
  const each = shifts.map((s) => {
    const left = excludedMinutesOf(s).map(rel).join(', ') || 'none';
    const applied = s.appliedWithin === null ? `applied during the write at ${rel(s.requestedMs)}` : `requested ${rel(s.requestedMs)}, applied after the read at ${rel(s.appliedWithin.fromMs)} and by the read at ${rel(s.appliedWithin.toMs)}`;
    return `${formatWeight(s.weight)} shift ${applied}, left out ${left}`;
  });
  const note = `the compare judge left out only the minutes in which the routing changed (${each.join('; ')}); of the ${served.length} minutes the candidate served that were published by the rollback call (${served[0] !== undefined ? `${rel(served[0])} on` : 'none'}), it compared ${compared.length} (${compared.map(rel).join(', ') || 'none'})`;
  return { perShift, served, compared, note };
}

async function measure(scenario: Scenario, boundMs: number, stepWeights: number[]): Promise<Row> {
  const timings = { ...DEFAULT_TIMINGS, ...scenario.sagemaker };
  const clock = new VirtualClock(MINUTE0_MS + START_OFFSET_MS);
  const sim = await startSimulator({ clock, metricDelayMs: MINUTE, sagemaker: timings });
  const started = performance.now();
  const problems: string[] = [];
  const compare = scenario.judge === 'compare';
  try {
    pointSdkAt(sim.endpoint);
    sim.createEndpoint({ name: ENDPOINT, variants: [{ variantName: STABLE_VARIANT, modelName: STABLE_MODEL, instanceCount: STABLE_INSTANCES, instanceType: 'ml.m5.large' }] });
    const traffic = sim.startEndpointTraffic({ endpointName: ENDPOINT, requestsPerMinute: REQUESTS_PER_MINUTE, seed: 11 });
    scenario.setup?.(sim);

    const stepWeight = stepWeights[scenario.step - 1] as number;
    const readings: Reading[] = [];
    const shifts: ShiftRecord[] = [];
    let onsetMs: number | undefined;
    let armedAtMs: number | undefined;
    let candidate: string | undefined;
    // Registered after the traffic generator: each jump's requests are already served when it reads.
    const unsubscribe = clock.onAdvance((fromMs, toMs) => {
      const state = sim.getEndpointState(ENDPOINT);
      const cand = state.variants.find((v) => v.modelName !== STABLE_MODEL);
      const stable = state.variants.find((v) => v.modelName === STABLE_MODEL);
      if (cand !== undefined) candidate = cand.modelName;
      readings.push({
        fromMs,
        atMs: toMs,
        status: state.status,
        candidateWeight: cand?.weight ?? null,
        candidateInstances: cand?.instanceCount ?? null,
        stableWeight: stable?.weight ?? null,
        stableInstances: stable?.instanceCount ?? null,
        candidateRequests: candidate !== undefined ? (traffic.tally.byVersion[candidate]?.invocations ?? 0) : 0,
      });
      if (onsetMs === undefined && cand !== undefined && state.status === 'InService' && Math.abs(cand.weight - stepWeight) < 1e-9) {
        armedAtMs = toMs;
        onsetMs = Math.ceil(toMs / METRIC_PERIOD_MS) * METRIC_PERIOD_MS + ((scenario.minute ?? 1) - 1) * METRIC_PERIOD_MS;
        scenario.fault(sim, cand.modelName, onsetMs);
      }
    });

    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const report = await releaseWith(configOf(scenario), { clock, log, createTarget: recordingShifts(defaultTargetFactory(process.env, log, clock), clock, shifts) });
    unsubscribe();

    const failing = report.timeline?.find((r) => r.verdict === 'fail');
    const safeBoundBase = compare ? null : boundMs + timings.weightsUpdateMs;
    const base = {
      scenario: scenario.name,
      target: 'sagemaker' as const,
      instances: scenario.instances ?? 'match',
      judge: scenario.judge,
      weightsUpdateMs: timings.weightsUpdateMs,
      outcome: report.outcome,
      verdict: failing?.reason ?? report.headline,
      boundMs: compare ? null : boundMs,
    };
    const final = sim.getEndpointState(ENDPOINT);
    const finalSafe = final.variants.every((v) => v.modelName === STABLE_MODEL || v.weight === 0) && final.variants.some((v) => v.modelName === STABLE_MODEL && v.weight > 0);
    if (!finalSafe) problems.push(`endpoint not safe at the end: ${JSON.stringify(final.variants)}`);
    if (onsetMs === undefined || candidate === undefined || armedAtMs === undefined) {
      problems.push(`step ${scenario.step} (${formatWeight(stepWeight)}) was never reached: no fault injected`);
      return {
        ...base,
        onset: '—',
        onsetOffsetMs: null,
        weightAtOnset: null,
        detectedMs: null,
        safeMs: null,
        safeSeenMs: null,
        safeBoundMs: safeBoundBase,
        detectedWithinBound: compare ? null : false,
        safeWithinBound: compare ? null : false,
        withinBound: compare ? null : false,
        clean: false,
        rollbackChangesInstances: null,
        rollbackBody: null,
        afterPublicationMs: null,
        safeConfirmed: false,
        finalSafe,
        candidateRequestsExposed: null,
        candidateRequestsAfterSafe: null,
        shifts: shifts.map((s) => ({ ...s, excludedMinutes: excludedMinutesOf(s).map(rel) })),
        servedMinutes: null,
        comparedMinutes: null,
        problems,
        notes: [],
        wallMs: performance.now() - started,
      };
    }
    const cand = candidate;
    const onset = onsetMs;
    const calls = weightsCalls(sim);
    // The step's weight holds from arming to onset when no weights call was accepted in between.
    if (calls.some((e) => e.atMs >= armedAtMs! && e.atMs <= onset)) problems.push('a weights call was accepted between placing the onset and the onset');
    const rollback = calls.filter((e) => (e.body.DesiredWeightsAndCapacities ?? []).some((d) => d.VariantName === cand && d.DesiredWeight === 0)).at(-1);
    const publishedMs = Math.floor(onset / METRIC_PERIOD_MS) * METRIC_PERIOD_MS + METRIC_PERIOD_MS + MINUTE;
    const shiftsBefore = rollback === undefined ? shifts : shifts.filter((s) => s.requestedMs < rollback.atMs);
    for (const shift of shiftsBefore) {
      const mismatch = checkAppliedWithin(sim, shift, readings, cand);
      if (mismatch !== undefined) problems.push(mismatch);
    }

    let detectedMs: number | null = null;
    let safeMs: number | null = null;
    let safeSeenMs: number | null = null;
    let rollbackChangesInstances: boolean | null = null;
    let safeConfirmed = false;
    let exposed: number | null = null;
    let afterSafe: number | null = null;
    let safeBoundMs = safeBoundBase;
    if (rollback === undefined) {
      problems.push('no accepted rollback call');
    } else {
      detectedMs = rollback.atMs - onset;
      // The state when the call was made: the reading at the last jump end at or before it.
      const before = readings.filter((r) => r.atMs <= rollback.atMs).at(-1);
      const desired = rollback.body.DesiredWeightsAndCapacities ?? [];
      rollbackChangesInstances = desired.some((d) => d.DesiredInstanceCount !== undefined && d.DesiredInstanceCount !== (d.VariantName === cand ? before?.candidateInstances : before?.stableInstances));
      const updateMs = timings.weightsUpdateMs + (rollbackChangesInstances ? timings.instanceChangeMs : 0);
      if (rollbackChangesInstances) {
        problems.push('the rollback call changes an instance count');
        if (safeBoundMs !== null) safeBoundMs += timings.instanceChangeMs;
      }
      const expectedSafeAt = rollback.atMs + updateMs;
      const isSafe = (r: Reading) => r.status === 'InService' && (r.candidateWeight === null || r.candidateWeight === 0) && (r.stableWeight ?? 0) > 0;
      const after = readings.filter((r) => r.fromMs >= rollback.atMs);
      const seen = after.find(isSafe);
      if (seen === undefined) {
        problems.push('the listener never saw the endpoint InService with the candidate at weight 0 after the rollback call');
      } else {
        safeSeenMs = seen.atMs - onset;
        const prior = readings[readings.indexOf(seen) - 1];
        safeConfirmed = seen.fromMs < expectedSafeAt && expectedSafeAt <= seen.atMs && prior !== undefined && !isSafe(prior);
        if (safeConfirmed) safeMs = expectedSafeAt - onset;
        else problems.push(`listener and formula disagree: first safe reading ${rel(seen.atMs)} (jump from ${rel(seen.fromMs)}), formula ${rel(expectedSafeAt)}`);
        const undone = readings.filter((r) => r.atMs > seen.atMs && r.candidateWeight !== null && r.candidateWeight > 0);
        if (undone.length > 0) problems.push(`the candidate had traffic again at ${rel(undone[0]!.atMs)}`);
        const atOnset = readings.filter((r) => r.atMs <= onset).at(-1);
        exposed = seen.candidateRequests - (atOnset?.candidateRequests ?? 0);
        afterSafe = (readings.at(-1)?.candidateRequests ?? seen.candidateRequests) - seen.candidateRequests;
        if (afterSafe > 0) problems.push(`${afterSafe} client requests reached the candidate after the endpoint read safe`);
        if (before !== undefined && (seen.stableInstances !== before.stableInstances || seen.candidateInstances !== before.candidateInstances)) {
          problems.push(`instance counts changed across the rollback: ${before.stableInstances}/${before.candidateInstances} → ${seen.stableInstances}/${seen.candidateInstances}`);
        }
      }
    }
    const notes = rollback === undefined ? [] : explain(calls, rollback.atMs, publishedMs, readings);
    const minutes = compare && rollback !== undefined ? compareMinutes(shiftsBefore, rollback.atMs, MINUTE) : undefined;
    if (minutes !== undefined) notes.push(minutes.note);
    const clean = report.outcome === 'rolled-back' && finalSafe && problems.length === 0;
    const detectedWithinBound = compare ? null : detectedMs !== null && detectedMs <= boundMs && rollback!.atMs >= publishedMs;
    const safeWithinBound = compare ? null : safeMs !== null && safeBoundMs !== null && safeMs <= safeBoundMs;
    return {
      ...base,
      onset: rel(onset),
      onsetOffsetMs: onset - MINUTE0_MS,
      weightAtOnset: stepWeight,
      detectedMs,
      safeMs,
      safeSeenMs,
      safeBoundMs,
      detectedWithinBound,
      safeWithinBound,
      withinBound: compare ? null : clean && detectedWithinBound === true && safeWithinBound === true,
      clean,
      rollbackChangesInstances,
      rollbackBody: rollback?.body.DesiredWeightsAndCapacities ?? null,
      afterPublicationMs: rollback !== undefined ? rollback.atMs - publishedMs : null,
      safeConfirmed,
      finalSafe,
      candidateRequestsExposed: exposed,
      candidateRequestsAfterSafe: afterSafe,
      shifts: minutes?.perShift ?? shiftsBefore.map((s) => ({ ...s, excludedMinutes: excludedMinutesOf(s).map(rel) })),
      servedMinutes: minutes?.served.map(rel) ?? null,
      comparedMinutes: minutes?.compared.map(rel) ?? null,
      problems,
      notes,
      wallMs: performance.now() - started,
    };
  } finally {
    await sim.close();
  }
}

/**
 * The compare scenario on a Lambda alias, as a reference: bench/rollout/run.ts's simulator setup
 * (churn-model, alias prod at version 3, the release publishes 4), stable 1 % errors, canary 1 %
 * and 5 % from the top of the first step's first whole minute, the same plan and judge.
 */
async function measureLambdaCompare(stepWeights: number[]): Promise<Row> {
  const clock = new VirtualClock(MINUTE0_MS + START_OFFSET_MS);
  const sim = await startSimulator({ clock, metricDelayMs: MINUTE });
  const started = performance.now();
  const problems: string[] = [];
  try {
    pointSdkAt(sim.endpoint);
    sim.createFunction({ name: FN, versions: 3, aliases: [{ name: ALIAS, version: '3' }], latestCodeSha: 'sha-of-the-new-model' });
    const traffic = sim.startTraffic({ functionName: FN, alias: ALIAS, requestsPerMinute: REQUESTS_PER_MINUTE, seed: 11 });
    const stepWeight = stepWeights[0] as number;
    let onsetMs: number | undefined;
    let candidate: string | undefined;
    sim.scenarios.stableErrors({ rate: 0.01 });
    sim.scenarios.canaryErrors({ rate: (tMs) => (onsetMs !== undefined && tMs >= onsetMs ? 0.05 : 0.01) });
    const readings: Array<{ fromMs: number; atMs: number; version: string; candidateWeight: number; candidateRequests: number }> = [];
    // Registered after the traffic generator, as on SageMaker.
    const unsubscribe = clock.onAdvance((fromMs, toMs) => {
      const alias = sim.getAliasState(FN, ALIAS);
      const [version, weight] = Object.entries(alias.weights)[0] ?? [];
      candidate ??= version;
      readings.push({ fromMs, atMs: toMs, version: alias.version, candidateWeight: weight ?? 0, candidateRequests: candidate !== undefined ? (traffic.tally.byVersion[candidate]?.invocations ?? 0) : 0 });
      if (onsetMs === undefined && weight !== undefined && Math.abs(weight - stepWeight) < 1e-9) onsetMs = Math.ceil(toMs / METRIC_PERIOD_MS) * METRIC_PERIOD_MS;
    });
    const shifts: ShiftRecord[] = [];
    const log = () => undefined;
    const report = await releaseWith(LAMBDA_COMPARE, { clock, log, createTarget: recordingShifts(defaultTargetFactory(process.env, log, clock), clock, shifts) });
    unsubscribe();

    const failing = report.timeline?.find((r) => r.verdict === 'fail');
    const alias = sim.getAliasState(FN, ALIAS);
    const finalSafe = alias.version === '3' && Object.keys(alias.weights).length === 0;
    if (!finalSafe) problems.push(`alias not safe at the end: version ${alias.version}, weights ${JSON.stringify(alias.weights)}`);
    const rollback = lastRollbackWrite(sim);
    const onset = onsetMs;
    const firstShift = updateAliasCalls(sim, 200)[0];
    if (onset !== undefined && firstShift !== undefined && onset !== Math.ceil(firstShift.atMs / METRIC_PERIOD_MS) * METRIC_PERIOD_MS) problems.push(`onset ${rel(onset)} is not the first step's first whole minute`);
    const shiftsBefore = rollback === undefined ? shifts : shifts.filter((s) => s.requestedMs < rollback.atMs);
    for (const s of shiftsBefore) if (s.appliedWithin !== null) problems.push(`a Lambda shift returned appliedWithin (${rel(s.appliedWithin.fromMs)}–${rel(s.appliedWithin.toMs)})`);
    if (onset === undefined || rollback === undefined) problems.push(onset === undefined ? 'the first step was never reached: no fault' : 'no accepted rollback write');
    let exposed: number | null = null;
    let afterSafe: number | null = null;
    let safeSeenMs: number | null = null;
    let safeConfirmed = false;
    if (onset !== undefined && rollback !== undefined) {
      // A Lambda alias routes by the new weights from the write on: safe = the rollback write.
      const atOnset = readings.filter((r) => r.atMs <= onset).at(-1);
      const atSafe = readings.filter((r) => r.atMs <= rollback.atMs).at(-1);
      // The first jump after the write must end with the candidate at weight 0 (with no jump after it, the alias at the end).
      const seen = readings.find((r) => r.fromMs >= rollback.atMs);
      safeConfirmed = seen !== undefined ? seen.candidateWeight === 0 && seen.version === '3' : finalSafe;
      if (!safeConfirmed) problems.push('the listener did not see the alias back on the stable version alone after the rollback write');
      exposed = (atSafe?.candidateRequests ?? 0) - (atOnset?.candidateRequests ?? 0);
      afterSafe = (readings.at(-1)?.candidateRequests ?? 0) - (atSafe?.candidateRequests ?? 0);
      if (afterSafe > 0) problems.push(`${afterSafe} client requests reached the candidate after the rollback write`);
      if (seen !== undefined) safeSeenMs = seen.atMs - onset;
    }
    const minutes = rollback !== undefined ? compareMinutes(shiftsBefore, rollback.atMs, MINUTE) : undefined;
    const detectedMs = onset !== undefined && rollback !== undefined ? rollback.atMs - onset : null;
    return {
      scenario: 'compare judge: errors 1% on both, candidate 5% from step 1 (Lambda alias reference)',
      target: 'lambda',
      instances: null,
      judge: 'compare',
      weightsUpdateMs: null,
      onset: onset !== undefined ? rel(onset) : '—',
      onsetOffsetMs: onset !== undefined ? onset - MINUTE0_MS : null,
      weightAtOnset: onset !== undefined ? stepWeight : null,
      outcome: report.outcome,
      verdict: failing?.reason ?? report.headline,
      detectedMs,
      safeMs: detectedMs,
      safeSeenMs,
      boundMs: null,
      safeBoundMs: null,
      detectedWithinBound: null,
      safeWithinBound: null,
      withinBound: null,
      clean: report.outcome === 'rolled-back' && finalSafe && problems.length === 0,
      rollbackChangesInstances: null,
      rollbackBody: rollback?.body ?? null,
      afterPublicationMs: onset !== undefined && rollback !== undefined ? rollback.atMs - (onset + METRIC_PERIOD_MS + MINUTE) : null,
      safeConfirmed,
      finalSafe,
      candidateRequestsExposed: exposed,
      candidateRequestsAfterSafe: afterSafe,
      shifts: minutes?.perShift ?? shiftsBefore.map((s) => ({ ...s, excludedMinutes: excludedMinutesOf(s).map(rel) })),
      servedMinutes: minutes?.served.map(rel) ?? null,
      comparedMinutes: minutes?.compared.map(rel) ?? null,
      problems,
      notes: minutes !== undefined ? [minutes.note] : [],
      wallMs: performance.now() - started,
    };
  } finally {
    await sim.close();
  }
}

/**
 * What the gate was doing between the faulty minute's publication and the rollback call: each
 * shift's weights call and the gate's first reading of it InService (it neither reads metrics nor
 * can write weights while the endpoint is Updating).
 */
function explain(calls: Array<RequestLogEntry & { body: WeightsBody }>, rollbackAtMs: number, publishedMs: number, readings: Reading[]): string[] {
  const notes: string[] = [];
  const shifts = calls
    .filter((e) => e.atMs < rollbackAtMs)
    .map((e) => ({ requestedMs: e.atMs, seenMs: readings.find((r) => r.fromMs >= e.atMs && r.status === 'InService')?.atMs ?? rollbackAtMs, body: e.body }));
  for (const shift of shifts) {
    if (shift.requestedMs <= publishedMs && publishedMs < shift.seenMs) {
      const before = readings.filter((r) => r.atMs <= shift.requestedMs).at(-1);
      const changes = (shift.body.DesiredWeightsAndCapacities ?? []).some((d) => d.DesiredInstanceCount !== undefined && d.DesiredInstanceCount !== (d.VariantName === STABLE_VARIANT ? before?.stableInstances : before?.candidateInstances));
      const counts = changes ? " (which also changes the candidate's instance count)" : '';
      notes.push(
        `the faulty minute was published at ${rel(publishedMs)}, while the gate waited for its shift${counts} requested at ${rel(shift.requestedMs)} and seen InService at ${rel(shift.seenMs)}; no metrics read (and no weights call) until then`,
      );
    }
  }
  return notes;
}

const dur = (ms: number | null) => (ms === null ? '—' : formatDuration(ms));
const boundText = (r: Row) => (r.boundMs === null ? 'n/a (sequential test)' : `${dur(r.boundMs)} / ${dur(r.safeBoundMs)}`);
const withinText = (r: Row) =>
  r.withinBound === null ? `n/a${r.clean ? '' : ' (**not clean**)'}` : r.withinBound ? 'yes' : `**no**${r.detectedWithinBound ? '' : ' (detected)'}${r.safeWithinBound ? '' : ' (safe)'}`;
const targetText = (r: Row) => (r.target === 'lambda' ? 'Lambda alias' : `SageMaker, ${r.instances}`);

async function main(): Promise<void> {
  const rollout = loadTestConfig(configOf(SCENARIOS[0]!)).rollout!;
  const boundMs = worstCaseTimeToRollbackMs(rollout, { metricDelayMs: rollout.metricDelayMs, apiCallMs: 0 });
  const steps = buildSteps(rollout.plan, rollout.finalBakeMs);
  const stepWeights = steps.map((s) => s.weight);
  const load = loadavg();
  const machine = `${cpus().length} CPUs, load average ${load.map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min) at start`;
  const rows: Row[] = [];
  const print = (row: Row) =>
    console.log(
      `${row.withinBound === false || !row.clean ? 'FAIL' : 'ok  '} ${row.scenario} [${targetText(row)}]: ${row.outcome}, onset ${row.onset}, detected ${dur(row.detectedMs)}, safe ${dur(row.safeMs)} (bound ${boundText(row)}), ${row.candidateRequestsExposed ?? '—'} requests to the candidate${row.problems.length > 0 ? `; ${row.problems.join('; ')}` : ''}`,
    );
  for (const scenario of SCENARIOS) {
    const row = await measure(scenario, boundMs, stepWeights);
    rows.push(row);
    print(row);
  }
  const lambda = await measureLambdaCompare(stepWeights);
  rows.push(lambda);
  print(lambda);

  const command = 'npx tsx bench/rollout/sagemaker.ts';
  const date = new Date().toISOString();
  const bounded = rows.filter((r) => r.withinBound !== null);
  const compared = rows.filter((r) => r.withinBound === null);
  const summary = {
    thresholdRuns: bounded.length,
    withinBound: bounded.filter((r) => r.withinBound).length,
    compareRuns: compared.length,
    compareClean: compared.filter((r) => r.clean).length,
    boundMs,
  };
  const here = import.meta.dirname;
  writeFileSync(
    join(here, 'sagemaker-results.json'),
    `${JSON.stringify(
      {
        command,
        date,
        node: process.version,
        machine,
        config: {
          pollMs: rollout.pollMs,
          metricDelayMs: rollout.metricDelayMs,
          steps,
          requestsPerMinute: REQUESTS_PER_MINUTE,
          stableInstances: STABLE_INSTANCES,
          instances: "match (the product's default) unless a row sets auto",
          simulatorTimings: DEFAULT_TIMINGS,
        },
        bound:
          'threshold judge: detected: P + D + poll + 2·A with A = 0 (worstCaseTimeToRollbackMs); safe: that + weightsUpdateMs (+ instanceChangeMs only if the rollback changes an instance count). Compare judge: n/a (sequential test), counted neither for nor against.',
        summary,
        rows,
      },
      null,
      2,
    )}\n`,
  );
  const table = rows.map(
    (r) =>
      `| ${r.scenario} | ${targetText(r)} | ${r.onset} | ${r.weightAtOnset === null ? '—' : formatWeight(r.weightAtOnset)} | ${r.outcome} | ${dur(r.detectedMs)} | ${dur(r.safeMs)} | ${r.candidateRequestsExposed ?? '—'} | ${boundText(r)} | ${withinText(r)} |`,
  );
  const problems = rows.filter((r) => r.problems.length > 0).map((r) => `- ${r.scenario}: ${r.problems.join('; ')}.`);
  const why = bounded.filter((r) => !r.withinBound && r.notes.length > 0).map((r) => `- ${r.scenario}: ${r.notes.join('; ')}.`);
  const compareNotes = compared.map((r) => `- ${targetText(r)}: detected ${dur(r.detectedMs)} after onset, ${r.candidateRequestsExposed ?? '—'} client requests reached the candidate between onset and safe; ${r.notes.join('; ')}. Verdict: ${r.verdict}`);
  const autoRows = rows.filter((r) => r.instances === 'auto').map((r) => `"${r.scenario}"`);
  const md = `# Rollout on a SageMaker endpoint: time from fault onset to rollback and to safe

Command: \`${command}\`
Date: ${date} (Node ${process.version}; ${machine})

Each SageMaker row is one release onto \`${ENDPOINT}\` (stable variant \`AllTraffic\` serving \`${STABLE_MODEL}\` on
${STABLE_INSTANCES} instances; the candidate model created by the gate) through the real pipeline, the
product's SageMaker target (\`defaultTargetFactory\`) and SDK clients over HTTP, against the AWS
simulator on a shared VirtualClock with ${REQUESTS_PER_MINUTE} requests/min. Instances: the product's default
\`instances: match\` (the candidate's variant gets the stable variant's ${STABLE_INSTANCES} instances when it is added, so
every shift is a weights-only update) in every row but ${autoRows.join(', ')}, which sets
\`instances: auto\` (1 instance up to 50 %, 2 from the 60 % shift, which then takes 30 s + 4 m); the
target column says which. Plan as in [results.md](results.md): linear 20 % every 1 m, final bake 1 m at
100 %; poll ${formatDuration(rollout.pollMs)}; metric delay ${formatDuration(rollout.metricDelayMs)} (config and simulator); judge max-errors 0, p99-ms 800 (the compare
rows: \`judge: { type: compare }\`). Simulator: UpdateEndpoint ${formatDuration(DEFAULT_TIMINGS.endpointUpdateMs)}, weights update ${formatDuration(DEFAULT_TIMINGS.weightsUpdateMs)}
(2m in the rows that say so), +${formatDuration(DEFAULT_TIMINGS.instanceChangeMs)} when a weights call changes an instance count. The rollout starts
at +${formatDuration(START_OFFSET_MS)}; onset is relative to the top of its first minute and is placed at the top of the step's first
whole minute of its own traffic (the endpoint InService at the step's weight), or its second where
the row says so. The rows with a 2nd-minute onset are not in the Lambda bench's list: they put the
faulty minute's publication inside a shift's update (with \`instances: auto\`, the 60 % shift's
instance change; its twin with the default \`match\` has a weights-only 60 % shift; and a 2-minute
weights update of the 40 % shift). The last row is the compare scenario on a Lambda alias (the
simulator setup of bench/rollout/run.ts: stable 1 % errors, canary 5 % from the first step's first
whole minute, same plan), a reference for the row above it.

**Detected** = onset → the accepted rollback call (SageMaker: the last \`UpdateEndpointWeightsAndCapacities\`
answered 200 that sets the candidate's DesiredWeight to 0; Lambda: the \`UpdateAlias\` with weights {}).
**Safe** = onset → the candidate's traffic stopped: on SageMaker the endpoint InService with the
candidate's CurrentWeight 0, i.e. the call + the simulator's update time, confirmed by a clock
listener that read the endpoint at every clock jump (the reading that ends the jump holding that
instant is the first safe one, the one before it is not, and no client request reached the
candidate afterwards); on Lambda the rollback write itself. **Requests to candidate** = client
requests the candidate answered between onset and safe (the traffic tally). **Bound**, threshold
judge only = \`worstCaseTimeToRollbackMs\` (60 s + metric delay + poll + 2·A, A = 0) for detected /
that + weightsUpdateMs for safe; no rollback call changed an instance count, so instanceChangeMs is
never added. "Within bound" also requires outcome \`rolled-back\`, the rollback not before the faulty
minute's publication, and the endpoint safe at the end. That bound is a poll bound and does not
describe the compare judge, a sequential test whose detection time is the time it takes to
accumulate evidence: its rows show "n/a (sequential test)" and count neither for nor against; they
are checked only for a clean rollback (rolled back, safe at the end, no problem found).

| scenario | target, instances | onset | weight at onset | outcome | detected | safe | requests to candidate, onset → safe | bound (detected / safe) | within bound |
|---|---|---|---|---|---|---|---|---|---|
${table.join('\n')}

${summary.withinBound}/${summary.thresholdRuns} threshold-judge rows within bound; compare-judge rows: ${summary.compareClean}/${summary.compareRuns} rolled back cleanly (bound n/a).
${problems.length > 0 ? `\nProblems found:\n${problems.join('\n')}\n` : ''}${why.length > 0 ? `\nOut of bound, and why:\n${why.join('\n')}\n` : ''}
Compare judge. The loop leaves out, for the compare judge, only the minutes in which the routing
actually changed: per shift, from the minute of the last read still showing the old routing to the
first whole minute after the first read showing the new one (SageMaker's shiftTraffic returns them
as \`appliedWithin\`; a Lambda shift applies during its write). The minutes below come from what the
product's shiftTraffic returned, checked against the request log (the DescribeEndpoint reads after
each weights call) and the listener's reading of the CurrentWeights at each read:
${compareNotes.join('\n')}
`;
  writeFileSync(join(here, 'sagemaker-results.md'), md);
  console.log(`wrote ${join(here, 'sagemaker-results.md')} and sagemaker-results.json: ${summary.withinBound}/${summary.thresholdRuns} threshold rows within bound, ${summary.compareClean}/${summary.compareRuns} compare rows clean`);
  if (summary.withinBound !== summary.thresholdRuns || summary.compareClean !== summary.compareRuns) process.exitCode = 1;
}

await main();
