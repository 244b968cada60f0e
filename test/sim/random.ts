/**
 * A seeded pseudo-random source (mulberry32) so every simulated run is reproducible:
 * the same seed gives the same arrivals, routing decisions, errors and latencies.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Exponentially distributed gap with the given mean (inter-arrival times of a Poisson process). */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** Standard normal by Box-Muller. */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/** z such that P(Z <= z) = 0.99 for a standard normal Z. */
const Z_99 = 2.3263478740408408;

/**
 * A lognormal latency fitted to a median and a 99th percentile: latency is skewed to the
 * right like real model inference, and the p99 the judge reads back is close to the one set.
 */
export function sampleLognormalLatency(random: SeededRandom, p50: number, p99: number): number {
  const mu = Math.log(Math.max(p50, 0.001));
  const sigma = p99 > p50 ? (Math.log(p99) - mu) / Z_99 : 0;
  return Math.exp(mu + sigma * random.normal());
}
