import { AbortError, OptionError, TimeoutError } from "./errors.js";

/** setTimeout's largest delay; above it Node fires after 1 ms. */
const MAX_DELAY = 0x7fffffff;

export interface LongTimeout {
  cancel(): void;
}

/** A timeout of any length: delays past setTimeout's limit are covered by re-arming. */
export function longTimeout(fn: () => void, ms: number): LongTimeout {
  const deadline = Date.now() + ms;
  let timer: NodeJS.Timeout;
  const arm = (left: number): void => {
    timer = setTimeout(() => {
      const rest = deadline - Date.now();
      if (rest > 0) arm(rest);
      else fn();
    }, Math.min(left, MAX_DELAY));
  };
  arm(ms);
  return { cancel: () => clearTimeout(timer) };
}

export function isAbortSignal(value: unknown): value is AbortSignal {
  return value instanceof AbortSignal;
}

/** `signal` and `timeout` as a call accepts them; anything else is an OptionError, before any frame is sent. */
export function checkCallOptions(options: { signal?: unknown; timeout?: unknown }, what: string): void {
  if (options === null || typeof options !== "object") throw new OptionError(`${what}: options must be an object, not ${describe(options)}`);
  checkSignal(options.signal, what);
  checkTimeout(options.timeout, what);
}

export function checkSignal(signal: unknown, what: string): void {
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw new OptionError(`${what}: signal must be an AbortSignal, not ${describe(signal)}`);
  }
}

/** Milliseconds, 0 or more; Infinity means none. */
export function checkTimeout(timeout: unknown, what: string): void {
  if (timeout !== undefined && (typeof timeout !== "number" || Number.isNaN(timeout) || timeout < 0)) {
    throw new OptionError(`${what}: timeout must be a number of milliseconds (0 or more, or Infinity), not ${describe(timeout)}`);
  }
}

/** libvirt's keepalive interval is an int of seconds that must not overflow as milliseconds (virKeepAliveStart); its count an unsigned int. */
const MAX_KEEPALIVE_INTERVAL = Math.floor(0x7fffffff / 1000);
const MAX_KEEPALIVE_COUNT = 0xffffffff;

/**
 * Keepalive as libvirt takes it (virConnectSetKeepAlive, virsh's -k/-K):
 * whole seconds and a whole count. An interval of 0 turns it off, as
 * virsh's `-k 0`; a negative one, a fraction or a count below 0 is
 * refused, as virsh refuses them: libvirt has no way to mean them.
 */
export function checkKeepalive(ka: unknown): { interval: number; count: number } | false {
  if (ka === false) return false;
  if (ka === null || typeof ka !== "object") throw new OptionError(`keepalive must be false or { interval, count }, not ${describe(ka)}`);
  const { interval, count } = ka as { interval?: unknown; count?: unknown };
  if (typeof interval !== "number" || !Number.isInteger(interval) || interval < 0) {
    throw new OptionError(`keepalive.interval must be a whole number of seconds, 0 (off) or more, not ${describe(interval)}`);
  }
  if (interval > MAX_KEEPALIVE_INTERVAL) throw new OptionError(`keepalive.interval ${interval} is too large (at most ${MAX_KEEPALIVE_INTERVAL} s)`);
  if (typeof count !== "number" || !Number.isInteger(count) || count < 0 || count > MAX_KEEPALIVE_COUNT) {
    throw new OptionError(`keepalive.count must be a whole number, 0 or more, not ${describe(count)}`);
  }
  return interval === 0 ? false : { interval, count };
}

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "object" && v !== null) return v.constructor?.name === "Object" ? "a plain object" : `a ${v.constructor?.name ?? "object"}`;
  return String(v);
}

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
