import type { Clock } from '../../src/core/clock.js';

/** Called after virtual time moved from `fromMs` to `toMs` (toMs > fromMs). */
export type AdvanceListener = (fromMs: number, toMs: number) => void;

/** A clock the simulator can follow: virtual clocks announce every jump in time. */
export type SimulatorClock = Clock & { onAdvance?(listener: AdvanceListener): () => void };

/**
 * Simulated time for tests: `sleep` jumps forward instead of waiting, so a canary loop that
 * bakes for an hour runs in milliseconds. Listeners (the traffic generator) fill each jump
 * synchronously, so metrics for the skipped interval exist as soon as `sleep` resolves.
 */
export class VirtualClock implements Clock {
  private nowMs: number;
  private readonly listeners = new Set<AdvanceListener>();

  constructor(startMs: number = Date.UTC(2026, 0, 1)) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  /**
   * Resolves at `now() + ms` in virtual time. Yields to the event loop first so in-flight HTTP
   * round trips and other sleepers get a turn; concurrent sleeps do not add up, each only
   * moves time forward to its own deadline.
   */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    const deadline = this.nowMs + Math.max(0, ms);
    await new Promise(setImmediate);
    if (signal?.aborted) throw signal.reason;
    if (deadline > this.nowMs) this.advance(deadline - this.nowMs);
  }

  /** Moves time forward by `ms` and notifies listeners. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`VirtualClock.advance: ms must be >= 0, got ${ms}`);
    if (ms === 0) return;
    const from = this.nowMs;
    this.nowMs = from + ms;
    for (const listener of [...this.listeners]) listener(from, this.nowMs);
  }

  /** Subscribes to time jumps; returns the unsubscribe function. */
  onAdvance(listener: AdvanceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Wall-clock time for the manual CLI simulator; traffic is then driven by a timer. */
export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
