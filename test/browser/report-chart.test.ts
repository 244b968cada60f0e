/**
 * The rollout chart as people see it (issue #17), in headless Chromium: the job summary's
 * markdown rendered by marked with its mermaid charts drawn by mermaid (loaded from
 * node_modules), and the echarts SVG file `report.chart` writes. With MRG_UPDATE_SCREENSHOTS=1
 * the test also rewrites the pictures under docs/images/ that the README shows; CI never sets
 * it, so committed pictures change only when someone means to.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { renderRolloutChartSvg, SERIES_NAMES } from '../../src/report/chart-svg.js';
import type { Report } from '../../src/report/result.js';
import { renderSummaryMarkdown } from '../../src/report/summary.js';
import { describeWithChromium, launchChromium, type HeadlessChromium } from '../support/chromium.js';
import { rolledBackReport, twoHourPromotion } from '../support/rollout-timelines.js';
import { MERMAID_SCRIPT, summaryPage } from '../support/summary-page.js';

const IMAGES = fileURLToPath(new URL('../../docs/images/', import.meta.url));
const UPDATE_SCREENSHOTS = process.env['MRG_UPDATE_SCREENSHOTS'] === '1';

interface RenderedChart {
  error: boolean;
  title: string;
  /** Points of each line series (mermaid draws one path per line). */
  linePoints: number[];
  bars: number;
  width: number;
  height: number;
}

/**
 * Runs mermaid on the page and says what each block became. Browser code, kept as text: the
 * project's type check has no DOM types.
 */
const RENDER_MERMAID = `(async () => {
  mermaid.initialize({ startOnLoad: false });
  await mermaid.run({ querySelector: 'pre.mermaid', suppressErrors: true });
  return [...document.querySelectorAll('pre.mermaid')].map((pre) => {
    const svg = pre.querySelector('svg');
    const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
    return {
      error: svg === null || /Syntax error/i.test(pre.textContent || '') || svg.getAttribute('aria-roledescription') === 'error',
      title: (svg && svg.querySelector('.chart-title text')?.textContent) || '',
      linePoints: svg ? [...svg.querySelectorAll('g[class^="line-plot-"] path')].map((path) => (path.getAttribute('d') || '').split(/[ML]/).filter((s) => s.trim() !== '').length) : [],
      bars: svg ? svg.querySelectorAll('g[class^="bar-plot-"] rect').length : 0,
      width: box.width,
      height: box.height,
    };
  });
})()`;

/** What the SVG file became in the page: its drawn size and every text in it. */
const READ_SVG = `(() => {
  const root = document.querySelector('svg');
  const box = root.getBBox();
  return { width: box.width, height: box.height, texts: [...root.querySelectorAll('text')].map((t) => t.textContent || '') };
})()`;

/** Renders the summary in `page` and reports what each mermaid block became. */
async function renderSummary(page: Page, report: Report): Promise<RenderedChart[]> {
  await page.setContent(summaryPage(renderSummaryMarkdown(report)));
  await page.addScriptTag({ path: MERMAID_SCRIPT });
  return page.evaluate<RenderedChart[]>(RENDER_MERMAID);
}

describeWithChromium('the rollout chart in a browser', () => {
  let chromium: HeadlessChromium;
  let page: Page;
  beforeAll(async () => {
    chromium = await launchChromium();
    page = await chromium.browser.newPage({ viewport: { width: 1012, height: 900 } });
  }, 90_000);
  afterAll(async () => {
    await chromium?.close();
  });

  test('the summary of a 10-minute rollback draws both mermaid charts: two 7-point lines (the minutes published), 8 bars', async () => {
    const charts = await renderSummary(page, rolledBackReport());
    expect(charts.map((c) => c.error)).toEqual([false, false]);
    expect(charts.map((c) => c.title)).toEqual(['Error rate % per minute: canary vs stable', 'Canary traffic weight % per minute']);
    expect(charts[0]).toMatchObject({ linePoints: [7, 7], bars: 0 });
    expect(charts[1]).toMatchObject({ linePoints: [], bars: 8 });
    for (const chart of charts) expect(chart.width * chart.height).toBeGreaterThan(0);
    // The legends and the outcome are markdown around the charts.
    const text = await page.textContent('main');
    expect(text).toContain('Rolled back at 7m 15s (step 3, weight 30%).');
    expect(text).toContain('Red line: canary (version 42) · blue line: stable (version 41).');
    if (UPDATE_SCREENSHOTS) {
      mkdirSync(IMAGES, { recursive: true });
      await page.screenshot({ path: `${IMAGES}summary-rolled-back.png`, fullPage: true });
    }
  }, 30_000);

  test('the summary of a 2-hour rollout stays at 13 positions of 10 minutes', async () => {
    const charts = await renderSummary(page, { ...rolledBackReport(twoHourPromotion()), outcome: 'promoted', exitCode: 0 });
    expect(charts.map((c) => c.error)).toEqual([false, false]);
    expect(charts[0]!.linePoints).toEqual([13, 13]);
    expect(charts[1]!.bars).toBe(13);
  }, 30_000);

  test('the chart file renders on its own: a non-empty drawing with its legend and outcome', async () => {
    const svg = renderRolloutChartSvg(rolledBackReport())!;
    await page.setViewportSize({ width: 960, height: 600 });
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
    const drawn = await page.evaluate<{ width: number; height: number; texts: string[] }>(READ_SVG);
    expect(drawn.width).toBeGreaterThan(800);
    expect(drawn.height).toBeGreaterThan(500);
    expect(drawn.texts).toEqual(expect.arrayContaining([SERIES_NAMES.canary, SERIES_NAMES.stable, SERIES_NAMES.weight, SERIES_NAMES.passed, SERIES_NAMES.failed, 'rolled back 7m 15s']));
    expect(drawn.texts.join(' ')).toContain('Rollout of version 42: rolled back at 7m 15s (step 3, weight 30%)');
    if (UPDATE_SCREENSHOTS) {
      mkdirSync(IMAGES, { recursive: true });
      writeFileSync(`${IMAGES}release-chart.svg`, svg);
    }
  }, 30_000);
});
