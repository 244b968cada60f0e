/**
 * The serving history across releases and manual rollbacks, in one process: the real pipeline
 * for the releases, the real manual rollback, the real Lambda target and the real SDK clients
 * over HTTP against the AWS simulator, on one VirtualClock shared with it. The history lives in
 * the alias description (src/rollback/history.ts); the simulator stores what UpdateAlias wrote.
 */
import { defaultTargetFactory } from '../../src/app.js';
import { runManualRollback } from '../../src/rollback/rollback.js';
import type { Report } from '../../src/report/result.js';
import type { Simulator, VirtualClock } from '../sim/index.js';
import { loadTestConfig, releaseWith, simulatorPerTest, updateAliasCalls } from '../support/sim-release.js';

const FN = 'churn-model';
const ALIAS = 'prod';
const START_MS = Date.UTC(2026, 2, 2, 9, 0, 20);

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
`;

describe('rollback --to previous after a manual rollback (in process, simulated time)', () => {
  const run = simulatorPerTest(START_MS, 60_000);
  let sim: Simulator;
  let clock: VirtualClock;
  beforeEach(() => {
    ({ sim, clock } = run);
    sim.createFunction({ name: FN, versions: 1, aliases: [{ name: ALIAS, version: '1' }], latestCodeSha: 'sha-of-model-1.0.0' });
    sim.startTraffic({ functionName: FN, alias: ALIAS, requestsPerMinute: 600, seed: 11 });
  });

  async function release(n: number, healthy: boolean): Promise<Report> {
    sim.setLatestCode(FN, `sha-of-release-${n}`);
    if (healthy) sim.scenarios.healthy();
    else sim.scenarios.canaryErrors({ rate: 0.3 });
    return releaseWith(CONFIG, { clock, sha: String(n).repeat(40), tag: `model-v1.${n}.0` });
  }

  function rollback(to: string): Promise<Report> {
    const target = defaultTargetFactory(process.env)(loadTestConfig(CONFIG).target!);
    return runManualRollback({ to, reason: 'customer tickets', actor: 'maria', force: false, dryRun: false }, { target, clock, log: () => undefined });
  }

  const alias = () => sim.getAliasState(FN, ALIAS);

  it('goes to the version that served right before the current one, not to the release the manual rollback left', async () => {
    // v2 promoted, v3 rolled back automatically, v4 promoted.
    expect((await release(0, true)).outcome).toBe('promoted');
    expect((await release(1, false)).outcome).toBe('rolled-back');
    expect((await release(2, true)).outcome).toBe('promoted');
    expect(alias()).toMatchObject({ version: '4', weights: {}, description: 'model-release-gate promoted=4,2,1' });

    // rollback --to model-v1.0.0 (version 2), from 4: one conditional write moves the alias and unwinds the history.
    const manual = await rollback('model-v1.0.0');
    expect(manual).toMatchObject({ outcome: 'rolled-back-manually', exitCode: 0, outputs: { version: '2', 'previous-version': '4' } });
    expect(alias()).toMatchObject({ version: '2', weights: {}, description: 'model-release-gate promoted=2,1' });
    expect(updateAliasCalls(sim, 200).at(-1)?.body).toMatchObject({ FunctionVersion: '2', Description: 'model-release-gate promoted=2,1' });

    // v5 rolled back automatically, then v6 promoted over 2.
    expect((await release(3, false)).outcome).toBe('rolled-back');
    expect((await release(4, true)).outcome).toBe('promoted');
    expect(alias()).toMatchObject({ version: '6', weights: {}, description: 'model-release-gate promoted=6,2,1' });

    // previous: 2 (served right before 6), never 4 (rolled back by hand) nor 5 (rolled back automatically).
    const previous = await rollback('previous');
    expect(previous).toMatchObject({ outcome: 'rolled-back-manually', exitCode: 0, outputs: { version: '2', 'previous-version': '6', tag: 'model-v1.0.0' } });
    expect(previous.results[0]?.message).toContain("by the alias's promotion history (version 2 was promoted before 6)");
    expect(alias()).toMatchObject({ version: '2', weights: {}, description: 'model-release-gate promoted=2,1' });

    // And once more walks back to the version that served before 2.
    expect((await rollback('previous')).outputs.version).toBe('1');
    expect(alias()).toMatchObject({ version: '1', description: 'model-release-gate promoted=1' });
  });
});
