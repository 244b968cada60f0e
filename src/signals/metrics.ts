/**
 * CloudWatch metric queries as a rollout signal (`rollout.metrics`): metrics the model itself
 * publishes (Embedded Metric Format lines with a `ModelVersion` dimension: 5xx in a proxy body,
 * fallback answers, score means), read per version at every poll after the first shift.
 *
 * A query is judged one of two ways:
 *  - threshold (`max`, `min`): the canary's value over the loop's window (Sum and SampleCount
 *    summed, Average weighted by each minute's SampleCount, Minimum/Maximum/percentiles the
 *    extreme minute). A mean or a percentile fails only on at least min-invocations samples,
 *    as the threshold judge's rates do; the step passes only once a minute of its own traffic
 *    is published;
 *  - compare (`calls`): a rate, the metric's Sum per minute as events over the version's calls
 *    per minute, canary against stable by the compare judge itself (judgeCompare, the same
 *    sequential test and α/β as the Lambda errors; docs/judge.md);
 *  - distribution: the canary's values (a score the model prints on every call) against
 *    stable's, binned at stable's quantiles: per minute, stable's percentiles give the cut
 *    points (their median over the minutes), then `TC(low:high)` counts each bin per version,
 *    summed over the minutes both versions published; src/signals/score-distribution.ts judges
 *    the table (PSI and a chi-square test). Catches a constant or stuck output that answers 200.
 * A minute counts once it is published: no datapoint is never a pass, and a query without data
 * for the canary keeps the step from passing (`continue`), so it ends inconclusive.
 */
import type { CloudWatchClient, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { getMetricSeries, metricQuery, type MetricSeries } from '../aws/metric-data.js';
import type { CompareJudgeConfig, MetricQueryConfig } from '../config/types.js';
import type { CheckResult } from '../report/result.js';
import { judgeCompare } from '../rollout/judge-compare.js';
import { binEdges, compareScoreDistributions, percentileLevels, percentileStat, trimmedCountStat } from './score-distribution.js';
import { formatDuration } from '../rollout/timing.js';
import { plural } from '../core/plural.js';
import type { MetricsWindow, RolloutTarget, VersionMetrics } from '../targets/target.js';
import type { RolloutSignal, SignalPoll, SignalVerdict } from './signal.js';

/** What the signal needs of the target: the dimension values of a version, and its own invocations. */
export type MetricsTarget = Pick<RolloutTarget, 'readMetrics'> & { metricDimensions(version: string): Promise<Record<string, string>> };

/** Statistics that count per minute: their minutes add up. */
const COUNT_STATS = new Set(['Sum', 'SampleCount']);

type Series = Map<number, number>;

/** A distribution query's table at one poll: each bin's count per version over the minutes both published. */
interface BinnedCounts {
  edges: number[];
  minutes: number;
  canary: number[];
  stable: number[];
}

interface QueryOutcome {
  verdict: SignalVerdict['verdict'];
  reason: string;
}

/** Substitutes `{version}`, `{alias}`... in each dimension value. */
export function substituteDimensions(templates: Record<string, string>, values: Record<string, string>): Array<{ Name: string; Value: string }> {
  return Object.entries(templates).map(([name, template]) => ({ Name: name, Value: template.replace(/\{([^{}]*)\}/g, (whole, key: string) => values[key] ?? whole) }));
}

/** A threshold query's value over its minutes: sums for counts, a sample-weighted mean for Average, the extreme minute otherwise. */
export function aggregateStat(stat: string, values: Series, samples: Series | undefined, kind: 'max' | 'min'): number | null {
  const starts = [...values.keys()];
  if (starts.length === 0) return null;
  if (COUNT_STATS.has(stat)) return starts.reduce((sum, at) => sum + (values.get(at) ?? 0), 0);
  if (stat === 'Average') {
    let weighted = 0;
    let count = 0;
    for (const at of starts) {
      const n = samples?.get(at) ?? 1;
      weighted += (values.get(at) ?? 0) * n;
      count += n;
    }
    return count > 0 ? weighted / count : null;
  }
  const all = starts.map((at) => values.get(at) ?? 0);
  if (stat === 'Minimum') return Math.min(...all);
  if (stat === 'Maximum') return Math.max(...all);
  // A percentile cannot be merged across minutes: the worst minute is judged, as the Lambda p99 is.
  return kind === 'min' ? Math.min(...all) : Math.max(...all);
}

/**
 * VersionMetrics of a rate: `events` per minute as errors over `calls` per minute as
 * invocations, over the minutes in `starts` (both series published), events capped at calls.
 */
export function rateMetrics(version: string, starts: readonly number[], events: Series, calls: Series): VersionMetrics {
  const periods = starts.map((startMs) => {
    const invocations = calls.get(startMs) ?? 0;
    return { startMs, invocations, errors: Math.min(events.get(startMs) ?? 0, invocations), throttles: 0, p99Ms: null };
  });
  return {
    version,
    invocations: periods.reduce((s, p) => s + p.invocations, 0),
    errors: periods.reduce((s, p) => s + p.errors, 0),
    throttles: 0,
    p99Ms: null,
    periods,
  };
}

/** The metric queries as a rollout signal, plus what they said for the report (`results`). */
export class MetricQuerySignal implements RolloutSignal {
  private readonly dimensionCache = new Map<string, Record<string, string>>();
  private readonly last = new Map<string, QueryOutcome>();
  private readonly failures = new Map<string, string>();
  private polls = 0;
  /** The last table of each distribution query, for the report's details. */
  private readonly tables = new Map<number, BinnedCounts & { psi: number | null; pValue: number | null }>();

  constructor(
    private readonly cloudwatch: CloudWatchClient,
    private readonly target: MetricsTarget,
    private readonly queries: readonly MetricQueryConfig[],
    /** The test of compare queries: rollout.judge when it is a compare judge, else its defaults. */
    private readonly compare: CompareJudgeConfig,
  ) {}

  describe(): string {
    return `the CloudWatch metric quer${this.queries.length === 1 ? 'y' : 'ies'} ${this.queries.map((q) => q.name).join(', ')}`;
  }

  async check(abort?: AbortSignal, poll?: SignalPoll): Promise<SignalVerdict> {
    if (poll === undefined) throw new Error('rollout.metrics needs the rollout state at each poll');
    const versions = { canary: poll.candidateVersion, stable: poll.stableVersion };
    const [canaryDims, stableDims] = await Promise.all([this.dimensionsOf(versions.canary), this.dimensionsOf(versions.stable)]);
    const dims = { canary: canaryDims, stable: stableDims };
    const requests: MetricDataQuery[] = [];
    this.queries.forEach((q, i) => {
      if (q.judge?.type === 'distribution') {
        // The samples per minute of both versions, and stable's percentiles per minute (the cut points).
        for (const side of ['canary', 'stable'] as const) requests.push(metricQuery(`q${i}${side}`, q.namespace, q.metric, substituteDimensions(q.dimensions, dims[side]), 'SampleCount'));
        percentileLevels(q.judge.bins).forEach((level, j) => requests.push(metricQuery(`p${i}x${j}`, q.namespace, q.metric, substituteDimensions(q.dimensions, dims.stable), percentileStat(level))));
        return;
      }
      for (const side of ['canary', 'stable'] as const) {
        const dimensions = substituteDimensions(q.dimensions, dims[side]);
        requests.push(metricQuery(`q${i}${side}`, q.namespace, q.metric, dimensions, q.stat));
        if (q.judge?.type === 'threshold' && !COUNT_STATS.has(q.stat)) requests.push(metricQuery(`n${i}${side}`, q.namespace, q.metric, dimensions, 'SampleCount'));
      }
    });
    const sinceShift: MetricsWindow = { startMs: poll.firstShiftAtMs, endMs: poll.window.endMs };
    const needsInvocations = this.queries.some((q) => q.judge?.type === 'compare' && q.judge.calls === 'invocations');
    const [series, invocations] = await Promise.all([
      getMetricSeries(this.cloudwatch, requests, sinceShift, abort),
      needsInvocations
        ? Promise.all([this.target.readMetrics(versions.canary, sinceShift, abort), this.target.readMetrics(versions.stable, sinceShift, abort)])
        : Promise.resolve(undefined),
    ]);
    const get = (id: string): Series => series.get(id) ?? new Map();
    const binned = await this.readBins(series, dims, sinceShift, abort);
    this.polls += 1;
    const invocationSeries = (m: VersionMetrics | undefined): Series => new Map((m?.periods ?? []).map((p) => [p.startMs, p.invocations]));
    const outcomes = this.queries.map((q, i): [MetricQueryConfig, QueryOutcome] => {
      const label = `Metric ${q.name} (${q.namespace} ${q.metric} ${q.stat}, ${describeDimensions(substituteDimensions(q.dimensions, canaryDims))})`;
      if (q.judge === undefined) return [q, { verdict: 'pass', reason: '' }];
      if (q.judge.type === 'distribution') return [q, this.distribution(q, i, label, poll, binned.get(i))];
      if (q.judge.type === 'threshold') {
        return [q, this.threshold(q, label, poll, { canary: get(`q${i}canary`), stable: get(`q${i}stable`), canarySamples: series.get(`n${i}canary`) })];
      }
      const callsIndex = this.queries.findIndex((other) => other.name === (q.judge as { calls: string }).calls);
      const calls =
        callsIndex >= 0
          ? { canary: get(`q${callsIndex}canary`), stable: get(`q${callsIndex}stable`), what: `query ${q.judge.calls}` }
          : { canary: invocationSeries(invocations?.[0]), stable: invocationSeries(invocations?.[1]), what: 'invocations' };
      return [q, this.rate(q, label, poll, { canary: get(`q${i}canary`), stable: get(`q${i}stable`) }, calls)];
    });
    for (const [q, outcome] of outcomes) {
      this.last.set(q.name, outcome);
      if (outcome.verdict === 'fail' && !this.failures.has(q.name)) this.failures.set(q.name, outcome.reason);
    }
    const failing = outcomes.filter(([, o]) => o.verdict === 'fail');
    if (failing.length > 0) return { verdict: 'fail', reason: failing.map(([, o]) => o.reason).join(' ') };
    const waiting = outcomes.filter(([, o]) => o.verdict === 'continue');
    if (waiting.length > 0) return { verdict: 'continue', reason: waiting.map(([, o]) => o.reason).join(' ') };
    return { verdict: 'pass', reason: '' };
  }

  /** One report row per query: what it last said, or that it was never read. */
  results(options: { dryRun: boolean }): CheckResult[] {
    return this.queries.map((q, i) => {
      const table = this.tables.get(i);
      const base = { id: `rollout.metrics.${q.name}`, gate: 'rollout' as const, expected: expectedOf(q), ...(table !== undefined ? { details: { table } } : {}) };
      const failure = this.failures.get(q.name);
      if (failure !== undefined) return { ...base, status: 'fail', message: `${failure} The step failed.` };
      const last = this.last.get(q.name);
      if (this.polls === 0 || last === undefined) {
        return options.dryRun
          ? { ...base, status: 'pass', message: `Dry run: would read ${q.namespace} ${q.metric} ${q.stat} per version at every poll after the first shift.` }
          : { ...base, status: 'skip', message: `Metric ${q.name} was not read: the rollout ended before its first poll.` };
      }
      if (last.verdict === 'continue') return { ...base, status: 'warn', message: last.reason };
      return { ...base, status: 'pass', message: last.reason || `Metric ${q.name} passed at its last read (${plural(this.polls, 'poll')}).` };
    });
  }

  private async dimensionsOf(version: string): Promise<Record<string, string>> {
    const cached = this.dimensionCache.get(version);
    if (cached !== undefined) return cached;
    const values = await this.target.metricDimensions(version);
    this.dimensionCache.set(version, values);
    return values;
  }

  /**
   * The second read of the distribution queries: each bin's count per version (TC over stable's
   * cut points) in the minutes both versions published. Undefined for a query without such a minute.
   */
  private async readBins(series: MetricSeries, dims: Record<'canary' | 'stable', Record<string, string>>, window: MetricsWindow, abort?: AbortSignal): Promise<Map<number, BinnedCounts>> {
    const plans: Array<{ index: number; minutes: number[]; edges: number[] }> = [];
    this.queries.forEach((q, i) => {
      if (q.judge?.type !== 'distribution') return;
      const canary = series.get(`q${i}canary`) ?? new Map<number, number>();
      const stable = series.get(`q${i}stable`) ?? new Map<number, number>();
      const minutes = [...canary.keys()].filter((at) => (canary.get(at) ?? 0) > 0 && (stable.get(at) ?? 0) > 0);
      if (minutes.length === 0) return;
      const quantiles = percentileLevels(q.judge.bins).map((_, j) => median(minutes.map((at) => series.get(`p${i}x${j}`)?.get(at)).filter((v): v is number => v !== undefined)));
      plans.push({ index: i, minutes, edges: binEdges(quantiles.filter((v): v is number => v !== undefined)) });
    });
    const result = new Map<number, BinnedCounts>();
    if (plans.length === 0) return result;
    const requests: MetricDataQuery[] = [];
    for (const { index, edges } of plans) {
      const q = this.queries[index] as MetricQueryConfig;
      for (let b = 0; b <= edges.length; b++) {
        for (const side of ['canary', 'stable'] as const) requests.push(metricQuery(`b${index}${side}${b}`, q.namespace, q.metric, substituteDimensions(q.dimensions, dims[side]), trimmedCountStat(edges, b)));
      }
    }
    const counts = await getMetricSeries(this.cloudwatch, requests, window, abort);
    for (const { index, minutes, edges } of plans) {
      // Only the minutes of the first read: a minute published in between would count for one version only.
      const sum = (side: string, b: number) => minutes.reduce((n, at) => n + (counts.get(`b${index}${side}${b}`)?.get(at) ?? 0), 0);
      const bins = Array.from({ length: edges.length + 1 }, (_, b) => b);
      result.set(index, { edges, minutes: minutes.length, canary: bins.map((b) => sum('canary', b)), stable: bins.map((b) => sum('stable', b)) });
    }
    return result;
  }

  private distribution(q: MetricQueryConfig, i: number, label: string, poll: SignalPoll, binned: BinnedCounts | undefined): QueryOutcome {
    const judge = q.judge as Extract<MetricQueryConfig['judge'], { type: 'distribution' }>;
    if (binned === undefined) {
      return { verdict: 'continue', reason: `${label}: no minute since the first shift in which both version ${poll.candidateVersion} and version ${poll.stableVersion} published ${q.metric}; no data is never a pass.` };
    }
    const compared = compareScoreDistributions(binned.canary, binned.stable, binned.edges, { canary: poll.candidateVersion, stable: poll.stableVersion }, {
      maxPsi: judge.maxPsi,
      minSamples: judge.minSamples,
      requireEvidence: poll.requireEvidence,
    });
    this.tables.set(i, { ...binned, psi: compared.psi, pValue: compared.pValue });
    const minutes = ` (${binned.minutes} minute${binned.minutes === 1 ? '' : 's'})`;
    return { verdict: compared.verdict, reason: `${label}: ${compared.reason.replace(/\.$/, `${minutes}.`)}` };
  }

  private threshold(q: MetricQueryConfig, label: string, poll: SignalPoll, data: { canary: Series; stable: Series; canarySamples: Series | undefined }): QueryOutcome {
    const judge = q.judge as { type: 'threshold'; max?: number; min?: number };
    const inWindow = (s: Series | undefined, fromMs: number) => (s === undefined ? undefined : new Map([...s].filter(([at]) => at >= fromMs)));
    const canary = inWindow(data.canary, poll.window.startMs) as Series;
    const samples = inWindow(data.canarySamples, poll.window.startMs);
    const stable = inWindow(data.stable, poll.window.startMs) as Series;
    const over = `over the last ${formatDuration(poll.window.endMs - poll.window.startMs)}`;
    const needed = Math.max(1, poll.minInvocations);
    const sampleCount = samples === undefined ? undefined : [...samples.values()].reduce((a, b) => a + b, 0);
    const enough = sampleCount === undefined || sampleCount >= needed;
    const stableValue = aggregateStat(q.stat, stable, undefined, judge.max !== undefined ? 'max' : 'min');
    const stableNote = stableValue !== null ? ` (stable version ${poll.stableVersion}: ${round(stableValue)})` : '';
    const counted = sampleCount !== undefined ? `, ${plural(sampleCount, 'sample')}` : '';
    if (canary.size > 0 && enough) {
      const high = aggregateStat(q.stat, canary, samples, 'max') as number;
      const low = aggregateStat(q.stat, canary, samples, 'min') as number;
      if (judge.max !== undefined && high > judge.max) {
        return { verdict: 'fail', reason: `${label}: ${round(high)} for version ${poll.candidateVersion} ${over} (${canary.size} minute${canary.size === 1 ? '' : 's'}${counted}) is above max ${judge.max}${stableNote}.` };
      }
      if (judge.min !== undefined && low < judge.min) {
        return { verdict: 'fail', reason: `${label}: ${round(low)} for version ${poll.candidateVersion} ${over} (${canary.size} minute${canary.size === 1 ? '' : 's'}${counted}) is below min ${judge.min}${stableNote}.` };
      }
    }
    const own = [...canary.keys()].filter((at) => at >= poll.stepOwnFromMs);
    const ownSamples = samples === undefined ? undefined : own.reduce((sum, at) => sum + (samples.get(at) ?? 0), 0);
    if (own.length === 0 || (ownSamples !== undefined && ownSamples < needed)) {
      const what =
        canary.size === 0
          ? `no datapoint for version ${poll.candidateVersion} ${over}`
          : own.length === 0
            ? `no datapoint for version ${poll.candidateVersion} in a published minute of the current step's own traffic yet`
            : `only ${plural(ownSamples ?? 0, 'sample')} for version ${poll.candidateVersion} in the current step's own minutes, ${needed} needed`;
      return { verdict: 'continue', reason: `${label}: ${what}; no data is never a pass.` };
    }
    const value = aggregateStat(q.stat, canary, samples, judge.max !== undefined ? 'max' : 'min') as number;
    return { verdict: 'pass', reason: `${label}: ${round(value)} for version ${poll.candidateVersion} ${over}, within ${expectedOf(q)}${stableNote}.` };
  }

  private rate(q: MetricQueryConfig, label: string, poll: SignalPoll, events: { canary: Series; stable: Series }, calls: { canary: Series; stable: Series; what: string }): QueryOutcome {
    // A minute counts once the events and the calls of both versions are published: a minute
    // with calls but no events yet would read as "no events" and flatter whichever version it is.
    const published = (e: Series, c: Series) => new Set([...e.keys()].filter((at) => c.has(at)));
    const canaryMinutes = published(events.canary, calls.canary);
    const stableMinutes = published(events.stable, calls.stable);
    const shared = [...canaryMinutes].filter((at) => stableMinutes.has(at)).sort((a, b) => a - b);
    const rateLabel = `${label} per ${calls.what}`;
    if (shared.length === 0) {
      const missing =
        events.canary.size === 0
          ? `no datapoint for version ${poll.candidateVersion} since the first shift`
          : events.stable.size === 0
            ? `no datapoint for stable version ${poll.stableVersion} since the first shift (does it publish ${q.metric}?), nothing to compare with`
            : `no minute yet where both versions' ${q.metric} and ${calls.what} are published`;
      return { verdict: 'continue', reason: `${rateLabel}: ${missing}; no data is never a pass.` };
    }
    const canary = rateMetrics(poll.candidateVersion, shared, events.canary, calls.canary);
    const stable = rateMetrics(poll.stableVersion, shared, events.stable, calls.stable);
    const verdict = judgeCompare({
      canary,
      stable,
      config: this.compare,
      minInvocations: poll.minInvocations,
      requireEvidence: poll.requireEvidence,
      finalLook: poll.finalLook,
      excludedMinutes: poll.excludedMinutes,
      noun: q.metric,
    });
    return { verdict: verdict.verdict, reason: `${rateLabel}: ${verdict.reason}` };
  }
}

function expectedOf(q: MetricQueryConfig): string {
  const judge = q.judge;
  if (judge === undefined) return 'calls of another query';
  if (judge.type === 'distribution') return `canary's distribution like stable's (PSI < ${judge.maxPsi} or no evidence of a difference)`;
  if (judge.type === 'compare') return `canary rate no worse than stable's (per ${judge.calls})`;
  return [judge.min !== undefined ? `≥ ${judge.min}` : '', judge.max !== undefined ? `≤ ${judge.max}` : ''].filter((s) => s !== '').join(' and ');
}

function describeDimensions(dimensions: Array<{ Name: string; Value: string }>): string {
  return dimensions.length === 0 ? 'no dimensions' : dimensions.map((d) => `${d.Name}=${d.Value}`).join(', ');
}

/** The median of a list, or undefined when it is empty. */
function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function round(value: number): number {
  return Number(value.toPrecision(4));
}
