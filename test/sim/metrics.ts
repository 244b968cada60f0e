/** Lambda metric names the simulator records. */
export type LambdaMetricName = 'Invocations' | 'Errors' | 'Throttles' | 'Duration';

/** SageMaker endpoint metric names the simulator records (per EndpointName and VariantName). */
export type SageMakerMetricName = 'Invocations' | 'Invocation5XXErrors' | 'Invocation4XXErrors' | 'ModelLatency' | 'OverheadLatency' | 'InvocationsPerInstance';

export const LAMBDA_NAMESPACE = 'AWS/Lambda';
export const SAGEMAKER_NAMESPACE = 'AWS/SageMaker';

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

/** Per-minute raw samples of one series: a namespace and one combination of dimension values. */
interface MinuteBucket {
  namespace: string;
  dimensions: Record<string, string>;
  minuteStartMs: number;
  /** One sample per datapoint CloudWatch would aggregate, per metric name. */
  samples: Map<string, number[]>;
}

const MINUTE_MS = 60_000;

/** Dimensions a query filters on; absent ones are aggregated over, as CloudWatch does. */
export type DimensionFilter = Record<string, string>;

/** An aggregated datapoint: the minute/period start and the statistic's value. */
export interface Datapoint {
  startMs: number;
  value: number;
}

/** A metric published later than the others of its minute, for the series matching `dimensions`. */
export interface LateSeries {
  namespace: string;
  metric: string;
  dimensions: DimensionFilter;
  extraMs: number;
}

/**
 * Raw per-minute metric samples of any namespace, with CloudWatch's publication semantics:
 * a minute becomes readable only `delayMs` after it ends, minutes without samples have no
 * datapoint, and a span can be blanked to simulate missing data.
 */
export class MetricStore {
  private readonly buckets = new Map<string, MinuteBucket>();
  private readonly gaps: Array<{ fromMs: number; toMs: number }> = [];
  /** Series published later than the others (CloudWatch publishes each metric stream on its own). */
  private readonly lateSeries: LateSeries[] = [];

  constructor(public delayMs: number) {}

  /** A Lambda invocation, as Lambda publishes it under FunctionName, Resource and ExecutedVersion. */
  record(r: InvocationRecord): void {
    const dimensions = { FunctionName: r.functionName, Resource: r.resource, ExecutedVersion: r.executedVersion };
    if (r.outcome === 'throttled') {
      this.put(LAMBDA_NAMESPACE, dimensions, r.atMs, { Throttles: 1 });
      return;
    }
    // Lambda publishes Errors for every invocation (0 or 1), so Average(Errors) is the error rate.
    this.put(LAMBDA_NAMESPACE, dimensions, r.atMs, { Invocations: 1, Errors: r.outcome === 'error' ? 1 : 0, Duration: r.durationMs });
  }

  /** Adds one sample per metric to the series `namespace` + `dimensions` for the minute of `atMs`. */
  put(namespace: string, dimensions: Record<string, string>, atMs: number, samples: Record<string, number>): void {
    const minuteStartMs = Math.floor(atMs / MINUTE_MS) * MINUTE_MS;
    const key = `${namespace}|${JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b)))}|${minuteStartMs}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { namespace, dimensions, minuteStartMs, samples: new Map() };
      this.buckets.set(key, bucket);
    }
    for (const [metric, value] of Object.entries(samples)) {
      const list = bucket.samples.get(metric);
      if (list) list.push(value);
      else bucket.samples.set(metric, [value]);
    }
  }

  /** `metric` of the series matching `dimensions` becomes readable `extraMs` after the other series of its minute. */
  addLateSeries(late: LateSeries): void {
    this.lateSeries.push(late);
  }

  /** CloudWatch returns no datapoints for minutes overlapping [fromMs, toMs). */
  addGap(fromMs: number, toMs: number): void {
    this.gaps.push({ fromMs, toMs });
  }

  /**
   * Datapoints of `namespace`/`metric` for `dimensions`, one per `periodMs` bucket in
   * [startMs, endMs), oldest first, computed from the minutes published by `nowMs`.
   */
  query(request: {
    namespace: string;
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
      if (bucket.namespace !== request.namespace || !matches(bucket.dimensions, request.dimensions)) continue;
      if (bucket.minuteStartMs + MINUTE_MS + this.delayMs + this.extraDelayMs(bucket, request.metric) > request.nowMs) continue;
      if (this.inGap(bucket.minuteStartMs)) continue;
      const periodStart = Math.floor(bucket.minuteStartMs / request.periodMs) * request.periodMs;
      if (periodStart < request.startMs || periodStart >= request.endMs) continue;
      const samples = bucket.samples.get(request.metric) ?? [];
      if (samples.length === 0) continue;
      const list = samplesByPeriod.get(periodStart) ?? [];
      for (const s of samples) list.push(s);
      samplesByPeriod.set(periodStart, list);
    }
    return [...samplesByPeriod.entries()]
      .sort(([a], [b]) => a - b)
      .map(([startMs, samples]) => ({ startMs, value: applyStatistic(request.stat, samples) }));
  }

  private extraDelayMs(bucket: MinuteBucket, metric: string): number {
    return this.lateSeries
      .filter((l) => l.namespace === bucket.namespace && l.metric === metric && matches(bucket.dimensions, l.dimensions))
      .reduce((max, l) => Math.max(max, l.extraMs), 0);
  }

  private inGap(minuteStartMs: number): boolean {
    return this.gaps.some((g) => minuteStartMs < g.toMs && minuteStartMs + MINUTE_MS > g.fromMs);
  }
}

/** A series matches when it has every filtered dimension with that value; an unknown dimension name matches nothing. */
function matches(dimensions: Record<string, string>, filter: DimensionFilter): boolean {
  return Object.entries(filter).every(([name, value]) => dimensions[name] === value);
}

const PERCENTILE = /^p(\d{1,2}(?:\.\d+)?)$/;
/** Trimmed count and percentile rank over absolute bounds: `TC(0.2:0.4)`, `TC(:0.4)`, `PR(0.2:)`. */
const BOUNDED = /^(TC|PR)\((-?\d+(?:\.\d+)?)?:(-?\d+(?:\.\d+)?)?\)$/;

/** Whether CloudWatch would accept `stat` for our metrics (percentage bounds like TC(10%:90%) are not modelled). */
export function isSupportedStatistic(stat: string): boolean {
  if (['Sum', 'SampleCount', 'Average', 'Maximum', 'Minimum'].includes(stat) || PERCENTILE.test(stat)) return true;
  const bounded = BOUNDED.exec(stat);
  return bounded !== null && (bounded[2] !== undefined || bounded[3] !== undefined);
}

/**
 * CloudWatch statistics over raw samples; percentiles by nearest rank. TC counts the samples in
 * the range and PR gives their percentage; as CloudWatch documents for percentile rank, the lower
 * bound is exclusive and the upper inclusive (TC(0.2:0.4) counts 0.2 < x ≤ 0.4).
 */
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
  const bounded = BOUNDED.exec(stat);
  if (bounded) {
    const low = bounded[2] === undefined ? -Infinity : Number(bounded[2]);
    const high = bounded[3] === undefined ? Infinity : Number(bounded[3]);
    const inRange = samples.reduce((n, x) => (x > low && x <= high ? n + 1 : n), 0);
    return bounded[1] === 'TC' ? inRange : (100 * inRange) / samples.length;
  }
  const match = PERCENTILE.exec(stat);
  if (!match) throw new Error(`unsupported statistic ${stat}`);
  const p = Number(match[1]);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}
