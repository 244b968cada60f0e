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
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSteps } from '../../src/rollout/plan.js';
import { METRIC_PERIOD_MS, formatDuration, worstCaseTimeToRollbackMs } from '../../src/rollout/timing.js';
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
 * With 600 req/min the shifts land at about +0:00 (20 %), +1:45 (40 %, step 1 waits for its
 * first datapoint), +2:45, +3:45, +4:45 (100 % final bake until +5:45, settled until +7:45).
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
    `${JSON.stringify({ command, date, node: process.version, config: { pollMs: rollout.pollMs, metricDelayMs: rollout.metricDelayMs, steps, requestsPerMinute: REQUESTS_PER_MINUTE }, bound: 'P + D + poll + 2·A with A = 0 (simulated API calls take no time)', summary, rows }, null, 2)}\n`,
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
  writeFileSync(join(here, 'results.md'), md);
  console.log(`wrote ${join(here, 'results.md')} and results.json: ${summary.withinBound}/${summary.runs} within bound`);
  if (summary.withinBound !== summary.runs) process.exitCode = 1;
}

await main();
