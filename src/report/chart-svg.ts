/**
 * The rollout chart as a standalone SVG file (`report.chart`), for GitLab artifacts and the
 * CLI, drawn by echarts' server-side SVG renderer: no DOM, no canvas, no network, no fonts
 * fetched (text names generic families the viewer already has). Two grids share the time axis:
 * canary and stable error rates on an axis scaled to the data, and the canary's weight as
 * steps with the deciding verdicts on it; a vertical line marks the promotion or rollback.
 */
import * as echarts from 'echarts/core';
import { LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, MarkPointComponent, TitleComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import type { Report } from './result.js';
import { buildRolloutChart, CHART_COLOURS, chartPercentValue, describeOutcome, type RolloutChart, type VerdictPoint } from './chart.js';
import { formatDuration, formatNumber } from './format.js';

echarts.use([LineChart, ScatterChart, GridComponent, LegendComponent, TitleComponent, MarkLineComponent, MarkPointComponent, SVGRenderer]);

export const CHART_WIDTH = 960;
export const CHART_HEIGHT = 600;

const MINUTE_MS = 60_000;
const FAIL_COLOUR = '#d62728';
const INCONCLUSIVE_COLOUR = '#ff7f0e';
const PROMOTE_COLOUR = '#2ca02c';
const TEXT = '#222';
const FONT = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif';

/** Legend and series names, shared with the tests that read the SVG. */
export const SERIES_NAMES = {
  canary: 'canary error rate',
  stable: 'stable error rate',
  weight: 'canary weight',
  passed: 'step passed',
  failed: 'step failed',
  inconclusive: 'step inconclusive',
} as const;

function minutes(ms: number): number {
  return Number((ms / MINUTE_MS).toFixed(3));
}

/**
 * The time axis in minutes: ticks every 1, 2, 5, 10, 15, 30 or 60 minutes (at most about 10),
 * ending at the next tick after the rollout, or at its end when that is closer than 5% of
 * the length (a 2-hour rollout that ended at 2h 00m 09s ends at 120.15, not at 135).
 */
function timeAxisRange(durationMs: number): { max: number; interval: number; showMaxLabel: boolean } {
  const total = Math.max(1, durationMs / MINUTE_MS);
  const interval = [1, 2, 5, 10, 15, 30, 60, 120, 240, 480, 1440].find((step) => total / step <= 10) ?? Math.ceil(total / 10);
  const nextTick = Math.ceil(total / interval - 1e-9) * interval;
  if (nextTick - total <= total * 0.05) return { max: nextTick, interval, showMaxLabel: true };
  return { max: Number(total.toFixed(3)), interval, showMaxLabel: false };
}

function title(report: Report, chart: RolloutChart): { text: string; subtext: string } {
  const version = chart.canaryVersion !== undefined ? `version ${chart.canaryVersion}` : 'the canary';
  const moment = chart.outcome !== undefined ? describeOutcome(chart.outcome) : report.outcome;
  return {
    text: `Rollout of ${version}: ${moment}`,
    subtext: `${chart.perMinute ? `error rate per ${chart.bucketMs / MINUTE_MS} min (errors over invocations)` : `error rate each poll saw over the judge's window (latest poll per ${chart.bucketMs / MINUTE_MS} min)`} · weight in steps · ran ${formatDuration(chart.durationMs)}`,
  };
}

function verdictSeries(name: string, points: readonly VerdictPoint[], colour: string, symbol: string): Record<string, unknown> {
  return {
    name,
    type: 'scatter',
    xAxisIndex: 1,
    yAxisIndex: 1,
    symbol,
    symbolSize: 14,
    itemStyle: { color: colour, borderColor: '#fff', borderWidth: 1.5 },
    z: 5,
    data: points.map((v) => [minutes(v.atMs), chartPercentValue(v.weight)]),
  };
}

const OUTCOME_LABEL = { promote: 'promoted', rollback: 'rolled back', abort: 'aborted' } as const;

function outcomeLine(chart: RolloutChart, withLabel: boolean): Record<string, unknown> | undefined {
  const moment = chart.outcome;
  if (moment === undefined) return undefined;
  const colour = moment.event === 'promote' ? PROMOTE_COLOUR : FAIL_COLOUR;
  return {
    symbol: 'none',
    silent: true,
    lineStyle: { color: colour, type: 'dashed', width: 2 },
    label: withLabel ? { show: true, position: 'end', color: colour, fontWeight: 'bold', formatter: `${OUTCOME_LABEL[moment.event]} ${formatDuration(moment.atMs)}` } : { show: false },
    data: [{ xAxis: minutes(moment.atMs) }],
  };
}

/** The echarts option for the chart; exported for tests, which check its data without parsing SVG. */
export function rolloutChartOption(report: Report, chart: RolloutChart): Record<string, unknown> {
  const range = timeAxisRange(chart.durationMs);
  // A per-minute rate belongs to the middle of its minute(s); a window rate to the poll that saw it.
  const at = (b: RolloutChart['buckets'][number]) => (chart.perMinute ? (b.startMs + b.endMs) / 2 : b.polledAtMs);
  const ratePoints = (pick: 'canaryRate' | 'stableRate') =>
    chart.buckets.filter((b) => b[pick] !== null && at(b) !== null).map((b) => [minutes(at(b)!), chartPercentValue(b[pick]!)]);
  const steps = chart.weightSteps.map((s) => [minutes(s.atMs), chartPercentValue(s.weight)]);
  const last = chart.weightSteps.at(-1);
  if (last !== undefined && last.atMs < chart.durationMs) steps.push([minutes(chart.durationMs), chartPercentValue(last.weight)]);
  const failed = chart.verdicts.filter((v) => v.verdict === 'fail');
  const inconclusive = chart.verdicts.filter((v) => v.verdict === 'inconclusive');
  const markLine = outcomeLine(chart, true);
  const series: Array<Record<string, unknown>> = [
    {
      name: SERIES_NAMES.canary,
      type: 'line',
      xAxisIndex: 0,
      yAxisIndex: 0,
      color: CHART_COLOURS.canary,
      lineStyle: { width: 2.5 },
      symbolSize: 6,
      data: ratePoints('canaryRate'),
      markPoint: {
        symbol: 'pin',
        symbolSize: 44,
        itemStyle: { color: FAIL_COLOUR },
        label: { color: '#fff', fontSize: 10, fontWeight: 'bold' },
        data: failed
          .filter((v) => v.canaryRate !== null)
          .map((v) => ({ name: `step ${v.step} failed`, value: 'fail', coord: [minutes(v.atMs), chartPercentValue(v.canaryRate!)] })),
      },
      ...(markLine !== undefined ? { markLine } : {}),
    },
    {
      name: SERIES_NAMES.stable,
      type: 'line',
      xAxisIndex: 0,
      yAxisIndex: 0,
      color: CHART_COLOURS.stable,
      lineStyle: { width: 2.5 },
      symbolSize: 6,
      data: ratePoints('stableRate'),
    },
    {
      name: SERIES_NAMES.weight,
      type: 'line',
      xAxisIndex: 1,
      yAxisIndex: 1,
      step: 'end',
      color: CHART_COLOURS.weight,
      lineStyle: { width: 2.5 },
      areaStyle: { opacity: 0.15 },
      showSymbol: false,
      data: steps,
      ...(chart.outcome !== undefined ? { markLine: outcomeLine(chart, false) } : {}),
    },
    verdictSeries(SERIES_NAMES.passed, chart.verdicts.filter((v) => v.verdict === 'pass'), PROMOTE_COLOUR, 'circle'),
    verdictSeries(SERIES_NAMES.failed, failed, FAIL_COLOUR, 'triangle'),
  ];
  if (inconclusive.length > 0) series.push(verdictSeries(SERIES_NAMES.inconclusive, inconclusive, INCONCLUSIVE_COLOUR, 'diamond'));
  const timeAxis = (gridIndex: number, named: boolean) => ({
    type: 'value',
    gridIndex,
    min: 0,
    max: range.max,
    interval: range.interval,
    axisLabel: { color: TEXT, showMaxLabel: range.showMaxLabel, formatter: (value: number) => `${formatNumber(value)}m` },
    splitLine: { lineStyle: { color: '#e6e6e6' } },
    ...(named ? { name: 'minutes since the rollout started', nameLocation: 'middle', nameGap: 28, nameTextStyle: { color: TEXT } } : {}),
  });
  const { text, subtext } = title(report, chart);
  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: FONT, color: TEXT },
    title: {
      text,
      subtext,
      left: 16,
      top: 10,
      textStyle: { fontSize: 18, color: chart.outcome?.event === 'promote' ? TEXT : chart.outcome !== undefined ? FAIL_COLOUR : TEXT },
      subtextStyle: { fontSize: 12, color: '#555' },
    },
    legend: { top: 62, left: 16, itemGap: 18, textStyle: { fontSize: 13, color: TEXT }, data: series.map((s) => s['name']) },
    grid: [
      { left: 70, right: 70, top: 130, height: 210 },
      { left: 70, right: 70, top: 400, height: 140 },
    ],
    xAxis: [timeAxis(0, false), timeAxis(1, true)],
    yAxis: [
      {
        type: 'value',
        gridIndex: 0,
        min: 0,
        max: chart.errorAxisMaxPercent,
        name: 'error rate %',
        nameTextStyle: { color: TEXT, align: 'left' },
        axisLabel: { color: TEXT, formatter: (value: number) => `${formatNumber(value)}%` },
      },
      {
        type: 'value',
        gridIndex: 1,
        min: 0,
        max: 100,
        interval: 25,
        name: 'weight %',
        nameTextStyle: { color: TEXT, align: 'left' },
        axisLabel: { color: TEXT, formatter: (value: number) => `${value}%` },
      },
    ],
    series,
  };
}

/**
 * The report's rollout chart as an SVG document, or undefined when no rollout ran (no
 * timeline, or an empty one): there is nothing to draw.
 */
export function renderRolloutChartSvg(report: Report): string | undefined {
  if (report.timeline === undefined || report.timeline.length === 0) return undefined;
  const chart = buildRolloutChart(report.timeline, report.minutes !== undefined ? { minutes: report.minutes } : {});
  const instance = echarts.init(null, null, { renderer: 'svg', ssr: true, width: CHART_WIDTH, height: CHART_HEIGHT });
  try {
    instance.setOption(rolloutChartOption(report, chart));
    return `${instance.renderToSVGString()}\n`;
  } finally {
    instance.dispose();
  }
}
