/**
 * Runs a `release` through the real pipeline, the real Lambda target and the real SDK clients
 * against the AWS simulator, on a clock shared with it. The product reaches the simulator
 * only through AWS_ENDPOINT_URL (call `pointSdkAt` first). Shared by the in-process
 * integration tests and bench/rollout.
 */
import { defaultTargetFactory } from '../../src/app.js';
import { parseConfigText } from '../../src/config/load.js';
import type { GateConfig } from '../../src/config/types.js';
import type { Clock } from '../../src/core/clock.js';
import { MemoryStateStore, type StateStore } from '../../src/core/state.js';
import { runPipeline, type PipelineDeps } from '../../src/pipeline.js';
import type { ReleaseRecords } from '../../src/release/records.js';
import type { Report } from '../../src/report/result.js';
import { messagesToCommits } from '../../src/trigger/sources/messages.js';
import type { CommitInput } from '../../src/trigger/types.js';
import { VirtualClock, startSimulator, type RequestLogEntry, type Simulator, type SimulatorOptions } from '../sim/index.js';

/** The loosely written header teams use; it must release like `feat(api): …`. */
export const RELEASE_COMMIT = 'Feat (Api): score churn with the gradient-boosted model';

/** Environment of a job with credentials and a region, pointed at `endpoint`. */
export function pointSdkAt(endpoint: string, env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_ENDPOINT_URL = endpoint;
  env.AWS_ACCESS_KEY_ID = 'test';
  env.AWS_SECRET_ACCESS_KEY = 'test';
  env.AWS_REGION = 'us-east-1';
}

/** Parses a config file's text, throwing on errors (a test's config must be valid). */
export function loadTestConfig(text: string): GateConfig {
  const loaded = parseConfigText(text, 'model-release.yml');
  if (!loaded.ok) throw new Error(`test config is invalid: ${JSON.stringify(loaded.errors)}`);
  return loaded.config;
}

/**
 * `release` of one in-scope commit (a minor bump) with `configText`, as the CLI or the action
 * would run it; `records` builds the release records from the loaded config, as the GitHub
 * platform does.
 */
export async function releaseWith(
  configText: string,
  deps: {
    clock: Clock;
    log?: (line: string) => void;
    sha?: string;
    tag?: string;
    /** The commits the trigger reads; default one in-scope commit without a SHA (RELEASE_COMMIT). */
    commits?: CommitInput[];
    records?: (config: GateConfig) => ReleaseRecords;
    /** Default: the product's own Lambda target over SDK clients built from the environment. */
    createTarget?: PipelineDeps['createTarget'];
    state?: StateStore;
    /** Directory the config's paths (target.code.zip, data files) are relative to; default the process's. */
    workspace?: string;
    /** Cancels the run, as SIGTERM does in the entry points. */
    signal?: AbortSignal;
  },
): Promise<Report> {
  const config = loadTestConfig(configText);
  return runPipeline(
    {
      command: 'release',
      config,
      commits: { commits: deps.commits ?? messagesToCommits([RELEASE_COMMIT]), source: 'test', warnings: [] },
      force: false,
      sha: deps.sha ?? 'abc123',
      ...(deps.tag !== undefined ? { tag: deps.tag } : {}),
    },
    {
      clock: deps.clock,
      state: deps.state ?? new MemoryStateStore(),
      log: deps.log ?? (() => undefined),
      createTarget: deps.createTarget ?? defaultTargetFactory(process.env, deps.log, deps.clock),
      ...(deps.records ? { records: deps.records(config) } : {}),
      ...(deps.workspace !== undefined ? { workspace: deps.workspace } : {}),
      ...(deps.signal !== undefined ? { signal: deps.signal } : {}),
    },
  );
}

export interface UpdateAliasBody {
  FunctionVersion?: string;
  RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> };
  Description?: string;
  RevisionId?: string;
}

export type UpdateAliasEntry = RequestLogEntry & { body: UpdateAliasBody };

/** The UpdateAlias requests the simulator received, optionally only those answered `status`. */
export function updateAliasCalls(sim: Simulator, status?: number): UpdateAliasEntry[] {
  return sim.requestLog.filter(
    (e): e is UpdateAliasEntry => e.operation === 'UpdateAlias' && (status === undefined || e.status === status),
  );
}

/** What each accepted UpdateAlias asked for: `{ version?, weights }`, in order. */
export function writtenRouting(sim: Simulator): Array<{ version?: string; weights: Record<string, number> }> {
  return updateAliasCalls(sim, 200).map((e) => ({
    ...(e.body.FunctionVersion !== undefined ? { version: e.body.FunctionVersion } : {}),
    weights: e.body.RoutingConfig?.AdditionalVersionWeights ?? {},
  }));
}

/** The accepted rollback write (weights {}, primary unchanged) that came last, if any. */
export function lastRollbackWrite(sim: Simulator): UpdateAliasEntry | undefined {
  return updateAliasCalls(sim, 200)
    .filter((e) => e.body.FunctionVersion === undefined && Object.keys(e.body.RoutingConfig?.AdditionalVersionWeights ?? {}).length === 0)
    .at(-1);
}

/**
 * Config for real-time runs of the bundle or of gitlab-ci-local against a RealClock simulator:
 * one 1 s step at 50 %, then the shortest settling the loop allows (one metric period), so a
 * promotion takes about a minute. `extra` (YAML) is appended, e.g. a `release:` section.
 */
export function fastRolloutConfig(functionName: string, extra = ''): string {
  return `target:
  function-name: ${functionName}
  alias: prod
  region: us-east-1
rollout:
  strategy: steps
  steps:
    - { percent: 50, duration: 1s }
  poll: 500ms
  max-extension: 500ms
  final-bake: 500ms
  metric-delay: 0s
  min-invocations: 0
  on-inconclusive: promote
${extra}`;
}

/**
 * A fresh simulator for every test of the enclosing `describe`, on a VirtualClock starting at
 * `startMs` (the product and the simulator share it), with the SDK pointed at it and the
 * environment restored afterwards. `restart()` gives a test a second, fresh run of its own.
 */
export function simulatorPerTest(
  startMs: number,
  metricDelayMs = 60_000,
  options: Omit<SimulatorOptions, 'clock' | 'metricDelayMs'> = {},
): { readonly sim: Simulator; readonly clock: VirtualClock; restart(): Promise<void> } {
  let sim: Simulator | undefined;
  let clock: VirtualClock | undefined;
  const savedEnv = { ...process.env };
  const start = async () => {
    clock = new VirtualClock(startMs);
    sim = await startSimulator({ clock, metricDelayMs, ...options });
    pointSdkAt(sim.endpoint);
  };
  beforeEach(start);
  afterEach(async () => {
    await sim?.close();
    process.env = { ...savedEnv };
  });
  return {
    get sim() {
      if (!sim) throw new Error('simulatorPerTest: the simulator exists only inside a test');
      return sim;
    },
    get clock() {
      if (!clock) throw new Error('simulatorPerTest: the clock exists only inside a test');
      return clock;
    },
    async restart() {
      await sim?.close();
      await start();
    },
  };
}

/**
 * The `target:` section of a SageMaker release in the integration tests: endpoint `endpoint`,
 * a candidate model created from an image, model data and an execution role (docs/sagemaker.md).
 */
export function sageMakerTargetYaml(endpoint: string): string {
  return `target:
  type: sagemaker
  endpoint-name: ${endpoint}
  region: us-east-1
  model:
    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-inference:1.4.0
    model-data: s3://churn-models/1.4.0/model.tar.gz
    execution-role: arn:aws:iam::123456789012:role/churn-sagemaker-execution
`;
}
