/**
 * Collects a command's results and outputs while it runs, and closes them into the one Report
 * shape. Every command (release, check, trigger, rollback, and runs that never started) ends
 * through `finish`, so the reports cannot drift apart.
 */
import type { Clock } from '../core/clock.js';
import { TOOL_VERSION } from '../core/version.js';
import type { CheckResult, MinuteRow, Outcome, Report, TimelineRow } from './result.js';

export class ReportBuilder {
  readonly results: CheckResult[] = [];
  readonly outputs: Record<string, string> = {};
  private readonly startedAt: string;

  constructor(
    private readonly command: Report['command'],
    private readonly clock: Clock,
  ) {
    this.startedAt = new Date(clock.now()).toISOString();
  }

  /** The finished report; `outcome` is also written to the outputs, as every front door reports it. */
  finish(outcome: Outcome, exitCode: 0 | 1 | 2, headline: string, timeline?: TimelineRow[], minutes?: MinuteRow[]): Report {
    return {
      tool: 'model-release-gate',
      toolVersion: TOOL_VERSION,
      command: this.command,
      outcome,
      exitCode,
      headline,
      startedAt: this.startedAt,
      finishedAt: new Date(this.clock.now()).toISOString(),
      results: this.results,
      outputs: { ...this.outputs, outcome },
      ...(timeline ? { timeline } : {}),
      ...(minutes !== undefined && minutes.length > 0 ? { minutes } : {}),
    };
  }
}
