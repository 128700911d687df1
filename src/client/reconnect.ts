import { longTimeout } from "../rpc/options.js";

/** The `reconnect` option of connect() and connectAdmin(): how a lost connection is made again. */
export interface ReconnectOptions {
  /** Milliseconds before the first attempt (default 250). */
  initialDelay?: number;
  /** The largest wait between attempts, in milliseconds (default 30,000). */
  maxDelay?: number;
  /** Attempts per outage before giving up for good (default: no limit). */
  maxAttempts?: number;
  /**
   * Milliseconds a connection must stay up to count as healthy (default
   * 30,000). The delay keeps growing across connections that die sooner,
   * so a daemon that drops every connection right after accepting it is
   * redialled ever more slowly (up to `maxDelay`), not several times a
   * second; a connection lost after this long is redialled at
   * `initialDelay` again.
   */
  stableAfter?: number;
  /**
   * Failures that retrying cannot cure (see `isPermanentFailure`: the
   * daemon refused our credentials or denied access, a certificate was
   * rejected, an auth scheme this client cannot do): `"close"` (default)
   * ends the reconnect at the first, the client closing with that error as
   * the cause; `"retry"` treats them as any other failure.
   */
  permanentErrors?: "close" | "retry";
  /**
   * Calls made while disconnected: `"wait"` (default) for the connection to
   * come back, bounded by their own timeout and signal; `"fail"` at once
   * with the error that ended the last connection.
   */
  whileDisconnected?: "wait" | "fail";
}

export interface ReconnectPolicy {
  initialDelay: number;
  maxDelay: number;
  maxAttempts: number;
  stableAfter: number;
  whileDisconnected: "wait" | "fail";
  permanentErrors: "close" | "retry";
}

/** The `reconnectFailed` event: one attempt to connect again failed. */
export interface ReconnectFailedInfo {
  /** Which attempt of this outage (1-based). */
  attempt: number;
  /** Why it failed: what connecting would have thrown. */
  error: Error;
  /** Retrying cannot cure it (see `isPermanentFailure`), whether or not the policy retries it. */
  permanent: boolean;
  /** Milliseconds until the next attempt; null when this was the last (the client closes next). */
  retryIn: number | null;
}

/**
 * The wait before attempt `n` (1-based): exponential from `initialDelay`,
 * capped at `maxDelay`, with "equal jitter" (half fixed, half random) so
 * that many clients of one restarted daemon do not all return at once.
 */
export function backoff(policy: ReconnectPolicy, n: number, random = Math.random): number {
  const base = Math.min(policy.maxDelay, policy.initialDelay * 2 ** Math.min(n - 1, 30));
  return base / 2 + random() * (base / 2);
}

/**
 * Counts the attempts since the last healthy connection, so that the delay
 * grows across connections that die young (a flapping daemon) and starts
 * over only after one stayed up `stableAfter` ms.
 */
export class BackoffStreak {
  private attempts = 0;
  private upSince = Date.now();

  constructor(
    private readonly policy: ReconnectPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  /** A connection is up (the first, or a new one). */
  connected(): void {
    this.upSince = Date.now();
  }

  /** The connection was lost: a healthy one starts the delays over. */
  lost(): void {
    if (Date.now() - this.upSince >= this.policy.stableAfter) this.attempts = 0;
  }

  /** The wait before the next attempt. */
  next(): number {
    return backoff(this.policy, ++this.attempts, this.random);
  }
}

/** Waits `ms`; false if `signal` ended the wait first. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    // Past setTimeout's limit Node would fire after 1 ms: a long maxDelay must not become a tight loop.
    const timer = longTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      timer.cancel();
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
