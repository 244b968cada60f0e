/**
 * An AWS API error as the simulator sends it. `code` is the modelled exception name the SDK
 * maps to its error class (e.g. `ResourceNotFoundException`).
 */
export class SimApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra members of the error body, e.g. Lambda's throttling `Reason`. */
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }
}

/** Lambda's canonical 404 for functions, versions and aliases. */
export function resourceNotFound(what: 'Function' | 'Alias', arn: string): SimApiError {
  return new SimApiError(404, 'ResourceNotFoundException', `${what} not found: ${arn}`);
}

export function invalidParameter(message: string): SimApiError {
  return new SimApiError(400, 'InvalidParameterValueException', message);
}

export function resourceConflict(message: string): SimApiError {
  return new SimApiError(409, 'ResourceConflictException', message);
}

export function preconditionFailed(message: string): SimApiError {
  return new SimApiError(412, 'PreconditionFailedException', message);
}
