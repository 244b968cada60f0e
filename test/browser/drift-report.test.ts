/**
 * The data drift report (`report.html`, issue #17) as people see it, in headless Chromium: the
 * real data gate on a realistic pair of samples (test/support/drift-report-fixture.ts) writes
 * the file, the browser opens it from disk and must make no request beyond the file itself,
 * and shows every column, its verdict, the unseen categories and charts of real size. With
 * MRG_UPDATE_SCREENSHOTS=1 the test also rewrites docs/images/drift-report.png, which the README
 * shows; CI never sets it, so the committed picture changes only when someone means to.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { parseConfigText } from '../../src/config/load.js';
import type { DataGateConfig } from '../../src/config/data-types.js';
import { runDataGate } from '../../src/data/gate.js';
import { renderDriftHtml } from '../../src/report/drift-html.js';
import { writeDriftHtmlReport } from '../../src/report/drift-html-file.js';
import type { CheckResult } from '../../src/report/result.js';
import { describeWithChromium, launchChromium, type HeadlessChromium } from '../support/chromium.js';
import { DRIFT_REPORT_CONFIG, writeDriftReportSamples } from '../support/drift-report-fixture.js';

const IMAGES = fileURLToPath(new URL('../../docs/images/', import.meta.url));
const UPDATE_SCREENSHOTS = process.env['MRG_UPDATE_SCREENSHOTS'] === '1';
const HOSTILE = '<img src=x onerror=alert(1)>';

describeWithChromium('the data drift report in a browser', () => {
  let chromium: HeadlessChromium;
  let page: Page;
  let dir: string;
  let fileUrl: string;
  let results: CheckResult[];
  let config: DataGateConfig;
  /** Every request the page made, and the ones it made beyond its own file. */
  const requests: string[] = [];
  const foreign: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mrg-drift-report-'));
    writeDriftReportSamples(dir);
    const loaded = parseConfigText(`${DRIFT_REPORT_CONFIG.join('\n')}\n`, 'model-release.yml');
    if (!loaded.ok || !loaded.config.data) throw new Error(`fixture config is invalid: ${JSON.stringify(loaded)}`);
    config = loaded.config.data;
    const started = Promise.all([launchChromium(), runDataGate(config, { workspace: dir, configFile: 'model-release.yml' })]);
    [chromium, results] = await started;
    const warning = writeDriftHtmlReport('report.html', dir, config, results, new Date('2026-12-03T09:30:00Z'));
    if (warning) throw new Error(warning.message);
    fileUrl = pathToFileURL(join(dir, 'report.html')).href;
    page = await chromium.browser.newPage({ viewport: { width: 900, height: 1800 } });
    page.on('request', (request) => requests.push(request.url()));
    await page.route('**/*', async (route) => {
      if (route.request().url() === fileUrl) return route.continue();
      foreign.push(route.request().url());
      return route.abort();
    });
    await page.goto(fileUrl);
  }, 90_000);
  afterAll(async () => {
    await chromium?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('loads nothing but the file itself', () => {
    expect(foreign).toEqual([]);
    expect(requests).toEqual([fileUrl]);
  });

  test('shows the verdict, every column with its verdict, and the unseen categories', async () => {
    await expect(page.locator('.verdict').innerText()).resolves.toBe('Data gate failed: 2 of 4 compared columns drifted (1 not compared).');
    const rows = await page.locator('table').first().locator('tbody tr').allInnerTexts();
    const verdicts = rows.map((row) => [row.split('\t')[0], row.split('\t').at(-1)]);
    expect(verdicts).toEqual([
      ['monthly_spend', 'drift detected'],
      ['device', 'drift detected'],
      ['age', 'no drift'],
      ['plan', 'no drift'],
      ['customer_id', 'not compared'],
    ]);
    const headings = await page.locator('section.column h2').allInnerTexts();
    expect(headings.map((h) => h.replace(/\s+/g, ' '))).toEqual([
      'monthly_spend numeric drift detected',
      'device categorical drift detected',
      'age numeric no drift',
      'plan categorical no drift',
    ]);
    const unseen = page.locator('section.column', { hasText: 'device categorical' }).locator('.unseen');
    await expect(unseen.locator('h3').innerText()).resolves.toMatch(/^Production categories never seen in training: 2/);
    await expect(unseen.locator('code').allInnerTexts()).resolves.toEqual(['smart-tv', 'car-display']);
  });

  test('draws each column as an SVG chart of real size with both samples in the legend', async () => {
    const charts = page.locator('figure.chart svg');
    await expect(charts.count()).resolves.toBe(4);
    for (const chart of await charts.all()) {
      const box = await chart.boundingBox();
      expect(box?.width).toBeGreaterThan(600);
      expect(box?.height).toBeGreaterThan(200);
      const text = await chart.locator('text').allTextContents();
      expect(text).toEqual(expect.arrayContaining(['training', 'production']));
      // Bars: one path per bar and sample, besides the axes and the legend.
      await expect(chart.locator('path').count()).resolves.toBeGreaterThan(8);
    }
  });

  test('a hostile column name and category value stay text: no element, no handler', async () => {
    const input = results.map((r): CheckResult => {
      const details = r.details as { column?: string; input?: { column: string; categories?: string[] } } | undefined;
      if (r.id !== 'data.drift.device' || !details?.input?.categories) return r;
      const categories = details.input.categories.map((c) => (c === 'smart-tv' ? HOSTILE : c));
      return { ...r, id: `data.drift.${HOSTILE}`, details: { ...details, column: HOSTILE, input: { ...details.input, column: HOSTILE, categories } } };
    });
    const other = await chromium.browser.newPage();
    const dialogs: string[] = [];
    other.on('dialog', async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.dismiss();
    });
    await other.route('**/*', (route) => route.abort());
    await other.setContent(renderDriftHtml({ results: input, dataset: 'train.csv', reference: HOSTILE, generatedAt: 'now' }));
    await expect(other.locator('img').count()).resolves.toBe(0);
    await expect(other.locator('[onerror]').count()).resolves.toBe(0);
    await expect(other.locator('section.column h2').nth(1).innerText()).resolves.toContain(HOSTILE);
    await expect(other.locator('dd').nth(1).innerText()).resolves.toBe(HOSTILE);
    await expect(other.locator('.unseen code').first().innerText()).resolves.toBe(HOSTILE);
    expect(dialogs).toEqual([]);
    await other.close();
  });

  test('the screenshot of the README (rewritten with MRG_UPDATE_SCREENSHOTS=1)', async () => {
    // The header, the table and the two drifted columns: what a reader needs to see first.
    const device = await page.locator('section.column').nth(1).boundingBox();
    if (!device) throw new Error('no second column section');
    const clip = { x: 0, y: 0, width: 900, height: Math.ceil(device.y + device.height + 10) };
    const target = UPDATE_SCREENSHOTS ? join(IMAGES, 'drift-report.png') : join(dir, 'drift-report.png');
    mkdirSync(UPDATE_SCREENSHOTS ? IMAGES : dir, { recursive: true });
    await page.screenshot({ path: target, clip });
    const png = readFileSync(target);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);
  });
});
