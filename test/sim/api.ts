import type { IncomingHttpHeaders } from 'node:http';

/** The simulated services, as the request log and the least-privilege check (test/iam) name them. */
export type ServiceName = 'lambda' | 'cloudwatch' | 'sagemaker' | 'sagemaker-runtime' | 'athena';

/** A received API request, already read in full. */
export interface ApiRequest {
  method: string;
  /** URL path, still percent-encoded (Lambda function ARNs arrive as `arn%3Aaws%3A...`). */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What an operation answers. Errors are thrown as SimApiError and rendered per protocol. */
export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
  /** Hold the answer this long in real time (Invoke with `invokeLatency: 'real'`). */
  delayMs?: number;
}

/** The operation a request maps to, resolved before it runs so the log names it even on failure. */
export interface Route {
  operation: string;
  /** The request body as logged (parsed JSON when it is JSON). */
  loggedBody?: unknown;
  /**
   * Calls AWS makes with the caller's permissions while serving this one, as `service:Operation`
   * (UpdateFunctionCode from S3 reads the object as the caller: s3:GetObject): the least-privilege
   * check (test/iam) counts them like the caller's own.
   */
  impliedOperations?: string[];
  run(): ApiResponse;
}

/** A JSON response body. */
export function json(status: number, value: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

/** Parses a JSON body; an empty body is `{}` (the SDK omits bodies without members). */
export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
