/**
 * Which failures of a target call before any traffic moves mean "the target, as configured,
 * cannot be used": it does not exist (TargetNotFoundError: a wrong function name, alias,
 * version or region), or the credentials may not make the call (AWS AccessDenied). Both are
 * input errors, exit 2: the call changed nothing, and only the user can fix the name, the region
 * or the IAM policy; a retry would not help. Throttling, 5xx after the SDK's retries and network
 * failures are not: they stay exit 1.
 */
import { TargetNotFoundError } from './target.js';

/** The error names AWS services give a request its credentials are not allowed to make. */
const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied']);

/** The message to report when `error` means the target cannot be used; undefined for other failures. */
export function unusableTargetMessage(error: unknown): string | undefined {
  if (error instanceof TargetNotFoundError) return error.message;
  const name = (error as { name?: unknown } | undefined)?.name;
  if (typeof name !== 'string' || !ACCESS_DENIED.has(name)) return undefined;
  const message = (error as { message?: unknown }).message;
  const text = typeof message === 'string' && message.trim() !== '' ? message.trim() : name;
  // AWS names the action it refused: "... is not authorized to perform: lambda:GetAlias on resource: ...".
  const action = /perform: ([A-Za-z0-9-]+:[A-Za-z0-9]+)/.exec(text)?.[1];
  const permission = action !== undefined ? `the permission ${action}` : 'a permission this call needs';
  return `Access denied: the credentials lack ${permission} (docs/iam-policy.json lists what the gate needs): ${text}`;
}
