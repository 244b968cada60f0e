import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiRequest, ApiResponse, Route, ServiceName } from './api.js';
import { SimApiError } from './errors.js';
import { lostReplyError, type LostReplyKind } from './faults.js';

export type { ServiceName } from './api.js';

/** One API request the simulator received, as tests inspect it. */
export interface RequestLogEntry {
  atMs: number;
  service: ServiceName;
  operation: string;
  method: string;
  path: string;
  /** The status the client saw; 0 when the connection was reset. */
  status: number;
  body?: unknown;
  /** Set when the call was applied but its reply was lost on purpose (fault injection). */
  lostReply?: LostReplyKind;
}

/** Resolves a request to a service and operation, or undefined for an unknown route. */
export type Router = (req: ApiRequest) => { service: ServiceName; route: Route } | undefined;

/** Asked before an operation runs: an injected failure to answer instead. */
export type FailureSource = (service: ServiceName, operation: string) => SimApiError | undefined;

/** Asked after an operation succeeded: whether (and how) its reply is to be lost (by operation name, in any service). */
export type LostReplySource = (operation: string) => { reply: LostReplyKind; holdMs: number } | undefined;

/** CloudWatch's JSON 1.0 errors carry the modelled shape in `__type` and the query code in a header. */
const CLOUDWATCH_QUERY_CODES: Record<string, string> = {
  InvalidParameterValueException: 'InvalidParameterValue',
  InvalidParameterCombinationException: 'InvalidParameterCombination',
  MissingRequiredParameterException: 'MissingParameter',
  InternalServiceFault: 'InternalServiceError',
};

/** Lambda exceptions whose message member is `Message`; the others use `message`. */
const LAMBDA_CAPITAL_MESSAGE = new Set(['ResourceNotFoundException', 'ServiceException']);

/** Renders an error as the service's SDK deserialiser expects it. */
export function renderError(service: ServiceName, error: SimApiError): ApiResponse {
  const requestId = randomUUID();
  if (service === 'lambda') {
    const messageKey = LAMBDA_CAPITAL_MESSAGE.has(error.code) ? 'Message' : 'message';
    return {
      status: error.status,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code, 'x-amzn-requestid': requestId },
      body: JSON.stringify({ Type: error.status >= 500 ? 'Service' : 'User', [messageKey]: error.message, ...error.fields }),
    };
  }
  if (service === 'sagemaker' || service === 'athena') {
    // AWS JSON 1.1: the SDK takes the code from `__type` (then the header) and the message from `Message`.
    return {
      status: error.status,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': error.code, 'x-amzn-requestid': requestId },
      body: JSON.stringify({ __type: error.code, Message: error.message, ...error.fields }),
    };
  }
  if (service === 'sagemaker-runtime') {
    // REST-JSON: the code comes from the header; ModelError's members are body members.
    return {
      status: error.status,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code, 'x-amzn-requestid': requestId },
      body: JSON.stringify({ Message: error.message, ...error.fields }),
    };
  }
  const queryCode = CLOUDWATCH_QUERY_CODES[error.code] ?? error.code;
  return {
    status: error.status,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-query-error': `${queryCode};${error.status >= 500 ? 'Receiver' : 'Sender'}`,
      'x-amzn-requestid': requestId,
    },
    body: JSON.stringify({ __type: `com.amazonaws.cloudwatch#${error.code}`, message: error.message, ...error.fields }),
  };
}

/** The user agent model-release-gate's own SDK clients send (src/aws/clients.ts). */
export const PRODUCT_USER_AGENT = 'model-release-gate';

/**
 * With MRG_SIM_OPERATION_LOG set, appends `service:Operation` for every request the product
 * made (its SDK clients carry PRODUCT_USER_AGENT; the tests' own setup clients do not) to that
 * file, across every simulator and jest worker: test/iam/ compares the set with docs/iam-policy.json.
 */
function recordProductOperation(request: ApiRequest, service: ServiceName, operation: string, implied: readonly string[] = []): void {
  const file = process.env['MRG_SIM_OPERATION_LOG'];
  if (!file || operation === 'Unknown') return;
  const agents = [request.headers['user-agent'], request.headers['x-amz-user-agent']].flat().join(' ');
  if (!agents.includes(PRODUCT_USER_AGENT)) return;
  appendFileSync(file, [`${service}:${operation}`, ...implied].map((line) => `${line}\n`).join(''));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The HTTP front of the simulator: reads each request, routes it, applies injected failures,
 * renders errors per protocol and appends every request to the log.
 */
export class SimulatorServer {
  private readonly server: Server;

  constructor(
    private readonly router: Router,
    private readonly failures: FailureSource,
    private readonly now: () => number,
    private readonly log: RequestLogEntry[],
    private readonly lostReplies: LostReplySource = () => undefined,
  ) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`simulator failure: ${String(error)}`);
      });
    });
  }

  /** Listens on 127.0.0.1 and returns the endpoint URL. */
  async listen(port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // The SDK keeps connections alive; without this, close() waits for them to time out.
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const request: ApiRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: await readBody(req),
    };
    const atMs = this.now();
    const resolved = this.router(request);
    const service: ServiceName = resolved?.service ?? (request.headers['x-amz-target'] ? 'cloudwatch' : 'lambda');
    const operation = resolved?.route.operation ?? 'Unknown';
    let response: ApiResponse;
    let lost: ReturnType<LostReplySource>;
    try {
      if (!resolved) {
        throw new SimApiError(404, 'UnknownOperationException', `The simulator has no route for ${request.method} ${request.path}`);
      }
      const failure = this.failures(service, operation);
      if (failure) throw failure;
      response = resolved.route.run();
      // The call has been applied; now, maybe, its reply goes missing.
      if (response.status < 400) lost = this.lostReplies(operation);
    } catch (error) {
      const apiError =
        error instanceof SimApiError ? error : new SimApiError(500, 'ServiceException', `Simulator bug: ${String(error)}`);
      response = renderError(service, apiError);
    }
    if (lost !== undefined && typeof lost.reply === 'number') response = renderError(service, lostReplyError(service, lost.reply));
    recordProductOperation(request, service, operation, resolved?.route.impliedOperations);
    this.log.push({
      atMs,
      service,
      operation,
      method: request.method,
      path: request.path,
      status: lost?.reply === 'reset' ? 0 : response.status,
      ...(resolved?.route.loggedBody !== undefined ? { body: resolved.route.loggedBody } : {}),
      ...(lost !== undefined ? { lostReply: lost.reply } : {}),
    });
    if (lost?.reply === 'reset') {
      req.socket.destroy();
      return;
    }
    if (lost?.reply === 'timeout') {
      const holdMs = lost.holdMs;
      await new Promise((resolve) => setTimeout(resolve, holdMs));
      if (res.destroyed || req.socket.destroyed) return;
    }
    if (response.delayMs !== undefined && response.delayMs > 0) {
      const delay = response.delayMs;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    res.writeHead(response.status, { 'x-amzn-requestid': randomUUID(), ...response.headers });
    res.end(response.body);
  }
}
