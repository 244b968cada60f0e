/**
 * Cancellation: CI runners stop a job with SIGINT, then SIGTERM (GitHub: 7.5 s later), then
 * SIGKILL. We turn the first signal into an AbortSignal so the rollout loop stops waiting and
 * rolls back; the process must then stay alive until that rollback is written, so we do not
 * exit from the handler. SIGKILL cannot be caught: the post step covers it.
 */
export class CancelledError extends Error {
  constructor(readonly signalName: string) {
    super(`cancelled by ${signalName}`);
    this.name = 'CancelledError';
  }
}

/** An AbortSignal that aborts on the first SIGINT or SIGTERM sent to this process. */
export function cancellationSignal(proc: NodeJS.Process = process): AbortSignal {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (!controller.signal.aborted) controller.abort(new CancelledError(name));
  };
  proc.on('SIGINT', onSignal);
  proc.on('SIGTERM', onSignal);
  return controller.signal;
}
