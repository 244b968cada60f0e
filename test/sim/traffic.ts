import type { SimulatorClock } from './clock.js';
import { SeededRandom } from './random.js';
import type { FunctionRuntime } from './runtime.js';

/** Steady production traffic on an alias. */
export interface TrafficSpec {
  functionName: string;
  alias: string;
  requestsPerMinute: number;
  /** Seeds arrivals, routing and behaviour draws; same seed, same run. */
  seed?: number;
}

/** What the generator sent, per executed version: lets tests compare metrics with reality. */
export interface TrafficTally {
  total: number;
  byVersion: Record<string, { invocations: number; errors: number; throttles: number }>;
  /** Invocations that could not run at all (e.g. the alias disappeared). */
  failed: number;
}

const REAL_TIME_TICK_MS = 100;

/**
 * Invokes an alias continuously in the clock's time. With a virtual clock every jump in time
 * is filled with Poisson arrivals for the elapsed interval, each routed by the alias's weights
 * at that moment; with a real clock a 100 ms timer does the same.
 */
export class TrafficGenerator {
  readonly tally: TrafficTally = { total: 0, byVersion: {}, failed: 0 };
  private readonly random: SeededRandom;
  private nextArrivalMs: number;
  private requestsPerMinute: number;
  private stopDriver: () => void = () => {};

  constructor(
    private readonly runtime: FunctionRuntime,
    private readonly clock: SimulatorClock,
    private readonly spec: TrafficSpec,
  ) {
    this.random = new SeededRandom(spec.seed ?? 1);
    this.requestsPerMinute = spec.requestsPerMinute;
    this.nextArrivalMs = this.drawNextArrival(clock.now());
  }

  start(): void {
    if (this.clock.onAdvance) {
      this.stopDriver = this.clock.onAdvance((from, to) => this.fill(from, to));
      return;
    }
    let last = this.clock.now();
    const timer = setInterval(() => {
      const now = this.clock.now();
      this.fill(last, now);
      last = now;
    }, REAL_TIME_TICK_MS);
    timer.unref();
    this.stopDriver = () => clearInterval(timer);
  }

  stop(): void {
    this.stopDriver();
    this.stopDriver = () => {};
  }

  /** Changes the rate from now on (0 stops arrivals without stopping the generator). */
  setRate(requestsPerMinute: number): void {
    this.requestsPerMinute = requestsPerMinute;
    this.nextArrivalMs = this.drawNextArrival(this.clock.now());
  }

  /** Generates the arrivals in (fromMs, toMs]. */
  private fill(_fromMs: number, toMs: number): void {
    while (this.nextArrivalMs <= toMs) {
      const atMs = this.nextArrivalMs;
      this.invokeOnce(atMs);
      this.nextArrivalMs = this.drawNextArrival(atMs);
    }
  }

  private invokeOnce(atMs: number): void {
    this.tally.total++;
    try {
      const { executedVersion, outcome } = this.runtime.invoke(this.spec.functionName, this.spec.alias, atMs, this.random);
      const counts = (this.tally.byVersion[executedVersion] ??= { invocations: 0, errors: 0, throttles: 0 });
      if (outcome.kind === 'throttled') counts.throttles++;
      else counts.invocations++;
      if (outcome.kind === 'error') counts.errors++;
    } catch {
      // A missing function or alias must not break the clock of the code under test.
      this.tally.failed++;
    }
  }

  private drawNextArrival(afterMs: number): number {
    if (this.requestsPerMinute <= 0) return Infinity;
    return afterMs + this.random.exponential(60_000 / this.requestsPerMinute);
  }
}
