import { ACCOUNT_ID, REGION } from './lambda-model.js';

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** An alarm as a test sets it up (`sim.setAlarm`): created when new, its state changed otherwise. */
export interface AlarmSpec {
  name: string;
  state: AlarmStateValue;
  reason?: string;
  /** Only when the alarm is created; default `metric`. */
  type?: 'metric' | 'composite';
}

/** A state change that happens at `atMs` of clock time (`sim.scenarios.alarmAt`). */
export interface AlarmChange {
  name: string;
  state: AlarmStateValue;
  atMs: number;
  reason?: string;
}

/** One alarm as DescribeAlarms reports it at a given time. */
export interface AlarmView {
  name: string;
  type: 'metric' | 'composite';
  arn: string;
  state: AlarmStateValue;
  reason: string;
  /** Last update of the state value or reason (StateUpdatedTimestamp). */
  updatedAtMs: number;
  /** Last change of the state value (StateTransitionedTimestamp). */
  transitionedAtMs: number;
}

interface AlarmRecord {
  name: string;
  type: 'metric' | 'composite';
  /** Applied changes and scheduled ones, sorted by time; the state at t is the last one at or before t. */
  changes: Array<{ atMs: number; state: AlarmStateValue; reason: string }>;
}

/** CloudWatch's wording for a state set without a reason. */
function defaultReason(state: AlarmStateValue): string {
  if (state === 'ALARM') return 'Threshold Crossed: 1 out of the last 1 datapoints was greater than the threshold.';
  if (state === 'OK') return 'Threshold Crossed: 1 out of the last 1 datapoints was not greater than the threshold.';
  return 'Insufficient Data: 1 datapoint was unknown.';
}

/**
 * CloudWatch alarms, metric and composite, whose state is a function of the clock: changes set
 * for a later time take effect when the clock gets there, so a virtual clock's sleep fires them.
 */
export class AlarmBook {
  private readonly alarms = new Map<string, AlarmRecord>();

  constructor(private readonly now: () => number) {}

  /** Creates the alarm, or changes its state now. */
  set(spec: AlarmSpec): void {
    const existing = this.alarms.get(spec.name);
    const change = { atMs: this.now(), state: spec.state, reason: spec.reason ?? defaultReason(spec.state) };
    if (existing === undefined) {
      this.alarms.set(spec.name, { name: spec.name, type: spec.type ?? 'metric', changes: [change] });
      return;
    }
    this.insert(existing, change);
  }

  /** Schedules a state change of an existing alarm at `atMs`. */
  schedule(change: AlarmChange): void {
    const alarm = this.alarms.get(change.name);
    if (alarm === undefined) throw new Error(`alarmAt: no alarm named ${change.name}; create it with sim.setAlarm first`);
    this.insert(alarm, { atMs: change.atMs, state: change.state, reason: change.reason ?? defaultReason(change.state) });
  }

  /** Every alarm as it is at `nowMs`, sorted by name (CloudWatch lists alarms alphabetically). */
  viewAll(nowMs: number): AlarmView[] {
    return [...this.alarms.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((alarm) => this.view(alarm, nowMs))
      .filter((v): v is AlarmView => v !== undefined);
  }

  private view(alarm: AlarmRecord, nowMs: number): AlarmView | undefined {
    const applied = alarm.changes.filter((c) => c.atMs <= nowMs);
    const current = applied.at(-1);
    if (current === undefined) return undefined;
    let transitionedAtMs = applied[0]?.atMs ?? current.atMs;
    for (let i = 1; i < applied.length; i++) {
      if (applied[i]?.state !== applied[i - 1]?.state) transitionedAtMs = applied[i]?.atMs ?? transitionedAtMs;
    }
    return {
      name: alarm.name,
      type: alarm.type,
      arn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT_ID}:alarm:${alarm.name}`,
      state: current.state,
      reason: current.reason,
      updatedAtMs: current.atMs,
      transitionedAtMs,
    };
  }

  private insert(alarm: AlarmRecord, change: AlarmRecord['changes'][number]): void {
    alarm.changes.push(change);
    // Stable: two changes at the same instant apply in the order they were made.
    alarm.changes.sort((a, b) => a.atMs - b.atMs);
  }
}
