import { describeBadDuration, formatDuration, parseDuration } from '../../src/config/duration.js';
import { configSchema, createSchemaAjv } from '../../src/config/schema.js';

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
  const ajv = createSchemaAjv();
  const validDuration = ajv.compile(configSchema.$defs.duration);
  const zeroDuration = ajv.compile(configSchema.$defs['zero-duration']);
  it.each(['500ms', '30s', '1h30m', '0s', '30', '', '1d', '30m1h', '1.5s', '5 m', '2s500ms'])('agrees with parseDuration on %j', (text) => {
    expect(validDuration(text)).toBe(parseDuration(text) !== undefined);
  });
  // Where time must pass (interval, steps, poll, window) the schema refuses exactly the durations of 0 ms.
  it.each(['0s', '0ms', '0m0s', '00h0m', '0h0m0s0ms', '1ms', '0m5s', '10s', '1h0m'])('zero-duration agrees with parseDuration on %j', (text) => {
    expect(zeroDuration(text)).toBe(parseDuration(text) === 0);
  });
});

describe('describeBadDuration: what was wrong, and what was meant', () => {
  it.each([
    ['10min', "'min' is not a unit (units h, m, s, ms); did you mean 10m?"],
    ['10 minutes', "'minutes' is not a unit (units h, m, s, ms); did you mean 10m?"],
    ['2 hours 30 minutes', "'hours' is not a unit (units h, m, s, ms); did you mean 2h30m?"],
    ['30sec', "'sec' is not a unit (units h, m, s, ms); did you mean 30s?"],
    ['5 m', 'must be written without spaces; did you mean 5m?'],
    ['1h 30m', 'must be written without spaces; did you mean 1h30m?'],
    ['1.5h', 'must use whole numbers of each unit; did you mean 1h30m?'],
    ['0.5s', 'must use whole numbers of each unit; did you mean 500ms?'],
    ['0.1h', 'must use whole numbers of each unit; did you mean 6m?'],
    ['90', 'has no unit; a bare number is not a duration: write 90s, 90m or 90h (units h, m, s, ms)'],
    [90, 'has no unit; a bare number is not a duration: write 90s, 90m or 90h (units h, m, s, ms)'],
    ['10M', 'units are lowercase (h, m, s, ms); did you mean 10m?'],
    ['5MS', 'units are lowercase (h, m, s, ms); did you mean 5ms?'],
    ['1d', 'days are not a unit here (units h, m, s, ms); did you mean 24h?'],
    ['30m1h', 'must give each unit once, largest first (h, m, s, ms); did you mean 1h30m?'],
    ['1h1h', 'must give each unit once, largest first (h, m, s, ms); did you mean 2h?'],
    ['-5s', 'must not be negative; must be a duration like 30s, 5m or 1h'],
    ['', 'is empty; must be a duration like 30s, 5m or 1h'],
    ['soon', 'must be a duration like 30s, 5m or 1h (units h, m, s, ms, largest first, like 1h30m)'],
    [true, 'must be a duration like 30s, 5m or 1h'],
  ])('%j: %s', (value, message) => {
    if (typeof value === 'string') expect(parseDuration(value)).toBeUndefined();
    expect(describeBadDuration(value)).toBe(message);
  });

  it('suggests only durations that parse, to the same time', () => {
    for (const [text, ms] of [['10min', 600_000], ['1.5h', 5_400_000], ['30m1h', 5_400_000], ['2 hours 30 minutes', 9_000_000], ['1d', 86_400_000]] as const) {
      const suggestion = /did you mean (\S+)\?$/.exec(describeBadDuration(text))?.[1];
      expect([text, suggestion === undefined ? undefined : parseDuration(suggestion)]).toEqual([text, ms]);
    }
  });
});
