/**
 * An in-memory RolloutTarget that behaves like a Lambda weighted alias watched by CloudWatch:
 * - optimistic concurrency: every write checks the RevisionId and bumps it;
 * - traffic: `requestsPerMinute` reach the alias and split by the weights in force, integrated
 *   over time, so a version's invocations follow the weights the loop actually wrote;
 * - metrics: one datapoint per version per minute, readable only `metricDelayMs` after the
 *   minute ends; a period with no invocations has no datapoint (as in CloudWatch);
 * - scripted behaviour per version (errors, throttles, p99) per period;
 * - fault injection: throw on the n-th call of an operation (optionally after applying the
 *   write), run a hook before the n-th call (a concurrent change), call latency on the clock.
 */
import type { Clock } from '../../src/core/clock.js';
import type {
  AliasState,
  CandidateVersion,
  InvokeResult,
  MetricsWindow,
  PublishedVersion,
  RolloutTarget,
  VersionMetrics,
} from '../../src/targets/target.js';
import { RevisionConflictError } from '../../src/targets/target.js';

export type TargetOperation =
  | 'readAlias'
  | 'resolveCandidate'
  | 'shiftTraffic'
  | 'promote'
  | 'rollBack'
  | 'pointTo'
  | 'readMetrics'
  | 'invoke'
  | 'listVersions';

/** Traffic a version received in one metric period, handed to the behaviour script. */
export interface PeriodTraffic {
  version: string;
  startMs: number;
  endMs: number;
  invocations: number;
}

export type VersionBehaviour = (period: PeriodTraffic) => { errors?: number; throttles?: number; p99Ms?: number | null };

export interface FakeTargetOptions {
  clock: Clock;
  name?: string;
  /** Primary version of the alias at the start. */
  version: string;
  additionalWeights?: Record<string, number>;
  /** Alias description at the start (the promotion history lives there). Default none. */
  description?: string;
  /** Requests per minute reaching the alias (number, or per period start). Default 600. */
  requestsPerMinute?: number | ((periodStartMs: number) => number);
  /** Errors/throttles/p99 per version and period. Default: healthy, p99 100 ms. */
  behaviour?: VersionBehaviour;
  /** Delay after a period ends before its datapoint is readable. Default 60 s. */
  metricDelayMs?: number;
  /** Virtual time each call takes. Default 0. */
  callLatencyMs?: number;
  /** Published versions and their descriptions, for `listVersions` (manual rollback). Default none. */
  versions?: PublishedVersion[];
}

export interface WriteAttempt {
  op: TargetOperation;
  /** Virtual time at which the write completed (or failed). */
  atMs: number;
  expectedRevisionId: string;
  candidate?: string;
  weight?: number;
  outcome: 'applied' | 'conflict' | 'fault';
  after?: AliasState;
}

interface Fault {
  op: TargetOperation;
  call: number;
  error: Error;
  applyFirst: boolean;
}

interface Hook {
  op: TargetOperation;
  call: number;
  run: (target: FakeTarget) => void;
}

const PERIOD_MS = 60_000;

export class FakeTarget implements RolloutTarget {
  private alias: AliasState;
  private revision = 1;
  /** Routing in force from `fromMs` on, for integrating traffic over time. */
  private readonly routing: Array<{ fromMs: number; version: string; weights: Record<string, number> }> = [];
  private readonly faults: Fault[] = [];
  private readonly hooks: Hook[] = [];
  readonly calls = new Map<TargetOperation, number>();
  readonly writes: WriteAttempt[] = [];
  readonly metricReads: Array<{ atMs: number; version: string; window: MetricsWindow }> = [];

  constructor(private readonly options: FakeTargetOptions) {
    this.alias = { version: options.version, additionalWeights: { ...options.additionalWeights }, revisionId: 'rev-1', ...(options.description !== undefined ? { description: options.description } : {}) };
    this.routing.push({ fromMs: 0, version: this.alias.version, weights: { ...this.alias.additionalWeights } });
  }

  // ---- test controls -------------------------------------------------------------------

  /** The n-th call (1-based) of `op` throws `error`; with applyFirst a write lands, then throws. */
  failOn(op: TargetOperation, call: number, options: { error?: Error; applyFirst?: boolean } = {}): this {
    this.faults.push({
      op,
      call,
      error: options.error ?? new Error(`injected ${op} failure (call ${call})`),
      applyFirst: options.applyFirst ?? false,
    });
    return this;
  }

  /** Runs `run` just before the n-th call of `op` is served (e.g. someone else edits the alias). */
  beforeCall(op: TargetOperation, call: number, run: (target: FakeTarget) => void): this {
    this.hooks.push({ op, call, run });
    return this;
  }

  /** Someone else updates the alias (console, another pipeline): new revision, no check. */
  externalChange(change: { version?: string; additionalWeights?: Record<string, number> }): AliasState {
    return this.apply(change.version ?? this.alias.version, change.additionalWeights ?? this.alias.additionalWeights);
  }

  /** Current alias state (not counted as a call). */
  peek(): AliasState {
    return clone(this.alias);
  }

  callCount(op: TargetOperation): number {
    return this.calls.get(op) ?? 0;
  }

  appliedWrites(): WriteAttempt[] {
    return this.writes.filter((w) => w.outcome === 'applied');
  }

  // ---- RolloutTarget -------------------------------------------------------------------

  describe(): string {
    return this.options.name ?? 'fake:model-fn:prod';
  }

  async readAlias(): Promise<AliasState> {
    const call = await this.enter('readAlias');
    const snapshot = clone(this.alias);
    await this.latency();
    this.throwIfFaulted('readAlias', call);
    return snapshot;
  }

  async resolveCandidate(request: { version?: string; description: string }): Promise<CandidateVersion> {
    const call = await this.enter('resolveCandidate');
    await this.latency();
    this.throwIfFaulted('resolveCandidate', call);
    return { version: request.version ?? String(Number(this.alias.version) + 1), published: request.version === undefined };
  }

  shiftTraffic(candidate: string, weight: number, expectedRevisionId: string): Promise<AliasState> {
    if (!(weight > 0 && weight <= 1)) return Promise.reject(new RangeError(`weight ${weight} out of (0, 1]`));
    return this.write('shiftTraffic', expectedRevisionId, { candidate, weight }, () => {
      if (candidate === this.alias.version) throw new Error(`version ${candidate} is already the primary version`);
      return this.apply(this.alias.version, { [candidate]: weight });
    });
  }

  promote(candidate: string, expectedRevisionId: string, description?: string): Promise<AliasState> {
    return this.write('promote', expectedRevisionId, { candidate }, () => {
      this.apply(candidate, {});
      if (description !== undefined) this.alias.description = description;
      return clone(this.alias);
    });
  }

  rollBack(expectedRevisionId: string): Promise<AliasState> {
    return this.write('rollBack', expectedRevisionId, {}, () => this.apply(this.alias.version, {}));
  }

  pointTo(version: string, expectedRevisionId: string, description?: string): Promise<AliasState> {
    return this.write('pointTo', expectedRevisionId, { candidate: version }, () => {
      this.apply(version, {});
      if (description !== undefined) this.alias.description = description;
      return clone(this.alias);
    });
  }

  async readMetrics(version: string, window: MetricsWindow, _signal?: AbortSignal): Promise<VersionMetrics> {
    const call = await this.enter('readMetrics');
    // CloudWatch answers with what is published when the query is served: the call's start.
    const metrics = this.metricsAt(this.options.clock.now(), version, window);
    this.metricReads.push({ atMs: this.options.clock.now(), version, window: { ...window } });
    await this.latency();
    this.throwIfFaulted('readMetrics', call);
    return metrics;
  }

  async listVersions(): Promise<PublishedVersion[]> {
    const call = await this.enter('listVersions');
    await this.latency();
    this.throwIfFaulted('listVersions', call);
    return (this.options.versions ?? []).map((v) => ({ ...v }));
  }

  async invoke(version: string, payload: string): Promise<InvokeResult> {
    const call = await this.enter('invoke');
    await this.latency();
    this.throwIfFaulted('invoke', call);
    return { statusCode: 200, payload: JSON.stringify({ version, echo: payload }), durationMs: 5 };
  }

  // ---- internals -----------------------------------------------------------------------

  private async enter(op: TargetOperation): Promise<number> {
    const call = this.callCount(op) + 1;
    this.calls.set(op, call);
    for (const hook of this.hooks) if (hook.op === op && hook.call === call) hook.run(this);
    return call;
  }

  private async latency(): Promise<void> {
    const ms = this.options.callLatencyMs ?? 0;
    if (ms > 0) await this.options.clock.sleep(ms);
  }

  private throwIfFaulted(op: TargetOperation, call: number): void {
    const fault = this.faults.find((f) => f.op === op && f.call === call);
    if (fault !== undefined) throw fault.error;
  }

  private async write(
    op: TargetOperation,
    expectedRevisionId: string,
    detail: { candidate?: string; weight?: number },
    change: () => AliasState,
  ): Promise<AliasState> {
    const call = await this.enter(op);
    await this.latency();
    const record = (outcome: WriteAttempt['outcome'], after?: AliasState) =>
      this.writes.push({ op, atMs: this.options.clock.now(), expectedRevisionId, ...detail, outcome, after });
    const fault = this.faults.find((f) => f.op === op && f.call === call);
    if (fault !== undefined && !fault.applyFirst) {
      record('fault');
      throw fault.error;
    }
    if (expectedRevisionId !== this.alias.revisionId) {
      record('conflict');
      throw new RevisionConflictError(
        `alias revision is ${this.alias.revisionId}, write expected ${expectedRevisionId}`,
        expectedRevisionId,
        clone(this.alias),
      );
    }
    const after = change();
    record('applied', after);
    if (fault !== undefined) throw fault.error; // the write landed but the caller never hears so
    return clone(after);
  }

  private apply(version: string, weights: Record<string, number>): AliasState {
    this.revision += 1;
    // Like UpdateAlias without a Description: the description stays as it was.
    const description = this.alias.description;
    this.alias = { version, additionalWeights: { ...weights }, revisionId: `rev-${this.revision}`, ...(description !== undefined ? { description } : {}) };
    this.routing.push({ fromMs: this.options.clock.now(), version, weights: { ...weights } });
    return clone(this.alias);
  }

  /** Share of alias traffic `version` received over [startMs, endMs), from the routing history. */
  private share(version: string, startMs: number, endMs: number): number {
    let weighted = 0;
    for (const [index, routing] of this.routing.entries()) {
      const until = this.routing[index + 1]?.fromMs ?? Number.POSITIVE_INFINITY;
      const overlap = Math.min(endMs, until) - Math.max(startMs, routing.fromMs);
      if (overlap <= 0) continue;
      const additional = Object.values(routing.weights).reduce((a, b) => a + b, 0);
      const weight =
        routing.weights[version] ?? (version === routing.version ? Math.max(0, 1 - additional) : 0);
      weighted += weight * overlap;
    }
    return weighted / (endMs - startMs);
  }

  private metricsAt(nowMs: number, version: string, window: MetricsWindow): VersionMetrics {
    const delay = this.options.metricDelayMs ?? 60_000;
    const periods: VersionMetrics['periods'] = [];
    // Every period overlapping the window whose datapoint is already published.
    for (let start = Math.floor(window.startMs / PERIOD_MS) * PERIOD_MS; start < window.endMs; start += PERIOD_MS) {
      const end = start + PERIOD_MS;
      if (end + delay > nowMs) break;
      const rpm = this.options.requestsPerMinute ?? 600;
      const total = typeof rpm === 'function' ? rpm(start) : rpm;
      const invocations = Math.round(total * this.share(version, start, end));
      if (invocations === 0) continue;
      const behaviour: VersionBehaviour = this.options.behaviour ?? (() => ({}));
      const scripted = behaviour({ version, startMs: start, endMs: end, invocations });
      periods.push({
        startMs: start,
        invocations,
        errors: Math.min(invocations, scripted.errors ?? 0),
        throttles: scripted.throttles ?? 0,
        p99Ms: scripted.p99Ms === undefined ? 100 : scripted.p99Ms,
      });
    }
    const p99s = periods.map((p) => p.p99Ms).filter((p): p is number => p !== null);
    return {
      version,
      invocations: periods.reduce((sum, p) => sum + p.invocations, 0),
      errors: periods.reduce((sum, p) => sum + p.errors, 0),
      throttles: periods.reduce((sum, p) => sum + p.throttles, 0),
      p99Ms: p99s.length > 0 ? Math.max(...p99s) : null,
      periods,
    };
  }
}

function clone(alias: AliasState): AliasState {
  return { ...alias, additionalWeights: { ...alias.additionalWeights } };
}
