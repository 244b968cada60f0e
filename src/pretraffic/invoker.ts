/**
 * Send N requests with at most C in flight. Request i uses payload i mod P, so every payload is
 * sent (at least once when N ≥ P). With a production version, each request is sent to both
 * versions at the same moment, so both see the same payloads under the same load.
 */
import type { InvokeResult } from '../targets/target.js';
import type { Payload } from './payloads.js';

export type Invoke = (version: string, payload: string) => Promise<InvokeResult>;

export interface Invocation {
  index: number;
  payload: Payload;
  version: string;
  result?: InvokeResult;
  /** The invoke call itself failed (throttled after retries, network, permissions). */
  failure?: string;
}

export interface InvocationRun {
  candidate: Invocation[];
  production: Invocation[];
}

export async function invokeAll(
  invoke: Invoke,
  payloads: Payload[],
  options: { requests: number; concurrency: number; candidateVersion: string; productionVersion?: string },
): Promise<InvocationRun> {
  const total = Math.max(options.requests, payloads.length);
  const run: InvocationRun = { candidate: [], production: [] };
  let next = 0;
  const once = async (index: number, version: string): Promise<Invocation> => {
    const payload = payloads[index % payloads.length]!;
    try {
      return { index, payload, version, result: await invoke(version, payload.body) };
    } catch (error) {
      return { index, payload, version, failure: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  };
  const worker = async () => {
    while (next < total) {
      const index = next++;
      const [c, p] = await Promise.all([once(index, options.candidateVersion), options.productionVersion !== undefined ? once(index, options.productionVersion) : undefined]);
      run.candidate.push(c);
      if (p) run.production.push(p);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, total) }, worker));
  run.candidate.sort((a, b) => a.index - b.index);
  run.production.sort((a, b) => a.index - b.index);
  return run;
}
