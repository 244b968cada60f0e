/**
 * Writes the rollout chart file (`report.chart`) for the GitHub and CLI platforms. A chart is a
 * picture of a decision already made: when it cannot be drawn or written, that is a warning
 * in the log, and the outcome, the exit code and the other report files stand.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { renderRolloutChartSvg } from '../report/chart-svg.js';
import type { Report } from '../report/result.js';
import type { Logger } from './types.js';

/** Renders and writes the chart to `path` (relative to `workspace`); nothing when no path is set or no rollout ran. */
export function writeRolloutChartFile(workspace: string, path: string | undefined, report: Report, log: Pick<Logger, 'warn'>): void {
  if (!path) return;
  try {
    const svg = renderRolloutChartSvg(report);
    if (svg === undefined) return;
    const full = resolve(workspace, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, svg);
  } catch (error) {
    log.warn(`could not write the rollout chart to ${path} (report.chart): ${error instanceof Error ? error.message : String(error)}. The release outcome is not affected.`);
  }
}
