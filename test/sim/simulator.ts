import type { VersionBehaviour } from './behaviour.js';
import type { SimulatorClock } from './clock.js';
import { CloudWatchApi } from './cloudwatch-api.js';
import { FaultInjector } from './faults.js';
import { LambdaApi } from './lambda-api.js';
import { codeShaOf, LambdaModel, type AliasState } from './lambda-model.js';
import { MetricStore } from './metrics.js';
import { SeededRandom } from './random.js';
import { BehaviourBook, FunctionRuntime } from './runtime.js';
import { Scenarios, type ScenarioTarget } from './scenarios.js';
import { SimulatorServer, type RequestLogEntry } from './server.js';
import { TrafficGenerator, type TrafficSpec } from './traffic.js';

export type { AliasState } from './lambda-model.js';
export type { RequestLogEntry } from './server.js';

export interface SimulatorOptions {
  clock: SimulatorClock;
  /** 0 (default) picks a free port. */
  port?: number;
  /** CloudWatch publication delay: a minute's datapoints appear this long after it ends. Default 60 s. */
  metricDelayMs?: number;
  /** Seeds the outcome of Invoke API calls (traffic generators have their own seeds). */
  seed?: number;
  /**
   * `instant` (default): Invoke answers at once and reports the drawn duration in its body.
   * `real`: Invoke holds its answer for the drawn duration in real time, so a client measuring
   * latency (the pre-traffic test) sees each version's latency profile.
   */
  invokeLatency?: 'instant' | 'real';
}

/** A function to create before the test, with versions 1..n already published. */
export interface FunctionSpec {
  name: string;
  versions?: number;
  aliases?: Array<{ name: string; version: string; weights?: Record<string, number> }>;
  /** $LATEST's CodeSha256; by default equal to the newest version's, so publishing is a no-op. */
  latestCodeSha?: string;
  /** `Image` functions take ImageUri code only; default `Zip`. */
  packageType?: 'Zip' | 'Image';
}

/** Something the simulator did on its own: a concurrent alias change or code deployment it injected. */
export interface InjectedEvent {
  atMs: number;
  kind: 'concurrentAliasChange' | 'concurrentCodeChange';
  detail: string;
}

/** Operations that change state; a dry run must send none of them. */
const WRITE_OPERATIONS = new Set(['PublishVersion', 'CreateAlias', 'UpdateAlias', 'DeleteAlias', 'UpdateFunctionCode', 'UpdateFunctionConfiguration', 'TagResource']);

/**
 * A local AWS for tests: Lambda and CloudWatch over HTTP for the real SDK clients, with state
 * set up directly, traffic generated in the clock's time and faults injected on demand.
 */
export class Simulator {
  /** Every API request received, in order (traffic generator invocations are not API requests). */
  readonly requestLog: RequestLogEntry[] = [];
  readonly injectedEvents: InjectedEvent[] = [];
  readonly scenarios: Scenarios;
  private readonly model: LambdaModel;
  private readonly metrics: MetricStore;
  private readonly behaviours = new BehaviourBook();
  private readonly faults = new FaultInjector();
  private readonly runtime: FunctionRuntime;
  private readonly server: SimulatorServer;
  private readonly generators: Array<{ generator: TrafficGenerator; target: ScenarioTarget }> = [];
  private url = '';

  constructor(private readonly options: SimulatorOptions) {
    const clock = options.clock;
    const now = () => clock.now();
    this.model = new LambdaModel(now);
    this.metrics = new MetricStore(options.metricDelayMs ?? 60_000);
    this.runtime = new FunctionRuntime(this.model, this.metrics, this.behaviours);
    const lambda = new LambdaApi({
      model: this.model,
      runtime: this.runtime,
      faults: this.faults,
      random: new SeededRandom(options.seed ?? 42),
      now,
      realInvokeLatency: options.invokeLatency === 'real',
      onInjectedChange: (kind, detail) => this.injectedEvents.push({ atMs: now(), kind, detail }),
    });
    const cloudWatch = new CloudWatchApi(this.metrics, now);
    this.server = new SimulatorServer(
      (req) => {
        const cw = cloudWatch.route(req);
        if (cw) return { service: 'cloudwatch', route: cw };
        const fn = lambda.route(req);
        return fn ? { service: 'lambda', route: fn } : undefined;
      },
      (service, operation) => this.faults.failureFor(service, operation),
      now,
      this.requestLog,
      (operation) => this.faults.lostReplyFor(operation),
    );
    this.scenarios = new Scenarios({
      model: this.model,
      behaviours: this.behaviours,
      faults: this.faults,
      metrics: this.metrics,
      traffic: () => this.generators,
      aliases: () => this.model.listFunctions().flatMap((fn) => [...fn.aliases.keys()].map((alias) => ({ functionName: fn.name, alias }))),
    });
  }

  /** `http://127.0.0.1:PORT`: pass as `endpoint` to the SDK clients or as AWS_ENDPOINT_URL. */
  get endpoint(): string {
    return this.url;
  }

  /** @internal Used by startSimulator. */
  async listen(): Promise<void> {
    this.url = await this.server.listen(this.options.port ?? 0);
  }

  async close(): Promise<void> {
    this.stopTraffic();
    await this.server.close();
  }

  createFunction(spec: FunctionSpec): void {
    this.model.createFunction(spec);
    for (const alias of spec.aliases ?? []) {
      this.model.createAlias(spec.name, alias.name, { version: alias.version, ...(alias.weights ? { weights: alias.weights } : {}) });
    }
  }

  /** Stores an object UpdateFunctionCode can take with S3Bucket/S3Key (and S3ObjectVersion when `versionId` is given). */
  putS3Object(bucket: string, key: string, bytes: Buffer, versionId?: string): void {
    this.model.putS3Object(bucket, key, bytes, versionId);
  }

  /** $LATEST as Lambda would report it now: CodeSha256, configuration and LastUpdateStatus. */
  getLatest(functionName: string): { codeSha256: string; revisionId: string; memoryMb: number; timeoutSeconds: number; environment: Record<string, string>; lastUpdateStatus: string } {
    const latest = this.model.latest(this.model.getFunction(functionName));
    return { codeSha256: latest.codeSha256, revisionId: latest.revisionId, ...latest.config, lastUpdateStatus: latest.update.status };
  }

  /** CodeSha256 of a published version. */
  versionCodeSha(functionName: string, version: string): string {
    const fn = this.model.getFunction(functionName);
    return this.model.getVersion(fn, version).codeSha256;
  }

  /** The function's tags (TagResource writes them). */
  getTags(functionName: string): Record<string, string> {
    return this.model.listTags(functionName);
  }

  /** Deploys new code to $LATEST, so the next PublishVersion creates a version. */
  setLatestCode(functionName: string, codeSha256: string): void {
    this.model.setLatestCode(functionName, codeSha256);
  }

  /**
   * Publishes a version directly (not an API request: absent from requestLog), e.g. the versions
   * earlier releases left behind with their `model-release-gate sha=… tag=…` descriptions.
   */
  publishVersion(functionName: string, description: string): string {
    const fn = this.model.getFunction(functionName);
    this.model.setLatestCode(functionName, codeShaOf(`${functionName}:published-${fn.versions.length + 1}`));
    return this.model.publishVersion(functionName, { description }).version.version;
  }

  /** Sets an alias directly (not an API request), as a console user or an earlier run left it. */
  setAlias(functionName: string, alias: string, routing: { version: string; weights?: Record<string, number> }): AliasState {
    this.model.updateAlias(functionName, alias, { version: routing.version, weights: routing.weights ?? {} });
    return this.getAliasState(functionName, alias);
  }

  getAliasState(functionName: string, alias: string): AliasState {
    const record = this.model.getAlias(functionName, alias);
    return { version: record.version, weights: { ...record.weights }, revisionId: record.revisionId, ...(record.description ? { description: record.description } : {}) };
  }

  /** Published version numbers of a function, oldest first. */
  listVersions(functionName: string): string[] {
    return this.model.getFunction(functionName).versions.map((v) => v.version);
  }

  setVersionBehaviour(functionName: string, version: string, behaviour: VersionBehaviour): void {
    this.behaviours.set(functionName, version, behaviour);
  }

  /** Starts invoking an alias continuously; the generator's `tally` counts what was sent. */
  startTraffic(spec: TrafficSpec): TrafficGenerator {
    const generator = new TrafficGenerator(this.runtime, this.options.clock, spec);
    generator.start();
    this.generators.push({ generator, target: { functionName: spec.functionName, alias: spec.alias } });
    return generator;
  }

  stopTraffic(): void {
    for (const { generator } of this.generators) generator.stop();
    this.generators.length = 0;
  }

  /** The requests that changed state (PublishVersion, CreateAlias, UpdateAlias, ...), failed ones included. */
  writes(): RequestLogEntry[] {
    return this.requestLog.filter((entry) => WRITE_OPERATIONS.has(entry.operation));
  }
}

/** Starts a simulator listening on 127.0.0.1. */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const simulator = new Simulator(options);
  await simulator.listen();
  return simulator;
}
