/**
 * The data drift report (`report.html`): one self-contained HTML file that shows, per column,
 * training against production (histograms on shared bins, category bars), the statistic, its
 * threshold and the verdict, and the production categories training never saw. Pure: the data
 * gate's results in, a string out; it reads only what the drift and unseen-categories checks
 * already put in their results (`details.input` holds the distributions), never the data.
 *
 * Offline by construction: inline CSS, charts as inline SVG (drift-chart.ts), no script, no
 * link, no image, no font to fetch, and a Content-Security-Policy that forbids loading any.
 * Every text that came from the data or the config (column names, category values, paths,
 * `where` conditions) is escaped.
 */
import { formatNumber } from '../data/drift/counts.js';
import { isTest } from '../data/drift/defaults.js';
import type { DriftInput, DriftMethod, DriftScore } from '../data/drift/types.js';
import { TOOL_VERSION } from '../core/version.js';
import { renderDistributionSvg, SAMPLE_COLOURS } from './drift-chart.js';
import { distributionOf, type Distribution } from './drift-distributions.js';
import type { CheckResult } from './result.js';

export interface DriftReportInput {
  /** The data gate's results (other gates' results are ignored). */
  results: readonly CheckResult[];
  /** The training data and the production sample as configured (paths or globs). */
  dataset: string;
  reference?: string;
  /** When the data gate ran (ISO 8601). */
  generatedAt: string;
  /** Columns the drift checks were told to leave out: `exclude`, and `columns.id`. */
  excluded?: readonly string[];
  configuredIds?: readonly string[];
}

/** Production categories listed per column below its chart. */
export const MAX_LISTED_UNSEEN = 20;

/** Short enough for a table cell; the reason under each chart spells the method out. */
const METHOD_NAMES: Record<DriftMethod, string> = {
  psi: 'PSI',
  ks: 'KS test',
  chi2: 'chi-square test',
  'jensen-shannon': 'Jensen–Shannon',
  wasserstein: 'Wasserstein',
};

/** Text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** What a drift column result carries (src/data/checks/drift.ts): the score and its input. */
interface DriftColumnDetails extends DriftScore {
  datasetCount: number;
  referenceCount: number;
  input: DriftInput;
  where?: string;
}

type ColumnRow =
  | { kind: 'compared'; result: CheckResult; details: DriftColumnDetails; distribution: Distribution | undefined }
  | { kind: 'id'; column: string; result: CheckResult; distinct: number }
  | { kind: 'left-out'; column: string; why: 'excluded' | 'id' };

interface UnseenRow {
  column: string;
  result: CheckResult;
  offending: Array<{ value: string; trainingCount: number; productionCount: number }>;
  minCount: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function driftColumnDetails(result: CheckResult): DriftColumnDetails | undefined {
  const d = result.details;
  if (!result.id.startsWith('data.drift.') || !isRecord(d) || !isRecord(d.input) || typeof d.column !== 'string' || typeof d.method !== 'string') return undefined;
  return d as unknown as DriftColumnDetails;
}

/** A check's column from its result id (`data.<type>.<column>`, `#2` for a second check). */
function columnOfId(id: string, prefix: string): string {
  return id.slice(prefix.length).replace(/#\d+$/, '');
}

function columnRows(input: DriftReportInput): ColumnRow[] {
  const rows: ColumnRow[] = [];
  for (const result of input.results) {
    if (result.gate !== 'data') continue;
    const details = driftColumnDetails(result);
    if (details) rows.push({ kind: 'compared', result, details, distribution: distributionOf(details.input) });
    else if (result.id.startsWith('data.drift.') && isRecord(result.details) && result.details.inferredId === true) {
      rows.push({ kind: 'id', column: columnOfId(result.id, 'data.drift.'), result, distinct: Number(result.details.distinctValues) });
    }
  }
  const named = new Set(rows.map((r) => (r.kind === 'compared' ? r.details.column : r.column)));
  for (const [why, columns] of [['excluded', input.excluded ?? []], ['id', input.configuredIds ?? []]] as const) {
    for (const column of columns) {
      if (named.has(column)) continue;
      named.add(column);
      rows.push({ kind: 'left-out', column, why });
    }
  }
  // Drifted columns first: they are why someone opens the report.
  const rank = (r: ColumnRow) => (r.kind === 'compared' ? (r.details.drifted ? 0 : 1) : r.kind === 'id' ? 2 : 3);
  return rows.map((r, i) => ({ r, i })).sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i).map(({ r }) => r);
}

function unseenRows(results: readonly CheckResult[]): UnseenRow[] {
  return results
    .filter((r) => r.gate === 'data' && r.id.startsWith('data.unseen_categories.'))
    .map((result) => {
      const d = isRecord(result.details) ? result.details : {};
      const offending = Array.isArray(d.offending) ? (d.offending as UnseenRow['offending']) : [];
      return { column: columnOfId(result.id, 'data.unseen_categories.'), result, offending, minCount: Number(d.minCount ?? 1) };
    });
}

/** The data gate's verdict: what stops a release (fail, error) before what does not (warn). */
function gateVerdict(results: readonly CheckResult[]): { status: 'fail' | 'warn' | 'pass'; text: string } {
  const data = results.filter((r) => r.gate === 'data');
  if (data.some((r) => r.status === 'error' || r.status === 'fail')) return { status: 'fail', text: 'Data gate failed' };
  if (data.some((r) => r.status === 'warn')) return { status: 'warn', text: 'Data gate passed with warnings' };
  return { status: 'pass', text: 'Data gate passed' };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const count = (n: number) => n.toLocaleString('en-US');
const share = (x: number) => `${Number((100 * x).toPrecision(3))}%`;

/** `drifted` as a badge: red when it fails the gate, amber when it only warns, green when stable. */
function verdictBadge(row: ColumnRow): string {
  if (row.kind === 'compared') {
    if (!row.details.drifted) return '<span class="badge pass">no drift</span>';
    return `<span class="badge ${row.result.status === 'fail' ? 'fail' : 'warn'}">drift detected</span>`;
  }
  return `<span class="badge skip">not compared</span>`;
}

function summaryRow(row: ColumnRow, index: number): string {
  if (row.kind === 'compared') {
    const d = row.details;
    const test = isTest(d.method);
    const p = d.adjustedPValue ?? d.pValue;
    // A p-value of exactly 0 is one below the smallest double, not a certainty.
    const pText = p === undefined ? '–' : `${p === 0 ? '≈ 0' : formatNumber(p)}${d.adjustedPValue !== undefined ? ' <small>(adjusted)</small>' : ''}`;
    const statistic = d.statisticUpperBound !== undefined && d.statisticUpperBound > d.statistic ? `${formatNumber(d.statistic)} <small>(≤ ${formatNumber(d.statisticUpperBound)})</small>` : formatNumber(d.statistic);
    const threshold = test ? `p &lt; ${formatNumber(d.threshold)}` : `≥ ${formatNumber(d.threshold)}`;
    return `<tr class="${d.drifted ? 'drifted' : ''}"><td><a href="#column-${index}">${escapeHtml(d.column)}</a>${d.where !== undefined ? ` <small>where ${escapeHtml(d.where)}</small>` : ''}</td><td>${d.input.kind}</td><td>${METHOD_NAMES[d.method] ?? escapeHtml(d.method)}</td><td class="num">${statistic}</td><td class="num">${threshold}</td><td class="num">${pText}</td><td>${verdictBadge(row)}</td></tr>`;
  }
  const why = row.kind === 'id' ? `id (inferred: all ${count(row.distinct)} training values distinct)` : row.why === 'excluded' ? 'excluded (<code>exclude</code>)' : 'id (<code>columns.id</code>)';
  return `<tr class="muted"><td>${escapeHtml(row.column)}</td><td colspan="5">${why}</td><td>${verdictBadge(row)}</td></tr>`;
}

function unseenList(distribution: Distribution | undefined): string {
  if (distribution?.kind !== 'categorical' || distribution.unseen.length === 0) return '';
  const heading = distribution.unseenIsCertain ? 'Production categories never seen in training' : "Production categories not among training's listed categories";
  const items = distribution.unseen
    .slice(0, MAX_LISTED_UNSEEN)
    .map((u) => `<li><code>${escapeHtml(u.value)}</code> <span class="muted">${count(u.productionCount)} production rows (${share(u.productionShare)})</span></li>`)
    .join('');
  const more = distribution.unseen.length > MAX_LISTED_UNSEEN ? `<li class="muted">and ${distribution.unseen.length - MAX_LISTED_UNSEEN} more</li>` : '';
  const total = distribution.unseen.reduce((sum, u) => sum + u.productionShare, 0);
  return `<div class="unseen"><h3>${heading}: ${distribution.unseen.length} <small>(${share(total)} of production)</small></h3><ul>${items}${more}</ul></div>`;
}

function columnSection(row: ColumnRow, index: number): string {
  if (row.kind !== 'compared') return '';
  const d = row.details;
  const chart = row.distribution
    ? `<figure class="chart" aria-label="${escapeHtml(`${d.column}: training and production distributions`)}">${renderDistributionSvg(row.distribution)}</figure>`
    : '<p class="muted">No distribution to draw: a sample has no non-null value.</p>';
  const outside =
    row.distribution?.kind === 'numeric' && row.distribution.trainingBelow + row.distribution.trainingAbove > 0
      ? `<p class="note">${share(row.distribution.trainingBelow + row.distribution.trainingAbove)} of training lies outside production's range (${escapeHtml(formatNumber(row.distribution.min))} to ${escapeHtml(formatNumber(row.distribution.max))}).</p>`
      : '';
  const pooled = row.distribution?.kind === 'categorical' && row.distribution.total > row.distribution.shown ? `<p class="note">The ${row.distribution.shown} most frequent of ${row.distribution.total} categories; the rest are one bar.</p>` : '';
  return `<section class="column" id="column-${index}">
<h2>${escapeHtml(d.column)} <small>${d.input.kind}</small> ${verdictBadge(row)}</h2>
<p class="reason">${escapeHtml(d.reason)}</p>
<p class="counts"><span class="swatch" style="background:${SAMPLE_COLOURS.training}"></span>training ${count(d.datasetCount)} values · <span class="swatch" style="background:${SAMPLE_COLOURS.production}"></span>production ${count(d.referenceCount)} values${d.where !== undefined ? ` · where <code>${escapeHtml(d.where)}</code>` : ''}</p>
${chart}${outside}${pooled}${unseenList(row.distribution)}
</section>`;
}

function unseenSection(rows: readonly UnseenRow[]): string {
  if (rows.length === 0) return '';
  const body = rows
    .map((r) => {
      const listed = r.offending.map((o) => `<code>${escapeHtml(o.value)}</code> <span class="muted">(${count(o.productionCount)} in production, ${count(o.trainingCount)} in training)</span>`).join(', ');
      const badge = r.result.status === 'pass' ? '<span class="badge pass">pass</span>' : `<span class="badge ${r.result.status === 'warn' ? 'warn' : 'fail'}">${escapeHtml(r.result.status)}</span>`;
      return `<tr><td>${escapeHtml(r.column)}</td><td class="num">${r.minCount}</td><td>${listed || '<span class="muted">none</span>'}</td><td>${badge}</td></tr>`;
    })
    .join('\n');
  return `<section><h2>Unseen categories</h2><p class="muted">Production categories with fewer training rows than the check's minimum (<code>unseen_categories</code>).</p>
<table><thead><tr><th>Column</th><th>Min. training rows</th><th>Offending categories</th><th>Verdict</th></tr></thead><tbody>
${body}
</tbody></table></section>`;
}

const STYLE = `
:root{color-scheme:light;--fail:#c62828;--warn:#b26a00;--pass:#2e7d32;--muted:#6b7280;--line:#e5e7eb}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937;background:#f8fafc}
main{max-width:840px;margin:0 auto;padding:24px 20px 40px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:0 0 6px;word-break:break-word}
h2 small,h3 small{font-weight:normal;color:var(--muted)}
h3{font-size:14px;margin:12px 0 4px}
header,section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 18px;margin-bottom:16px}
.verdict{font-size:16px;font-weight:600;margin:6px 0 10px;padding:8px 12px;border-radius:6px}
.verdict.fail{background:#fdecea;color:var(--fail)}.verdict.warn{background:#fff4e0;color:var(--warn)}.verdict.pass{background:#e8f5e9;color:var(--pass)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0}
dt{color:var(--muted)}dd{margin:0;word-break:break-all}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600;white-space:nowrap}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tr.drifted td:first-child{border-left:3px solid var(--fail)}
tr.muted td{color:var(--muted)}
a{color:#1d4ed8;text-decoration:none}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f1f5f9;padding:1px 4px;border-radius:3px;word-break:break-all}
.badge{display:inline-block;font-size:12px;font-weight:600;padding:1px 8px;border-radius:10px;white-space:nowrap;vertical-align:middle}
.badge.fail{background:#fdecea;color:var(--fail)}.badge.warn{background:#fff4e0;color:var(--warn)}.badge.pass{background:#e8f5e9;color:var(--pass)}.badge.skip{background:#f1f5f9;color:var(--muted)}
.muted{color:var(--muted)}
.reason{margin:0 0 4px}
.counts{margin:0 0 6px;color:var(--muted);font-size:13px}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:baseline}
.chart{margin:0;overflow-x:auto}.chart svg{display:block;max-width:100%;height:auto}
.note{margin:4px 0;font-size:13px;color:var(--muted)}
.unseen ul{margin:0;padding-left:20px;columns:2}
footer{color:var(--muted);font-size:12px;text-align:center}
`;

/** The report as one HTML document (see the header of this file). */
export function renderDriftHtml(input: DriftReportInput): string {
  const rows = columnRows(input);
  const compared = rows.filter((r): r is Extract<ColumnRow, { kind: 'compared' }> => r.kind === 'compared');
  const drifted = compared.filter((r) => r.details.drifted).length;
  const verdict = gateVerdict(input.results);
  const notCompared = rows.length - compared.length;
  const unseen = unseenRows(input.results);
  const shareResult = input.results.find((r) => r.gate === 'data' && /^data\.drift(#\d+)?$/.test(r.id));
  const headline =
    compared.length === 0
      ? 'No column was compared: the data gate ran no drift check.'
      : `${drifted} of ${plural(compared.length, 'compared column')} drifted${notCompared > 0 ? ` (${notCompared} not compared)` : ''}.`;
  const title = `Data drift report: ${input.dataset}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="model-release-gate ${TOOL_VERSION}">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>Data drift report</h1>
<p class="verdict ${verdict.status}">${verdict.text}: ${escapeHtml(headline)}</p>
${shareResult ? `<p>${escapeHtml(shareResult.message)}</p>` : ''}
<dl>
<dt>Training data</dt><dd><code>${escapeHtml(input.dataset)}</code></dd>
<dt>Production sample</dt><dd>${input.reference !== undefined ? `<code>${escapeHtml(input.reference)}</code>` : '<span class="muted">none configured</span>'}</dd>
<dt>Generated</dt><dd>${escapeHtml(input.generatedAt)}</dd>
</dl>
</header>
${
  rows.length > 0
    ? `<section><h2>Columns</h2>
<table><thead><tr><th>Column</th><th>Type</th><th>Test</th><th class="num">Value</th><th class="num">Drift when</th><th class="num">p-value</th><th>Verdict</th></tr></thead><tbody>
${rows.map((r, i) => summaryRow(r, i)).join('\n')}
</tbody></table></section>`
    : ''
}
${rows.map((r, i) => columnSection(r, i)).join('\n')}
${unseenSection(unseen)}
<footer>model-release-gate ${TOOL_VERSION} · bars are shares of each sample's non-null values · this file loads nothing from the network</footer>
</main>
</body>
</html>
`;
}
