/**
 * Process-level safety: the product runs as the committed BUNDLE (dist/cli.js, dist/main.js,
 * dist/post.js) in a child process, pointed at the AWS simulator in this process through
 * AWS_ENDPOINT_URL only. Real time, real traffic, real signals: a rollout caught mid-bake by
 * SIGTERM/SIGINT rolls back before exiting; one killed by SIGKILL is rolled back by the GitHub
 * post step or `cli.js recover`, which never touch an alias someone else has changed since.
 */
import { LambdaClient, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock, startSimulator, type Simulator } from '../sim/index.js';
import { startFakeGitHub } from '../support/fake-github-api.js';
import { repoRoot, runBundle, type BundleRun } from '../support/run-bundle.js';

const FN = 'churn-model';
const ALIAS = 'prod';
const STABLE = '3';
const CANDIDATE = '4';
const COMMIT = 'Feat (Api): x';

/** One 10 % step of a minute: any signal in the first seconds lands mid-bake. */
const MID_BAKE_CONFIG = `
target:
  function-name: ${FN}
  alias: ${ALIAS}
  region: us-east-1
rollout:
  strategy: steps
  steps:
    - { percent: 10, duration: 1m }
  poll: 300ms
  final-bake: 1m
`;

/** A short step and a short extension: with no traffic the run ends inconclusive in ~1.5 s. */
const QUICK_CONFIG = `
target:
  function-name: ${FN}
  alias: ${ALIAS}
  region: us-east-1
rollout:
  strategy: steps
  steps:
    - { percent: 10, duration: 1s }
  poll: 200ms
  max-extension: 500ms
  final-bake: 1m
`;

const PUSH_EVENT = {
  ref: 'refs/heads/main',
  before: 'a'.repeat(40),
  after: 'b'.repeat(40),
  repository: { default_branch: 'main' },
  commits: [{ id: 'b'.repeat(40), message: COMMIT }],
};

describe('rollout safety of the bundled entry points (child processes, real time)', () => {
  let sim: Simulator;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    sim = await startSimulator({ clock: new RealClock() });
    sim.createFunction({ name: FN, versions: 3, aliases: [{ name: ALIAS, version: STABLE }], latestCodeSha: 'sha-of-the-new-model' });
    dir = mkdtempSync(join(tmpdir(), 'mrg-safety-'));
  });

  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What a job's environment gives the product: credentials, region, and the endpoint. */
  function awsEnv(): Record<string, string> {
    return { AWS_ENDPOINT_URL: sim.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
  }

  function writeConfig(text: string): string {
    const path = join(dir, 'model-release.yml');
    writeFileSync(path, text);
    return path;
  }

  interface Exit {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }

  /** `node dist/cli.js <args>` in the job directory; `exited` resolves on close. */
  function spawnCli(args: string[]): { child: ChildProcess; exited: Promise<Exit>; output: () => string } {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('GITHUB_') && k !== 'CI'));
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], {
      cwd: dir,
      env: { ...base, ...awsEnv(), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
    return { child, exited, output: () => `--- stdout\n${stdout}\n--- stderr\n${stderr}` };
  }

  /** Polls the simulator until `predicate` holds; fails with `what` and the child's output otherwise. */
  async function waitFor(what: string, predicate: () => boolean, output: () => string, timeoutMs = 6_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; alias is ${JSON.stringify(sim.getAliasState(FN, ALIAS))}\n${output()}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async function within<T>(what: string, promise: Promise<T>, output: () => string, timeoutMs = 6_000): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${output()}`)), timeoutMs);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  const canaryRouted = () => (sim.getAliasState(FN, ALIAS).weights[CANDIDATE] ?? 0) > 0;
  const updateAliasCount = () => sim.requestLog.filter((e) => e.operation === 'UpdateAlias').length;

  it.each(['SIGTERM', 'SIGINT'] as const)('cli release: %s mid-bake rolls back before the process exits (code 1)', async (signal) => {
    sim.startTraffic({ functionName: FN, alias: ALIAS, requestsPerMinute: 600, seed: 3 });
    const config = writeConfig(MID_BAKE_CONFIG);
    const run = spawnCli(['release', '-m', COMMIT, '--config', config, '--state-file', join(dir, 'state.json')]);

    await waitFor('weight on the new version', canaryRouted, run.output);
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: { [CANDIDATE]: 0.1 } });
    const signalledAt = Date.now();
    run.child.kill(signal);
    const exit = await within(`the release to exit after ${signal}`, run.exited, run.output);

    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 1, signal: null });
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
    expect(exit.stdout).toMatch(/rolled-back|rolled back/i);
    expect(exit.stderr).toMatch(new RegExp(`cancelled \\(cancelled by ${signal}\\)`));
    // The rollback was the last write, and it came after the signal.
    const rollback = sim.requestLog.filter((e) => e.operation === 'UpdateAlias').at(-1);
    expect(rollback).toMatchObject({ status: 200, body: { RoutingConfig: { AdditionalVersionWeights: {} } } });
    expect(rollback!.atMs).toBeGreaterThanOrEqual(signalledAt);
    // The state file tells a later `recover` that nothing is left to do.
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as Record<string, string>;
    expect(JSON.parse(state.rollout ?? '{}')).toMatchObject({ phase: 'done', candidateVersion: CANDIDATE });
  });

  it('GitHub: main step SIGKILLed mid-bake → the post step, given its saved state, rolls back', async () => {
    sim.startTraffic({ functionName: FN, alias: ALIAS, requestsPerMinute: 600, seed: 4 });
    const config = writeConfig(MID_BAKE_CONFIG);
    let main: ChildProcess | undefined;
    const mainRun = runBundle({ entry: 'main', cwd: dir, inputs: { config }, eventName: 'push', event: PUSH_EVENT, env: awsEnv(), onSpawn: (c) => children.push((main = c)) });
    const output = () => 'main step output is available once it exits';

    await waitFor('weight on the new version', canaryRouted, output);
    main!.kill('SIGKILL');
    const killed = await within('the killed main step to close', mainRun, output);
    expect(killed.signal).toBe('SIGKILL');
    // SIGKILL cannot be caught: the canary is still routed, and the saved state says so.
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: { [CANDIDATE]: 0.1 } });
    expect(JSON.parse(killed.state.rollout ?? '{}')).toMatchObject({ phase: 'shifting', candidateVersion: CANDIDATE, stableVersion: STABLE });
    expect(killed.state.target).toBeDefined();

    const post = await within('the post step', runBundle({ entry: 'post', cwd: dir, state: killed.state, env: awsEnv(), onSpawn: (c) => children.push(c) }), () => '');
    expect({ code: post.code, stderr: post.stderr }).toEqual({ code: 0, stderr: '' });
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
    expect(post.stdout).toMatch(/rolled back/);
    expect(sim.requestLog.filter((e) => e.operation === 'UpdateAlias').at(-1)).toMatchObject({ status: 200, body: { RoutingConfig: { AdditionalVersionWeights: {} } } });
  });

  it('GitHub: main step with a deployment SIGKILLed mid-bake → the post step rolls back, then marks the deployment failure', async () => {
    const token = 'ghs_safety_token';
    const github = await startFakeGitHub({ owner: 'acme-ml', repo: 'churn-model-api', token });
    try {
      sim.startTraffic({ functionName: FN, alias: ALIAS, requestsPerMinute: 600, seed: 6 });
      const config = writeConfig(MID_BAKE_CONFIG);
      const env = { ...awsEnv(), GITHUB_API_URL: github.baseUrl, GITHUB_SERVER_URL: 'https://github.com', GITHUB_RUN_ID: '77' };
      const inputs = { config, environment: 'production', 'github-token': token };
      let main: ChildProcess | undefined;
      const mainRun = runBundle({ entry: 'main', cwd: dir, inputs, eventName: 'push', event: PUSH_EVENT, env, onSpawn: (c) => children.push((main = c)) });
      const output = () => 'main step output is available once it exits';

      await waitFor('weight on the new version and the deployment in progress', () => canaryRouted() && github.deployments[0]?.statuses.at(-1)?.state === 'in_progress', output);
      main!.kill('SIGKILL');
      const killed = await within('the killed main step to close', mainRun, output);
      const deployment = github.deployments[0]!;
      expect(JSON.parse(killed.state.deployment ?? '{}')).toEqual({ id: deployment.id, environment: 'production', version: CANDIDATE });

      const post = await within('the post step', runBundle({ entry: 'post', cwd: dir, state: killed.state, inputs: { 'github-token': token }, env, onSpawn: (c) => children.push(c) }), () => '');
      expect({ code: post.code, stderr: post.stderr }).toEqual({ code: 0, stderr: '' });
      // First the alias, then the record of what happened to it.
      expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
      expect(github.statesOf(deployment.id)).toEqual(['in_progress', 'failure']);
      expect(deployment.statuses.at(-1)).toMatchObject({
        description: `The job stopped before the rollout finished; lambda:${FN}:${ALIAS} serves version ${STABLE}.`,
        log_url: 'https://github.com/acme-ml/churn-model-api/actions/runs/77',
      });
      expect(post.state.deployment).toBe('');
      expect(post.stdout).not.toContain(token);
    } finally {
      await github.close();
    }
  });

  it('GitHub: the post step after a main step that finished by itself does nothing (no write)', async () => {
    // No traffic: the run is inconclusive after 1 s + 500 ms and rolls itself back.
    const config = writeConfig(QUICK_CONFIG);
    const main: BundleRun = await within(
      'the main step to finish',
      runBundle({ entry: 'main', cwd: dir, inputs: { config }, eventName: 'push', event: PUSH_EVENT, env: awsEnv(), onSpawn: (c) => children.push(c) }),
      () => '',
    );
    expect({ code: main.code, outcome: main.outputs.outcome }).toEqual({ code: 1, outcome: 'rolled-back' });
    expect(JSON.parse(main.state.rollout ?? '{}')).toMatchObject({ phase: 'done' });
    const after = sim.getAliasState(FN, ALIAS);
    expect(after).toMatchObject({ version: STABLE, weights: {} });
    const requestsBefore = sim.requestLog.length;

    const post = await within('the post step', runBundle({ entry: 'post', cwd: dir, state: main.state, env: awsEnv(), onSpawn: (c) => children.push(c) }), () => '');
    expect(post.code).toBe(0);
    expect(post.stdout).toMatch(/nothing to restore/);
    // Not a single AWS request, let alone a write: the saved state alone says nothing is unfinished.
    expect(sim.requestLog.slice(requestsBefore)).toEqual([]);
    expect(sim.getAliasState(FN, ALIAS)).toEqual(after);
  });

  it('cli release SIGKILLed mid-bake → cli recover rolls the alias back', async () => {
    sim.startTraffic({ functionName: FN, alias: ALIAS, requestsPerMinute: 600, seed: 5 });
    const config = writeConfig(MID_BAKE_CONFIG);
    const stateFile = join(dir, 'state.json');
    const run = spawnCli(['release', '-m', COMMIT, '--config', config, '--state-file', stateFile]);
    await waitFor('weight on the new version', canaryRouted, run.output);
    run.child.kill('SIGKILL');
    await within('the killed release to close', run.exited, run.output);
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ weights: { [CANDIDATE]: 0.1 } });

    const recover = spawnCli(['recover', '--state-file', stateFile]);
    const exit = await within('recover to finish', recover.exited, recover.output);
    expect(exit.code).toBe(0);
    expect(exit.stderr).toMatch(/Unfinished rollout rolled back/);
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, string>;
    expect(JSON.parse(state.rollout ?? '{}')).toMatchObject({ phase: 'done' });
  });

  it('cli recover leaves the alias alone when someone else has changed it since', async () => {
    sim.startTraffic({ functionName: FN, alias: ALIAS, requestsPerMinute: 600, seed: 6 });
    const config = writeConfig(MID_BAKE_CONFIG);
    const stateFile = join(dir, 'state.json');
    const run = spawnCli(['release', '-m', COMMIT, '--config', config, '--state-file', stateFile]);
    await waitFor('weight on the new version', canaryRouted, run.output);
    run.child.kill('SIGKILL');
    await within('the killed release to close', run.exited, run.output);

    // An operator promotes the candidate by hand before anyone runs recover.
    const operator = new LambdaClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    try {
      await operator.send(
        new UpdateAliasCommand({ FunctionName: FN, Name: ALIAS, FunctionVersion: CANDIDATE, RoutingConfig: { AdditionalVersionWeights: {} }, RevisionId: sim.getAliasState(FN, ALIAS).revisionId }),
      );
    } finally {
      operator.destroy();
    }
    const theirs = sim.getAliasState(FN, ALIAS);
    expect(theirs).toMatchObject({ version: CANDIDATE, weights: {} });
    const writesBefore = updateAliasCount();

    const recover = spawnCli(['recover', '--state-file', stateFile]);
    const exit = await within('recover to finish', recover.exited, recover.output);
    expect(exit.code).toBe(0);
    expect(exit.stderr).toMatch(/no longer routes traffic to version 4 .*left alone/);
    expect(updateAliasCount()).toBe(writesBefore);
    expect(sim.getAliasState(FN, ALIAS)).toEqual(theirs);
  });
});
