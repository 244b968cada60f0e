import { SimApiError } from './errors.js';

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
  change: { version?: string; weights?: Record<string, number> };
}

/** Lambda data-plane operations: never part of "the control plane". */
const DATA_PLANE = new Set(['Invoke']);

/**
 * Pending injected faults. The API layers ask it before handling a request
 * (`failureFor`) and after a successful UpdateAlias (`aliasChangeDue`).
 */
export class FaultInjector {
  private throttles: Array<{ operations?: Set<string>; remaining: number; status: ThrottleStatus }> = [];
  private aliasChanges: Array<ConcurrentAliasChange & { seen: number }> = [];

  throttle(fault: ThrottleFault): void {
    if (fault.count <= 0) return;
    this.throttles.push({
      ...(fault.operations ? { operations: new Set(fault.operations) } : {}),
      remaining: fault.count,
      status: fault.status,
    });
  }

  concurrentAliasChange(fault: ConcurrentAliasChange): void {
    this.aliasChanges.push({ ...fault, seen: 0 });
  }

  /** The error to answer `operation` with instead of handling it, consuming one injected failure. */
  failureFor(service: 'lambda' | 'cloudwatch', operation: string): SimApiError | undefined {
    const fault = this.throttles.find((f) =>
      f.operations ? f.operations.has(operation) : service === 'lambda' && !DATA_PLANE.has(operation),
    );
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining === 0) this.throttles = this.throttles.filter((f) => f !== fault);
    return service === 'lambda' ? lambdaFailure(fault.status) : cloudWatchFailure(fault.status);
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
