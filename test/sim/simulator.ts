import { AlarmBook, type AlarmSpec } from './alarms.js';
import { AthenaApi } from './athena-api.js';
import { AthenaModel, AthenaQueryFailure, DEFAULT_ATHENA_TIMINGS, type AthenaExecutor, type AthenaQueryView, type AthenaTimings, type AthenaWorkgroupSpec } from './athena-model.js';
import type { VersionBehaviour } from './behaviour.js';
import type { SimulatorClock } from './clock.js';
import { CloudWatchApi } from './cloudwatch-api.js';
import { EndpointRuntime, ModelBehaviours } from './endpoint-runtime.js';
import { FaultInjector } from './faults.js';
import { LambdaApi } from './lambda-api.js';
import { ACCOUNT_ID, codeShaOf, LambdaModel, REGION, type AliasState } from './lambda-model.js';
import { MetricStore } from './metrics.js';
import { SeededRandom } from './random.js';
import { BehaviourBook, CustomMetrics, FunctionRuntime, type CustomMetricSpec } from './runtime.js';
import { SageMakerApi } from './sagemaker-api.js';
import { DEFAULT_TIMINGS, SageMakerModel, sageMakerArn, type EndpointTimings, type LiveVariant, type VariantConfig } from './sagemaker-model.js';
import { ModelRegistry, ModelRegistryApi, modelPackageGroupArn, modelPackageState, type ModelPackageSpec, type ModelPackageState } from './sagemaker-registry.js';
import { SageMakerRuntimeApi } from './sagemaker-runtime-api.js';
import { Scenarios, type RunningTraffic } from './scenarios.js';
import { SimulatorServer, type RequestLogEntry } from './server.js';
import { TrafficGenerator, type EndpointTrafficSpec, type TrafficSpec } from './traffic.js';

export type { AliasState } from './lambda-model.js';
export type { RequestLogEntry } from './server.js';
export type { ModelPackageSpec, ModelPackageState, ModelApprovalStatus } from './sagemaker-registry.js';

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
  /** How long SageMaker endpoint changes take in clock time (defaults in EndpointTimings). */
  sagemaker?: Partial<EndpointTimings>;
  /**
   * Athena: what runs the submitted SQL (a Trino server, athena-trino.ts, or a function in unit
   * tests; by default every query fails saying there is none) and the least time a query spends
   * QUEUED and RUNNING in clock time (DEFAULT_ATHENA_TIMINGS).
   */
  athena?: Partial<AthenaTimings> & { executor?: AthenaExecutor };
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

/** A variant of a SageMaker endpoint set up directly (`sim.createEndpoint`). */
export interface EndpointVariantSpec {
  variantName: string;
  modelName: string;
  /** InitialVariantWeight; default 1. */
  weight?: number;
  /** Default 1. */
  instanceCount?: number;
  /** Default `ml.m5.large`. */
  instanceType?: string;
}

/** A SageMaker endpoint to create before the test, InService at once. */
export interface EndpointSpec {
  name: string;
  /** Default `<name>-config`. */
  configName?: string;
  variants: EndpointVariantSpec[];
  /** At most one, with exactly one production variant (SageMaker's shadow testing). */
  shadowVariants?: EndpointVariantSpec[];
}

/** A variant of an endpoint as tests read it back: current weight and instance count, and the weight an update goes to. */
export interface EndpointVariantState {
  variantName: string;
  modelName: string;
  weight: number;
  desiredWeight: number;
  instanceCount: number;
}

/** A SageMaker endpoint as DescribeEndpoint would report it now. */
export interface EndpointState {
  status: string;
  configName: string;
  failureReason?: string;
  variants: EndpointVariantState[];
  shadowVariants: EndpointVariantState[];
  /** The config an UpdateEndpoint in progress is deploying. */
  pendingConfigName?: string;
}

/** A variant of an endpoint config as tests read it back (no instance type or count for a serverless variant). */
export interface EndpointConfigVariant {
  variantName: string;
  modelName: string;
  weight: number;
  instanceCount?: number;
  instanceType?: string;
}

/** Something the simulator did on its own: a concurrent alias, code or endpoint change it injected. */
export interface InjectedEvent {
  atMs: number;
  kind: 'concurrentAliasChange' | 'concurrentCodeChange' | 'concurrentEndpointChange';
  detail: string;
}

/** Operations that change state; a dry run must send none of them. */
const WRITE_OPERATIONS = new Set([
  'PublishVersion',
  'CreateAlias',
  'UpdateAlias',
  'DeleteAlias',
  'UpdateFunctionCode',
  'UpdateFunctionConfiguration',
  'TagResource',
  'CreateModel',
  'DeleteModel',
  'CreateEndpointConfig',
  'DeleteEndpointConfig',
  'CreateEndpoint',
  'UpdateEndpoint',
  'UpdateEndpointWeightsAndCapacities',
  'AddTags',
  'DeleteTags',
  'CreateModelPackageGroup',
  'CreateModelPackage',
  'UpdateModelPackage',
]);

function variantState(v: LiveVariant): EndpointVariantState {
  return { variantName: v.variantName, modelName: v.modelName, weight: v.weight, desiredWeight: v.desiredWeight, instanceCount: v.instanceCount };
}

function configVariant(v: VariantConfig): EndpointConfigVariant {
  return {
    variantName: v.variantName,
    modelName: v.modelName,
    weight: v.initialWeight,
    ...(v.instanceCount !== undefined ? { instanceCount: v.instanceCount } : {}),
    ...(v.instanceType !== undefined ? { instanceType: v.instanceType } : {}),
  };
}

/** The ProductionVariant CreateEndpointConfig would receive for a variant set up directly. */
function productionVariant(v: EndpointVariantSpec): Record<string, unknown> {
  return { VariantName: v.variantName, ModelName: v.modelName, InitialInstanceCount: v.instanceCount ?? 1, InstanceType: v.instanceType ?? 'ml.m5.large', InitialVariantWeight: v.weight ?? 1 };
}

/**
 * A local AWS for tests: Lambda, SageMaker (control plane and runtime) and CloudWatch over HTTP
 * for the real SDK clients, with state set up directly, traffic generated in the clock's time
 * and faults injected on demand.
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
  private readonly sagemaker: SageMakerModel;
  private readonly registry: ModelRegistry;
  private readonly modelBehaviours = new ModelBehaviours();
  private readonly customMetrics = new CustomMetrics();
  private readonly endpointRuntime: EndpointRuntime;
  private readonly server: SimulatorServer;
  private readonly generators: RunningTraffic[] = [];
  private readonly alarms: AlarmBook;
  private readonly athena: AthenaModel;
  private url = '';

  constructor(private readonly options: SimulatorOptions) {
    const clock = options.clock;
    const now = () => clock.now();
    this.model = new LambdaModel(now);
    this.metrics = new MetricStore(options.metricDelayMs ?? 60_000);
    this.runtime = new FunctionRuntime(this.model, this.metrics, this.behaviours, this.customMetrics);
    const lambda = new LambdaApi({
      model: this.model,
      runtime: this.runtime,
      faults: this.faults,
      random: new SeededRandom(options.seed ?? 42),
      now,
      realInvokeLatency: options.invokeLatency === 'real',
      onInjectedChange: (kind, detail) => this.injectedEvents.push({ atMs: now(), kind, detail }),
    });
    this.alarms = new AlarmBook(now);
    const cloudWatch = new CloudWatchApi(this.metrics, now, this.alarms);
    this.sagemaker = new SageMakerModel(now, { ...DEFAULT_TIMINGS, ...options.sagemaker });
    this.endpointRuntime = new EndpointRuntime(this.sagemaker, this.metrics, this.modelBehaviours, this.customMetrics);
    this.registry = new ModelRegistry(now);
    const sagemaker = new SageMakerApi({
      model: this.sagemaker,
      faults: this.faults,
      registry: new ModelRegistryApi(this.registry),
      now,
      onInjectedChange: (kind, detail) => this.injectedEvents.push({ atMs: now(), kind, detail }),
    });
    const sagemakerRuntime = new SageMakerRuntimeApi({
      runtime: this.endpointRuntime,
      // Its own stream, so SageMaker invocations do not shift the outcomes of Lambda Invoke calls.
      random: new SeededRandom((options.seed ?? 42) + 1),
      now,
      realInvokeLatency: options.invokeLatency === 'real',
    });
    const { executor, ...athenaTimings } = options.athena ?? {};
    this.athena = new AthenaModel(now, { ...DEFAULT_ATHENA_TIMINGS, ...athenaTimings }, executor ?? noAthenaExecutor);
    const athena = new AthenaApi(this.athena);
    this.server = new SimulatorServer(
      (req) => {
        const aq = athena.route(req);
        if (aq) return { service: 'athena', route: aq };
        const cw = cloudWatch.route(req);
        if (cw) return { service: 'cloudwatch', route: cw };
        const sm = sagemaker.route(req);
        if (sm) return { service: 'sagemaker', route: sm };
        const smr = sagemakerRuntime.route(req);
        if (smr) return { service: 'sagemaker-runtime', route: smr };
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
      sagemaker: this.sagemaker,
      modelBehaviours: this.modelBehaviours,
      faults: this.faults,
      metrics: this.metrics,
      alarms: this.alarms,
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

  /**
   * The function's (or model's) code publishes `spec.metric` at each invocation that runs, as an
   * Embedded Metric Format line would (traffic and Invoke/InvokeEndpoint alike); Lambda's and
   * SageMaker's own metrics are unchanged. E.g. a `ProxyErrors` of 1 when the proxy body says 5xx.
   */
  emitMetrics(spec: CustomMetricSpec): void {
    this.customMetrics.add(spec);
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

  /** Starts invoking an alias continuously; the generator's `tally` counts what was sent per executed version. */
  startTraffic(spec: TrafficSpec): TrafficGenerator {
    const generator = new TrafficGenerator(
      (atMs, random) => {
        const { executedVersion, outcome } = this.runtime.invoke(spec.functionName, spec.alias, atMs, random);
        return { servedBy: executedVersion, outcome: outcome.kind };
      },
      this.options.clock,
      spec,
    );
    generator.start();
    this.generators.push({ generator, target: { functionName: spec.functionName, alias: spec.alias } });
    return generator;
  }

  /**
   * Starts invoking a SageMaker endpoint continuously, routed by its variants' weights at each
   * arrival; the generator's `tally` counts what was sent per production variant (`byVersion`).
   */
  startEndpointTraffic(spec: EndpointTrafficSpec): TrafficGenerator {
    const generator = new TrafficGenerator(
      (atMs, random) => {
        const { variantName, outcome } = this.endpointRuntime.invoke(spec.endpointName, undefined, atMs, random);
        return { servedBy: variantName, outcome: outcome.kind === 'clientError' ? 'error' : outcome.kind };
      },
      this.options.clock,
      spec,
    );
    generator.start();
    this.generators.push({ generator, endpointName: spec.endpointName });
    return generator;
  }

  stopTraffic(): void {
    for (const { generator } of this.generators) generator.stop();
    this.generators.length = 0;
  }

  /** Creates a SageMaker model directly (not an API request: absent from requestLog). */
  createSageMakerModel(spec: { name: string; image?: string; modelData?: string; role?: string }): void {
    this.sagemaker.createModel({
      name: spec.name,
      primaryContainer: {
        Image: spec.image ?? `${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/${spec.name}:latest`,
        ...(spec.modelData !== undefined ? { ModelDataUrl: spec.modelData } : {}),
      },
      executionRoleArn: spec.role ?? `arn:aws:iam::${ACCOUNT_ID}:role/sagemaker-execution`,
    });
  }

  /**
   * Creates an endpoint directly, InService at once: its models (when missing) and its config
   * first, as an earlier deployment left them. Not API requests.
   */
  createEndpoint(spec: EndpointSpec): void {
    const shadows = spec.shadowVariants ?? [];
    for (const v of [...spec.variants, ...shadows]) if (!this.sagemaker.findModel(v.modelName)) this.createSageMakerModel({ name: v.modelName });
    const configName = spec.configName ?? `${spec.name}-config`;
    this.sagemaker.createEndpointConfig({
      name: configName,
      productionVariants: spec.variants.map(productionVariant),
      ...(shadows.length > 0 ? { shadowVariants: shadows.map(productionVariant) } : {}),
    });
    this.sagemaker.createEndpoint(spec.name, configName, { immediate: true });
  }

  /** The endpoint as DescribeEndpoint would report it now. */
  getEndpointState(name: string): EndpointState {
    const endpoint = this.sagemaker.getEndpoint(name);
    const pending = endpoint.transition?.target?.configName;
    return {
      status: endpoint.status,
      configName: endpoint.configName,
      ...(endpoint.failureReason !== undefined ? { failureReason: endpoint.failureReason } : {}),
      variants: endpoint.variants.map(variantState),
      shadowVariants: endpoint.shadowVariants.map(variantState),
      ...(pending !== undefined ? { pendingConfigName: pending } : {}),
    };
  }

  /** An endpoint config's variants in the order given, or undefined when there is none of that name. */
  getEndpointConfig(name: string): { variants: EndpointConfigVariant[]; shadowVariants: EndpointConfigVariant[] } | undefined {
    const config = this.sagemaker.findEndpointConfig(name);
    return config && { variants: config.variants.map(configVariant), shadowVariants: config.shadowVariants.map(configVariant) };
  }

  /** Tags of a SageMaker resource, by ARN or by name (an endpoint, a model or an endpoint config). */
  getSageMakerTags(arnOrName: string): Record<string, string> {
    if (arnOrName.startsWith('arn:')) return Object.fromEntries(this.sagemaker.tagsOf(arnOrName));
    const arns = [
      this.sagemaker.findEndpoint(arnOrName) ? sageMakerArn('endpoint', arnOrName) : undefined,
      this.sagemaker.findModel(arnOrName) ? sageMakerArn('model', arnOrName) : undefined,
      this.sagemaker.findEndpointConfig(arnOrName) ? sageMakerArn('endpoint-config', arnOrName) : undefined,
    ].filter((arn) => arn !== undefined);
    if (arns.length !== 1) throw new Error(`getSageMakerTags: ${arns.length === 0 ? 'no' : 'more than one'} SageMaker resource named ${arnOrName}; pass an ARN`);
    return Object.fromEntries(this.sagemaker.tagsOf(arns[0]!));
  }

  /** SageMaker model names, oldest first. */
  listSageMakerModels(): string[] {
    return this.sagemaker.listModels().map((m) => m.name);
  }

  /** Creates a model package group directly (not an API request); returns its ARN. */
  createModelPackageGroup(spec: { name: string; description?: string }): string {
    return modelPackageGroupArn(this.registry.createGroup(spec).name);
  }

  /**
   * Registers the next version of a model package group directly (not an API request: absent from
   * requestLog), creating the group when missing, as a training pipeline leaves it.
   */
  createModelPackage(spec: ModelPackageSpec): { arn: string; version: number } {
    const record = this.registry.register(spec);
    return { arn: record.arn, version: record.version };
  }

  /** A model package by ARN or `<group>/<version>`: approval status and description, metadata, metrics. */
  getModelPackage(arnOrGroupAndVersion: string): ModelPackageState {
    const record = this.registry.findPackage(arnOrGroupAndVersion);
    if (!record) throw new Error(`getModelPackage: no model package ${arnOrGroupAndVersion}`);
    return modelPackageState(record);
  }

  /** A group's model packages, version 1 first. */
  listModelPackages(group: string): ModelPackageState[] {
    const record = this.registry.findGroup(group);
    if (!record) throw new Error(`listModelPackages: no model package group ${group}`);
    return record.packages.map(modelPackageState);
  }

  /** How a SageMaker model behaves on every endpoint that serves it. */
  setModelBehaviour(modelName: string, behaviour: VersionBehaviour): void {
    this.modelBehaviours.set(modelName, behaviour);
  }

  /**
   * Creates a CloudWatch alarm (metric by default, `type: 'composite'` for a composite one) in
   * `state`, or changes an existing one's state now. Not an API request: absent from requestLog.
   * Without `reason`, CloudWatch-like wording for the state.
   */
  setAlarm(spec: AlarmSpec): void {
    this.alarms.set(spec);
  }

  /** Creates an Athena workgroup (`primary` exists already), and the bucket of its output location. Not an API request. */
  createAthenaWorkgroup(spec: AthenaWorkgroupSpec): void {
    this.athena.createWorkgroup(spec);
  }

  /** Creates an S3 bucket an Athena OutputLocation may name (a location in any other bucket is refused). */
  createS3Bucket(name: string): void {
    this.athena.createBucket(name);
  }

  /** Replaces what runs the SQL of Athena queries started from now on. */
  setAthenaExecutor(executor: AthenaExecutor): void {
    this.athena.setExecutor(executor);
  }

  /** Every Athena query started, oldest first, in its state now. */
  athenaQueries(): AthenaQueryView[] {
    return this.athena.list();
  }

  /** The requests that changed state (PublishVersion, CreateAlias, UpdateAlias, ...), failed ones included. */
  writes(): RequestLogEntry[] {
    return this.requestLog.filter((entry) => WRITE_OPERATIONS.has(entry.operation));
  }
}

/** The default Athena executor: without one, a query fails as a system error that says so. */
const noAthenaExecutor: AthenaExecutor = () =>
  Promise.reject(new AthenaQueryFailure('GENERIC_INTERNAL_ERROR: the simulator has no SQL executor (SimulatorOptions.athena.executor)', 1, 401));

/** Starts a simulator listening on 127.0.0.1. */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const simulator = new Simulator(options);
  await simulator.listen();
  return simulator;
}
