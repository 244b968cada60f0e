/**
 * The rollout chart of the job summary as mermaid `xychart-beta` blocks (GitHub renders them).
 * xychart has one y axis and no legend, so there are two charts, each followed by a markdown
 * legend naming its series by colour: the error rates of canary and stable on an axis scaled
 * to the data, and the canary's traffic weight as bars (steps). The outcome moment and the
 * deciding verdicts follow in words. The only text inside the mermaid blocks is ours (fixed
 * titles, `m5` labels, numbers); anything from outside goes through `escapeText`, in markdown.
 */
import type { MinuteRow, TimelineRow } from './result.js';
import {
  buildRolloutChart,
  CHART_COLOURS,
  chartPercentValue,
  describeBucket,
  describeOutcome,
  type RolloutChart,
  type VerdictPoint,
} from './chart.js';
import { formatDuration, formatNumber, formatPercent } from './format.js';

/** Mermaid draws every category label: beyond about 20 they overlap on a summary-wide chart. */
export const MERMAID_MAX_BUCKETS = 20;

/** The chart's size (mermaid's default is 700 × 500: two of those fill a screen) and its colours. */
function init(height: number, palette: readonly string[]): string {
  return `%%{init: {"xyChart": {"width": 720, "height": ${height}}, "themeVariables": {"xyChart": {"plotColorPalette": "${palette.join(', ')}"}}}}%%`;
}

function series(values: readonly number[]): string {
  return `[${values.map((value) => formatNumber(value)).join(', ')}]`;
}

function xAxis(buckets: RolloutChart['buckets']): string {
  return `    x-axis "minutes since the rollout started" [${buckets.map((b) => JSON.stringify(b.label)).join(', ')}]`;
}

function versionName(version: string | undefined, escapeText: (text: string) => string): string {
  return version === undefined || version === '' ? '' : ` (version ${escapeText(version)})`;
}

function errorRateChart(chart: RolloutChart, escapeText: (text: string) => string): string[] {
  const per = describeBucket(chart.bucketMs);
  // Mermaid cannot leave a gap: the minutes CloudWatch had not published by the end are left off
  // the axis rather than drawn as a 0 that reads as a recovery.
  const lastRead = chart.buckets.findLastIndex((b) => b.canaryRate !== null || b.stableRate !== null);
  const buckets = chart.buckets.slice(0, Math.max(1, lastRead + 1));
  const unpublished = chart.buckets.length - buckets.length;
  const canary = buckets.map((b) => chartPercentValue(b.canaryRate ?? 0));
  const stable = buckets.map((b) => chartPercentValue(b.stableRate ?? 0));
  const gaps = buckets.some((b) => b.canaryRate === null || b.stableRate === null);
  return [
    '```mermaid',
    init(340, [CHART_COLOURS.canary, CHART_COLOURS.stable]),
    'xychart-beta',
    `    title "Error rate % per ${per}: canary vs stable"`,
    xAxis(buckets),
    `    y-axis "error rate %" 0 --> ${formatNumber(chart.errorAxisMaxPercent)}`,
    `    line ${series(canary)}`,
    `    line ${series(stable)}`,
    '```',
    '',
    `**Red line**: canary${versionName(chart.canaryVersion, escapeText)} · **blue line**: stable${versionName(chart.stableVersion, escapeText)}. ` +
      (chart.perMinute ? `Per ${per}: errors over invocations in that ${per}, as CloudWatch published them` : `Per ${per}: the error rate the last poll saw over the judge's window`) +
      `${gaps ? `; no reading (no invocations yet) is drawn as 0` : ''}` +
      `${unpublished > 0 ? `; the last ${unpublished === 1 ? per : `${unpublished} × ${per}`} (not published by CloudWatch when the rollout ended) ${unpublished === 1 ? 'is' : 'are'} not drawn` : ''}.`,
    '',
  ];
}

function weightChart(chart: RolloutChart): string[] {
  const per = describeBucket(chart.bucketMs);
  const weights = chart.buckets.map((b) => chartPercentValue(b.weight));
  return [
    '```mermaid',
    init(280, [CHART_COLOURS.weight]),
    'xychart-beta',
    `    title "Canary traffic weight % per ${per}"`,
    xAxis(chart.buckets),
    '    y-axis "weight %" 0 --> 100',
    `    bar ${series(weights)}`,
    '```',
    '',
    `**Green bars**: the share of traffic on the canary, the highest it held per ${per}.`,
    '',
  ];
}

const VERDICT_WORD: Record<VerdictPoint['verdict'], string> = { pass: 'passed', fail: 'failed', inconclusive: 'inconclusive' };

function verdictLine(chart: RolloutChart, escapeText: (text: string) => string): string[] {
  if (chart.verdicts.length === 0) return [];
  const parts = chart.verdicts.map((v) => {
    const head = `step ${v.step} ${VERDICT_WORD[v.verdict]} at ${formatDuration(v.atMs)} (${formatPercent(v.weight)})`;
    return v.verdict === 'pass' ? head : `${head}: ${escapeText(v.reason)}`;
  });
  return [`Verdicts: ${parts.join(' · ')}.`, ''];
}

/**
 * The chart section of the job summary for a rollout timeline: the outcome moment, the two
 * charts with their legends, and the deciding verdicts. `escapeText` is the summary's escaping
 * for untrusted text (versions, verdict reasons).
 */
export function renderRolloutChartMarkdown(timeline: readonly TimelineRow[], escapeText: (text: string) => string, minutes?: readonly MinuteRow[]): string[] {
  const chart = buildRolloutChart(timeline, { maxBuckets: MERMAID_MAX_BUCKETS, ...(minutes !== undefined ? { minutes } : {}) });
  const outcome = chart.outcome !== undefined ? [`**${capitalise(describeOutcome(chart.outcome))}.**`, ''] : [];
  return [...outcome, ...errorRateChart(chart, escapeText), ...weightChart(chart), ...verdictLine(chart, escapeText)];
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
