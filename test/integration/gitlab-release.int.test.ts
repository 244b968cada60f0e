/**
 * The GitLab component as a project installs it: its DEFAULT path, no `command` override. The
 * release job installs model-release-gate with npm, once per job into the job cache, from a
 * local registry (verdaccio on loopback, no uplinks: test/support/local-registry.ts) that holds
 * this package, staged as `npm pack` takes it under a test version with the committed
 * dist/cli.js (what users install; .ci/run checks it is what the sources build), and its
 * runtime dependencies packed from node_modules. The jobs reach it only through `npm_config_registry`.
 *
 * Then, under gitlab-ci-local (see gitlab-component.int.test.ts for the set-up): a
 * `Feat (Api): …` push promotes through the release job, whose after_script reuses the install
 * (no second download: a cancelled job needs no network), the next release tag is computed,
 * recorded in the version and created as a GitLab release on the local GitLab API stand-in
 * with CI_JOB_TOKEN; then a rollback pipeline returns to the previous tag with the cached CLI.
 *
 * A promotion cannot finish sooner than the rollout loop allows, one CloudWatch period (60 s)
 * after the last step (src/rollout/loop.ts), so the pipeline takes about 65 s; preparing the
 * registry (pack and publish) 30 to 50 s, the npm install in the job
 * about 10 s: about 2 minutes on an idle machine.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RealClock, startSimulator, type Simulator } from '../sim/index.js';
import { startFakeGitLabApi, type FakeGitLabApi } from '../support/fake-gitlab-api.js';
import { componentProject, describeWithGitLabCiLocal, git, runPipeline } from '../support/gitlab-component.js';
import { installedDependencyClosure, stageThisPackage, startLocalRegistry, type LocalRegistry } from '../support/local-registry.js';
import { repoRoot } from '../support/run-bundle.js';
import { fastRolloutConfig } from '../support/sim-release.js';

const FN = 'churn-model';
const RELEASED_SHA = '1111111111111111111111111111111111111111';
const CONFIG = fastRolloutConfig(FN);
const JOB_TOKEN = 'glcbt-gitlab-ci-local-job';
/** A version no real release has: what the jobs install proves it came from the local registry. */
const TEST_VERSION = `0.0.0-gitlab-component.${process.pid}`;

/** verdaccio is a devDependency; without it (a production-only install) there is no registry to test with. */
function describeWithRegistry(): jest.Describe {
  if (existsSync(join(repoRoot, 'node_modules', 'verdaccio', 'bin', 'verdaccio'))) return describeWithGitLabCiLocal();
  console.warn('GitLab component install test skipped: node_modules/verdaccio is missing (run npm ci with dev dependencies).');
  return describe.skip;
}

describeWithRegistry()('GitLab component, default install path, release under gitlab-ci-local', () => {
  let registry: LocalRegistry;
  let sim: Simulator;
  let gitlab: FakeGitLabApi;
  /** Temporary folders to remove: the CLI build, the staged package, the project (with its ~70 MB install). */
  const temporary: string[] = [];

  beforeAll(async () => {
    registry = await startLocalRegistry();
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    await registry.publishInstalled(installedDependencyClosure(manifest, repoRoot));
    const stage = await stageThisPackage(TEST_VERSION);
    temporary.push(stage);
    await registry.npmPublish(stage, 'gitlab-component-test');
  }, 420_000);
  afterAll(async () => {
    await registry?.close();
    for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    sim = await startSimulator({ clock: new RealClock(), metricDelayMs: 0 });
    sim.createFunction({ name: FN, versions: 1, aliases: [{ name: 'prod', version: '1' }] });
    sim.publishVersion(FN, `model-release-gate sha=${RELEASED_SHA} tag=model-v1.0.0`);
    sim.setAlias(FN, 'prod', { version: '2' });
    sim.setLatestCode(FN, 'code-of-the-next-model');
    sim.startTraffic({ functionName: FN, alias: 'prod', requestsPerMinute: 600, seed: 7 });
    gitlab = await startFakeGitLabApi({ jobToken: JOB_TOKEN, tags: { 'model-v1.0.0': RELEASED_SHA } });
  });
  afterEach(async () => {
    await sim.close();
    await gitlab.close();
  });

  it("a 'Feat (Api): …' push installs the CLI once, promotes, and creates the GitLab release; a rollback pipeline returns to the previous tag", async () => {
    const { dir, initial } = componentProject(CONFIG, { cliVersion: TEST_VERSION });
    temporary.push(dir);
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'Feat (Api): score churn with the gradient-boosted model');
    const head = git(dir, 'rev-parse', 'HEAD');
    const variables = {
      GITLAB_CI: 'true',
      CI_COMMIT_BEFORE_SHA: initial,
      GITLAB_USER_LOGIN: 'maria',
      AWS_ENDPOINT_URL: sim.endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
      CI_API_V4_URL: gitlab.apiUrl,
      CI_PROJECT_ID: gitlab.projectId,
      CI_PROJECT_URL: 'https://gitlab.example.com/acme-ml/churn-model-api',
      CI_JOB_TOKEN: JOB_TOKEN,
      // The only way the jobs' npm finds a registry; nothing else of npm's configuration reaches them.
      npm_config_registry: registry.url,
      npm_config_update_notifier: 'false',
    };

    const release = await runPipeline(dir, { variables, timeoutMs: 170_000 });
    if (release.code !== 0) throw new Error(`the release pipeline failed:\n${release.output}\n--- registry log ---\n${registry.log()}`);
    expect(release.output).toContain('PASS  model-release');
    // Installed from the local registry, once: after_script ran `recover` with that install.
    expect(release.output.match(/added \d+ packages?/g) ?? []).toHaveLength(1);
    expect(existsSync(join(dir, '.model-release-gate', 'cli', TEST_VERSION, 'node_modules', 'model-release-gate', 'package.json'))).toBe(true);
    expect(release.output).toContain('The rollout finished; nothing to restore.');

    expect(sim.getAliasState(FN, 'prod')).toMatchObject({ version: '3', weights: {} });
    const published = sim.requestLog.find((e) => e.operation === 'PublishVersion');
    // The next tag (a minor bump of model-v1.0.0) was named before publishing…
    expect(published?.body).toMatchObject({ Description: `model-release-gate sha=${head} tag=model-v1.1.0` });
    expect(readFileSync(join(dir, 'model-release.env'), 'utf8')).toContain('MRG_OUTCOME=promoted');
    // …and created on promotion, as a GitLab release at the released commit, with CI_JOB_TOKEN.
    expect(gitlab.seen.filter((r) => r.method === 'POST').map((r) => [r.auth, r.body?.['tag_name'], r.body?.['ref']])).toEqual([['job-token', 'model-v1.1.0', head]]);
    expect(gitlab.releases.get('model-v1.1.0')).toMatchObject({ sha: head, description: expect.stringContaining('score churn with the gradient-boosted model') });

    const rollback = await runPipeline(dir, { variables, inputs: { 'rollback-to': 'model-v1.0.0', 'rollback-reason': 'calibration drift' }, timeoutMs: 60_000 });
    expect(rollback.code).toBe(0);
    expect(rollback.output).toContain('PASS  model-release-rollback');
    // The job cache already holds this version: nothing is downloaded.
    expect(rollback.output).not.toMatch(/added \d+ packages?/);
    expect(rollback.output).toContain('Rolled back lambda:churn-model:prod from version 3 to version 2 (tag model-v1.0.0, commit 111111111111); requested by maria: calibration drift');
    expect(sim.getAliasState(FN, 'prod')).toMatchObject({ version: '2', weights: {} });
  }, 360_000);
});
