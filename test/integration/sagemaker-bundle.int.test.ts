/**
 * The SageMaker target as a runner runs it: the committed bundles (dist/main.js + dist/post.js,
 * dist/cli.js) in child processes, pointed at the simulator in this process through
 * AWS_ENDPOINT_URL only, in real time (endpoint updates shortened to a fraction of a second).
 * The target is chosen by the action inputs `target-type` and `endpoint-name` over a config
 * that has only the model; SIGKILL mid-bake is undone by the post step, SIGTERM by the process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock, startSimulator, type Simulator } from '../sim/index.js';
import { repoRoot, runBundle } from '../support/run-bundle.js';

const ENDPOINT = 'churn-endpoint';
const STABLE_MODEL = 'churn-model-v1';
const COMMIT = 'Feat (Api): churn model on SageMaker';

/** One 20 % step of a minute: a signal a few seconds in lands mid-bake. */
const CONFIG = `
target:
  type: sagemaker
  endpoint-name: placeholder-overridden-by-the-input
  region: us-east-1
  model:
    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-inference:2.0.0
    execution-role: arn:aws:iam::123456789012:role/churn-sagemaker-execution
rollout:
  strategy: steps
  steps:
    - { percent: 20, duration: 1m }
  poll: 300ms
  final-bake: 1m
`;

const PUSH_EVENT = {
  ref: 'refs/heads/main',
  before: 'a'.repeat(40),
  after: 'b'.repeat(40),
  repository: { default_branch: 'main' },
  commits: [{ id: 'b'.repeat(40), message: COMMIT }],
};

describe('SageMaker target in the bundled entry points (child processes, real time)', () => {
  let sim: Simulator;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    sim = await startSimulator({ clock: new RealClock(), sagemaker: { endpointUpdateMs: 300, weightsUpdateMs: 200, instanceChangeMs: 200 } });
    sim.createEndpoint({ name: ENDPOINT, variants: [{ variantName: 'AllTraffic', modelName: STABLE_MODEL, instanceCount: 2, instanceType: 'ml.m5.large' }] });
    sim.startEndpointTraffic({ endpointName: ENDPOINT, requestsPerMinute: 600, seed: 9 });
    dir = mkdtempSync(join(tmpdir(), 'mrg-sagemaker-'));
    writeFileSync(join(dir, 'model-release.yml'), CONFIG);
  });

  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const awsEnv = (): Record<string, string> => ({ AWS_ENDPOINT_URL: sim.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' });
  const candidateServes = () => sim.getEndpointState(ENDPOINT).variants.some((v) => v.modelName !== STABLE_MODEL && v.weight > 0);
  const onlyStableServes = () => sim.getEndpointState(ENDPOINT).variants.filter((v) => v.weight > 0).map((v) => v.modelName);

  async function waitFor(what: string, predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(sim.getEndpointState(ENDPOINT))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('GitHub: the inputs select the endpoint; main SIGKILLed mid-bake → the post step rolls the endpoint back', async () => {
    let main: ChildProcess | undefined;
    const inputs = { config: 'model-release.yml', 'target-type': 'sagemaker', 'endpoint-name': ENDPOINT };
    const mainRun = runBundle({ entry: 'main', cwd: dir, inputs, eventName: 'push', event: PUSH_EVENT, env: awsEnv(), onSpawn: (c) => children.push((main = c)) });
    await waitFor('the candidate variant to serve traffic', candidateServes);
    main!.kill('SIGKILL');
    const killed = await mainRun;
    expect(killed.signal).toBe('SIGKILL');
    expect(candidateServes()).toBe(true);
    expect(JSON.parse(killed.state.target ?? '{}')).toMatchObject({ type: 'sagemaker', endpointName: ENDPOINT });

    const post = await runBundle({ entry: 'post', cwd: dir, state: killed.state, env: awsEnv(), onSpawn: (c) => children.push(c), timeoutMs: 60_000 });
    expect({ code: post.code, stderr: post.stderr }).toEqual({ code: 0, stderr: '' });
    expect(post.stdout).toMatch(/rolled back/);
    expect(onlyStableServes()).toEqual([STABLE_MODEL]);
  });

  it('cli release: SIGTERM mid-bake rolls the endpoint back before the process exits (code 1)', async () => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('GITHUB_') && k !== 'CI'));
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'dist', 'cli.js'), 'release', '-m', COMMIT, '--endpoint-name', ENDPOINT, '--state-file', join(dir, 'state.json')],
      { cwd: dir, env: { ...base, ...awsEnv(), NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await waitFor('the candidate variant to serve traffic', candidateServes);
    child.kill('SIGTERM');
    const code = await exited;
    expect({ code, output }).toEqual({ code: 1, output: expect.stringMatching(/rolled back/i) });
    expect(onlyStableServes()).toEqual([STABLE_MODEL]);
  });
});
