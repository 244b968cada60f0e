/**
 * The HTML drift report (src/report/drift-html.ts) from hand-made drift results: what it shows
 * per column, that untrusted text (column names, category values, paths) is escaped, and that
 * nothing in it points at the network.
 */
import { renderDriftHtml, escapeHtml, type DriftReportInput } from '../../src/report/drift-html.js';
import { distributionOf, compactNumber } from '../../src/report/drift-distributions.js';
import type { CategoricalDriftInput, NumericDriftInput } from '../../src/data/drift/types.js';
import type { CheckResult } from '../../src/report/result.js';

const HOSTILE = '<img src=x onerror=alert(1)>';

/** A numeric input: production uniform on 0..100 (grid 0, 1, …, 100), training shifted by `shift`. */
function numericInput(column: string, shift: number): NumericDriftInput {
  const grid = Array.from({ length: 101 }, (_, i) => i + 0.5);
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  return {
    kind: 'numeric',
    column,
    datasetCount: 2000,
    referenceCount: 1000,
    binCuts: [],
    datasetBinCounts: [],
    referenceBinCounts: [],
    probabilities: [],
    datasetQuantiles: [],
    referenceQuantiles: [],
    grid,
    referenceCdf: grid.map((g) => clamp(g / 101)),
    datasetCdf: grid.map((g) => clamp((g - shift) / 101)),
    referenceStd: 29,
  };
}

function categoricalInput(column: string): CategoricalDriftInput {
  return {
    kind: 'categorical',
    column,
    datasetCount: 100,
    referenceCount: 100,
    categories: ['android', 'ios', HOSTILE, 'smart-tv'],
    datasetCounts: [60, 40, 0, 0],
    referenceCounts: [40, 40, 12, 8],
  };
}

function driftResult(input: NumericDriftInput | CategoricalDriftInput, drifted: boolean, extra: Record<string, unknown> = {}): CheckResult {
  const method = input.kind === 'numeric' ? 'ks' : 'jensen-shannon';
  return {
    id: `data.drift.${input.column}`,
    gate: 'data',
    status: drifted ? 'fail' : 'pass',
    message: `${input.column}: …`,
    details: {
      column: input.column,
      method,
      statistic: drifted ? 0.31 : 0.02,
      ...(method === 'ks' ? { pValue: drifted ? 1e-9 : 0.6 } : {}),
      threshold: method === 'ks' ? 0.05 : 0.1,
      drifted,
      reason: `${input.column} reason ${drifted ? 'drifted' : 'stable'}`,
      datasetCount: input.datasetCount,
      referenceCount: input.referenceCount,
      input,
      ...extra,
    },
  };
}

function report(overrides: Partial<DriftReportInput> = {}): DriftReportInput {
  return {
    results: [
      { id: 'data.plan', gate: 'data', status: 'info', message: 'ran' },
      driftResult(numericInput('monthly_spend', 30), true),
      driftResult(numericInput('age', 0), false),
      driftResult(categoricalInput(HOSTILE), true),
      { id: 'data.drift.customer_id', gate: 'data', status: 'skip', message: 'id', details: { inferredId: true, distinctValues: 4000, datasetCount: 4000 } },
      {
        id: `data.unseen_categories.${HOSTILE}`,
        gate: 'data',
        status: 'fail',
        message: 'unseen',
        details: { minCount: 1, offending: [{ value: 'smart-tv', trainingCount: 0, productionCount: 8 }, { value: HOSTILE, trainingCount: 0, productionCount: 12 }] },
      },
    ],
    dataset: 'data/train.csv',
    reference: 'data/<prod>.csv',
    generatedAt: '2026-12-03T18:00:00Z',
    excluded: ['notes'],
    ...overrides,
  };
}

describe('renderDriftHtml', () => {
  const html = renderDriftHtml(report());

  it('escapes a hostile column name and category value everywhere (the raw markup never appears)', () => {
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toMatch(/<img/i);
    // Every `onerror` is inside escaped text (an axis label may cut it short), never an attribute.
    expect(html.split('&lt;img src=x onerror=').join('')).not.toMatch(/onerror/i);
    expect(html).toContain(escapeHtml(HOSTILE));
    expect(html).toContain('data/&lt;prod&gt;.csv');
  });

  it('is one self-contained page: no script, no stylesheet link, no URL to fetch', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/<(img|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
    // The only links are anchors inside the page.
    expect([...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]).every((href) => href?.startsWith('#column-'))).toBe(true);
    expect(html).toContain(`Content-Security-Policy" content="default-src 'none'`);
  });

  it('has a header with the samples, the time, the verdict and the count of drifted columns', () => {
    expect(html).toContain('<code>data/train.csv</code>');
    expect(html).toContain('2026-12-03T18:00:00Z');
    expect(html).toMatch(/Data gate failed: 2 of 3 compared columns drifted \(2 not compared\)/);
  });

  it('lists every column in the summary: drifted first, then stable, then the inferred id and the excluded column', () => {
    const table = html.slice(html.indexOf('<table>'), html.indexOf('</table>'));
    const order = ['monthly_spend', escapeHtml(HOSTILE), '>age<', 'customer_id', 'notes'].map((text) => table.indexOf(text));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(table).toContain('id (inferred: all 4,000 training values distinct)');
    expect(table).toContain('excluded (<code>exclude</code>)');
    expect(table).toContain('KS test');
    expect(table).toContain('p &lt; 0.05');
    expect(table).toContain('1.00e-9');
  });

  it('draws one SVG chart per compared column, with the reason and both sample sizes', () => {
    expect(html.match(/<svg\b/g)).toHaveLength(3);
    expect(html).toContain('monthly_spend reason drifted');
    expect(html).toContain('training 2,000 values');
    expect(html).toContain('production 1,000 values');
  });

  it('lists the production categories training never saw, most frequent first, in the column and the unseen check', () => {
    const section = html.slice(html.indexOf('Production categories never seen in training'));
    expect(section).toMatch(/never seen in training: 2/);
    expect(section.indexOf(escapeHtml(HOSTILE))).toBeLessThan(section.indexOf('smart-tv'));
    expect(html).toContain('<h2>Unseen categories</h2>');
    expect(html).toContain('(8 in production, 0 in training)');
  });

  it('says when no drift check ran', () => {
    const page = renderDriftHtml(report({ results: [{ id: 'data.plan', gate: 'data', status: 'info', message: 'ran' }], excluded: [] }));
    expect(page).toContain('Data gate passed: No column was compared');
    expect(page).not.toContain('<svg');
  });
});

describe('distributionOf', () => {
  it('a numeric column: shares on shared bins sum to 1 per sample, training beyond production in the end bars', () => {
    const d = distributionOf(numericInput('x', 30));
    expect(d?.kind).toBe('numeric');
    const sum = (key: 'training' | 'production') => d!.bars.reduce((s, b) => s + b[key], 0);
    expect(sum('training')).toBeCloseTo(1, 9);
    expect(sum('production')).toBeCloseTo(1, 9);
    expect(d!.bars.at(-1)).toMatchObject({ label: expect.stringMatching(/^> /) });
    expect(d!.bars.at(-1)!.training).toBeGreaterThan(0.3);
    expect(d!.bars.length).toBeGreaterThan(10);
  });

  it('a column with few whole values gets one bar per value', () => {
    const input: NumericDriftInput = { ...numericInput('stars', 0), grid: [1, 2, 3, 4, 5], referenceCdf: [0.1, 0.3, 0.6, 0.9, 1], datasetCdf: [0.2, 0.4, 0.6, 0.8, 1] };
    const d = distributionOf(input);
    expect(d?.bars.map((b) => b.label)).toEqual(['1', '2', '3', '4', '5']);
    expect(d?.bars.map((b) => Number(b.production.toFixed(3)))).toEqual([0.1, 0.2, 0.3, 0.3, 0.1]);
  });

  it('a categorical column: top categories, the rest pooled as one bar; unseen ones flagged as certain only when training pooled nothing', () => {
    const many: CategoricalDriftInput = {
      kind: 'categorical',
      column: 'city',
      datasetCount: 1000,
      referenceCount: 1000,
      categories: [...Array.from({ length: 20 }, (_, i) => `c${i}`), '(other)'],
      datasetCounts: [...Array.from({ length: 20 }, (_, i) => (i === 19 ? 0 : 50)), 50],
      referenceCounts: [...Array.from({ length: 20 }, () => 45), 100],
    };
    const d = distributionOf(many);
    if (d?.kind !== 'categorical') throw new Error('expected categorical');
    expect(d.bars).toHaveLength(13);
    expect(d.bars.at(-1)?.label).toBe('other (8+)');
    expect(d.bars.reduce((s, b) => s + b.production, 0)).toBeCloseTo(1, 9);
    expect(d.unseen.map((u) => u.value)).toEqual(['c19']);
    expect(d.unseenIsCertain).toBe(false);
    expect(distributionOf(categoricalInput('device'))).toMatchObject({ unseenIsCertain: true });
  });

  it('compact axis numbers', () => {
    expect([compactNumber(0), compactNumber(12.345), compactNumber(42_500), compactNumber(3_200_000), compactNumber(0.0001234)]).toEqual(['0', '12.3', '42.5k', '3.2M', '1.2e-4']);
  });
});
