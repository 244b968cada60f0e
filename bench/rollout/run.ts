/**
 * Time to rollback, measured: for each fault scenario, run a real release (pipeline, Lambda
 * target, SDK clients over HTTP) against the AWS simulator on a shared VirtualClock, and
 * measure the simulated time from the fault's onset to the accepted rollback write
 * (UpdateAlias with weights {}). Compare it with `worstCaseTimeToRollbackMs` for the config's
 * poll and metric delay (API calls take no simulated time here, so apiCallMs = 0).
 *
 *   npx tsx bench/rollout/run.ts
 *
 * Writes bench/rollout/results.md and results.json next to this file.
 */
import type { LambdaTargetConfig } from '../../src/config/types.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSteps } from '../../src/rollout/plan.js';
import { METRIC_PERIOD_MS, formatDuration, worstCaseTimeToRollbackMs } from '../../src/rollout/timing.js';
import { createAwsClients } from '../../src/aws/clients.js';
import { MemoryStateStore } from '../../src/core/state.js';
import { loadRolloutRecord } from '../../src/rollout/recovery.js';
import { LambdaAliasTarget } from '../../src/targets/lambda.js';
import type { LostReplyKind } from '../../test/sim/faults.js';
import { VirtualClock, startSimulator, type Simulator } from '../../test/sim/index.js';
import { lastRollbackWrite, loadTestConfig, pointSdkAt, releaseWith, updateAliasCalls } from '../../test/support/sim-release.js';

const MINUTE = 60_000;
const FN = 'churn-model';
const ALIAS = 'prod';
/** By default the rollout starts 20 s into its first minute; onsets are relative to the top of that minute. */
const DEFAULT_START_OFFSET_MS = 20_000;
const MINUTE0_MS = Date.UTC(2026, 2, 2, 9, 0, 0);
const REQUESTS_PER_MINUTE = 600;

/**
 * linear 20 % every minute, poll 15 s, final bake 1 m, metric delay 1 m (= the simulator's).
 * A step passes only on whole minutes of its own traffic (docs/rollout.md), so with 600 req/min
 * the shifts land at +0:20 (20 %), +3:00 (40 %), +5:00, +7:00, +9:00 (100 % final bake) and
 * the promotion at +12:00: each 1-minute step waits for its own minute to be published.
 */
const CONFIG = `
target:
  function-name: ${FN}
  alias: ${ALIAS}
  region: us-east-1
rollout:
  strategy: linear
  step: 20
  interval: 1m
  poll: 15s
  final-bake: 1m
  metric-delay: 1m
  min-invocations: 10
  judge:
    window: 5m
    max-errors: 0
    p99-ms: 800
`;

interface Scenario {
  name: string;
  /** Fault onset, ms after the top of the rollout's first minute. */
  onsetOffsetMs: number;
  /** Rollout start, ms after the top of its first minute (moves the poll cadence against publication). */
  startOffsetMs?: number;
  fault: (sim: Simulator, onsetMs: number) => void;
}

const errors100 = (sim: Simulator, fromMs: number) => sim.scenarios.canaryErrors({ rate: 1, fromMs });
const atMinute = (minute: number, seconds = 0) => minute * MINUTE + seconds * 1000;

const SCENARIOS: Scenario[] = [
  { name: 'canary errors 100%', onsetOffsetMs: atMinute(3), fault: errors100 },
  { name: 'canary errors 5%', onsetOffsetMs: atMinute(3), fault: (sim, fromMs) => sim.scenarios.canaryErrors({ rate: 0.05, fromMs }) },
  {
    name: 'latency regression: p99 1500 ms vs p99-ms 800',
    onsetOffsetMs: atMinute(3),
    fault: (sim, fromMs) => sim.scenarios.canaryLatency({ p99: 1500, p50: 300, fromMs }),
  },
  { name: 'canary errors 100% early in the final bake (100%)', onsetOffsetMs: atMinute(5, 10), fault: errors100 },
  // The planned final bake ends at +6m05s: only the settling of the last step can catch this one.
  { name: "canary errors 100% in the final bake's last seconds", onsetOffsetMs: atMinute(6), fault: errors100 },
  ...[0, 10, 20, 30, 40, 50, 59].map((s) => ({ name: `canary errors 100%, onset at :${String(s).padStart(2, '0')} of minute 3`, onsetOffsetMs: atMinute(3, s), fault: errors100 })),
  // The poll cadence's phase against the publication instant: the worst case is a read just before it.
  ...[1_000, 5_000, 10_000, 14_000, 14_900].map((startOffsetMs) => ({
    name: `canary errors 100%, onset at :00, rollout started at +${formatDuration(startOffsetMs)}`,
    onsetOffsetMs: atMinute(3),
    startOffsetMs,
    fault: errors100,
  })),
];

interface Row {
  scenario: string;
  start: string;
  onset: string;
  onsetOffsetMs: number;
  outcome: string;
  /** Fault onset → accepted rollback write, simulated ms. */
  measuredMs: number | null;
  boundMs: number;
  withinBound: boolean;
  /** The first faulty datapoint's publication → rollback write (the poll's share). */
  afterPublicationMs: number | null;
  weightAtOnset: number;
  verdict: string;
}

async function measure(scenario: Scenario, boundMs: number): Promise<Row> {
  const startOffsetMs = scenario.startOffsetMs ?? DEFAULT_START_OFFSET_MS;
  const clock = new VirtualClock(MINUTE0_MS + startOffsetMs);
  const sim = await startSimulator({ clock, metricDelayMs: MINUTE });
  try {
    pointSdkAt(sim.endpoint);
    sim.createFunction({ name: FN, versions: 3, aliases: [{ name: ALIAS, version: '3' }], latestCodeSha: 'sha-of-the-new-model' });
    sim.startTraffic({ functionName: FN, alias: ALIAS, requestsPerMinute: REQUESTS_PER_MINUTE, seed: 11 });
    const onsetMs = MINUTE0_MS + scenario.onsetOffsetMs;
    scenario.fault(sim, onsetMs);
    const report = await releaseWith(CONFIG, { clock });

    const rollback = lastRollbackWrite(sim);
    const measuredMs = rollback !== undefined ? rollback.atMs - onsetMs : null;
    const publishedMs = Math.floor(onsetMs / METRIC_PERIOD_MS) * METRIC_PERIOD_MS + METRIC_PERIOD_MS + MINUTE;
    const shiftsBefore = updateAliasCalls(sim, 200).filter((e) => e.atMs <= onsetMs);
    const weightAtOnset = Object.values(shiftsBefore.at(-1)?.body.RoutingConfig?.AdditionalVersionWeights ?? {})[0] ?? 0;
    const failing = report.timeline?.find((r) => r.verdict === 'fail');
    return {
      scenario: scenario.name,
      start: `+${formatDuration(startOffsetMs)}`,
      onset: `+${formatDuration(scenario.onsetOffsetMs)}`,
      onsetOffsetMs: scenario.onsetOffsetMs,
      outcome: report.outcome,
      measuredMs,
      boundMs,
      withinBound: report.outcome === 'rolled-back' && measuredMs !== null && measuredMs <= boundMs && rollback!.atMs >= publishedMs,
      afterPublicationMs: rollback !== undefined ? rollback.atMs - publishedMs : null,
      weightAtOnset,
      verdict: failing?.reason ?? report.headline,
    };
  } finally {
    await sim.close();
  }
}

/**
 * Lost replies: the `nth` UpdateAlias lands, then its reply is lost (a 5xx after the work, a
 * reset connection, a reply held past the client's 300 ms timeout). What must follow: the
 * product reads the alias back, recognises its own write and ends where the run should end,
 * reporting it truthfully, with the rollout record closed only when no weight of ours is left.
 */
interface LostReplyScenario {
  write: 'shift to 40%' | 'final bake (100%)' | 'promotion' | 'rollback';
  /** Which UpdateAlias (1-based) loses its reply. */
  nth: number;
  /** Canary errors from the start make the 2nd write the rollback. */
  failing: boolean;
  expected: { outcome: string; version: string; weights: Record<string, number> };
}

const LOST_REPLY_WRITES: LostReplyScenario[] = [
  { write: 'shift to 40%', nth: 2, failing: false, expected: { outcome: 'promoted', version: '4', weights: {} } },
  { write: 'final bake (100%)', nth: 5, failing: false, expected: { outcome: 'promoted', version: '4', weights: {} } },
  { write: 'promotion', nth: 6, failing: false, expected: { outcome: 'promoted', version: '4', weights: {} } },
  { write: 'rollback', nth: 2, failing: true, expected: { outcome: 'rolled-back', version: '3', weights: {} } },
];
const LOST_REPLY_KINDS: LostReplyKind[] = [500, 502, 503, 'reset', 'timeout'];

interface LostReplyRow {
  write: string;
  reply: string;
  outcome: string;
  exitCode: number;
  finalAlias: string;
  /** The alias ended where the run should have ended, the report's outcome matches it, and the record is closed. */
  safe: boolean;
  truthful: boolean;
  recordClosed: boolean;
  updateAliasCalls: string;
  wallMs: number;
}

async function measureLostReply(scenario: LostReplyScenario, reply: LostReplyKind): Promise<LostReplyRow> {
  const clock = new VirtualClock(MINUTE0_MS + DEFAULT_START_OFFSET_MS);
  const sim = await startSimulator({ clock, metricDelayMs: MINUTE });
  const started = performance.now();
  try {
    pointSdkAt(sim.endpoint);
    sim.createFunction({ name: FN, versions: 3, aliases: [{ name: ALIAS, version: '3' }], latestCodeSha: 'sha-of-the-new-model' });
    sim.startTraffic({ functionName: FN, alias: ALIAS, requestsPerMinute: REQUESTS_PER_MINUTE, seed: 11 });
    if (scenario.failing) sim.scenarios.canaryErrors({ rate: 0.3 });
    sim.scenarios.lostReply({ operations: ['UpdateAlias'], nth: scenario.nth, reply, holdMs: 1_500 });
    const state = new MemoryStateStore();
    const report = await releaseWith(CONFIG, {
      clock,
      state,
      createTarget: (target) => {
        const config = target as LambdaTargetConfig;
        const clients = createAwsClients({ region: config.region, requestTimeoutMs: 300 });
        return new LambdaAliasTarget(clients.lambda, clients.cloudwatch, { functionName: config.functionName, alias: config.alias });
      },
    });
    const alias = sim.getAliasState(FN, ALIAS);
    const safe = alias.version === scenario.expected.version && JSON.stringify(alias.weights) === JSON.stringify(scenario.expected.weights);
    const truthful = report.outcome === scenario.expected.outcome && !/someone else|nothing to undo/.test(report.headline);
    const record = await loadRolloutRecord(state);
    return {
      write: scenario.write,
      reply: String(reply),
      outcome: report.outcome,
      exitCode: report.exitCode,
      finalAlias: `version ${alias.version}, weights ${JSON.stringify(alias.weights)}`,
      safe,
      truthful,
      recordClosed: record?.phase === 'done',
      updateAliasCalls: updateAliasCalls(sim)
        .map((e) => (e.lostReply !== undefined ? `lost(${e.lostReply})` : String(e.status)))
        .join(' '),
      wallMs: performance.now() - started,
    };
  } finally {
    await sim.close();
  }
}

async function main(): Promise<void> {
  const rollout = loadTestConfig(CONFIG).rollout!;
  const boundMs = worstCaseTimeToRollbackMs(rollout, { metricDelayMs: rollout.metricDelayMs, apiCallMs: 0 });
  const steps = buildSteps(rollout.plan, rollout.finalBakeMs);
  const rows: Row[] = [];
  for (const scenario of SCENARIOS) {
    const row = await measure(scenario, boundMs);
    rows.push(row);
    console.log(`${row.withinBound ? 'ok  ' : 'FAIL'} ${row.scenario}: ${row.outcome}, ${row.measuredMs === null ? 'no rollback' : formatDuration(row.measuredMs)} (bound ${formatDuration(boundMs)})`);
  }
  const lostReplies: LostReplyRow[] = [];
  for (const scenario of LOST_REPLY_WRITES) {
    for (const reply of LOST_REPLY_KINDS) {
      const row = await measureLostReply(scenario, reply);
      lostReplies.push(row);
      const ok = row.safe && row.truthful && row.recordClosed;
      console.log(`${ok ? 'ok  ' : 'FAIL'} lost reply on the ${row.write} (${row.reply}): ${row.outcome}, exit ${row.exitCode}, ${row.finalAlias}`);
    }
  }
  const lostOk = lostReplies.filter((r) => r.safe && r.truthful && r.recordClosed).length;
  const command = 'npx tsx bench/rollout/run.ts';
  const date = new Date().toISOString();
  const measured = rows.map((r) => r.measuredMs).filter((m): m is number => m !== null);
  const summary = {
    runs: rows.length,
    withinBound: rows.filter((r) => r.withinBound).length,
    maxMeasuredMs: Math.max(...measured),
    minMeasuredMs: Math.min(...measured),
    boundMs,
  };
  const here = import.meta.dirname;
  writeFileSync(
    join(here, 'results.json'),
    `${JSON.stringify({ command, date, node: process.version, config: { pollMs: rollout.pollMs, metricDelayMs: rollout.metricDelayMs, steps, requestsPerMinute: REQUESTS_PER_MINUTE }, bound: 'P + D + poll + 2·A with A = 0 (simulated API calls take no time)', summary, rows, lostReplies }, null, 2)}\n`,
  );
  const table = rows.map(
    (r) => `| ${r.scenario} | ${r.start} | ${r.onset} | ${Math.round(r.weightAtOnset * 100)}% | ${r.outcome} | ${r.measuredMs === null ? '—' : formatDuration(r.measuredMs)} | ${formatDuration(r.boundMs)} | ${r.withinBound ? 'yes' : '**no**'} |`,
  );
  const md = `# Rollout: time from fault onset to rollback

Command: \`${command}\`
Date: ${date} (Node ${process.version})

Each row is one release of \`churn-model\` (alias \`prod\`, 3 → 4) through the real pipeline, Lambda
target and SDK clients over HTTP, against the AWS simulator on a shared VirtualClock with
${REQUESTS_PER_MINUTE} requests/min. Plan: linear 20 % every 1 m, final bake 1 m at 100 %; poll ${formatDuration(rollout.pollMs)};
metric delay ${formatDuration(rollout.metricDelayMs)} (config and simulator); judge max-errors 0, p99-ms 800. Rollout start
and onset are relative to the top of the rollout's first minute.

**Measured** = simulated time from the fault's onset to the accepted rollback write
(\`UpdateAlias\` with weights {}). **Bound** = \`worstCaseTimeToRollbackMs\` = 60 s + metric delay +
poll + 2·A, with A = 0 because simulated API calls take no simulated time. "Within bound" also
requires outcome \`rolled-back\` and the rollback not to precede the faulty minute's publication.

| scenario | rollout start | onset | weight at onset | outcome | measured | bound | within bound |
|---|---|---|---|---|---|---|---|
${table.join('\n')}

${summary.withinBound}/${summary.runs} within bound; measured ${formatDuration(summary.minMeasuredMs)} – ${formatDuration(summary.maxMeasuredMs)}, bound ${formatDuration(boundMs)}.
The measured time is (top of the onset's minute + 60 s + delay − onset) + the wait for the next
poll, so an onset later in its minute rolls back sooner; the bound is approached only by an onset
at the top of a minute whose datapoint is published just after a read started (the next read is
then a whole poll later: rollout started at +14.9s).
`;
  const lostTable = lostReplies.map(
    (r) =>
      `| ${r.write} | ${r.reply} | ${r.outcome} | ${r.exitCode} | ${r.finalAlias} | ${r.safe ? 'yes' : '**no**'} | ${r.truthful ? 'yes' : '**no**'} | ${r.recordClosed ? 'yes' : '**no**'} | ${r.updateAliasCalls} |`,
  );
  const lostMd = `
## Lost replies: a write that lands, then its reply is lost

The same release, with one \`UpdateAlias\` applied by the simulator and its reply then lost: a
5xx after the work was done (500, 502, 503), a reset connection, or a reply held 1.5 s past
the client's 300 ms request timeout (the product's default timeout is 30 s). The SDK retries
with the now stale RevisionId and gets 412. **Safe** = the alias ends where the run should
(promoted: version 4 alone; rolled back: version 3 alone). **Truthful** = the report's outcome
is that one and does not blame someone else or say "nothing to undo". **Record closed** = the
rollout record says done (the post step has nothing left to restore). The last column is what
the simulator answered to each \`UpdateAlias\`, in order.

| lost reply on | reply | outcome | exit | final alias | safe | truthful | record closed | UpdateAlias answers |
|---|---|---|---|---|---|---|---|---|
${lostTable.join('\n')}

${lostOk}/${lostReplies.length} safe, truthful and closed.
`;
  writeFileSync(join(here, 'results.md'), md + lostMd);
  console.log(`wrote ${join(here, 'results.md')} and results.json: ${summary.withinBound}/${summary.runs} within bound`);
  if (summary.withinBound !== summary.runs || lostOk !== lostReplies.length) process.exitCode = 1;
}

await main();
