/**
 * A SageMaker production variant's metrics as the judges read them: `AWS/SageMaker` by
 * `EndpointName` and `VariantName`, per minute. Errors are the model's 5xx AND 4xx answers: a
 * model container that starts rejecting inputs it used to accept answers 4xx, and comparing
 * canary with stable keeps clients' own bad requests (the same on both) from counting against
 * it. ModelLatency is published in microseconds; the judges read milliseconds.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { getMetricSeries, metricQuery } from '../aws/metric-data.js';
import type { MetricsWindow, VersionMetrics } from './target.js';

export async function readVariantMetrics(
  cloudwatch: CloudWatchClient,
  which: { endpointName: string; variantName: string; version: string },
  window: MetricsWindow,
  signal?: AbortSignal,
): Promise<VersionMetrics> {
  const { version } = which;
  const dimensions = [
    { Name: 'EndpointName', Value: which.endpointName },
    { Name: 'VariantName', Value: which.variantName },
  ];
  const query = (id: string, metricName: string, stat: string) => metricQuery(id, 'AWS/SageMaker', metricName, dimensions, stat);
  const queries = [query('invocations', 'Invocations', 'Sum'), query('e5xx', 'Invocation5XXErrors', 'Sum'), query('e4xx', 'Invocation4XXErrors', 'Sum'), query('p99', 'ModelLatency', 'p99')];
  const series = await getMetricSeries(cloudwatch, queries, window, signal);
  const get = (id: string) => series.get(id) as Map<number, number>;
  // As for Lambda: a minute counts only once its invocations and its 5xx count are both
  // published, or a half-published minute reads as "no errors". A variant's 4xx series may
  // be absent where the model never answers 4xx; it counts as 0 then.
  const starts = [...get('invocations').keys()].filter((at) => get('e5xx').has(at)).sort((a, b) => a - b);
  const periods = starts.map((startMs) => {
    const p99Us = get('p99').get(startMs);
    return {
      startMs,
      invocations: get('invocations').get(startMs) ?? 0,
      errors: (get('e5xx').get(startMs) ?? 0) + (get('e4xx').get(startMs) ?? 0),
      throttles: 0,
      p99Ms: p99Us === undefined ? null : p99Us / 1000,
    };
  });
  const p99s = periods.map((p) => p.p99Ms).filter((v): v is number => v !== null);
  return {
    version,
    invocations: periods.reduce((s, p) => s + p.invocations, 0),
    errors: periods.reduce((s, p) => s + p.errors, 0),
    throttles: 0,
    p99Ms: p99s.length > 0 ? Math.max(...p99s) : null,
    periods,
  };
}
