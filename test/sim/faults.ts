import type { ServiceName } from './api.js';
import { SimApiError } from './errors.js';
import type { EndpointChange } from './sagemaker-model.js';

/** HTTP statuses the control plane can be made to fail with. */
export type ThrottleStatus = 429 | 500 | 503;

/** The next `count` requests of `operations` (all control-plane operations when absent) fail. */
export interface ThrottleFault {
  operations?: string[];
  count: number;
  status: ThrottleStatus;
}

/** Someone else rewrites the alias right after our n-th successful UpdateAlias. */
export interface ConcurrentAliasChange {
  afterUpdateAliasCalls: number;
  change: { version?: string; weights?: Record<string, number>; description?: string };
}

/** Someone else deploys new code to $LATEST right after our n-th successful call of `afterOperation`. */
export interface ConcurrentCodeChange {
  afterOperation: string;
  nth?: number;
  codeSha256: string;
}

/** Someone else changes a SageMaker endpoint right after our n-th successful call of `afterOperation`. */
export interface ConcurrentEndpointChange {
  endpointName: string;
  afterOperation: string;
  nth?: number;
  change: EndpointChange;
}

/** How the client loses the reply to a call that has already been applied. */
export type LostReplyKind =
  /** A gateway-style 5xx after the work was done (the SDK retries it). */
  | 500
  | 502
  | 503
  /** The connection is reset before any response byte (the SDK retries ECONNRESET). */
  | 'reset'
  /** The reply is held in real time for `holdMs` (longer than the client's request timeout). */
  | 'timeout';

/**
 * Calls that land, then lose their reply: the `nth` matching call (1-based, counting only calls
 * that succeeded) and the `count - 1` successful calls after it are applied, and the client
 * sees `reply` instead of the success. Real AWS does this behind load balancers and on flaky
 * networks; a retry of a conditional write then meets a stale RevisionId.
 */
export interface LostReplyFault {
  operations: string[];
  nth?: number;
  count?: number;
  reply: LostReplyKind;
  /** For `timeout`: how long the reply is held (real ms); default 3 000. */
  holdMs?: number;
}

/** Lambda data-plane operations: never part of "the control plane". */
const DATA_PLANE = new Set(['Invoke']);

/**
 * Pending injected faults. The API layers ask it before handling a request (`failureFor`)
 * and after a successful call (`aliasChangeDue`, `codeChangeDue`, `endpointChangeDue`).
 */
export class FaultInjector {
  private throttles: Array<{ operations?: Set<string>; remaining: number; status: ThrottleStatus }> = [];
  private aliasChanges: Array<ConcurrentAliasChange & { seen: number }> = [];
  private codeChanges: Array<ConcurrentCodeChange & { seen: number }> = [];
  private endpointChanges: Array<ConcurrentEndpointChange & { seen: number }> = [];
  private lostReplies: Array<{ operations: Set<string>; skip: number; remaining: number; reply: LostReplyKind; holdMs: number }> = [];

  throttle(fault: ThrottleFault): void {
    if (fault.count <= 0) return;
    this.throttles.push({
      ...(fault.operations ? { operations: new Set(fault.operations) } : {}),
      remaining: fault.count,
      status: fault.status,
    });
  }

  lostReply(fault: LostReplyFault): void {
    const count = fault.count ?? 1;
    if (count <= 0) return;
    this.lostReplies.push({
      operations: new Set(fault.operations),
      skip: Math.max(0, (fault.nth ?? 1) - 1),
      remaining: count,
      reply: fault.reply,
      holdMs: fault.holdMs ?? 3_000,
    });
  }

  /** Asked after `operation` succeeded: how its reply is lost, if a lost reply is due. */
  lostReplyFor(operation: string): { reply: LostReplyKind; holdMs: number } | undefined {
    const fault = this.lostReplies.find((f) => f.operations.has(operation));
    if (!fault) return undefined;
    if (fault.skip > 0) {
      fault.skip--;
      return undefined;
    }
    fault.remaining--;
    if (fault.remaining === 0) this.lostReplies = this.lostReplies.filter((f) => f !== fault);
    return { reply: fault.reply, holdMs: fault.holdMs };
  }

  concurrentAliasChange(fault: ConcurrentAliasChange): void {
    this.aliasChanges.push({ ...fault, seen: 0 });
  }

  /**
   * The error to answer `operation` with instead of handling it, consuming one injected failure.
   * A fault without `operations` hits Lambda's control plane only.
   */
  failureFor(service: ServiceName, operation: string): SimApiError | undefined {
    const fault = this.throttles.find((f) =>
      f.operations ? f.operations.has(operation) : service === 'lambda' && !DATA_PLANE.has(operation),
    );
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining === 0) this.throttles = this.throttles.filter((f) => f !== fault);
    if (service === 'lambda') return lambdaFailure(fault.status);
    if (service === 'athena') return athenaFailure(fault.status);
    return service === 'cloudwatch' ? cloudWatchFailure(fault.status) : sageMakerFailure(fault.status);
  }

  concurrentCodeChange(fault: ConcurrentCodeChange): void {
    this.codeChanges.push({ ...fault, seen: 0 });
  }

  /** Counts a successful `operation`; returns the code someone else deploys now, if a change became due. */
  codeChangeDue(operation: string): string | undefined {
    for (const pending of this.codeChanges) {
      if (pending.afterOperation !== operation) continue;
      pending.seen++;
      if (pending.seen === (pending.nth ?? 1)) {
        this.codeChanges = this.codeChanges.filter((p) => p !== pending);
        return pending.codeSha256;
      }
    }
    return undefined;
  }

  concurrentEndpointChange(fault: ConcurrentEndpointChange): void {
    this.endpointChanges.push({ ...fault, seen: 0 });
  }

  /** Counts a successful `operation`; returns the endpoint change someone else makes now, if one became due. */
  endpointChangeDue(operation: string): { endpointName: string; change: EndpointChange } | undefined {
    for (const pending of this.endpointChanges) {
      if (pending.afterOperation !== operation) continue;
      pending.seen++;
      if (pending.seen === (pending.nth ?? 1)) {
        this.endpointChanges = this.endpointChanges.filter((p) => p !== pending);
        return { endpointName: pending.endpointName, change: pending.change };
      }
    }
    return undefined;
  }

  /** Counts a successful UpdateAlias; returns the change to apply now, if one became due. */
  aliasChangeDue(): ConcurrentAliasChange['change'] | undefined {
    for (const pending of this.aliasChanges) {
      pending.seen++;
      if (pending.seen === pending.afterUpdateAliasCalls) {
        this.aliasChanges = this.aliasChanges.filter((p) => p !== pending);
        return pending.change;
      }
    }
    return undefined;
  }
}

/** The 5xx a client sees instead of the success of a call that landed. */
export function lostReplyError(service: ServiceName, status: 500 | 502 | 503): SimApiError {
  if (service === 'cloudwatch') return cloudWatchFailure(status === 502 ? 500 : status);
  if (service === 'athena') return status === 502 ? new SimApiError(502, 'InternalServerException', 'Bad Gateway') : athenaFailure(status);
  if (service !== 'lambda') return status === 502 ? new SimApiError(502, 'InternalFailure', 'Bad Gateway') : sageMakerFailure(status);
  return new SimApiError(status, 'ServiceException', status === 502 ? 'Bad Gateway' : 'Simulated Lambda service failure after the call was applied');
}

function lambdaFailure(status: ThrottleStatus): SimApiError {
  if (status === 429) return new SimApiError(429, 'TooManyRequestsException', 'Rate exceeded');
  return new SimApiError(status, 'ServiceException', 'Simulated Lambda service failure');
}

/** CloudWatch's query-compatible error codes: throttling is a 400 `Throttling` there. */
function cloudWatchFailure(status: ThrottleStatus): SimApiError {
  if (status === 429) return new SimApiError(400, 'Throttling', 'Rate exceeded');
  if (status === 500) return new SimApiError(500, 'InternalServiceFault', 'Simulated CloudWatch failure');
  return new SimApiError(503, 'ServiceUnavailable', 'Simulated CloudWatch outage');
}

/** SageMaker (both APIs): throttling is a 400 `ThrottlingException`, which the SDK retries as throttling. */
function sageMakerFailure(status: ThrottleStatus): SimApiError {
  if (status === 429) return new SimApiError(400, 'ThrottlingException', 'Rate exceeded');
  if (status === 500) return new SimApiError(500, 'InternalFailure', 'Simulated SageMaker failure');
  return new SimApiError(503, 'ServiceUnavailable', 'Simulated SageMaker outage');
}

/** Athena: throttling is a 400 `TooManyRequestsException` (which the SDK retries as throttling), failures `InternalServerException`. */
function athenaFailure(status: ThrottleStatus): SimApiError {
  if (status === 429) return new SimApiError(400, 'TooManyRequestsException', 'Rate exceeded', { Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED' });
  return new SimApiError(status, 'InternalServerException', status === 500 ? 'Simulated Athena failure' : 'Simulated Athena outage');
}
