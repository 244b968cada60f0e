/**
 * The rollout chart (issue #17): its data (buckets, error-rate scale, weight steps, verdicts,
 * outcome moment), the two mermaid charts of the job summary, the echarts SVG file written for
 * `report.chart`, and how a failed write is reported.
 */
import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRolloutChart, chooseBucketMs, describeOutcome, errorAxisMaxPercent } from '../../src/report/chart.js';
import { renderRolloutChartMarkdown } from '../../src/report/chart-mermaid.js';
import { renderRolloutChartSvg, rolloutChartOption, SERIES_NAMES } from '../../src/report/chart-svg.js';
import type { Report, TimelineRow } from '../../src/report/result.js';
import { escapeMarkdown, renderSummaryMarkdown } from '../../src/report/summary.js';
import { parseConfigText } from '../../src/config/load.js';
import { writeRolloutChartFile } from '../../src/platform/chart-file.js';
import { CliPlatform } from '../../src/platform/cli.js';
import { rolledBackReport, tenMinuteRollback, twoHourPromotion } from '../support/rollout-timelines.js';
import { promotedRollout, skippedTriggerOnly } from './report-fixtures.js';

const MINUTE = 60_000;

function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

function seriesValues(block: string, kind: 'line' | 'bar'): number[][] {
  return block
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith(`${kind} [`))
    .map((line) => JSON.parse(line.slice(kind.length + 1)) as number[]);
}

function xLabels(block: string): string[] {
  const line = block.split('\n').find((l) => l.trim().startsWith('x-axis')) ?? '';
  return JSON.parse(line.slice(line.indexOf('['))) as string[];
}

describe('buildRolloutChart', () => {
  it('reads a 10-minute rollout per minute: one bucket per started minute, labelled m0..m7', () => {
    const chart = buildRolloutChart(tenMinuteRollback());
    expect(chart.bucketMs).toBe(MINUTE);
    expect(chart.buckets.map((b) => b.label)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    // No minute had ended before the first polls: no rate yet, not a rate of 0.
    expect(chart.buckets[0]).toMatchObject({ canaryRate: null, stableRate: null, polls: 3 });
    expect(chart.buckets[1]!.canaryRate).toBeCloseTo(0.005, 6);
    expect(chart.buckets[1]!.stableRate).toBeCloseTo(0.00389, 4);
    // The failing poll's window rate is the last reading of minute 7.
    expect(chart.buckets[7]!.canaryRate).toBeCloseTo(0.02625, 6);
  });

  it('widens the buckets of a 2-hour rollout so it stays within 30 positions (20 for mermaid)', () => {
    const timeline = twoHourPromotion();
    const chart = buildRolloutChart(timeline);
    expect(chart.bucketMs).toBe(5 * MINUTE);
    expect(chart.buckets).toHaveLength(25);
    expect(chart.buckets.at(-1)?.label).toBe('m120');
    const narrow = buildRolloutChart(timeline, { maxBuckets: 20 });
    expect(narrow.bucketMs).toBe(10 * MINUTE);
    expect(narrow.buckets.map((b) => b.label).slice(0, 3)).toEqual(['m0', 'm10', 'm20']);
    expect(narrow.buckets).toHaveLength(13);
    // Every poll lands in exactly one bucket.
    const polls = timeline.filter((row) => row.event === 'observe').length;
    expect(narrow.buckets.reduce((sum, b) => sum + b.polls, 0)).toBe(polls);
  });

  it('chooses the narrowest width that fits', () => {
    expect(chooseBucketMs(0, 30)).toBe(MINUTE);
    expect(chooseBucketMs(29 * MINUTE, 30)).toBe(MINUTE);
    expect(chooseBucketMs(30 * MINUTE, 30)).toBe(2 * MINUTE);
    expect(chooseBucketMs(120 * MINUTE, 20)).toBe(10 * MINUTE);
    expect(chooseBucketMs(24 * 60 * MINUTE, 30)).toBe(60 * MINUTE);
  });

  it('scales the error-rate axis to the data, never 0-100% for a 1% rate', () => {
    expect(errorAxisMaxPercent(0)).toBe(1);
    expect(errorAxisMaxPercent(0.4)).toBe(1);
    expect(errorAxisMaxPercent(1)).toBe(1.5);
    expect(errorAxisMaxPercent(2.63)).toBe(4);
    expect(errorAxisMaxPercent(7.5)).toBe(10);
    expect(errorAxisMaxPercent(42)).toBe(60);
    expect(errorAxisMaxPercent(95)).toBe(100);
    expect(buildRolloutChart(tenMinuteRollback()).errorAxisMaxPercent).toBe(4);
    expect(buildRolloutChart(twoHourPromotion()).errorAxisMaxPercent).toBe(1.5);
  });

  it('draws the weight as steps: the change points, and per bucket the highest weight held', () => {
    const chart = buildRolloutChart(tenMinuteRollback());
    expect(chart.weightSteps).toEqual([
      { atMs: 0, weight: 0 },
      { atMs: 1_000, weight: 0.1 },
      { atMs: 182_000, weight: 0.2 },
      { atMs: 363_000, weight: 0.3 },
      { atMs: 435_000, weight: 0 },
    ]);
    // Minute 7 ends at 0 after the rollback, but it held 30%.
    expect(chart.buckets.map((b) => b.weight)).toEqual([0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.3, 0.3]);
  });

  it('finds the deciding polls and the moment of rollback', () => {
    const chart = buildRolloutChart(tenMinuteRollback());
    expect(chart.verdicts.map((v) => [v.step, v.verdict, v.atMs, v.weight])).toEqual([
      [1, 'pass', 181_000, 0.1],
      [2, 'pass', 362_000, 0.2],
      [3, 'fail', 423_000, 0.3],
    ]);
    expect(chart.outcome).toEqual({ event: 'rollback', atMs: 435_000, step: 3, weightBefore: 0.3, weightAfter: 0 });
    expect(describeOutcome(chart.outcome!)).toBe('rolled back at 7m 15s (step 3, weight 30%)');
    expect(chart).toMatchObject({ canaryVersion: '42', stableVersion: '41' });
  });

  it('describes a promotion with the last step and the final weight', () => {
    const chart = buildRolloutChart(twoHourPromotion());
    expect(describeOutcome(chart.outcome!)).toBe('promoted at 2h 00m (step 8, weight 80% → 100%)');
    expect(chart.verdicts.filter((v) => v.verdict === 'pass')).toHaveLength(8);
  });

  it('has no outcome while a timeline has none (a rollout cut short)', () => {
    const timeline = tenMinuteRollback().filter((row) => row.event !== 'rollback');
    expect(buildRolloutChart(timeline).outcome).toBeUndefined();
  });
});

describe('the job summary charts (mermaid)', () => {
  it('draws two xychart-beta charts with their own scales, colours set by an init directive', () => {
    const markdown = renderSummaryMarkdown(rolledBackReport());
    const [errors, weights, ...rest] = mermaidBlocks(markdown);
    expect(rest).toEqual([]);
    expect(errors).toContain('%%{init: {"xyChart": {"width": 720, "height": 340}, "themeVariables": {"xyChart": {"plotColorPalette": "#d62728, #1f77b4"}}}}%%');
    expect(errors).toContain('xychart-beta');
    // Per minute from the report's minutes: the 9% minute shows as the spike it was, and minute 7,
    // which CloudWatch had not published when the rollout ended, is left off rather than drawn as 0.
    expect(errors).toContain('y-axis "error rate %" 0 --> 15');
    expect(xLabels(errors!)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    const [canary, stable] = seriesValues(errors!, 'line');
    expect(canary).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 9]);
    expect(stable).toHaveLength(7);
    expect(weights).toContain('"plotColorPalette": "#2ca02c"');
    expect(weights).toContain('y-axis "weight %" 0 --> 100');
    expect(seriesValues(weights!, 'bar')).toEqual([[10, 10, 10, 20, 20, 20, 30, 30]]);
  });

  it('falls back to the rates the polls saw over the judge\'s window for a report without per-minute counts', () => {
    const markdown = renderSummaryMarkdown(rolledBackReport(tenMinuteRollback()));
    const [errors] = mermaidBlocks(markdown);
    expect(xLabels(errors!)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    expect(seriesValues(errors!, 'line')[0]).toEqual([0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 2.63]);
    expect(markdown).toContain("Per minute: the error rate the last poll saw over the judge's window");
  });

  it('says what a per-minute point is, and which minutes were not published yet', () => {
    const markdown = renderSummaryMarkdown(rolledBackReport());
    expect(markdown).toContain('Per minute: errors over invocations in that minute, as CloudWatch published them; the last minute (not published by CloudWatch when the rollout ended) is not drawn.');
  });

  it('names the series by colour under each chart, and states the outcome and the verdicts in words', () => {
    const markdown = renderSummaryMarkdown(rolledBackReport());
    const section = markdown.slice(markdown.indexOf('### Rollout timeline'), markdown.indexOf('<details>'));
    expect(section).toContain('**Rolled back at 7m 15s (step 3, weight 30%).**');
    expect(section).toContain('**Red line**: canary (version 42) · **blue line**: stable (version 41).');
    expect(section).toContain('**Green bars**: the share of traffic on the canary');
    expect(section).toContain('Verdicts: step 1 passed at 3m 01s (10%) · step 2 passed at 6m 02s (20%) · step 3 failed at 7m 03s (30%): canary error rate 2.63% &gt; max 2%');
    // The outcome comes before the charts, the legends after each.
    expect(section.indexOf('Rolled back at')).toBeLessThan(section.indexOf('```mermaid'));
  });

  it('keeps a 2-hour rollout to 13 labelled positions of 10 minutes', () => {
    const report = { ...promotedRollout(), timeline: twoHourPromotion() };
    const [errors, weights] = mermaidBlocks(renderSummaryMarkdown(report));
    expect(xLabels(errors!)).toHaveLength(13);
    expect(xLabels(weights!).at(-1)).toBe('m120');
    expect(errors).toContain('title "Error rate % per 10 minutes: canary vs stable"');
    expect(errors).toContain('y-axis "error rate %" 0 --> 1.5');
  });

  it('escapes untrusted text (versions, verdict reasons) in markdown and keeps it out of mermaid', () => {
    const hostile = '7 | <img src=x onerror=alert(1)> ``` "';
    const timeline: TimelineRow[] = tenMinuteRollback().map((row) => ({
      ...row,
      ...(row.canary ? { canary: { ...row.canary, version: hostile } } : {}),
      ...(row.verdict === 'fail' ? { reason: `bad ${hostile}` } : {}),
    }));
    const lines = renderRolloutChartMarkdown(timeline, escapeMarkdown);
    const text = lines.join('\n');
    expect(text).not.toContain('<img');
    expect(text).toContain('&lt;img');
    for (const block of mermaidBlocks(text)) expect(block).not.toContain('img');
    // Exactly two fenced blocks: the hostile backticks did not open a third.
    expect(text.match(/^```/gm)).toHaveLength(4);
  });

  it('draws nothing when no rollout ran', () => {
    expect(mermaidBlocks(renderSummaryMarkdown(skippedTriggerOnly()))).toEqual([]);
  });
});

describe('the chart file (echarts SVG)', () => {
  const svg = renderRolloutChartSvg(rolledBackReport())!;

  it('is one well-formed SVG document with a white background and no external references', () => {
    expect(svg.startsWith('<svg ')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('width="960" height="600"');
    expect(svg).toContain('<rect width="960" height="600" x="0" y="0" fill="#ffffff">');
    // Only the SVG namespaces: no script, image, font or stylesheet from anywhere.
    const urls = svg.match(/\b(?:https?:)?\/\/[^\s"')]+/g) ?? [];
    expect(urls.filter((url) => !/^http:\/\/www\.w3\.org\//.test(url))).toEqual([]);
    expect(svg).not.toMatch(/<script|<image|@import|<foreignObject/i);
    // Tags balance (every opened non-self-closing element is closed).
    const opened = [...svg.matchAll(/<([a-zA-Z]+)\b[^>]*?(\/?)>/g)].filter((m) => m[2] !== '/').map((m) => m[1]);
    const closed = [...svg.matchAll(/<\/([a-zA-Z]+)>/g)].map((m) => m[1]);
    expect(closed.length).toBe(opened.length);
  });

  it('has the legend, the title with the outcome, and the rollback line', () => {
    for (const name of [SERIES_NAMES.canary, SERIES_NAMES.stable, SERIES_NAMES.weight, SERIES_NAMES.passed, SERIES_NAMES.failed]) {
      expect(svg).toContain(`>${name}</text>`);
    }
    expect(svg).toContain('Rollout of version 42: rolled back at 7m 15s (step 3, weight 30%)');
    expect(svg).toContain('rolled back 7m 15s');
    expect(svg).toContain('#d62728');
    expect(svg).toContain('#1f77b4');
  });

  it('plots the buckets with a reading at their poll time, the weight steps and the verdicts', () => {
    const report = rolledBackReport();
    const option = rolloutChartOption(report, buildRolloutChart(report.timeline!)) as { series: Array<{ name: string; data: number[][]; markLine?: { data: Array<{ xAxis: number }> } }> };
    const byName = Object.fromEntries(option.series.map((s) => [s.name, s]));
    expect(byName[SERIES_NAMES.canary]!.data).toHaveLength(7); // minute 0 has no reading
    expect(byName[SERIES_NAMES.canary]!.data.at(-1)).toEqual([7.05, 2.63]);
    expect(byName[SERIES_NAMES.weight]!.data).toEqual([[0, 0], [0.017, 10], [3.033, 20], [6.05, 30], [7.25, 0]]);
    expect(byName[SERIES_NAMES.passed]!.data).toEqual([[3.017, 10], [6.033, 20]]);
    expect(byName[SERIES_NAMES.failed]!.data).toEqual([[7.05, 30]]);
    expect(byName[SERIES_NAMES.canary]!.markLine?.data).toEqual([{ xAxis: 7.25 }]);
  });

  it('escapes untrusted text in the SVG', () => {
    const report = rolledBackReport(tenMinuteRollback().map((row) => (row.canary ? { ...row, canary: { ...row.canary, version: '<b>&"x' } } : row)));
    const hostile = renderRolloutChartSvg(report)!;
    expect(hostile).not.toContain('<b>');
    expect(hostile).toMatch(/&lt;b&gt;&amp;(&quot;|")x/);
  });

  it('is not drawn when no rollout ran', () => {
    expect(renderRolloutChartSvg(skippedTriggerOnly())).toBeUndefined();
    expect(renderRolloutChartSvg({ ...skippedTriggerOnly(), timeline: [] })).toBeUndefined();
  });
});

describe('report.chart', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mrg-report-chart-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is an .svg path of the report section, unset by default', () => {
    const read = (text: string) => parseConfigText(text, 'model-release.yml');
    const set = read('report:\n  chart: out/chart.svg\n');
    expect(set.ok && set.config.report).toEqual({ chartPath: 'out/chart.svg' });
    const unset = read('report:\n  json: r.json\n');
    expect(unset.ok && unset.config.report).toEqual({ jsonPath: 'r.json' });
    const png = read('report:\n  chart: chart.png\n');
    expect(png.ok ? [] : png.errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`)).toEqual(['2:10 report.chart: must end in .svg: the chart is written as SVG']);
  });

  it('writes the SVG under the workspace, creating directories', () => {
    const warnings: string[] = [];
    writeRolloutChartFile(dir, 'out/deep/chart.svg', rolledBackReport(), { warn: (m) => warnings.push(m) });
    expect(readFileSync(join(dir, 'out/deep/chart.svg'), 'utf8')).toContain(SERIES_NAMES.canary);
    expect(warnings).toEqual([]);
  });

  it('writes nothing without a path or a rollout', () => {
    const warnings: string[] = [];
    writeRolloutChartFile(dir, undefined, rolledBackReport(), { warn: (m) => warnings.push(m) });
    writeRolloutChartFile(dir, 'none.svg', skippedTriggerOnly(), { warn: (m) => warnings.push(m) });
    expect(() => readFileSync(join(dir, 'none.svg'))).toThrow();
    expect(warnings).toEqual([]);
  });

  it('the CLI writes it beside the other report files, and warns on stderr when it cannot', async () => {
    writeFileSync(join(dir, 'blocker'), 'x');
    let stderr = '';
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
    try {
      const platform = new CliPlatform('release', {}, { CI_PROJECT_DIR: dir });
      await platform.publish(rolledBackReport(), { chartPath: 'cli/chart.svg', junitPath: 'cli/junit.xml' });
      await platform.publish(rolledBackReport(), { chartPath: 'blocker/chart.svg', junitPath: 'cli/junit-2.xml' });
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    expect(readFileSync(join(dir, 'cli/chart.svg'), 'utf8')).toMatch(/^<svg [\s\S]*rolled back at 7m 15s/);
    // The failed chart did not stop the other files.
    expect(readFileSync(join(dir, 'cli/junit-2.xml'), 'utf8')).toContain('<testsuites');
    expect(stderr).toContain('warning: could not write the rollout chart to blocker/chart.svg (report.chart): ');
  });

  it('a write that fails is a warning, not an error', () => {
    writeFileSync(join(dir, 'a-file'), 'x');
    const warnings: string[] = [];
    const report: Report = rolledBackReport();
    expect(() => writeRolloutChartFile(dir, 'a-file/chart.svg', report, { warn: (m) => warnings.push(m) })).not.toThrow();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^could not write the rollout chart to a-file\/chart\.svg \(report\.chart\): .+\. The release outcome is not affected\.$/);
  });
});
