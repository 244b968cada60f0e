import { sampleLognormalLatency, type SeededRandom } from './random.js';

/** Latency percentiles in milliseconds; the simulator draws from a lognormal fitted to them. */
export interface LatencyProfile {
  p50: number;
  p99: number;
}

/**
 * How one function version behaves when invoked. Each field may be a function of the
 * invocation time so a scenario can make a version degrade from a given moment.
 */
export interface VersionBehaviour {
  /** Probability that an invocation ends in an unhandled function error (0..1). */
  errorRate: number | ((tMs: number) => number);
  latencyMs: LatencyProfile | ((tMs: number) => LatencyProfile);
  /** Probability that an invocation is throttled (429) and never runs (0..1). */
  throttleRate?: number;
}

/** What happened to one invocation. */
export type InvocationOutcome =
  | { kind: 'throttled' }
  | { kind: 'ok'; durationMs: number }
  | { kind: 'error'; durationMs: number };

/** A healthy model: no errors, ~80 ms median, 250 ms p99. */
export const HEALTHY: VersionBehaviour = { errorRate: 0, latencyMs: { p50: 80, p99: 250 } };

/** Draws the outcome of one invocation at `tMs`. */
export function runInvocation(behaviour: VersionBehaviour, tMs: number, random: SeededRandom): InvocationOutcome {
  // Draw the same number of random values on every path so changing one rate does not
  // reshuffle the whole sequence of later decisions.
  const throttleDraw = random.next();
  const errorDraw = random.next();
  const latency = typeof behaviour.latencyMs === 'function' ? behaviour.latencyMs(tMs) : behaviour.latencyMs;
  const durationMs = sampleLognormalLatency(random, latency.p50, latency.p99);
  if (throttleDraw < (behaviour.throttleRate ?? 0)) return { kind: 'throttled' };
  const errorRate = typeof behaviour.errorRate === 'function' ? behaviour.errorRate(tMs) : behaviour.errorRate;
  return errorDraw < errorRate ? { kind: 'error', durationMs } : { kind: 'ok', durationMs };
}
