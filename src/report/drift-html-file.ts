/**
 * Writes the data drift report (`report.html`) right after the data gate, so it exists when the
 * gate fails (when it is needed most) and before a long rollout starts. The report is a picture
 * of a decision already made: a failed write is a warning result, never a failed release.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DataGateConfig } from '../config/data-types.js';
import { renderDriftHtml, type DriftReportInput } from './drift-html.js';
import type { CheckResult } from './result.js';

/**
 * Whether the data gate computed anything to draw: its `data.plan` result is there exactly when
 * the passes ran. After an input error (a missing file, an unknown column) or an engine failure
 * there is nothing to write.
 */
export function dataGateComputed(results: readonly CheckResult[]): boolean {
  return results.some((r) => r.gate === 'data' && r.id === 'data.plan');
}

/** The renderer's input: the gate's results plus what only the config knows (paths, columns left out). */
export function driftReportInput(config: DataGateConfig, results: readonly CheckResult[], generatedAt: Date): DriftReportInput {
  const drift = config.checks.filter((c) => c.type === 'drift');
  return {
    results,
    dataset: config.dataset.path,
    ...(config.reference ? { reference: config.reference.path } : {}),
    generatedAt: generatedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    excluded: drift.flatMap((c) => c.exclude ?? []),
    configuredIds: drift.flatMap((c) => c.kinds?.id ?? []),
  };
}

/**
 * Renders the report and writes it to `path` (relative to `workspace`). Returns a warning result
 * when it could not, nothing otherwise (also when the gate computed nothing: see {@link dataGateComputed}).
 */
export function writeDriftHtmlReport(path: string, workspace: string, config: DataGateConfig, results: readonly CheckResult[], generatedAt: Date): CheckResult | undefined {
  if (!dataGateComputed(results)) return undefined;
  try {
    const full = resolve(workspace, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, renderDriftHtml(driftReportInput(config, results, generatedAt)));
    return undefined;
  } catch (error) {
    return {
      id: 'data.report-html',
      gate: 'data',
      status: 'warn',
      message: `Could not write the data drift report to ${path} (report.html): ${error instanceof Error ? error.message : String(error)}. The data gate's verdict is not affected.`,
    };
  }
}
