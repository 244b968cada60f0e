/**
 * GetMetricData, every page, as one series per query: query id → (period start ms → value).
 * Periods without a datapoint are absent (CloudWatch publishes none for them), which the
 * targets' readers rely on to tell "not published yet" from "zero".
 */
import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { MetricsWindow } from '../targets/target.js';

/** CloudWatch's finest standard resolution for Lambda and SageMaker metrics; a datapoint covers one minute. */
export const METRIC_PERIOD_SECONDS = 60;

export type MetricSeries = Map<string, Map<number, number>>;

/** A `MetricStat` query of one metric at the standard period. */
export function metricQuery(id: string, namespace: string, metricName: string, dimensions: Array<{ Name: string; Value: string }>, stat: string): MetricDataQuery {
  return {
    Id: id,
    MetricStat: { Metric: { Namespace: namespace, MetricName: metricName, Dimensions: dimensions }, Period: METRIC_PERIOD_SECONDS, Stat: stat },
    ReturnData: true,
  };
}

/** `signal` cancels the read (and the SDK's retries). */
export async function getMetricSeries(cloudwatch: CloudWatchClient, queries: MetricDataQuery[], window: MetricsWindow, signal?: AbortSignal): Promise<MetricSeries> {
  const series: MetricSeries = new Map(queries.map((q) => [q.Id as string, new Map<number, number>()]));
  let nextToken: string | undefined;
  do {
    const page = await cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: new Date(window.startMs),
        EndTime: new Date(window.endMs),
        ScanBy: 'TimestampAscending',
        NextToken: nextToken,
      }),
      signal ? { abortSignal: signal } : {},
    );
    for (const result of page.MetricDataResults ?? []) {
      const target = series.get(result.Id ?? '');
      if (!target) continue;
      (result.Timestamps ?? []).forEach((at, i) => {
        const value = result.Values?.[i];
        if (value !== undefined) target.set(at.getTime(), value);
      });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return series;
}
