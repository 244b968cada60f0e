/**
 * The pre-traffic gate: before any traffic shifts, invoke the new version directly (Lambda
 * Invoke with its version as Qualifier) with the payload file, N requests at concurrency C.
 * Any function error, proxy 5xx (src/pretraffic/proxy.ts) or failed assertion fails and names
 * the payload; latency percentiles are judged against a budget and, optionally, against
 * production invoked side by side.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { CheckResult, SourceLocation } from '../report/result.js';
import { compareScoreDistributions, countInBins, OUTPUT_DRIFT_P, quantileEdges } from '../signals/score-distribution.js';
import { compileSchema, judgeResponse, responseValue } from './assertions.js';
import type { PretrafficConfig } from './config.js';
import { invokeAll } from './invoker.js';
import type { Invocation, InvocationRun, Invoke } from './invoker.js';
import { summarizeLatency } from './latency.js';
import type { LatencySummary } from './latency.js';
import { PayloadFileError, readPayloads } from './payloads.js';
import type { Expectation, Payload } from './payloads.js';

export interface PretrafficDeps {
  invoke: Invoke;
  candidateVersion: string;
  /** The alias's current version; invoked side by side when compare-production is on. */
  productionVersion?: string;
  cwd: string;
  log?: (line: string) => void;
}

/** How many failing requests a message lists before "and N more". */
const LISTED = 5;

export async function runPretraffic(config: PretrafficConfig, deps: PretrafficDeps): Promise<CheckResult[]> {
  const path = (p: string) => (isAbsolute(p) ? p : resolve(deps.cwd, p));
  const where = (location: SourceLocation | undefined) => (location ? `${location.file}${location.line !== undefined ? `:${location.line}` : ''} ` : '');
  let payloads: Payload[];
  const shared: Expectation[] = [];
  try {
    payloads = readPayloads(path(config.payloadsPath), config.payloadsPath);
    if (config.responseSchemaPath !== undefined) shared.push({ schema: readSchema(path(config.responseSchemaPath), config.responseSchemaPath) });
    for (const p of payloads) if (p.expect?.schema) compileSchema(p.expect.schema);
  } catch (error) {
    if (!(error instanceof PayloadFileError)) throw error;
    return [located({ id: 'pretraffic.payloads', gate: 'pretraffic', status: 'error', message: `${where(config.locations.payloads)}pretraffic.payloads: ${error.message}` }, config.locations.payloads)];
  }
  const productionVersion = config.compareProduction ? deps.productionVersion : undefined;
  const requests = Math.max(config.requests ?? payloads.length, payloads.length);
  deps.log?.(
    `Pre-traffic: ${requests} requests to version ${deps.candidateVersion}${productionVersion !== undefined ? ` and the same to production version ${productionVersion}` : ''}, ${config.concurrency} at a time, from ${payloads.length} payloads.`,
  );
  const run = await invokeAll(deps.invoke, payloads, { requests, concurrency: config.concurrency, candidateVersion: deps.candidateVersion, ...(productionVersion !== undefined ? { productionVersion } : {}) });

  const results: CheckResult[] = [];
  results.push(invocationResult(run.candidate, shared, deps.candidateVersion, config));
  const candidateLatency = summarizeLatency(run.candidate.filter((i) => i.result).map((i) => i.result!.durationMs));
  const budget = latencyBudgetResult(candidateLatency, config);
  if (budget) results.push(budget);
  if (config.compareProduction) results.push(comparisonResult(candidateLatency, run.production, productionVersion, config));
  if (config.outputDrift !== undefined) results.push(outputDriftResult(run, productionVersion, deps.candidateVersion, config));
  return results;
}

/**
 * The candidate's answers against production's on the same payloads: one number per payload
 * (its first answered request), since a payload sent twenty times to a deterministic model is
 * one observation, not twenty; counting repeats would make the test see evidence that is not there.
 */
function outputDriftResult(run: InvocationRun, productionVersion: string | undefined, candidateVersion: string, config: PretrafficConfig): CheckResult {
  const drift = config.outputDrift!;
  const location = config.locations['output-drift'] ?? config.location;
  const base = { id: 'pretraffic.output-drift', gate: 'pretraffic' as const, expected: `PSI < ${drift.maxPsi} or no evidence of a difference (p ≥ ${OUTPUT_DRIFT_P})` };
  if (productionVersion === undefined) {
    return located({ ...base, status: 'skip', message: 'No production version to compare answers with (the alias points at the new version).' }, location);
  }
  const firstValues = (invocations: Invocation[]) => {
    const byPayload = new Map<number, number>();
    for (const inv of invocations) {
      if (byPayload.has(inv.payload.line) || inv.result === undefined || inv.result.functionError !== undefined) continue;
      const value = responseValue(inv.result.payload, drift.field, config.proxy);
      if (typeof value === 'number' && Number.isFinite(value)) byPayload.set(inv.payload.line, value);
    }
    return byPayload;
  };
  const candidate = firstValues(run.candidate);
  const production = firstValues(run.production);
  // Only payloads both versions answered with a number: the same inputs on both sides.
  const lines = [...candidate.keys()].filter((line) => production.has(line));
  const payloads = new Set(run.candidate.map((i) => i.payload.line)).size;
  const needed = 5 * drift.bins;
  if (lines.length < needed) {
    return located(
      {
        ...base,
        status: 'error',
        observed: lines.length,
        message: `pretraffic.output-drift needs a number at ${drift.field} from both versions for at least ${needed} payloads (5 per bin, ${drift.bins} bins); ${lines.length} of the ${payloads} payloads in ${config.payloadsPath} gave one (version ${candidateVersion}: ${candidate.size}, production version ${productionVersion}: ${production.size}). Add payloads, or lower bins.`,
      },
      location,
    );
  }
  const productionValues = lines.map((line) => production.get(line) as number);
  const edges = quantileEdges(productionValues, drift.bins);
  const compared = compareScoreDistributions(
    countInBins(lines.map((line) => candidate.get(line) as number), edges),
    countInBins(productionValues, edges),
    edges,
    { canary: candidateVersion, stable: productionVersion },
    { maxPsi: drift.maxPsi, minSamples: needed, requireEvidence: true },
  );
  const status = compared.verdict === 'fail' ? 'fail' : compared.verdict === 'pass' ? 'pass' : 'error';
  return located(
    {
      ...base,
      status,
      ...(compared.psi !== null ? { observed: Number(compared.psi.toPrecision(3)) } : {}),
      message: `Answers at ${drift.field}, one per payload: ${compared.reason.replace(/scores/g, 'answers')}`,
      details: { field: drift.field, payloads: lines.length, edges: compared.edges, candidate: compared.canaryCounts, production: compared.stableCounts, psi: compared.psi, pValue: compared.pValue },
    },
    location,
  );
}

function readSchema(fullPath: string, display: string): Record<string, unknown> {
  let schema: unknown;
  try {
    schema = JSON.parse(readFileSync(fullPath, 'utf8'));
  } catch (error) {
    throw new PayloadFileError(`cannot read the response schema ${display}: ${(error as Error).message}`);
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new PayloadFileError(`${display} must hold a JSON Schema object`);
  try {
    compileSchema(schema as Record<string, unknown>);
  } catch (error) {
    throw new PayloadFileError(`${display} is not a valid JSON Schema: ${(error as Error).message}`);
  }
  return schema as Record<string, unknown>;
}

function located(result: CheckResult, location: SourceLocation | undefined): CheckResult {
  return location ? { ...result, location } : result;
}

interface RequestProblem {
  payload: string;
  line: number;
  request: number;
  problem: string;
}

function invocationResult(invocations: Invocation[], shared: Expectation[], version: string, config: PretrafficConfig): CheckResult {
  const problems: RequestProblem[] = [];
  let proxyResponses = 0;
  for (const inv of invocations) {
    const base = { payload: inv.payload.name, line: inv.payload.line, request: inv.index + 1 };
    if (inv.failure !== undefined) {
      problems.push({ ...base, problem: `invoke failed: ${inv.failure}` });
      continue;
    }
    const result = inv.result!;
    if (result.functionError !== undefined) {
      problems.push({ ...base, problem: `function error (${result.functionError}): ${result.payload.slice(0, 200)}` });
      continue;
    }
    if (result.statusCode < 200 || result.statusCode >= 300) {
      problems.push({ ...base, problem: `status ${result.statusCode}` });
      continue;
    }
    const expectations = inv.payload.expect ? [...shared, inv.payload.expect] : shared;
    const verdict = judgeResponse(result.payload, expectations, config.proxy);
    if (verdict.proxy) proxyResponses++;
    for (const problem of verdict.problems) problems.push({ ...base, problem });
  }
  // One line per payload (a payload sent 20 times that fails 20 times is one problem to fix).
  const byPayload = new Map<number, RequestProblem[]>();
  for (const p of problems) byPayload.set(p.line, [...(byPayload.get(p.line) ?? []), p]);
  const failedPayloads = [...byPayload.values()];
  const file = config.payloadsPath;
  const listed = failedPayloads
    .slice(0, LISTED)
    .map((list) => {
      const first = list[0]!;
      const times = list.length > 1 ? ` (${list.length} failures)` : '';
      return `'${first.payload}' (${file}:${first.line})${times}: ${first.problem.replace(/\.+$/, '')}`;
    })
    .join('; ');
  const more = failedPayloads.length > LISTED ? `; and ${failedPayloads.length - LISTED} more payloads` : '';
  const failedRequests = new Set(problems.map((p) => p.request)).size;
  return located(
    {
      id: 'pretraffic.responses',
      gate: 'pretraffic',
      status: problems.length === 0 ? 'pass' : 'fail',
      observed: failedRequests,
      expected: 0,
      message:
        problems.length === 0
          ? `${invocations.length} requests to version ${version}: no function error, every assertion held${proxyResponses > 0 ? ` (${proxyResponses} proxy responses, judged by their statusCode and decoded body)` : ''}.`
          : `${failedRequests} of ${invocations.length} requests to version ${version} failed: ${listed}${more}.`,
      details: { version, requests: invocations.length, failedRequests, proxyResponses, problems },
    },
    config.locations.payloads,
  );
}

function latencyBudgetResult(latency: LatencySummary, config: PretrafficConfig): CheckResult | undefined {
  const limits = [
    ['p50', config.latency.p50Ms],
    ['p95', config.latency.p95Ms],
    ['p99', config.latency.p99Ms],
  ] as const;
  const set = limits.filter(([, limit]) => limit !== undefined) as Array<readonly ['p50' | 'p95' | 'p99', number]>;
  if (set.length === 0) return undefined;
  if (latency.count === 0) {
    return located({ id: 'pretraffic.latency', gate: 'pretraffic', status: 'fail', message: 'No request succeeded, so there is no latency to judge.' }, config.locations.latency);
  }
  const over = set.filter(([p, limit]) => latency[p] > limit);
  const text = set.map(([p, limit]) => `${p} ${Math.round(latency[p])} ms ${latency[p] > limit ? '>' : '≤'} ${limit} ms`).join(', ');
  const small = latency.count < 100 && set.some(([p]) => p === 'p99') ? ` (with ${latency.count} requests the p99 is the slowest one)` : '';
  return located(
    {
      id: 'pretraffic.latency',
      gate: 'pretraffic',
      status: over.length === 0 ? 'pass' : 'fail',
      observed: Math.round(latency.p99),
      expected: set.map(([p, limit]) => `${p} ≤ ${limit} ms`).join(', '),
      message: `Latency of the new version over ${latency.count} requests: ${text}${small}.`,
      details: { latency, budget: config.latency },
    },
    config.locations.latency,
  );
}

function comparisonResult(candidate: LatencySummary, production: Invocation[], version: string | undefined, config: PretrafficConfig): CheckResult {
  const location = config.locations['max-slowdown'] ?? config.location;
  if (version === undefined) {
    return located({ id: 'pretraffic.latency-vs-production', gate: 'pretraffic', status: 'skip', message: 'No production version to compare with (the alias points at the new version).' }, location);
  }
  const prod = summarizeLatency(production.filter((i) => i.result && i.result.functionError === undefined).map((i) => i.result!.durationMs));
  const ratio = candidate.p99 / prod.p99;
  const tolerance = config.maxSlowdown;
  const status = tolerance === undefined ? 'pass' : ratio <= 1 + tolerance ? 'pass' : 'fail';
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${Math.round(x * 100)}%`;
  return located(
    {
      id: 'pretraffic.latency-vs-production',
      gate: 'pretraffic',
      status: prod.count === 0 ? 'error' : status,
      observed: Number(ratio.toFixed(3)),
      ...(tolerance !== undefined ? { expected: `≤ ${1 + tolerance}` } : {}),
      message:
        prod.count === 0
          ? `Production version ${version} answered none of the side-by-side requests, so the comparison is impossible.`
          : `p99 ${Math.round(candidate.p99)} ms vs production version ${version} ${Math.round(prod.p99)} ms (${pct(ratio - 1)}; p50 ${Math.round(candidate.p50)} vs ${Math.round(prod.p50)} ms)${tolerance !== undefined ? `, allowed ${pct(tolerance)}` : ''}.`,
      details: { candidate, production: prod, ratio, maxSlowdown: tolerance },
    },
    location,
  );
}
