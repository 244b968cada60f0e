import type { SimulatorClock } from './clock.js';
import { SeededRandom } from './random.js';

/** How often requests arrive, and the seed of every draw; same seed, same run. */
export interface TrafficRate {
  requestsPerMinute: number;
  /** Seeds arrivals, routing and behaviour draws; same seed, same run. */
  seed?: number;
}

/** Steady production traffic on an alias. */
export interface TrafficSpec extends TrafficRate {
  functionName: string;
  alias: string;
}

/** Steady production traffic on a SageMaker endpoint, routed by its variants' weights. */
export interface EndpointTrafficSpec extends TrafficRate {
  endpointName: string;
}

/**
 * What the generator sent, per executed version (Lambda) or production variant (SageMaker):
 * lets tests compare metrics with reality. `errors` counts every error answer (on SageMaker,
 * model 5xx and 4xx alike).
 */
export interface TrafficTally {
  total: number;
  byVersion: Record<string, { invocations: number; errors: number; throttles: number }>;
  /** Invocations that could not run at all (e.g. the alias disappeared). */
  failed: number;
}

/** Runs one invocation at `atMs`: what served it and how it ended. Throws when it cannot run at all. */
export type Invoker = (atMs: number, random: SeededRandom) => { servedBy: string; outcome: 'ok' | 'error' | 'throttled' };

const REAL_TIME_TICK_MS = 100;

/**
 * Invokes an alias or an endpoint continuously in the clock's time. With a virtual clock every
 * jump in time is filled with Poisson arrivals for the elapsed interval, each routed by the
 * weights at that moment; with a real clock a 100 ms timer does the same.
 */
export class TrafficGenerator {
  readonly tally: TrafficTally = { total: 0, byVersion: {}, failed: 0 };
  private readonly random: SeededRandom;
  private nextArrivalMs: number;
  private requestsPerMinute: number;
  private stopDriver: () => void = () => {};

  constructor(
    private readonly invoke: Invoker,
    private readonly clock: SimulatorClock,
    spec: TrafficRate,
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
      const { servedBy, outcome } = this.invoke(atMs, this.random);
      const counts = (this.tally.byVersion[servedBy] ??= { invocations: 0, errors: 0, throttles: 0 });
      if (outcome === 'throttled') counts.throttles++;
      else counts.invocations++;
      if (outcome === 'error') counts.errors++;
    } catch {
      // A missing function, alias or endpoint must not break the clock of the code under test.
      this.tally.failed++;
    }
  }

  private drawNextArrival(afterMs: number): number {
    if (this.requestsPerMinute <= 0) return Infinity;
    return afterMs + this.random.exponential(60_000 / this.requestsPerMinute);
  }
}
