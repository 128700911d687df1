import { OptionError } from "../rpc/errors.js";

/** `connect(uri, { reconnect })`: how a lost connection is made again. */
export interface ReconnectOptions {
  /** Milliseconds before the first attempt (default 250). */
  initialDelay?: number;
  /** The largest wait between attempts, in milliseconds (default 30,000). */
  maxDelay?: number;
  /** Attempts before giving up for good (default: no limit). */
  maxAttempts?: number;
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
  whileDisconnected: "wait" | "fail";
}

/** The policy for an option value, checked; null when reconnecting is off. */
export function reconnectPolicy(option: unknown): ReconnectPolicy | null {
  if (option === undefined || option === false) return null;
  const given = option === true ? {} : option;
  if (given === null || typeof given !== "object") throw new OptionError("reconnect must be a boolean or { initialDelay, maxDelay, maxAttempts, whileDisconnected }");
  const o = given as Record<string, unknown>;
  const ms = (name: string, fallback: number, min: number): number => {
    const v = o[name];
    if (v === undefined) return fallback;
    if (typeof v !== "number" || Number.isNaN(v) || v < min) throw new OptionError(`reconnect.${name} must be a number, ${min} or more, not ${String(v)}`);
    return v;
  };
  const policy: ReconnectPolicy = {
    initialDelay: ms("initialDelay", 250, 0),
    maxDelay: ms("maxDelay", 30_000, 0),
    maxAttempts: ms("maxAttempts", Infinity, 1),
    whileDisconnected: "wait",
  };
  const mode = o["whileDisconnected"];
  if (mode !== undefined && mode !== "wait" && mode !== "fail") throw new OptionError(`reconnect.whileDisconnected must be "wait" or "fail", not ${String(mode)}`);
  if (mode === "fail") policy.whileDisconnected = "fail";
  if (!Number.isFinite(policy.initialDelay) || !Number.isFinite(policy.maxDelay)) throw new OptionError("reconnect delays must be finite");
  return policy;
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
