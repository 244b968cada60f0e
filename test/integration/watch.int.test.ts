/**
 * The post-promotion watch (rollout.watch) end to end: the real pipeline, the real Lambda target
 * and SDK clients against the AWS simulator on one VirtualClock (docs/rollout.md "Post-promotion watch").
 */
import type { Report } from '../../src/report/result.js';
import type { Simulator, VirtualClock } from '../sim/index.js';
import { releaseWith, simulatorPerTest, updateAliasCalls } from '../support/sim-release.js';

const MINUTE = 60_000;
const FN = 'churn-model';
const ALIAS = 'prod';
const START_MS = Date.UTC(2026, 2, 2, 9, 0, 20);
const STABLE = '3';
const CANDIDATE = '4';

const CONFIG = `
target:
  function-name: ${FN}
  alias: ${ALIAS}
  region: us-east-1
rollout:
  strategy: linear
  step: 50
  interval: 1m
  poll: 15s
  final-bake: 1m
  metric-delay: 1m
  min-invocations: 10
  watch: 10m
`;

describe('post-promotion watch against the AWS simulator (simulated time)', () => {
  const run = simulatorPerTest(START_MS, MINUTE);
  let sim: Simulator;
  let clock: VirtualClock;
  let promotedAtMs: number | undefined;
  beforeEach(() => {
    ({ sim, clock } = run);
    promotedAtMs = undefined;
    sim.createFunction({ name: FN, versions: 3, aliases: [{ name: ALIAS, version: STABLE }], latestCodeSha: 'sha-of-the-new-model' });
    sim.startTraffic({ functionName: FN, alias: ALIAS, requestsPerMinute: 600, seed: 7 });
  });

  function release(options: { signal?: AbortSignal; onLog?: (line: string) => void } = {}): Promise<Report> {
    return releaseWith(CONFIG, {
      clock,
      ...(options.signal ? { signal: options.signal } : {}),
      log: (line) => {
        if (line.startsWith('Watching version') && promotedAtMs === undefined) promotedAtMs = clock.now();
        options.onLog?.(line);
      },
    });
  }
  const watchResult = (report: Report) => report.results.find((r) => r.id === 'rollout.watch');

  it('promoted, then a healthy watch: still promoted, rollout.watch passes with the numbers', async () => {
    const report = await release();
    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'promoted', exitCode: 0 });
    expect(watchResult(report)).toMatchObject({ status: 'pass', details: { errors: 0 } });
    expect((watchResult(report)?.details?.invocations as number) > 5000).toBe(true);
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: CANDIDATE, weights: {} });
    // The watch lasted its 10 whole minutes plus the metric delay.
    expect(clock.now() - (promotedAtMs ?? 0)).toBeGreaterThanOrEqual(10 * MINUTE + MINUTE);
  });

  it('the new version starts failing during the watch: alias back on the previous version, rolled-back, exit 1', async () => {
    // The rollout takes about 4 minutes; errors start well after the promotion.
    sim.scenarios.canaryErrors({ rate: 0.2, fromMs: START_MS + 8 * MINUTE });
    const report = await release();
    expect(promotedAtMs).toBeLessThan(START_MS + 8 * MINUTE);
    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'rolled-back', exitCode: 1 });
    expect(report.headline).toMatch(/rolled back after promotion/);
    expect(watchResult(report)).toMatchObject({ status: 'fail' });
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
    const writes = updateAliasCalls(sim, 200);
    const last = writes[writes.length - 1];
    // Conditional on the revision the promotion left, recorded as a rollback in the history.
    expect(writes).toHaveLength(4);
    expect(last?.body).toMatchObject({ FunctionVersion: STABLE, RevisionId: expect.any(String) });
    expect(last?.body.Description).toMatch(/promoted=3(\b|$)/);
  });

  it('a concurrent alias change during the watch is never overwritten, and is reported', async () => {
    sim.scenarios.canaryErrors({ rate: 0.2, fromMs: START_MS + 8 * MINUTE });
    // Someone points the alias at version 2 by hand once the watch has started.
    const report = await release({ onLog: (line) => line.startsWith('Watching version') && sim.setAlias(FN, ALIAS, { version: '2' }) });
    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'aborted', exitCode: 1 });
    expect(watchResult(report)).toMatchObject({ status: 'error', message: expect.stringMatching(/changed by someone else during the post-promotion watch/) });
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: '2', weights: {} });
    expect(updateAliasCalls(sim)).toHaveLength(3);
  });

  it('SIGTERM during the watch ends it without a rollback: the promotion stands', async () => {
    const abort = new AbortController();
    const report = await release({ signal: abort.signal, onLog: (line) => line.startsWith('Watching version') && abort.abort(new Error('SIGTERM')) });
    expect(report.outcome).toBe('promoted');
    expect(watchResult(report)).toMatchObject({ status: 'warn', message: expect.stringMatching(/without a rollback/) });
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: CANDIDATE, weights: {} });
  });
});
