/**
 * CloudWatch alarms as a rollout signal (`rollout.alarms`, CodeDeploy parity): any watched alarm
 * in ALARM at a poll after the first shift fails the step. Before anything is written the
 * pipeline checks that every name exists and that none is already in ALARM (`alarmPreflight`):
 * an alarm that fires before the release would block a fix forever without a word (CodeDeploy's
 * known complaint), so the run refuses to start and says how to proceed, or, with
 * `alarms-ignore-initial: true`, counts such an alarm only once it has left ALARM.
 */
import { DescribeAlarmsCommand, type CloudWatchClient, type CompositeAlarm, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { createAwsClients } from '../aws/clients.js';
import type { AlarmsConfig } from '../config/types.js';
import type { CheckResult } from '../report/result.js';
import type { RolloutSignal, SignalVerdict } from './signal.js';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** One alarm as DescribeAlarms reports it. */
export interface AlarmStatus {
  name: string;
  kind: 'metric' | 'composite';
  state: AlarmState;
  reason: string;
  /** When its state value last changed (StateTransitionedTimestamp, else StateUpdatedTimestamp), epoch ms. */
  changedAtMs?: number;
}

/** Reads the named alarms; an alarm that does not exist is absent from the map. Throws when CloudWatch cannot be read. */
export type AlarmReader = (names: readonly string[], abort?: AbortSignal) => Promise<Map<string, AlarmStatus>>;

/** DescribeAlarms accepts at most 100 names per request, and returns at most 100 alarms per page. */
const NAMES_PER_REQUEST = 100;

/**
 * DescribeAlarms over the SDK client, every page. Without `AlarmTypes` CloudWatch returns metric
 * alarms only, so a composite alarm would look missing: both types are asked for.
 */
export function cloudWatchAlarmReader(client: CloudWatchClient): AlarmReader {
  return async (names, abort) => {
    const found = new Map<string, AlarmStatus>();
    const wanted = new Set(names);
    for (let i = 0; i < names.length; i += NAMES_PER_REQUEST) {
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          new DescribeAlarmsCommand({
            AlarmNames: names.slice(i, i + NAMES_PER_REQUEST),
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            MaxRecords: NAMES_PER_REQUEST,
            NextToken: nextToken,
          }),
          abort ? { abortSignal: abort } : {},
        );
        for (const alarm of page.MetricAlarms ?? []) addAlarm(found, wanted, alarm, 'metric');
        for (const alarm of page.CompositeAlarms ?? []) addAlarm(found, wanted, alarm, 'composite');
        nextToken = page.NextToken;
      } while (nextToken);
    }
    return found;
  };
}

function addAlarm(found: Map<string, AlarmStatus>, wanted: Set<string>, alarm: MetricAlarm | CompositeAlarm, kind: AlarmStatus['kind']): void {
  const name = alarm.AlarmName;
  if (name === undefined || !wanted.has(name)) return;
  const changedAt = alarm.StateTransitionedTimestamp ?? alarm.StateUpdatedTimestamp;
  found.set(name, {
    name,
    kind,
    state: (alarm.StateValue ?? 'INSUFFICIENT_DATA') as AlarmState,
    reason: alarm.StateReason ?? '',
    ...(changedAt !== undefined ? { changedAtMs: changedAt.getTime() } : {}),
  });
}

/** What the check before any write found. */
export type AlarmPreflight =
  /** Names that do not exist: an input error (exit 2). */
  | { kind: 'missing'; missing: string[]; message: string }
  /** Alarms already in ALARM, without alarms-ignore-initial: the run refuses to start (exit 1). */
  | { kind: 'firing'; firing: AlarmStatus[]; message: string }
  | { kind: 'ready'; signal: AlarmSignal };

/**
 * Reads every configured alarm once, before anything is written. Throws what the reader throws
 * (the pipeline reports an AWS failure before any change).
 */
export async function alarmPreflight(read: AlarmReader, config: AlarmsConfig, abort?: AbortSignal): Promise<AlarmPreflight> {
  const statuses = await read(config.names, abort);
  const missing = config.names.filter((name) => !statuses.has(name));
  if (missing.length > 0) {
    const list = missing.join(', ');
    return {
      kind: 'missing',
      missing,
      message: `rollout.alarms names ${missing.length === 1 ? 'a CloudWatch alarm that does' : `${missing.length} CloudWatch alarms that do`} not exist in this account and region: ${list} (metric and composite alarms were searched; names are case-sensitive). Fix the name${missing.length === 1 ? '' : 's'} in rollout.alarms, or create the alarm${missing.length === 1 ? '' : 's'} first.`,
    };
  }
  const firing = config.names.map((name) => statuses.get(name)).filter((s): s is AlarmStatus => s?.state === 'ALARM');
  if (firing.length > 0 && !config.ignoreInitial) {
    const which = firing.length === 1 ? `CloudWatch alarm ${firing[0]?.name} is` : `CloudWatch alarms ${firing.map((s) => s.name).join(', ')} are`;
    return {
      kind: 'firing',
      firing,
      message: `${which} already in ALARM before the rollout (${describeReasons(firing)}), so it did not start and nothing was written: the candidate would be rolled back at its first poll. Fix what the alarm reports and wait for it to leave ALARM, or set rollout.alarms-ignore-initial: true to start anyway (an alarm already in ALARM then counts only once it has left ALARM and fires again).`,
    };
  }
  return { kind: 'ready', signal: new AlarmSignal(read, config.names, statuses, config.ignoreInitial ? firing : []) };
}

/** The alarms as a rollout signal, plus what it saw for the report (`result`). */
export class AlarmSignal implements RolloutSignal {
  /** Alarms in ALARM before the rollout (alarms-ignore-initial): ignored until they leave ALARM, with the change time seen then. */
  private readonly ignored = new Map<string, number | undefined>();
  private readonly initiallyFiring: string[];
  private readonly recovered: string[] = [];
  private readonly insufficientData = new Set<string>();
  private readonly last = new Map<string, AlarmStatus>();
  private failure: { names: string[]; reason: string } | undefined;
  private polls = 0;

  constructor(
    private readonly read: AlarmReader,
    private readonly names: readonly string[],
    initial: Map<string, AlarmStatus>,
    ignoredInitially: readonly AlarmStatus[],
  ) {
    for (const [name, status] of initial) this.last.set(name, status);
    for (const status of ignoredInitially) this.ignored.set(status.name, status.changedAtMs);
    this.initiallyFiring = ignoredInitially.map((s) => s.name);
  }

  describe(): string {
    return `the CloudWatch alarm${this.names.length === 1 ? '' : 's'} ${this.names.join(', ')}`;
  }

  async check(abort?: AbortSignal): Promise<SignalVerdict> {
    const statuses = await this.read(this.names, abort);
    this.polls += 1;
    const firing: AlarmStatus[] = [];
    const deleted: string[] = [];
    const notes: string[] = [];
    for (const name of this.names) {
      const status = statuses.get(name);
      if (status === undefined) {
        deleted.push(name);
        continue;
      }
      this.last.set(name, status);
      if (this.ignored.has(name)) {
        const seenAtMs = this.ignored.get(name);
        // A newer state change while in ALARM means it left ALARM between two polls and came back.
        const changedSince = status.changedAtMs !== undefined && (seenAtMs === undefined || status.changedAtMs > seenAtMs);
        if (status.state === 'ALARM' && !changedSince) {
          notes.push(`${name} is still in ALARM from before the rollout (ignored: alarms-ignore-initial)`);
          continue;
        }
        this.ignored.delete(name);
        this.recovered.push(name);
        if (status.state !== 'ALARM') notes.push(`${name} left ALARM (now ${status.state}) and counts from now on`);
      }
      if (status.state === 'ALARM') firing.push(status);
      else if (status.state === 'INSUFFICIENT_DATA') {
        this.insufficientData.add(name);
        notes.push(`${name} has INSUFFICIENT_DATA (not a failure)`);
      }
    }
    if (firing.length > 0 || deleted.length > 0) {
      const parts: string[] = [];
      if (firing.length > 0) {
        parts.push(`${firing.length === 1 ? `CloudWatch alarm ${firing[0]?.name} is` : `CloudWatch alarms ${firing.map((s) => s.name).join(', ')} are`} in ALARM (${describeReasons(firing)})`);
      }
      if (deleted.length > 0) {
        parts.push(`CloudWatch alarm${deleted.length === 1 ? '' : 's'} ${deleted.join(', ')} no longer exist${deleted.length === 1 ? 's' : ''}: deleted during the rollout, so it can no longer watch it`);
      }
      const reason = `${parts.join('; ')}.`;
      this.failure ??= { names: [...firing.map((s) => s.name), ...deleted], reason };
      return { verdict: 'fail', reason };
    }
    return { verdict: 'pass', reason: notes.length > 0 ? `Alarms: ${notes.join('; ')}.` : '' };
  }

  /** The `rollout.alarms` row of the report: what the alarms said during the rollout. */
  result(options: { dryRun: boolean }): CheckResult {
    const observed = this.names.map((name) => `${name} ${this.last.get(name)?.state ?? 'deleted'}`).join(', ');
    const base = { id: 'rollout.alarms', gate: 'rollout' as const, observed, expected: 'no alarm in ALARM', details: this.details() };
    const ignoredNote = this.initiallyFiring.length > 0 ? ` ${this.describeIgnored()}` : '';
    if (this.failure !== undefined) {
      return { ...base, status: 'fail', message: `${this.failure.reason} The step failed at once.${ignoredNote}` };
    }
    if (this.polls === 0) {
      return options.dryRun
        ? { ...base, status: 'pass', message: `Dry run: would watch ${this.describe()} at every poll after the first shift (now ${observed}).${ignoredNote}` }
        : { ...base, status: 'skip', message: `${capitalize(this.describe())} were read before the rollout (${observed}) but not during it: the rollout ended before its first poll.${ignoredNote}` };
    }
    const warnings: string[] = [];
    if (this.ignored.size > 0) warnings.push(this.describeIgnored());
    if (this.insufficientData.size > 0) {
      warnings.push(`${[...this.insufficientData].join(', ')} had INSUFFICIENT_DATA at some polls: not a failure, but ${this.insufficientData.size === 1 ? 'it' : 'they'} could not have caught a regression then.`);
    }
    const summary = `No watched alarm went to ALARM in ${this.polls} poll${this.polls === 1 ? '' : 's'} (last states: ${observed}).`;
    if (warnings.length > 0) return { ...base, status: 'warn', message: `${summary} ${warnings.join(' ')}` };
    return { ...base, status: 'pass', message: `${summary}${ignoredNote}` };
  }

  private describeIgnored(): string {
    const still = this.initiallyFiring.filter((name) => this.ignored.has(name));
    const parts: string[] = [];
    if (still.length > 0) {
      parts.push(`${still.join(', ')} ${still.length === 1 ? 'was' : 'were'} already in ALARM before the rollout and never left it, so ${still.length === 1 ? 'it was' : 'they were'} ignored throughout (alarms-ignore-initial: true): ${still.length === 1 ? 'it' : 'they'} did not protect this release.`);
    }
    if (this.recovered.length > 0) {
      parts.push(`${this.recovered.join(', ')} ${this.recovered.length === 1 ? 'was' : 'were'} in ALARM before the rollout (ignored: alarms-ignore-initial) and counted once ${this.recovered.length === 1 ? 'it' : 'they'} left ALARM.`);
    }
    return parts.join(' ');
  }

  private details(): Record<string, unknown> {
    return {
      alarms: this.names.map((name) => {
        const s = this.last.get(name);
        return s === undefined ? { name, state: 'deleted' } : { name, kind: s.kind, state: s.state, reason: s.reason };
      }),
      polls: this.polls,
      ...(this.initiallyFiring.length > 0 ? { ignoredInitially: [...this.initiallyFiring], stillIgnored: [...this.ignored.keys()] } : {}),
      ...(this.insufficientData.size > 0 ? { insufficientData: [...this.insufficientData] } : {}),
    };
  }
}

function describeReasons(alarms: readonly AlarmStatus[]): string {
  return alarms.map((s) => `${alarms.length > 1 ? `${s.name}: ` : ''}${s.reason.trim().replace(/[.\s]+$/, '') || 'no reason given'}`).join('; ');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The reader over a CloudWatch client built like every other (src/aws/clients.ts), in the target's region. */
export function defaultAlarmReader(region: string | undefined, env: NodeJS.ProcessEnv = process.env): AlarmReader {
  return cloudWatchAlarmReader(createAwsClients({ ...(region !== undefined ? { region } : {}), env }).cloudwatch);
}
