import { AbortError, TimeoutError } from "../rpc/errors.js";
import { longTimeout } from "../rpc/options.js";
import type { Transport } from "../transport/transport.js";

/**
 * Milliseconds connect() and connectAdmin() wait, when no `connectTimeout`
 * is given, for a daemon to answer: the dial, TLS set-up and the daemon's
 * first reply. libvirt itself has no such limit (a silent peer makes virsh
 * wait for ever, an unanswered SYN for the kernel's ~2 minutes); 30 s is
 * far beyond what a loaded daemon or an autostarted session daemon takes
 * to answer, yet ends a connection to a peer that never will.
 */
export const DEFAULT_CONNECT_TIMEOUT = 30_000;

export interface ConnectDeadline {
  /** Aborts on the caller's signal or when the time is up. */
  signal: AbortSignal | undefined;
  /**
   * The daemon has answered: the default limit ends here, as what follows
   * (authentication) may wait for a person (a SASL password, a polkit
   * agent). An explicit `connectTimeout` goes on bounding it all.
   */
  heard(): void;
  /** Turns the abort that the timeout caused into a TimeoutError. */
  explain(e: unknown): unknown;
  dispose(): void;
}

/**
 * One signal for every phase of connecting: the caller's, and the connect
 * timeout's: the one given, or else the default, which is not applied to
 * transports that may wait for a person (SSH prompts, `ext` commands).
 */
export function connectDeadline(
  options: { signal?: AbortSignal | undefined; connectTimeout?: number | undefined },
  transport: Pick<Transport, "description" | "mayPrompt">,
): ConnectDeadline {
  const { signal } = options;
  const byDefault = options.connectTimeout === undefined;
  const limit = options.connectTimeout ?? (transport.mayPrompt === true ? Infinity : DEFAULT_CONNECT_TIMEOUT);
  if (limit === Infinity) {
    return { signal, heard: () => {}, explain: (e) => e, dispose: () => {} };
  }
  const controller = new AbortController();
  let timedOut = false;
  const why = (): string =>
    `connecting to ${transport.description} timed out after ${limit} ms` +
    (byDefault ? " (the default connectTimeout) without an answer from a libvirt daemon" : "");
  const timer = longTimeout(() => {
    timedOut = true;
    controller.abort(new TimeoutError(why()));
  }, limit);
  const onAbort = (): void => controller.abort(signal?.reason);
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    heard: () => {
      if (byDefault) timer.cancel();
    },
    explain: (e) => (timedOut && e instanceof AbortError ? new TimeoutError(`${why()}: ${e.message}`) : e),
    dispose: () => {
      timer.cancel();
      signal?.removeEventListener("abort", onAbort);
    },
  };
}
