/**
 * One column's training and production distributions as an inline SVG, rendered with ECharts'
 * server-side renderer: no browser, no script in the page, nothing fetched when it is opened.
 * Only the bar chart and the components it needs are registered, so a bundle carries no more
 * of ECharts than that. ECharts escapes the text it writes (axis labels are category values).
 */
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { Distribution } from './drift-distributions.js';

echarts.use([BarChart, GridComponent, LegendComponent, SVGRenderer]);

/** Colours of the two samples, shared with the page's legend and table. */
export const SAMPLE_COLOURS = { training: '#4c78a8', production: '#e45756' } as const;

export interface ChartSize {
  width: number;
  height: number;
}

export const DEFAULT_CHART_SIZE: ChartSize = { width: 760, height: 260 };

const percent = (share: number): string => `${Number((100 * share).toPrecision(3))}%`;

/**
 * The SVG markup of a column's chart: a histogram with both samples overlaid (numeric), or
 * grouped bars per category (categorical); bar heights are shares of each sample.
 */
export function renderDistributionSvg(distribution: Distribution, size: ChartSize = DEFAULT_CHART_SIZE): string {
  const numeric = distribution.kind === 'numeric';
  const labels = distribution.bars.map((b) => b.label);
  const many = labels.length > 8;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption({
      animation: false,
      // No quotes: ECharts writes the family into a double-quoted style attribute unescaped.
      textStyle: { fontFamily: 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif' },
      legend: { top: 0, right: 8, itemWidth: 14, itemHeight: 10, data: ['training', 'production'] },
      grid: { left: 56, right: 16, top: 30, bottom: many ? 64 : 36 },
      xAxis: {
        type: 'category',
        data: labels,
        axisTick: { alignWithLabel: true },
        axisLabel: { interval: 0, rotate: many ? 35 : 0, fontSize: 11, color: '#444', width: many ? 90 : 110, overflow: 'truncate' },
      },
      yAxis: {
        type: 'value',
        name: 'share of rows',
        nameTextStyle: { color: '#666', fontSize: 11, align: 'left' },
        axisLabel: { formatter: (v: number) => percent(v), color: '#666', fontSize: 11 },
        splitLine: { lineStyle: { color: '#eee' } },
      },
      series: (['training', 'production'] as const).map((sample) => ({
        name: sample,
        type: 'bar',
        data: distribution.bars.map((b) => b[sample]),
        itemStyle: { color: SAMPLE_COLOURS[sample], opacity: numeric ? 0.55 : 0.9 },
        // A histogram overlays the samples on the same bins; categories stand side by side.
        ...(numeric ? { barGap: '-100%', barCategoryGap: '4%' } : { barGap: '8%', barCategoryGap: '28%' }),
      })),
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
