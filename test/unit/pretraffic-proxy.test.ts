/**
 * Proxy responses in pre-traffic tests: which payloads are API Gateway / function URL proxy
 * responses (and which predictions merely look like one), how their statusCode is judged, how
 * assertions reach into the decoded body, and the `pretraffic.proxy` key.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkResponse, judgeResponse } from '../../src/pretraffic/assertions.js';
import { parseConfigText } from '../../src/config/load.js';
import type { PretrafficConfig } from '../../src/pretraffic/config.js';
import { runPretraffic } from '../../src/pretraffic/gate.js';
import { PayloadFileError, readPayloads } from '../../src/pretraffic/payloads.js';
import { asProxyResponse, looksLikeProxyResponse, proxyBodyJson } from '../../src/pretraffic/proxy.js';
import type { InvokeResult } from '../../src/targets/target.js';

const proxy = (statusCode: number, body: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ statusCode, headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body), ...extra });

describe('detecting a proxy response (proxy: auto)', () => {
  it.each([
    ['API Gateway REST', { statusCode: 200, headers: { a: 'b' }, multiValueHeaders: {}, body: '{}', isBase64Encoded: false }],
    ['function URL with cookies', { statusCode: 500, body: 'oops', cookies: ['a=b'] }],
    ['no body but headers (a 204)', { statusCode: 204, headers: {} }],
    ['a bare status and body', { statusCode: 404, body: '' }],
  ])('recognises %s', (_name, value) => {
    expect(looksLikeProxyResponse(value)).toBe(true);
  });

  it.each([
    ['a prediction with a class index called statusCode', { statusCode: 3, body: 'churn' }],
    ['a prediction with other fields', { statusCode: 200, body: 'x', score: 0.3 }],
    ['a fractional statusCode', { statusCode: 200.5, body: '' }],
    ['a status above 599', { statusCode: 600, body: '' }],
    ['a string statusCode', { statusCode: '200', body: '' }],
    ['an object body (not what API Gateway reads)', { statusCode: 200, body: { score: 1 } }],
    ['no body and no headers', { statusCode: 200 }],
    ['headers that are not an object', { statusCode: 200, headers: ['a'], body: '' }],
    ['a non-boolean isBase64Encoded', { statusCode: 200, body: '', isBase64Encoded: 'yes' }],
    ['a list', [{ statusCode: 200, body: '' }]],
    ['a number', 200],
  ])('does not mistake %s for one', (_name, value) => {
    expect(looksLikeProxyResponse(value)).toBe(false);
    expect(asProxyResponse(value, 'auto')).toBeUndefined();
  });

  it('proxy: true accepts any numeric statusCode with a string or absent body; false never detects', () => {
    expect(asProxyResponse({ statusCode: 3, extra: 1 }, true)).toEqual({ statusCode: 3, extra: 1 });
    expect(asProxyResponse({ statusCode: 3, body: {} }, true)).toBeUndefined();
    expect(asProxyResponse({ statusCode: 500, body: '' }, false)).toBeUndefined();
  });

  it('a model answering {"statusCode": 3, ...} is judged as a prediction, not as a status', () => {
    const prediction = JSON.stringify({ statusCode: 3, body: 'churn', score: 0.9 });
    expect(judgeResponse(prediction, [{ fields: { score: { max: 1 } } }], 'auto')).toEqual({ proxy: false, problems: [] });
    expect(judgeResponse(JSON.stringify({ statusCode: 503, label: 'x' }), [], 'auto')).toEqual({ proxy: false, problems: [] });
  });
});

describe('judging a proxy statusCode', () => {
  it('a 5xx is an error of the call, with the status and the first 200 characters of the body', () => {
    const long = `{"error":"${'x'.repeat(300)}"}`;
    const verdict = judgeResponse(proxy(500, long), [], 'auto');
    expect(verdict.proxy).toBe(true);
    expect(verdict.problems).toEqual([`proxy statusCode 500: ${long.slice(0, 200)}`]);
    // Even when the payload asserts nothing and allows other statuses: a 5xx is never allowed.
    expect(checkResponse(proxy(503, ''), [{ status: [404] }])).toEqual(['proxy statusCode 503: (empty body)']);
  });

  it('a 4xx fails unless the payload expects it; an expected status must then be the one answered', () => {
    expect(checkResponse(proxy(404, { error: 'no such customer' }), [])).toEqual([
      'proxy statusCode 404 (a client error; "expect": {"status": 404} allows it): {"error":"no such customer"}',
    ]);
    expect(checkResponse(proxy(404, { error: 'no such customer' }), [{ status: [404] }])).toEqual([]);
    expect(checkResponse(proxy(200, { score: 1 }), [{ status: [400, 404] }])).toEqual(['proxy statusCode 200, expected one of 400, 404: {"score":1}']);
    expect(checkResponse(proxy(302, ''), [])).toEqual([]);
  });

  it('expect.status on a response that is not a proxy response fails clearly', () => {
    expect(checkResponse('{"score":1}', [{ status: [404] }])).toEqual(['expect.status 404 needs a proxy response, but the response is not one: {"score":1}']);
  });

  it('proxy: false reads the envelope as the model answer (HTTP 200 from Invoke: a success)', () => {
    expect(judgeResponse(proxy(500, { error: 'boom' }), [], false)).toEqual({ proxy: false, problems: [] });
    expect(checkResponse(proxy(500, { error: 'boom' }), [{ fields: { statusCode: { equals: 500 } } }], false)).toEqual([]);
  });

  it('proxy: true fails a response that is not one', () => {
    expect(checkResponse('{"score":0.2}', [], true)).toEqual(['not a proxy response (pretraffic.proxy is true): it needs a numeric statusCode and a string or absent body, got {"score":0.2}']);
    expect(checkResponse('plain text', [], true)).toEqual(['not a proxy response (pretraffic.proxy is true): the response is not JSON: "plain text"']);
  });
});

describe('assertions on the decoded body', () => {
  it('body.… addresses the JSON body; other paths the envelope; a bare field gets a hint', () => {
    const response = proxy(200, { score: 1.4, label: 'churn' }, { headers: { 'content-type': 'text/json' } });
    expect(
      checkResponse(response, [
        { fields: { 'body.score': { min: 0, max: 1 }, 'body.label': { in: ['churn', 'stay'] }, statusCode: { equals: 200 }, 'headers.content-type': { equals: 'application/json' }, score: { exists: true } } },
      ]),
    ).toEqual([
      'body.score = 1.4 is above max 1',
      'headers.content-type = "text/json", expected "application/json"',
      'score is missing (this is a proxy response: the answer\'s fields are under body, e.g. body.score)',
    ]);
  });

  it('a body that is not JSON fails the assertion that needs it, once', () => {
    expect(checkResponse(proxy(200, 'Internal model text'), [{ fields: { 'body.score': { min: 0 }, 'body.label': { exists: true }, statusCode: { equals: 200 } } }])).toEqual([
      'body is not JSON: "Internal model text"',
    ]);
    // Without an assertion on the body, a text body is fine.
    expect(checkResponse(proxy(200, 'OK'), [{ fields: { statusCode: { equals: 200 } } }])).toEqual([]);
  });

  it('decodes isBase64Encoded bodies before parsing', () => {
    const encoded = Buffer.from('{"score":0.25}').toString('base64');
    expect(checkResponse(proxy(200, encoded, { isBase64Encoded: true }), [{ fields: { 'body.score': { equals: 0.25 } } }])).toEqual([]);
    expect(checkResponse(proxy(500, Buffer.from('{"error":"oom"}').toString('base64'), { isBase64Encoded: true }), [])).toEqual(['proxy statusCode 500: {"error":"oom"}']);
    expect(proxyBodyJson({ statusCode: 200, body: 'not base64!', isBase64Encoded: true })).toEqual({ error: 'body is marked isBase64Encoded but is not base64: "not base64!"' });
  });

  it('a JSON Schema validates the decoded body of a proxy response, the whole response otherwise', () => {
    const schema = { type: 'object', required: ['score'], properties: { score: { type: 'number', maximum: 1 } } };
    expect(checkResponse(proxy(200, { score: 2 }), [{ schema }])).toEqual(['schema: body/score must be <= 1']);
    expect(checkResponse(proxy(200, { label: 'x' }), [{ schema }])).toEqual(["schema: the body must have required property 'score'"]);
    expect(checkResponse(proxy(200, { score: 0.5 }), [{ schema }])).toEqual([]);
    expect(checkResponse(proxy(200, '<html>'), [{ schema }])).toEqual(['body is not JSON: "<html>"']);
    expect(checkResponse('{"score":2}', [{ schema }])).toEqual(['schema: /score must be <= 1']);
  });
});

describe('expect.status in the payload file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mrg-proxy-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a status or a list, and rejects a 5xx or a non-status', () => {
    const ok = join(dir, 'ok.jsonl');
    writeFileSync(ok, '{"payload":{"id":"nobody"},"expect":{"status":404}}\n{"payload":1,"expect":{"status":[200,404],"fields":{"body.a":{"exists":true}}}}\n');
    expect(readPayloads(ok, 'ok.jsonl').map((p) => p.expect)).toEqual([{ status: [404] }, { status: [200, 404], fields: { 'body.a': { exists: true } } }]);
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"payload":1,"expect":{"status":503}}\n{"payload":1,"expect":{"status":"404"}}\n{"payload":1,"expect":{"code":404}}\n');
    expect(() => readPayloads(bad, 'bad.jsonl')).toThrow(PayloadFileError);
    expect(() => readPayloads(bad, 'bad.jsonl')).toThrow(
      /bad\.jsonl:1: "expect.status" must be a proxy statusCode from 100 to 499 or a list of them \(a 5xx is always an error\); bad\.jsonl:2: "expect.status" .*; bad\.jsonl:3: unknown key in "expect": code \(allowed: schema, fields, status\)/,
    );
  });

  it('the gate fails a proxy 500 answered with HTTP 200 and counts proxy responses when all pass', async () => {
    writeFileSync(join(dir, 'p.jsonl'), '{"name":"known","payload":{"id":"a"},"expect":{"fields":{"body.score":{"min":0,"max":1}}}}\n{"name":"unknown id","payload":{"id":"zz"},"expect":{"status":404}}\n');
    const config: PretrafficConfig = { payloadsPath: 'p.jsonl', concurrency: 2, latency: {}, compareProduction: false, proxy: 'auto', locations: {} };
    const answer = (statusCode: number, body: unknown): InvokeResult => ({ statusCode: 200, payload: proxy(statusCode, body), durationMs: 5 });
    const healthy = async (_v: string, payload: string) => (payload.includes('zz') ? answer(404, { error: 'unknown id' }) : answer(200, { score: 0.4 }));
    const [pass] = await runPretraffic(config, { invoke: healthy, candidateVersion: '7', cwd: dir });
    expect(pass).toMatchObject({ status: 'pass', message: '2 requests to version 7: no function error, every assertion held (2 proxy responses, judged by their statusCode and decoded body).' });
    const broken = async () => answer(500, { error: 'model not loaded' });
    const [fail] = await runPretraffic(config, { invoke: broken, candidateVersion: '7', cwd: dir });
    expect(fail).toMatchObject({ status: 'fail', observed: 2 });
    expect(fail!.message).toBe(
      `2 of 2 requests to version 7 failed: 'known' (p.jsonl:1): proxy statusCode 500: {"error":"model not loaded"}; 'unknown id' (p.jsonl:2): proxy statusCode 500: {"error":"model not loaded"}.`,
    );
  });
});

describe('the pretraffic.proxy key', () => {
  const load = (value?: string) => parseConfigText(`pretraffic:\n  payloads: p.jsonl\n${value === undefined ? '' : `  proxy: ${value}\n`}`, 'model-release.yml');

  it('defaults to auto and takes true or false', () => {
    const modes = [undefined, 'auto', 'true', 'false'].map((v) => {
      const loaded = load(v);
      return loaded.ok ? loaded.config.pretraffic!.proxy : loaded.errors;
    });
    expect(modes).toEqual(['auto', 'auto', true, false]);
  });

  it('rejects anything else with the key and its line', () => {
    const loaded = load('yes-please');
    expect(loaded.ok).toBe(false);
    expect(JSON.stringify(!loaded.ok && loaded.errors)).toMatch(/pretraffic\.proxy.*must be auto, true or false/);
  });
});
