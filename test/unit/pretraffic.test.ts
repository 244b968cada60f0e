/**
 * Pre-traffic building blocks without AWS: the payload file (line numbers in every error), the
 * response assertions, nearest-rank percentiles, the concurrency limit, and the gate's verdicts
 * with a scripted invoke function.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkResponse } from '../../src/pretraffic/assertions.js';
import type { PretrafficConfig } from '../../src/pretraffic/config.js';
import { runPretraffic } from '../../src/pretraffic/gate.js';
import { invokeAll } from '../../src/pretraffic/invoker.js';
import { nearestRank, summarizeLatency } from '../../src/pretraffic/latency.js';
import { PayloadFileError, readPayloads } from '../../src/pretraffic/payloads.js';
import type { InvokeResult } from '../../src/targets/target.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mrg-pretraffic-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const ok = (body: unknown, durationMs = 10): InvokeResult => ({ statusCode: 200, payload: JSON.stringify(body), durationMs });

describe('payload file', () => {
  it('reads names, payloads and expectations with their lines, skipping blanks and comments', () => {
    const path = file('a.jsonl', '// edge cases\n{"name":"null age","payload":{"age":null}}\n\n{"payload":"x","expect":{"fields":{"score":{"min":0}}}}\n');
    const payloads = readPayloads(path, 'a.jsonl');
    expect(payloads).toEqual([
      { line: 2, name: 'null age', body: '{"age":null}' },
      { line: 4, name: 'line 4', body: '"x"', expect: { fields: { score: { min: 0 } } } },
    ]);
  });

  it('names every bad line', () => {
    const path = file('b.jsonl', '{"payload":1}\nnot json\n{"body":1}\n{"payload":1,"expect":{"fields":{"s":{"minimum":0}}}}\n');
    expect(() => readPayloads(path, 'b.jsonl')).toThrow(PayloadFileError);
    expect(() => readPayloads(path, 'b.jsonl')).toThrow(
      /b\.jsonl:2: not valid JSON .*; b\.jsonl:3: each line must be an object with a "payload" key .*; b\.jsonl:4: unknown rule minimum for "s"/,
    );
  });
});

describe('assertions', () => {
  it('checks field rules on dotted paths and a JSON Schema', () => {
    const body = JSON.stringify({ prediction: { score: 1.4, label: 'maybe' }, items: [{ id: 1 }] });
    expect(
      checkResponse(body, [
        { fields: { 'prediction.score': { min: 0, max: 1 }, 'prediction.label': { in: ['churn', 'stay'] }, 'items.0.id': { equals: 1 }, missing: { exists: true } } },
        { schema: { type: 'object', required: ['version'] } },
      ]),
    ).toEqual([
      'prediction.score = 1.4 is above max 1',
      'prediction.label = "maybe" is not one of ["churn","stay"]',
      'missing is missing',
      "schema: the response must have required property 'version'",
    ]);
    expect(checkResponse('oops', [{ fields: { a: { exists: true } } }])).toEqual(['the response is not JSON: "oops"']);
  });
});

describe('latency', () => {
  it('nearest rank: an observed value, p99 of fewer than 100 requests is the maximum', () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(nearestRank(values, 0.5)).toBe(10);
    expect(nearestRank(values, 0.95)).toBe(19);
    expect(summarizeLatency(values)).toMatchObject({ p50: 10, p95: 19, p99: 20, max: 20, count: 20 });
  });
});

describe('invoker', () => {
  it('never has more than `concurrency` requests in flight and sends every payload', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: string[] = [];
    const invoke = async (_version: string, payload: string) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      seen.push(payload);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return ok({});
    };
    const payloads = ['1', '2', '3'].map((b, i) => ({ line: i + 1, name: b, body: b }));
    const run = await invokeAll(invoke, payloads, { requests: 10, concurrency: 3, candidateVersion: '4' });
    expect(peak).toBe(3);
    expect(run.candidate).toHaveLength(10);
    expect(new Set(seen)).toEqual(new Set(['1', '2', '3']));
  });
});

describe('pretraffic gate with a scripted target', () => {
  const config = (payloads: string, extra: Partial<PretrafficConfig> = {}): PretrafficConfig => ({
    file: 'model-release.yml',
    payloadsPath: payloads,
    concurrency: 2,
    latency: {},
    compareProduction: false,
    proxy: 'auto',
    locations: { payloads: { file: 'model-release.yml', line: 3 } },
    ...extra,
  });

  it('fails the payload that crashes the function and names it; others pass', async () => {
    file('c.jsonl', '{"name":"fine","payload":{"x":1}}\n{"name":"unseen category","payload":{"x":"new"}}\n');
    const invoke = async (_v: string, payload: string) =>
      payload.includes('new') ? { statusCode: 200, functionError: 'Unhandled', payload: '{"errorMessage":"KeyError: new"}', durationMs: 5 } : ok({ score: 0.3 });
    const [responses] = await runPretraffic(config('c.jsonl'), { invoke, candidateVersion: '7', cwd: dir });
    expect(responses).toMatchObject({ id: 'pretraffic.responses', status: 'fail', observed: 1, location: { file: 'model-release.yml', line: 3 } });
    expect(responses!.message).toBe(`1 of 2 requests to version 7 failed: 'unseen category' (c.jsonl:2): function error (Unhandled): {"errorMessage":"KeyError: new"}.`);
  });

  it('an invoke that throws (throttled after retries) fails too', async () => {
    file('d.jsonl', '{"payload":1}\n');
    const invoke = async () => {
      const error = new Error('Rate Exceeded.');
      error.name = 'TooManyRequestsException';
      throw error;
    };
    const [responses] = await runPretraffic(config('d.jsonl'), { invoke, candidateVersion: '7', cwd: dir });
    expect(responses!.message).toBe("1 of 1 requests to version 7 failed: 'line 1' (d.jsonl:1): invoke failed: TooManyRequestsException: Rate Exceeded.");
  });

  it('judges the latency budget and the slowdown against production', async () => {
    file('e.jsonl', '{"payload":1}\n{"payload":2}\n');
    const invoke = async (version: string) => ok({}, version === '7' ? 130 : 100);
    const results = await runPretraffic(config('e.jsonl', { requests: 20, latency: { p99Ms: 120 }, compareProduction: true, maxSlowdown: 0.2 }), {
      invoke,
      candidateVersion: '7',
      productionVersion: '6',
      cwd: dir,
    });
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['pretraffic.responses', 'pass'],
      ['pretraffic.latency', 'fail'],
      ['pretraffic.latency-vs-production', 'fail'],
    ]);
    expect(results[2]!.message).toBe('p99 130 ms vs production version 6 100 ms (+30%; p50 130 vs 100 ms), allowed +20%.');
  });

  it('a missing payload file is an error at its config line', async () => {
    const [result] = await runPretraffic(config('nope.jsonl'), { invoke: async () => ok({}), candidateVersion: '7', cwd: dir });
    expect(result).toMatchObject({ id: 'pretraffic.payloads', status: 'error', message: 'model-release.yml:3 pretraffic.payloads: payload file not found: nope.jsonl' });
  });
});
