import {
  formatDuration,
  formatElapsed,
  formatErrors,
  formatNumber,
  formatObservation,
  formatPercent,
  groupByGate,
  statusLabel,
  truncateText,
} from '../../src/report/format.js';
import type { CheckResult } from '../../src/report/result.js';

describe('report formatting helpers', () => {
  it('labels every status with an emoji and the word', () => {
    expect(statusLabel('pass')).toBe('✅ pass');
    expect(statusLabel('fail')).toBe('❌ fail');
    expect(statusLabel('warn')).toBe('⚠️ warn');
    expect(statusLabel('skip')).toBe('⏭️ skip');
    expect(statusLabel('error')).toBe('💥 error');
  });

  it('tells "not applicable" from "no data" from zero', () => {
    expect(formatObservation(undefined)).toBe('');
    expect(formatObservation(null)).toBe('—');
    expect(formatObservation(0)).toBe('0');
    expect(formatObservation(false)).toBe('false');
  });

  it('keeps integers exact and shortens fractions', () => {
    expect(formatNumber(12000)).toBe('12000');
    expect(formatNumber(0.91234)).toBe('0.9123');
    expect(formatNumber(0.000123456)).toBe('0.0001235');
    expect(formatNumber(1234.567)).toBe('1234.6');
    expect(formatNumber(Number.NaN)).toBe('NaN');
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe('∞');
  });

  it('formats shares as percentages', () => {
    expect(formatPercent(0.1)).toBe('10%');
    expect(formatPercent(0.125)).toBe('12.5%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0.0004)).toBe('0.04%');
  });

  it('formats rollout offsets as +m:ss, past the hour too', () => {
    expect(formatElapsed(0)).toBe('+0:00');
    expect(formatElapsed(61_999)).toBe('+1:01');
    expect(formatElapsed(3_725_000)).toBe('+62:05');
  });

  it('formats run durations at every scale', () => {
    expect(formatDuration(420)).toBe('420 ms');
    expect(formatDuration(4_200)).toBe('4.2 s');
    expect(formatDuration(185_000)).toBe('3m 05s');
    expect(formatDuration(3_720_000)).toBe('1h 02m');
    expect(formatDuration(Number.NaN)).toBe('unknown');
  });

  it('shows errors with their rate, or alone without invocations', () => {
    expect(formatErrors({ version: '7', invocations: 40, errors: 3, throttles: 0, p99Ms: null })).toBe('3 (7.5%)');
    expect(formatErrors({ version: '7', invocations: 0, errors: 0, throttles: 0, p99Ms: null })).toBe('0');
  });

  it('groups results by gate in pipeline order, keeping order within a gate', () => {
    const r = (id: string, gate: CheckResult['gate']): CheckResult => ({ id, gate, status: 'pass', message: '' });
    const groups = groupByGate([r('rollout.a', 'rollout'), r('trigger.x', 'trigger'), r('rollout.b', 'rollout'), r('config.y', 'config')]);
    expect(groups.map((group) => group.gate)).toEqual(['config', 'trigger', 'rollout']);
    expect(groups[2]?.results.map((result) => result.id)).toEqual(['rollout.a', 'rollout.b']);
  });

  it('truncates by characters, never splitting an emoji', () => {
    expect(truncateText('abcdef', 4)).toBe('abc…');
    expect(truncateText('abc', 4)).toBe('abc');
    expect(truncateText('😀😀😀😀😀', 3)).toBe('😀😀…');
  });
});
