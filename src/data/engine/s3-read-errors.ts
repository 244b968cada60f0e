/**
 * DuckDB's errors reading S3 (httpfs), in sentences that name the object and the reason: a
 * missing bucket or object, a glob that matches nothing, denied access, refused credentials, an
 * endpoint out of reach or too slow. They are the data's fault (input errors), not the engine's.
 */

/** What went wrong reading S3, as httpfs reports it. */
export type S3Failure =
  | { kind: 'no-match'; pattern: string }
  | { kind: 'http'; url: string; status: number; statusText: string; region?: string; code?: string; detail?: string }
  | { kind: 'timeout' | 'unreachable'; what: string; method: string; url: string };

/**
 * DuckDB's error reading S3, parsed; undefined for other errors. Messages seen from httpfs 1.5.5
 * (the URL is the s3:// one or the HTTP one it became; S3's error code follows a blank line):
 * `HTTP Error: HTTP GET error reading 's3://b/k' in region 'r' (HTTP 404 Not Found)\n\nNoSuchBucket: ...`,
 * `IO Error: Timeout was reached error for HTTP HEAD to 'http://host/b/k'`,
 * `IO Error: Could not connect to server error for HTTP HEAD to '...'`,
 * `IO Error: No files found that match the pattern "s3://b/p/*.parquet"`.
 */
export function parseS3Failure(message: string): S3Failure | undefined {
  const noMatch = /No files found that match the pattern "(s3:\/\/[^"]+)"/i.exec(message);
  if (noMatch) return { kind: 'no-match', pattern: noMatch[1]! };
  const http = /HTTP (?:GET|HEAD|PUT|POST) error (?:reading|on) '([^']+)'(?: in region '([^']*)')? \(HTTP (\d{3})([^)]*)\)(?:[ \t]*\n(?:[ \t]*\n)*[ \t]*([A-Z][A-Za-z]+): ([^\n]*))?/.exec(message);
  if (http) {
    const [, url, region, status, statusText, code, detail] = http;
    return { kind: 'http', url: url!, status: Number(status), statusText: statusText!.trim(), ...(region ? { region } : {}), ...(code ? { code, detail: detail!.trim() } : {}) };
  }
  const transport = /(Timeout was reached|Could not connect to server|Could not resolve hostname|Couldn't resolve host name|SSL connect error)[^']*?for HTTP (\w+) to '([^']+)'/i.exec(message);
  if (transport) return { kind: /timeout/i.test(transport[1]!) ? 'timeout' : 'unreachable', what: transport[1]!, method: transport[2]!, url: transport[3]!.replace(/\?.*$/, '') };
  return undefined;
}

/** S3's error codes for credentials it does not accept (as opposed to credentials without the permission). */
const REFUSED_CREDENTIALS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken', 'TokenRefreshRequired']);

/** The bucket of an s3:// URL. */
export function s3Bucket(url: string): string | undefined {
  return /^s3:\/\/([^/]+)/i.exec(url)?.[1];
}

/**
 * A failure in a sentence naming the object: `path`, the source as configured, when known (httpfs
 * sometimes names the HTTP URL or a listed prefix instead), else the URL in the error.
 */
export function describeS3Failure(failure: S3Failure, path?: string): string {
  switch (failure.kind) {
    case 'no-match':
      return `no object matches ${path ?? failure.pattern}`;
    case 'timeout':
      return `S3 did not answer in time${path ? ` reading ${path}` : ''}: HTTP ${failure.method} ${failure.url} timed out (DuckDB's http_timeout, after its retries)`;
    case 'unreachable':
      return `cannot reach S3${path ? ` for ${path}` : ''}: ${failure.what.toLowerCase()} for HTTP ${failure.method} ${failure.url}`;
    case 'http': {
      const url = path ?? failure.url;
      const bucket = s3Bucket(url) ?? s3Bucket(failure.url);
      const why = failure.code ? ` (${failure.code}${failure.detail ? `: ${failure.detail}` : ''})` : '';
      const status = `HTTP ${failure.status}${failure.statusText ? ` ${failure.statusText}` : ''}`;
      if (failure.status === 404 && failure.code === 'NoSuchBucket') return `cannot read ${url}: bucket ${bucket ?? '(unknown)'} does not exist${failure.region ? ` (looked in region ${failure.region})` : ''}`;
      if (failure.status === 404) return `cannot read ${url}: no such object (HTTP 404)${why}`;
      if (failure.code !== undefined && REFUSED_CREDENTIALS.has(failure.code)) return `cannot read ${url}: S3 refused the AWS credentials (HTTP ${failure.status})${why}`;
      if (failure.status === 403) return `cannot read ${url}: access denied (HTTP 403)${why}; the job's AWS credentials need s3:GetObject on the objects and s3:ListBucket on ${bucket ? `bucket ${bucket}` : 'the bucket'}`;
      if (failure.status === 301 || failure.status === 400) return `cannot read ${url}: ${status}${why}; is the bucket in region ${failure.region ?? '?'} (AWS_REGION)?`;
      return `cannot read ${url}: ${status}${why}`;
    }
  }
}

/** parseS3Failure then describeS3Failure: the sentence for DuckDB's error, undefined for other errors. */
export function s3ReadProblem(message: string, path?: string): string | undefined {
  const failure = parseS3Failure(message);
  return failure ? describeS3Failure(failure, path) : undefined;
}
