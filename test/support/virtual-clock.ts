/**
 * A simulated Clock for tests: `sleep` does not wait, it lets pending work run (one
 * setImmediate turn), then jumps time to the earliest pending wake-up. Sleeps started in
 * the same turn (e.g. two parallel API calls) share the jump, as they would in real time.
 * `at(t, fn)` schedules an event (a fault, a SIGTERM) at a virtual time.
 */
import type { Clock } from '../../src/core/clock.js';

interface Sleeper {
  wakeAtMs: number;
  resolve: () => void;
}

interface ScheduledEvent {
  atMs: number;
  run: () => void;
}

export class VirtualClock implements Clock {
  private nowMs: number;
  private readonly sleepers = new Set<Sleeper>();
  private readonly events: ScheduledEvent[] = [];
  private advanceScheduled = false;
  /** Every sleep requested, in order, for assertions on the polling cadence. */
  readonly sleeps: number[] = [];

  /**
   * @param startMs virtual epoch milliseconds at creation.
   * @param limitMs a sleep that would go past this time rejects: a runaway loop fails the test.
   */
  constructor(
    startMs = 1_700_000_000_000,
    private readonly limitMs = startMs + 24 * 3_600_000,
  ) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const wakeAtMs = this.nowMs + Math.max(0, ms);
      if (wakeAtMs > this.limitMs) return reject(new Error(`VirtualClock: sleep past the test's time limit`));
      const onAbort = () => {
        this.sleepers.delete(sleeper);
        reject(signal?.reason);
      };
      const sleeper: Sleeper = {
        wakeAtMs,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.sleepers.add(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.scheduleAdvance();
    });
  }

  /** Runs `run` when virtual time reaches `atMs` (only advances while something sleeps). */
  at(atMs: number, run: () => void): void {
    this.events.push({ atMs, run });
    this.events.sort((a, b) => a.atMs - b.atMs);
  }

  private scheduleAdvance(): void {
    if (this.advanceScheduled) return;
    this.advanceScheduled = true;
    setImmediate(() => {
      this.advanceScheduled = false;
      this.advance();
    });
  }

  private advance(): void {
    if (this.sleepers.size === 0) return;
    const nextWake = Math.min(...[...this.sleepers].map((s) => s.wakeAtMs));
    const event = this.events[0];
    if (event !== undefined && event.atMs <= nextWake) {
      // An event comes first: it may abort a sleeper, so re-plan after running it.
      this.events.shift();
      this.nowMs = Math.max(this.nowMs, event.atMs);
      event.run();
      this.scheduleAdvance();
      return;
    }
    this.nowMs = nextWake;
    for (const sleeper of [...this.sleepers]) {
      if (sleeper.wakeAtMs <= nextWake) {
        this.sleepers.delete(sleeper);
        sleeper.resolve();
      }
    }
    if (this.sleepers.size > 0) this.scheduleAdvance();
  }
}
