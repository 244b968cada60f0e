import { HEALTHY, type LatencyProfile, type VersionBehaviour } from './behaviour.js';
import type { ConcurrentAliasChange, ConcurrentCodeChange, FaultInjector, LostReplyFault, ThrottleFault } from './faults.js';
import type { LambdaModel } from './lambda-model.js';
import type { MetricStore } from './metrics.js';
import type { BehaviourBook } from './runtime.js';
import type { TrafficGenerator } from './traffic.js';

/** The alias a scenario applies to. */
export interface ScenarioTarget {
  functionName: string;
  alias: string;
}

/** What scenarios need from the simulator. */
export interface ScenarioContext {
  model: LambdaModel;
  behaviours: BehaviourBook;
  faults: FaultInjector;
  metrics: MetricStore;
  /** Running traffic generators, with the alias each one invokes. */
  traffic(): Array<{ generator: TrafficGenerator; target: ScenarioTarget }>;
  /** Every function and its alias names, to pick the only alias when no target is given. */
  aliases(): ScenarioTarget[];
}

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

  /** Every version healthy: no errors, ~80 ms p50 / 250 ms p99. */
  healthy(): void {
    this.ctx.behaviours.clear();
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

  /** The next `count` calls of `operations` (default: every Lambda control-plane call) fail with `status`. */
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
   * e.g. Errors after Invocations, so for a while a minute has calls but no error count.
   */
  lateSeries(late: { metric: 'Invocations' | 'Errors' | 'Throttles' | 'Duration'; version?: string; extraMs: number }): void {
    this.ctx.metrics.addLateSeries(late);
  }

  /** Datapoints for a minute appear `ms` after the minute ends. */
  metricDelayMs(ms: number): void {
    this.ctx.metrics.delayMs = ms;
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
    const traffic = this.ctx.traffic();
    if (traffic.length === 1) return traffic[0]!.target;
    const aliases = this.ctx.aliases();
    if (aliases.length === 1) return aliases[0]!;
    throw new Error('scenario target is ambiguous: pass { target: { functionName, alias } }');
  }
}
