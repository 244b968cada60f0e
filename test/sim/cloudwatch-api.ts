import type { AlarmBook, AlarmView } from './alarms.js';
import { parseJsonBody, type ApiRequest, type ApiResponse, type Route } from './api.js';
import { SimApiError } from './errors.js';
import { isSupportedStatistic, type Datapoint, type DimensionFilter, type MetricStore } from './metrics.js';

const TARGET_PREFIX = 'GraniteServiceVersion20100801.';
const DEFAULT_MAX_DATAPOINTS = 100_800;
const QUERY_ID = /^[a-z][a-zA-Z0-9_]*$/;

interface MetricDataQuery {
  Id?: string;
  Label?: string;
  ReturnData?: boolean;
  Expression?: string;
  MetricStat?: {
    Metric?: { Namespace?: string; MetricName?: string; Dimensions?: Array<{ Name?: string; Value?: string }> };
    Period?: number;
    Stat?: string;
  };
}

interface GetMetricDataInput {
  MetricDataQueries?: MetricDataQuery[];
  /** Epoch seconds: AWS JSON 1.0 serialises timestamps as numbers. */
  StartTime?: number;
  EndTime?: number;
  NextToken?: string;
  ScanBy?: 'TimestampDescending' | 'TimestampAscending';
  MaxDatapoints?: number;
}

interface DescribeAlarmsInput {
  AlarmNames?: string[];
  AlarmNamePrefix?: string;
  AlarmTypes?: Array<'MetricAlarm' | 'CompositeAlarm' | 'LogAlarm'>;
  ChildrenOfAlarmName?: string;
  ParentsOfAlarmName?: string;
  StateValue?: string;
  ActionPrefix?: string;
  MaxRecords?: number;
  NextToken?: string;
}

const ALARM_STATES = new Set(['OK', 'ALARM', 'INSUFFICIENT_DATA']);
const ALARM_TYPES = new Set(['MetricAlarm', 'CompositeAlarm', 'LogAlarm']);

function invalidValue(message: string): SimApiError {
  return new SimApiError(400, 'InvalidParameterValueException', message);
}

/**
 * CloudWatch GetMetricData and DescribeAlarms over the AWS JSON 1.0 protocol
 * (awsQueryCompatible): the SDK posts to `/` with `X-Amz-Target:
 * GraniteServiceVersion20100801.<Operation>`, timestamps in epoch seconds. `AWS/Lambda` and
 * `AWS/SageMaker` metrics exist (other namespaces answer no datapoints); metric math is not
 * simulated. Alarms are set up by tests (`sim.setAlarm`), not evaluated from metrics.
 */
export class CloudWatchApi {
  constructor(
    private readonly metrics: MetricStore,
    private readonly now: () => number,
    private readonly alarms: AlarmBook,
  ) {}

  /** The route for a JSON 1.0 request, or undefined when it is not addressed to CloudWatch. */
  route(req: ApiRequest): Route | undefined {
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) return undefined;
    const operation = target.slice(TARGET_PREFIX.length);
    const body = parseJsonBody(req.body);
    if (operation === 'DescribeAlarms') {
      return { operation, loggedBody: body, run: () => this.describeAlarms((body ?? {}) as DescribeAlarmsInput) };
    }
    if (operation !== 'GetMetricData') {
      return {
        operation,
        loggedBody: body,
        run: () => {
          throw new SimApiError(400, 'UnknownOperationException', `The simulator does not implement ${operation}`);
        },
      };
    }
    return { operation, loggedBody: body, run: () => this.getMetricData((body ?? {}) as GetMetricDataInput) };
  }

  private getMetricData(input: GetMetricDataInput): ApiResponse {
    const queries = input.MetricDataQueries ?? [];
    if (queries.length === 0 || queries.length > 500) {
      throw invalidValue('MetricDataQueries must contain between 1 and 500 queries');
    }
    if (typeof input.StartTime !== 'number' || typeof input.EndTime !== 'number') {
      throw new SimApiError(400, 'MissingRequiredParameterException', 'StartTime and EndTime are required');
    }
    const startMs = input.StartTime * 1000;
    const endMs = input.EndTime * 1000;
    if (startMs >= endMs) throw invalidValue('The parameter StartTime must be less than the parameter EndTime.');
    const nowMs = this.now();
    const newestFirst = input.ScanBy !== 'TimestampAscending';

    const series = queries.map((query) => ({ query, datapoints: this.evaluate(query, startMs, endMs, nowMs) }));
    const returned = series.filter(({ query }) => query.ReturnData !== false);
    for (const s of returned) if (newestFirst) s.datapoints.reverse();

    // Pagination: the token is the number of datapoints already returned, across queries in order.
    const offset = input.NextToken === undefined ? 0 : Number(Buffer.from(input.NextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) throw new SimApiError(400, 'InvalidNextToken', 'The NextToken is not valid');
    const limit = input.MaxDatapoints ?? DEFAULT_MAX_DATAPOINTS;
    let skipped = 0;
    let taken = 0;
    const results = returned.map(({ query, datapoints }) => {
      const skip = Math.min(datapoints.length, Math.max(0, offset - skipped));
      skipped += skip;
      const take = Math.min(datapoints.length - skip, limit - taken);
      taken += take;
      const page = datapoints.slice(skip, skip + take);
      return {
        Id: query.Id,
        Label: query.Label ?? query.MetricStat?.Metric?.MetricName ?? query.Id,
        Timestamps: page.map((d) => d.startMs / 1000),
        Values: page.map((d) => d.value),
        StatusCode: skip + take < datapoints.length ? 'PartialData' : 'Complete',
      };
    });
    const total = returned.reduce((n, s) => n + s.datapoints.length, 0);
    const consumed = offset + taken;
    return {
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({
        MetricDataResults: results,
        Messages: [],
        ...(consumed < total ? { NextToken: Buffer.from(String(consumed)).toString('base64url') } : {}),
      }),
    };
  }

  /**
   * Alarms by exact names or a prefix, of the types asked for: without `AlarmTypes` only metric
   * alarms, as CloudWatch does. Names that match nothing are simply absent. Pages of
   * `MaxRecords` (default 50) over the metric alarms, then the composite ones, by name.
   */
  private describeAlarms(input: DescribeAlarmsInput): ApiResponse {
    if (input.ChildrenOfAlarmName !== undefined || input.ParentsOfAlarmName !== undefined || input.ActionPrefix !== undefined) {
      throw invalidValue('The simulator does not support ChildrenOfAlarmName, ParentsOfAlarmName or ActionPrefix.');
    }
    const names = input.AlarmNames;
    if (names !== undefined && input.AlarmNamePrefix !== undefined) {
      throw new SimApiError(400, 'InvalidParameterCombinationException', 'AlarmNamePrefix and AlarmNames cannot be specified together.');
    }
    if (names !== undefined && names.length > 100) {
      throw new SimApiError(400, 'ValidationError', `1 validation error detected: Value at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to 100`);
    }
    for (const name of names ?? []) {
      if (typeof name !== 'string' || name.length < 1 || name.length > 255) {
        throw new SimApiError(400, 'ValidationError', `1 validation error detected: Value '${String(name)}' at 'alarmNames' failed to satisfy constraint: Member must have length between 1 and 255`);
      }
    }
    if (input.StateValue !== undefined && !ALARM_STATES.has(input.StateValue)) {
      throw new SimApiError(400, 'ValidationError', `1 validation error detected: Value '${input.StateValue}' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]`);
    }
    const types = new Set(input.AlarmTypes ?? ['MetricAlarm']);
    for (const type of types) if (!ALARM_TYPES.has(type)) throw new SimApiError(400, 'ValidationError', `Unknown alarm type ${String(type)}`);
    const limit = input.MaxRecords ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new SimApiError(400, 'ValidationError', `1 validation error detected: Value '${limit}' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and 100`);
    }
    const wanted = names !== undefined ? new Set(names) : undefined;
    const matching = this.alarms
      .viewAll(this.now())
      .filter((a) => (wanted ? wanted.has(a.name) : a.name.startsWith(input.AlarmNamePrefix ?? '')))
      .filter((a) => input.StateValue === undefined || a.state === input.StateValue)
      .filter((a) => types.has(a.type === 'metric' ? 'MetricAlarm' : 'CompositeAlarm'));
    const ordered = [...matching.filter((a) => a.type === 'metric'), ...matching.filter((a) => a.type === 'composite')];
    const offset = input.NextToken === undefined ? 0 : Number(Buffer.from(input.NextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0 || offset > ordered.length) throw new SimApiError(400, 'InvalidNextToken', 'The NextToken is not valid');
    const page = ordered.slice(offset, offset + limit);
    const consumed = offset + page.length;
    return {
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({
        MetricAlarms: page.filter((a) => a.type === 'metric').map(alarmShape),
        CompositeAlarms: page.filter((a) => a.type === 'composite').map(alarmShape),
        ...(consumed < ordered.length ? { NextToken: Buffer.from(String(consumed)).toString('base64url') } : {}),
      }),
    };
  }

  /** Oldest-first datapoints of one query, after validating it like CloudWatch does. */
  private evaluate(query: MetricDataQuery, startMs: number, endMs: number, nowMs: number): Datapoint[] {
    if (typeof query.Id !== 'string' || !QUERY_ID.test(query.Id)) {
      throw invalidValue(`The value ${String(query.Id)} for parameter MetricDataQueries.member.Id is not valid: it must start with a lowercase letter and contain only letters, digits and underscores.`);
    }
    if (query.Expression !== undefined) throw invalidValue('The simulator does not support metric math expressions.');
    const stat = query.MetricStat;
    const metric = stat?.Metric;
    if (!stat || !metric?.MetricName || !metric.Namespace) {
      throw new SimApiError(400, 'MissingRequiredParameterException', `Query ${query.Id} needs MetricStat with Namespace and MetricName`);
    }
    const period = stat.Period ?? 0;
    if (!Number.isInteger(period) || period < 60 || period % 60 !== 0) {
      throw invalidValue(`The parameter Period must be a multiple of 60 (got ${period}).`);
    }
    if (!stat.Stat || !isSupportedStatistic(stat.Stat)) throw invalidValue(`The statistic ${String(stat.Stat)} is not supported.`);
    const dimensions: DimensionFilter = {};
    for (const d of metric.Dimensions ?? []) {
      if (d.Name !== undefined && d.Value !== undefined) dimensions[d.Name] = d.Value;
    }
    const periodMs = period * 1000;
    return this.metrics.query({
      namespace: metric.Namespace,
      metric: metric.MetricName,
      dimensions,
      periodMs,
      stat: stat.Stat,
      // CloudWatch aligns the window to whole periods.
      startMs: Math.floor(startMs / periodMs) * periodMs,
      endMs,
      nowMs,
    });
  }
}

/** The members of MetricAlarm / CompositeAlarm the simulator knows; timestamps in epoch seconds. */
function alarmShape(alarm: AlarmView): Record<string, unknown> {
  return {
    AlarmName: alarm.name,
    AlarmArn: alarm.arn,
    ActionsEnabled: true,
    AlarmActions: [],
    OKActions: [],
    InsufficientDataActions: [],
    StateValue: alarm.state,
    StateReason: alarm.reason,
    StateUpdatedTimestamp: alarm.updatedAtMs / 1000,
    StateTransitionedTimestamp: alarm.transitionedAtMs / 1000,
  };
}
