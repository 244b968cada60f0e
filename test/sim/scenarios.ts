import type { AlarmBook, AlarmChange } from './alarms.js';
import { HEALTHY, type LatencyProfile, type VersionBehaviour } from './behaviour.js';
import type { ModelBehaviours } from './endpoint-runtime.js';
import type { ConcurrentAliasChange, ConcurrentCodeChange, ConcurrentEndpointChange, FaultInjector, LostReplyFault, ThrottleFault } from './faults.js';
import type { LambdaModel } from './lambda-model.js';
import { LAMBDA_NAMESPACE, SAGEMAKER_NAMESPACE, type LambdaMetricName, type MetricStore, type SageMakerMetricName } from './metrics.js';
import type { BehaviourBook } from './runtime.js';
import type { SageMakerModel } from './sagemaker-model.js';
import type { TrafficGenerator } from './traffic.js';

/** The alias a scenario applies to. */
export interface ScenarioTarget {
  functionName: string;
  alias: string;
}

/** A running traffic generator and what it invokes: an alias or a SageMaker endpoint. */
export type RunningTraffic = { generator: TrafficGenerator; target: ScenarioTarget } | { generator: TrafficGenerator; endpointName: string };

/** What scenarios need from the simulator. */
export interface ScenarioContext {
  model: LambdaModel;
  behaviours: BehaviourBook;
  sagemaker: SageMakerModel;
  modelBehaviours: ModelBehaviours;
  faults: FaultInjector;
  metrics: MetricStore;
  alarms: AlarmBook;
  /** Running traffic generators, with what each one invokes. */
  traffic(): RunningTraffic[];
  /** Every function and its alias names, to pick the only alias when no target is given. */
  aliases(): ScenarioTarget[];
}

/** The SageMaker models a scenario applies to: `modelName` alone, or the canary models of an endpoint. */
export interface ModelTarget {
  /** Default: the only endpoint receiving traffic, else the only endpoint. */
  endpointName?: string;
  /** One model, on every endpoint serving it, instead of an endpoint's canary models. */
  modelName?: string;
}

/** How a failing endpoint update goes (failingEndpointUpdate / failingWeightsUpdate). */
export interface FailingUpdate {
  endpointName: string;
  /** FailureReason once back InService; a default naming the usual cause. */
  reason?: string;
  /** Which accepted update from now on fails; default 1. */
  nth?: number;
  /** No FailureReason at all. */
  clearReason?: boolean;
  /** How long the endpoint is RollingBack; default 30 s. */
  rollbackMs?: number;
}

/** Default FailureReason of a config update that rolls back (SageMaker's wording for a failed health check). */
const HEALTH_CHECK_FAILURE = 'The primary container for production variant did not pass the ping health check. Please check CloudWatch logs for this endpoint.';
/** Default FailureReason of a weights update that rolls back. */
const CAPACITY_FAILURE = 'Unable to provision requested ML compute capacity. Please retry using a different ML instance type.';
const ROLLBACK_MS = 30_000;

/**
 * Ready-made situations for rollout tests, composed from behaviours, faults and metric
 * publication settings. The canary is "every version other than the alias's current primary",
 * so a version the code under test publishes later is covered too.
 */
/** An error probability, fixed or as a function of the simulated time. */
export type ErrorRate = number | ((tMs: number) => number);

function rateAt(rate: ErrorRate, tMs: number): number {
  return typeof rate === 'function' ? rate(tMs) : rate;
}

export class Scenarios {
  constructor(private readonly ctx: ScenarioContext) {}

  /**
   * A CloudWatch alarm (created first with `sim.setAlarm`) changes to `state` at `atMs` of clock
   * time: DescribeAlarms reports the new state, its reason and timestamps from then on.
   */
  alarmAt(change: AlarmChange): void {
    this.ctx.alarms.schedule(change);
  }

  /** Every version and every SageMaker model healthy: no errors, ~80 ms p50 / 250 ms p99. */
  healthy(): void {
    this.ctx.behaviours.clear();
    this.ctx.modelBehaviours.clear();
  }

  /**
   * Canary versions fail with probability `rate` from `fromMs` (default: immediately). A rate
   * that is a function of the simulated time models a baseline that moves (an incident).
   */
  canaryErrors(options: { rate: ErrorRate; fromMs?: number; target?: ScenarioTarget }): void {
    const fromMs = options.fromMs ?? -Infinity;
    this.patchCandidates(options.target, {
      errorRate: (tMs) => (tMs >= fromMs ? rateAt(options.rate, tMs) : 0),
    });
  }

  /** Canary versions get a p99 of `p99` ms (and optionally a new median) from `fromMs`. */
  canaryLatency(options: { p99: number; p50?: number; fromMs?: number; target?: ScenarioTarget }): void {
    const fromMs = options.fromMs ?? -Infinity;
    const healthy = HEALTHY.latencyMs as LatencyProfile;
    const degraded: LatencyProfile = { p50: options.p50 ?? healthy.p50, p99: options.p99 };
    this.patchCandidates(options.target, { latencyMs: (tMs) => (tMs >= fromMs ? degraded : healthy) });
  }

  /** The alias's primary (stable) version fails with probability `rate`: a baseline that is already bad. */
  stableErrors(options: { rate: ErrorRate; fromMs?: number; target?: ScenarioTarget }): void {
    const target = this.resolveTarget(options.target);
    const stable = this.ctx.model.getAlias(target.functionName, target.alias).version;
    const fromMs = options.fromMs ?? -Infinity;
    this.ctx.behaviours.set(target.functionName, stable, {
      ...this.ctx.behaviours.get(target.functionName, stable),
      errorRate: (tMs) => (tMs >= fromMs ? rateAt(options.rate, tMs) : 0),
    });
  }

  /** No requests arrive any more: every running generator drops to 0 req/min. */
  zeroTraffic(): void {
    for (const { generator } of this.ctx.traffic()) generator.setRate(0);
  }

  /**
   * The next `count` calls of `operations` (default: every Lambda control-plane call) fail with
   * `status`; on SageMaker 429 is its 400 ThrottlingException, 500 InternalFailure, 503 ServiceUnavailable.
   */
  throttleControlPlane(fault: ThrottleFault): void {
    this.ctx.faults.throttle(fault);
  }

  /** Someone else updates the alias right after our n-th successful UpdateAlias, changing its RevisionId. */
  concurrentAliasChange(fault: ConcurrentAliasChange): void {
    this.ctx.faults.concurrentAliasChange(fault);
  }

  /** Someone else deploys code `codeSha256` to $LATEST right after our n-th successful `afterOperation` (e.g. GetFunction). */
  concurrentCodeChange(fault: ConcurrentCodeChange): void {
    this.ctx.faults.concurrentCodeChange(fault);
  }

  /**
   * How UpdateFunctionCode / UpdateFunctionConfiguration proceed from now on: InProgress for
   * `durationMs` of simulated time (default 0) then Successful; the next `failures.length`
   * updates end Failed with the given reason instead; `stuck` keeps every update InProgress.
   */
  functionUpdates(options: { durationMs?: number; fail?: { reason: string; reasonCode: string; count?: number }; stuck?: boolean }): void {
    const updates = this.ctx.model.updates;
    if (options.durationMs !== undefined) updates.durationMs = options.durationMs;
    if (options.stuck !== undefined) updates.stuck = options.stuck;
    const fail = options.fail;
    if (fail) for (let i = 0; i < (fail.count ?? 1); i++) updates.failures.push({ reason: fail.reason, reasonCode: fail.reasonCode });
  }

  /**
   * The `nth` successful call of `operations` (and `count - 1` more) is applied, then its reply
   * is lost: a 5xx, a reset connection, or a reply held past the client's timeout.
   */
  lostReply(fault: LostReplyFault): void {
    this.ctx.faults.lostReply(fault);
  }

  /** CloudWatch returns no datapoints for minutes overlapping [fromMs, toMs). */
  missingDatapoints(span: { fromMs: number; toMs: number }): void {
    this.ctx.metrics.addGap(span.fromMs, span.toMs);
  }

  /**
   * One series of a minute is published `extraMs` later than the others, for one version or all:
   * e.g. Errors after Invocations, so for a while a minute has calls but no error count. With
   * `namespace: 'AWS/SageMaker'`, for one variant (or all) of one endpoint (or all).
   */
  lateSeries(
    late:
      | { metric: LambdaMetricName; version?: string; extraMs: number }
      | { namespace: typeof SAGEMAKER_NAMESPACE; metric: SageMakerMetricName; endpointName?: string; variantName?: string; extraMs: number },
  ): void {
    if ('namespace' in late) {
      const dimensions = { ...(late.endpointName !== undefined ? { EndpointName: late.endpointName } : {}), ...(late.variantName !== undefined ? { VariantName: late.variantName } : {}) };
      this.ctx.metrics.addLateSeries({ namespace: SAGEMAKER_NAMESPACE, metric: late.metric, dimensions, extraMs: late.extraMs });
      return;
    }
    this.ctx.metrics.addLateSeries({ namespace: LAMBDA_NAMESPACE, metric: late.metric, dimensions: late.version !== undefined ? { ExecutedVersion: late.version } : {}, extraMs: late.extraMs });
  }

  /**
   * A custom metric (e.g. EMF, extracted from logs) published `extraMs` after the platform's own
   * metrics of the same minute, for every dimension value.
   */
  lateCustomMetric(late: { namespace: string; metric: string; extraMs: number }): void {
    this.ctx.metrics.addLateSeries({ namespace: late.namespace, metric: late.metric, dimensions: {}, extraMs: late.extraMs });
  }

  /** Datapoints for a minute appear `ms` after the minute ends. */
  metricDelayMs(ms: number): void {
    this.ctx.metrics.delayMs = ms;
  }

  /**
   * The `nth` (default first) UpdateEndpoint on the endpoint from now on is accepted and goes
   * Updating, then RollingBack for `rollbackMs` (default 30 s), then InService on the OLD config
   * with `reason` as FailureReason, or none with `clearReason`: the silent rollback.
   */
  failingEndpointUpdate(options: FailingUpdate): void {
    this.failUpdate('config', options, HEALTH_CHECK_FAILURE);
  }

  /** The same for the `nth` UpdateEndpointWeightsAndCapacities: the weights stay as they were. */
  failingWeightsUpdate(options: FailingUpdate): void {
    this.failUpdate('weights', options, CAPACITY_FAILURE);
  }

  /**
   * Someone else changes the endpoint right after our `nth` successful `afterOperation` (any
   * SageMaker control-plane operation): its weights at once, or an UpdateEndpoint to an existing
   * config (replacing an update in progress). See `sim.injectedEvents`.
   */
  concurrentEndpointChange(fault: ConcurrentEndpointChange): void {
    this.ctx.faults.concurrentEndpointChange(fault);
  }

  /**
   * SageMaker models fail (5xx) with probability `rate` from `fromMs`: the endpoint's canary models
   * (every model other than that of the first production variant of its config now, models
   * created later included), or the one `modelName`.
   */
  variantErrors(options: ModelTarget & { rate: ErrorRate; fromMs?: number }): void {
    const fromMs = options.fromMs ?? -Infinity;
    this.patchModels(options, { errorRate: (tMs) => (tMs >= fromMs ? rateAt(options.rate, tMs) : 0) });
  }

  /** The same models get a p99 of `p99` ms (and optionally a new median) from `fromMs`. */
  variantLatency(options: ModelTarget & { p99: number; p50?: number; fromMs?: number }): void {
    const fromMs = options.fromMs ?? -Infinity;
    const healthy = HEALTHY.latencyMs as LatencyProfile;
    const degraded: LatencyProfile = { p50: options.p50 ?? healthy.p50, p99: options.p99 };
    this.patchModels(options, { latencyMs: (tMs) => (tMs >= fromMs ? degraded : healthy) });
  }

  private failUpdate(kind: 'config' | 'weights', options: FailingUpdate, defaultReason: string): void {
    this.ctx.sagemaker.failUpdate({
      endpointName: options.endpointName,
      kind,
      ...(options.nth !== undefined ? { nth: options.nth } : {}),
      ...(options.clearReason ? {} : { reason: options.reason ?? defaultReason }),
      rollbackMs: options.rollbackMs ?? ROLLBACK_MS,
    });
  }

  private patchModels(target: ModelTarget, patch: Partial<VersionBehaviour>): void {
    const behaviours = this.ctx.modelBehaviours;
    if (target.modelName !== undefined) {
      behaviours.set(target.modelName, { ...(behaviours.explicitFor(target.modelName) ?? HEALTHY), ...patch });
      return;
    }
    const endpointName = this.resolveEndpoint(target.endpointName);
    const stable = this.ctx.sagemaker.getEndpoint(endpointName).variants[0]!.modelName;
    const current = behaviours.candidates(endpointName);
    const base = current && current.stableModel === stable ? current.behaviour : HEALTHY;
    behaviours.setCandidates(endpointName, stable, { ...base, ...patch });
  }

  private resolveEndpoint(requested: string | undefined): string {
    if (requested !== undefined) return requested;
    const traffic = this.ctx.traffic().flatMap((t) => ('endpointName' in t ? [t.endpointName] : []));
    if (traffic.length === 1) return traffic[0]!;
    const endpoints = this.ctx.sagemaker.listEndpoints();
    if (endpoints.length === 1) return endpoints[0]!.name;
    throw new Error('scenario endpoint is ambiguous: pass { endpointName }');
  }

  private patchCandidates(requested: ScenarioTarget | undefined, patch: Partial<VersionBehaviour>): void {
    const target = this.resolveTarget(requested);
    const stable = this.ctx.model.getAlias(target.functionName, target.alias).version;
    const current = this.ctx.behaviours.candidates(target.functionName);
    const base = current && current.stable === stable ? current.behaviour : HEALTHY;
    this.ctx.behaviours.setCandidates(target.functionName, stable, { ...base, ...patch });
  }

  private resolveTarget(requested: ScenarioTarget | undefined): ScenarioTarget {
    if (requested) return requested;
    const traffic = this.ctx.traffic().flatMap((t) => ('target' in t ? [t.target] : []));
    if (traffic.length === 1) return traffic[0]!;
    const aliases = this.ctx.aliases();
    if (aliases.length === 1) return aliases[0]!;
    throw new Error('scenario target is ambiguous: pass { target: { functionName, alias } }');
  }
}
