/**
 * How an AWS SDK failure is named in a log line: the exception name and, when the service
 * answered, its HTTP status (`PreconditionFailedException, HTTP 412`). A reply that never came
 * (a reset, a timeout) has no status and is named by the error alone.
 */
export function awsErrorName(error: unknown): string {
  const e = error as { name?: unknown; $metadata?: { httpStatusCode?: number } } | undefined;
  const name = typeof e?.name === 'string' ? e.name : 'error';
  const status = e?.$metadata?.httpStatusCode;
  return status !== undefined ? `${name}, HTTP ${status}` : name;
}
