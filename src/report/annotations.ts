/**
 * Check annotations (GitHub `::error`/`::warning`/`::notice`): failures and errors as errors,
 * warnings as warnings, the release outcome as one notice. The adapter emits them; this
 * module decides which exist and keeps within GitHub's per-step limits.
 */
import type { CheckResult, Report } from './result.js';
import { formatExpected, formatObserved, hasExpected, hasObserved } from './format.js';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  title: string;
  message: string;
  file?: string;
  startLine?: number;
  startColumn?: number;
}

/** GitHub shows at most 10 annotations of each level per step and silently drops the rest. */
export const MAX_ANNOTATIONS_PER_LEVEL = 10;

function levelFor(result: CheckResult): AnnotationLevel | undefined {
  switch (result.status) {
    case 'fail':
    case 'error':
      return 'error';
    case 'warn':
      return 'warning';
    case 'info':
      return 'notice';
    default:
      return undefined;
  }
}

function messageFor(result: CheckResult): string {
  const evidence: string[] = [];
  if (hasObserved(result)) evidence.push(`observed ${formatObserved(result)}`);
  if (hasExpected(result)) evidence.push(`expected ${formatExpected(result)}`);
  return evidence.length > 0 ? `${result.message} (${evidence.join(', ')})` : result.message;
}

function annotationFor(result: CheckResult, level: AnnotationLevel): Annotation {
  const annotation: Annotation = {
    level,
    title: `${result.gate} ${result.status}: ${result.id}`,
    message: messageFor(result),
  };
  if (result.location) {
    annotation.file = result.location.file;
    if (result.location.line !== undefined) annotation.startLine = result.location.line;
    if (result.location.column !== undefined) annotation.startColumn = result.location.column;
  }
  return annotation;
}

/**
 * Keep at most `MAX_ANNOTATIONS_PER_LEVEL` of one level. When there are more, the last slot
 * says how many were left out, rather than letting GitHub drop them without a word.
 */
function capLevel(annotations: Annotation[], level: AnnotationLevel, max = MAX_ANNOTATIONS_PER_LEVEL): Annotation[] {
  if (annotations.length <= max) return annotations;
  const kept = annotations.slice(0, max - 1);
  const more = annotations.length - kept.length;
  kept.push({
    level,
    title: `model-release-gate: ${more} more ${level}s`,
    message: `… and ${more} more ${level}s: see the job summary`,
  });
  return kept;
}

/**
 * Annotations for a report: one error per failed or errored check, one warning per warned
 * check (with the check's file location when it has one), one notice per informational result,
 * then one notice with the release outcome. Each level is capped at 10, the 10th summarising
 * the rest (the outcome's notice always among them).
 */
export function annotationsFor(report: Report): Annotation[] {
  const errors: Annotation[] = [];
  const warnings: Annotation[] = [];
  const notices: Annotation[] = [];
  for (const result of report.results) {
    const level = levelFor(result);
    if (level === 'error') errors.push(annotationFor(result, level));
    else if (level === 'warning') warnings.push(annotationFor(result, level));
    else if (level === 'notice') notices.push(annotationFor(result, level));
  }
  const outcome: Annotation = {
    level: 'notice',
    title: `model-release-gate: ${report.outcome}`,
    message: report.headline,
  };
  return [...capLevel(errors, 'error'), ...capLevel(warnings, 'warning'), ...capLevel(notices, 'notice', MAX_ANNOTATIONS_PER_LEVEL - 1), outcome];
}
