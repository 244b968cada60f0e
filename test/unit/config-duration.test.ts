import Ajv2020 from 'ajv/dist/2020.js';
import { formatDuration, parseDuration } from '../../src/config/duration.js';
import { configSchema } from '../../src/config/schema.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    ['2s500ms', 2_500],
    ['0s', 0],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['30', '', '5 m', '1d', 'm', '30m1h', '1.5s', '-5s', '5M', '1h1h'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [90_000, '1m30s'],
    [5_400_000, '1h30m'],
    [3_600_000, '1h'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [1, 999, 1_000, 61_001, 3_723_004]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });

  it('refuses negative values', () => {
    expect(() => formatDuration(-1)).toThrow(RangeError);
  });
});

describe('the schema duration pattern', () => {
  // The schema (editors, ajv) and parseDuration (code) must accept exactly the same texts.
  const ajv = new Ajv2020.default({ strict: false });
  const validDuration = ajv.compile(configSchema.$defs.duration);
  it.each(['500ms', '30s', '1h30m', '0s', '30', '', '1d', '30m1h', '1.5s', '5 m', '2s500ms'])('agrees with parseDuration on %j', (text) => {
    expect(validDuration(text)).toBe(parseDuration(text) !== undefined);
  });
});
