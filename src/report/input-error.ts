/**
 * Input errors: the user's input is wrong, so the run stopped before it changed anything. A data
 * file is missing, unreadable, ragged, or holds a non-number or NaN where numbers are read; a
 * check names a column that does not exist; the target function, alias or version does not
 * exist or cannot be used. They are `error` results with `cause: 'input'`, marked by the gate
 * that knows the cause, and this module is the one place that turns them into exit code 2 and
 * the headline, so a pipeline can tell "your input is wrong, nothing was changed" (2) from "a
 * gate judged the release and failed it" (1).
 */
import type { CheckResult } from './result.js';

/** The exit code of a run stopped by an input error (the same as a usage or configuration error). */
export const INPUT_ERROR_EXIT_CODE = 2;

/** An `error` result whose input is at fault. */
export function inputError(result: Omit<CheckResult, 'status' | 'cause'>): CheckResult {
  return { ...result, status: 'error', cause: 'input' };
}

/** Whether a result is an input error (an `error` with `cause: 'input'`). */
export function isInputError(result: CheckResult): boolean {
  return result.status === 'error' && result.cause === 'input';
}

/**
 * The headline of a run stopped by input errors: `Input error: <the first one>; nothing was
 * changed.`, counting the others; undefined when there are none.
 */
export function inputErrorHeadline(results: readonly CheckResult[]): string | undefined {
  const errors = results.filter(isInputError);
  const first = errors[0];
  if (!first) return undefined;
  const what = first.message.trim().replace(/[.;:\s]+$/, '');
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more input error${errors.length === 2 ? '' : 's'}, see the results)` : '';
  return `Input error: ${what}${more}; nothing was changed.`;
}
