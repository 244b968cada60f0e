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
  /**
   * SageMaker models only: probability that the model answers with a 4xx (a ModelError with
   * OriginalStatusCode 400, counted in Invocation4XXErrors). Lambda versions ignore it.
   */
  clientErrorRate?: number | ((tMs: number) => number);
  /**
   * Lambda versions only: the function sits behind an API Gateway proxy or a function URL, so
   * Invoke answers HTTP 200 with `{"statusCode", "headers", "body"}` and its version's JSON as
   * the body. With probability `errorRate` (the band right after the function-error band of the
   * same draw) the body is an error with `statusCode` (default 500), which Lambda counts as a
   * success. SageMaker models ignore it.
   */
  proxy?: { errorRate?: number | ((tMs: number) => number); statusCode?: number };
  /**
   * Lambda versions only: the model's prediction, fields added to every successful answer (in a
   * proxy response, to its body), computed from the request payload (undefined when it is not
   * JSON). A version that answers `{ score: 0.42 }` whatever it is asked is a constant output.
   */
  answer?: (request: unknown) => Record<string, unknown>;
}

/** What happened to one invocation. */
export type InvocationOutcome =
  | { kind: 'throttled' }
  | { kind: 'ok'; durationMs: number; proxyStatusCode?: number }
  | { kind: 'error'; durationMs: number };

/** What happened to one invocation of a SageMaker model: a 4xx answer is possible too. */
export type ModelOutcome = InvocationOutcome | { kind: 'clientError'; durationMs: number };

/** A healthy model: no errors, ~80 ms median, 250 ms p99. */
export const HEALTHY: VersionBehaviour = { errorRate: 0, latencyMs: { p50: 80, p99: 250 } };

/** Draws the outcome of one invocation at `tMs`. */
export function runInvocation(behaviour: VersionBehaviour, tMs: number, random: SeededRandom): InvocationOutcome {
  const draw = drawInvocation(behaviour, tMs, random);
  if (draw.throttled) return { kind: 'throttled' };
  if (draw.errorDraw < draw.errorRate) return { kind: 'error', durationMs: draw.durationMs };
  if (behaviour.proxy === undefined) return { kind: 'ok', durationMs: draw.durationMs };
  const proxyError = draw.errorDraw < draw.errorRate + rateAt(behaviour.proxy.errorRate ?? 0, tMs);
  return { kind: 'ok', durationMs: draw.durationMs, proxyStatusCode: proxyError ? (behaviour.proxy.statusCode ?? 500) : 200 };
}

/**
 * Draws the answer of a SageMaker model at `tMs`. The 4xx band sits right after the 5xx band
 * of the same draw, so a behaviour without `clientErrorRate` answers as `runInvocation` would.
 */
export function runModelInvocation(behaviour: VersionBehaviour, tMs: number, random: SeededRandom): ModelOutcome {
  const draw = drawInvocation(behaviour, tMs, random);
  if (draw.throttled) return { kind: 'throttled' };
  if (draw.errorDraw < draw.errorRate) return { kind: 'error', durationMs: draw.durationMs };
  const clientErrorRate = rateAt(behaviour.clientErrorRate ?? 0, tMs);
  if (draw.errorDraw < draw.errorRate + clientErrorRate) return { kind: 'clientError', durationMs: draw.durationMs };
  return { kind: 'ok', durationMs: draw.durationMs };
}

function rateAt(rate: number | ((tMs: number) => number), tMs: number): number {
  return typeof rate === 'function' ? rate(tMs) : rate;
}

function drawInvocation(behaviour: VersionBehaviour, tMs: number, random: SeededRandom): { throttled: boolean; errorDraw: number; errorRate: number; durationMs: number } {
  // Draw the same number of random values on every path so changing one rate does not
  // reshuffle the whole sequence of later decisions.
  const throttleDraw = random.next();
  const errorDraw = random.next();
  const latency = typeof behaviour.latencyMs === 'function' ? behaviour.latencyMs(tMs) : behaviour.latencyMs;
  const durationMs = sampleLognormalLatency(random, latency.p50, latency.p99);
  return { throttled: throttleDraw < (behaviour.throttleRate ?? 0), errorDraw, errorRate: rateAt(behaviour.errorRate, tMs), durationMs };
}
