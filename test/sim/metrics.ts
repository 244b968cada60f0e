/** Lambda metric names the simulator records. */
export type LambdaMetricName = 'Invocations' | 'Errors' | 'Throttles' | 'Duration';

/** One invocation as CloudWatch sees it. */
export interface InvocationRecord {
  atMs: number;
  functionName: string;
  /** `fn:qualifier` for qualified invocations, `fn` otherwise (CloudWatch's Resource dimension). */
  resource: string;
  /** The version that ran (or would have run, for throttles: see README). */
  executedVersion: string;
  outcome: 'ok' | 'error' | 'throttled';
  durationMs: number;
}

/** Per-minute raw samples of one dimension combination. */
interface MinuteBucket {
  functionName: string;
  resource: string;
  executedVersion: string;
  minuteStartMs: number;
  /** One sample per datapoint CloudWatch would aggregate, per metric. */
  samples: Record<LambdaMetricName, number[]>;
}

const MINUTE_MS = 60_000;

/** Dimensions a query filters on; absent ones are aggregated over, as CloudWatch does. */
export type DimensionFilter = Record<string, string>;

/** An aggregated datapoint: the minute/period start and the statistic's value. */
export interface Datapoint {
  startMs: number;
  value: number;
}

/**
 * Raw per-minute metric samples, with CloudWatch's publication semantics: a minute becomes
 * readable only `delayMs` after it ends, minutes without samples have no datapoint, and
 * a span can be blanked to simulate missing data.
 */
export class MetricStore {
  private readonly buckets = new Map<string, MinuteBucket>();
  private readonly gaps: Array<{ fromMs: number; toMs: number }> = [];
  /** Series published later than the others (CloudWatch publishes each metric stream on its own). */
  private readonly lateSeries: Array<{ metric: LambdaMetricName; version?: string; extraMs: number }> = [];

  constructor(public delayMs: number) {}

  record(r: InvocationRecord): void {
    const minuteStartMs = Math.floor(r.atMs / MINUTE_MS) * MINUTE_MS;
    const key = `${r.functionName}|${r.resource}|${r.executedVersion}|${minuteStartMs}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = {
        functionName: r.functionName,
        resource: r.resource,
        executedVersion: r.executedVersion,
        minuteStartMs,
        samples: { Invocations: [], Errors: [], Throttles: [], Duration: [] },
      };
      this.buckets.set(key, bucket);
    }
    if (r.outcome === 'throttled') {
      bucket.samples.Throttles.push(1);
      return;
    }
    // Lambda publishes Errors for every invocation (0 or 1), so Average(Errors) is the error rate.
    bucket.samples.Invocations.push(1);
    bucket.samples.Errors.push(r.outcome === 'error' ? 1 : 0);
    bucket.samples.Duration.push(r.durationMs);
  }

  /** `metric` (of `version`, or of every version) becomes readable `extraMs` after the other series of its minute. */
  addLateSeries(late: { metric: LambdaMetricName; version?: string; extraMs: number }): void {
    this.lateSeries.push(late);
  }

  /** CloudWatch returns no datapoints for minutes overlapping [fromMs, toMs). */
  addGap(fromMs: number, toMs: number): void {
    this.gaps.push({ fromMs, toMs });
  }

  /**
   * Datapoints of `metric` for `dimensions`, one per `periodMs` bucket in [startMs, endMs),
   * oldest first, computed from the minutes published by `nowMs`.
   */
  query(request: {
    metric: string;
    dimensions: DimensionFilter;
    periodMs: number;
    stat: string;
    startMs: number;
    endMs: number;
    nowMs: number;
  }): Datapoint[] {
    const samplesByPeriod = new Map<number, number[]>();
    for (const bucket of this.buckets.values()) {
      if (!this.matches(bucket, request.dimensions)) continue;
      if (bucket.minuteStartMs + MINUTE_MS + this.delayMs + this.extraDelayMs(request.metric, bucket.executedVersion) > request.nowMs) continue;
      if (this.inGap(bucket.minuteStartMs)) continue;
      const periodStart = Math.floor(bucket.minuteStartMs / request.periodMs) * request.periodMs;
      if (periodStart < request.startMs || periodStart >= request.endMs) continue;
      const samples = bucket.samples[request.metric as LambdaMetricName] ?? [];
      if (samples.length === 0) continue;
      const list = samplesByPeriod.get(periodStart) ?? [];
      for (const s of samples) list.push(s);
      samplesByPeriod.set(periodStart, list);
    }
    return [...samplesByPeriod.entries()]
      .sort(([a], [b]) => a - b)
      .map(([startMs, samples]) => ({ startMs, value: applyStatistic(request.stat, samples) }));
  }

  private matches(bucket: MinuteBucket, dimensions: DimensionFilter): boolean {
    for (const [name, value] of Object.entries(dimensions)) {
      const actual =
        name === 'FunctionName' ? bucket.functionName
        : name === 'Resource' ? bucket.resource
        : name === 'ExecutedVersion' ? bucket.executedVersion
        : undefined;
      if (actual !== value) return false;
    }
    return true;
  }

  private extraDelayMs(metric: string, version: string): number {
    return this.lateSeries.filter((l) => l.metric === metric && (l.version === undefined || l.version === version)).reduce((max, l) => Math.max(max, l.extraMs), 0);
  }

  private inGap(minuteStartMs: number): boolean {
    return this.gaps.some((g) => minuteStartMs < g.toMs && minuteStartMs + MINUTE_MS > g.fromMs);
  }
}

const PERCENTILE = /^p(\d{1,2}(?:\.\d+)?)$/;

/** Whether CloudWatch would accept `stat` for our metrics. */
export function isSupportedStatistic(stat: string): boolean {
  return ['Sum', 'SampleCount', 'Average', 'Maximum', 'Minimum'].includes(stat) || PERCENTILE.test(stat);
}

/** CloudWatch statistics over raw samples; percentiles by nearest rank. */
export function applyStatistic(stat: string, samples: number[]): number {
  switch (stat) {
    case 'Sum':
      return samples.reduce((a, b) => a + b, 0);
    case 'SampleCount':
      return samples.length;
    case 'Average':
      return samples.reduce((a, b) => a + b, 0) / samples.length;
    // Loops rather than Math.max(...samples): a busy hour exceeds the spread argument limit.
    case 'Maximum':
      return samples.reduce((a, b) => (b > a ? b : a), -Infinity);
    case 'Minimum':
      return samples.reduce((a, b) => (b < a ? b : a), Infinity);
  }
  const match = PERCENTILE.exec(stat);
  if (!match) throw new Error(`unsupported statistic ${stat}`);
  const p = Number(match[1]);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}
