/**
 * The GitLab component's release job promoting for real under gitlab-ci-local (see
 * gitlab-component.int.test.ts for the set-up), then a rollback pipeline back to the tag of
 * the release before it. Its own file so jest runs it beside the quick component tests: a
 * promotion cannot finish sooner than the rollout loop allows, one CloudWatch period (60 s)
 * after the last step (src/rollout/loop.ts, "the last step is judged until its final minute's
 * datapoint is published"), so this test takes about 65 s of real time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RealClock, startSimulator, type Simulator } from '../sim/index.js';
import { componentProject, describeWithGitLabCiLocal, git, runPipeline } from '../support/gitlab-component.js';
import { fastRolloutConfig } from '../support/sim-release.js';

const FN = 'churn-model';
const RELEASED_SHA = '1111111111111111111111111111111111111111';
const CONFIG = fastRolloutConfig(FN);

describeWithGitLabCiLocal()('GitLab component release under gitlab-ci-local', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ clock: new RealClock(), metricDelayMs: 0 });
    sim.createFunction({ name: FN, versions: 1, aliases: [{ name: 'prod', version: '1' }] });
    sim.publishVersion(FN, `model-release-gate sha=${RELEASED_SHA} tag=model-v1.0.0`);
    sim.setAlias(FN, 'prod', { version: '2' });
    sim.setLatestCode(FN, 'code-of-the-next-model');
    sim.startTraffic({ functionName: FN, alias: 'prod', requestsPerMinute: 600, seed: 7 });
  });
  afterEach(() => sim.close());

  it("a 'Feat (Api): …' push promotes through the release job; a rollback pipeline returns to the previous tag", async () => {
    const { dir, initial } = componentProject(CONFIG);
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'Feat (Api): score churn with the gradient-boosted model');
    const head = git(dir, 'rev-parse', 'HEAD');
    const aws = { AWS_ENDPOINT_URL: sim.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
    const variables = { GITLAB_CI: 'true', CI_COMMIT_BEFORE_SHA: initial, GITLAB_USER_LOGIN: 'maria', ...aws };

    const release = await runPipeline(dir, { variables, inputs: { tag: 'model-v1.1.0' }, timeoutMs: 170_000 });
    expect(release.output).toContain('PASS  model-release');
    expect(release.code).toBe(0);
    expect(sim.getAliasState(FN, 'prod')).toMatchObject({ version: '3', weights: {} });
    const published = sim.requestLog.find((e) => e.operation === 'PublishVersion');
    expect(published?.body).toMatchObject({ Description: `model-release-gate sha=${head} tag=model-v1.1.0` });
    expect(readFileSync(join(dir, 'model-release.env'), 'utf8')).toContain('MRG_OUTCOME=promoted');
    // after_script ran `recover`, which found the rollout finished.
    expect(release.output).toContain('The rollout finished; nothing to restore.');

    const rollback = await runPipeline(dir, { variables, inputs: { rollback_to: 'model-v1.0.0', 'rollback-reason': 'calibration drift' }, timeoutMs: 30_000 });
    expect(rollback.output).toContain('PASS  model-release-rollback');
    expect(rollback.code).toBe(0);
    expect(rollback.output).toContain('Rolled back lambda:churn-model:prod from version 3 to version 2 (tag model-v1.0.0, commit 111111111111); requested by maria: calibration drift');
    expect(sim.getAliasState(FN, 'prod')).toMatchObject({ version: '2', weights: {} });
  }, 230_000);
});
