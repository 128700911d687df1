import { AbortError, TimeoutError } from "../rpc/errors.js";
import { longTimeout } from "../rpc/options.js";

export interface ConnectDeadline {
  /** Aborts on the caller's signal or when the time is up. */
  signal: AbortSignal | undefined;
  /** Turns the abort that the timeout caused into a TimeoutError. */
  explain(e: unknown): unknown;
  dispose(): void;
}

/** One signal for every phase of connecting: the caller's, and the connect timeout's. */
export function connectDeadline(options: { signal?: AbortSignal | undefined; connectTimeout?: number | undefined }): ConnectDeadline {
  const { signal, connectTimeout } = options;
  if (connectTimeout === undefined || connectTimeout === Infinity) {
    return { signal, explain: (e) => e, dispose: () => {} };
  }
  const controller = new AbortController();
  let timedOut = false;
  const timer = longTimeout(() => {
    timedOut = true;
    controller.abort(new TimeoutError(`connecting timed out after ${connectTimeout} ms`));
  }, connectTimeout);
  const onAbort = (): void => controller.abort(signal?.reason);
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    explain: (e) => (timedOut && e instanceof AbortError ? new TimeoutError(`connecting timed out after ${connectTimeout} ms (${e.message})`) : e),
    dispose: () => {
      timer.cancel();
      signal?.removeEventListener("abort", onAbort);
    },
  };
}
