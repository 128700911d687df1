// A call's options (signal, timeout) and the timers behind them, as the session
// checks them. What connect() and connectAdmin() take is checked in
// src/client/options.ts.

import { OptionError } from "./errors.js";

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

export function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "object" && v !== null) return v.constructor?.name === "Object" ? "a plain object" : `a ${v.constructor?.name ?? "object"}`;
  return String(v);
}
