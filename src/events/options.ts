import { OptionError } from "../rpc/errors.js";
import type { EventGap } from "./gap.js";

/**
 * The object an event is about, as the daemon names it: a domain, network
 * or pool (`{ name, uuid }`), a secret (`{ uuid, ... }`) or a node device
 * (`{ name }`). Filters match by UUID where there is one, else by name.
 */
export interface EventObject {
  readonly name?: string;
  readonly uuid?: Uint8Array;
}

/** What a subscription asks for, whichever way it is consumed. */
export interface SubscribeOptions {
  /** Only events about this object (a domain, network, pool, device or secret). */
  filter?: EventObject | null;
  /** QEMU monitor events: the event name to match (a regex with `regex: true`). */
  qemuEvent?: string | null;
  regex?: boolean;
  nocase?: boolean;
  /** Events this consumer may have waiting; the oldest is dropped beyond it (default 10,000). */
  queue?: number;
  /** Deliver an `EventGap` marker in line with the events after a reconnect (default: only counted in `gaps`). */
  gaps?: boolean;
}

/** A callback subscription's options. */
export interface ListenerOptions<E> extends SubscribeOptions {
  /**
   * Called when the listener throws or its promise rejects; the
   * subscription keeps running. Without it the failure is reported on the
   * dispatcher (see `EventDispatcher`), and never crashes the process.
   */
  onError?: (error: unknown, item: E | EventGap) => void;
}

/** An iterator's options. */
export interface StreamOptions extends SubscribeOptions {
  /** Ends the iterator (as `return()` does) when aborted. */
  signal?: AbortSignal;
}

/** `waitFor`'s options. */
export interface WaitOptions<E> extends Omit<SubscribeOptions, "gaps" | "queue"> {
  /** The first event for which this returns true settles the wait (default: the first event). */
  predicate?: (event: E) => boolean;
  /** Milliseconds, counted from the call, before the wait rejects with a TimeoutError (default: none). */
  timeout?: number;
  /** Rejects the wait with an AbortError when aborted. */
  signal?: AbortSignal;
}

const kinds: Record<string, (v: unknown) => boolean> = {
  filter: (v) => v === null || (typeof v === "object" && isObjectRef(v as EventObject)),
  qemuEvent: (v) => v === null || typeof v === "string",
  regex: (v) => typeof v === "boolean",
  nocase: (v) => typeof v === "boolean",
  queue: (v) => Number.isSafeInteger(v) && (v as number) >= 1,
  gaps: (v) => typeof v === "boolean",
  onError: (v) => typeof v === "function",
  signal: (v) => v instanceof AbortSignal,
  predicate: (v) => typeof v === "function",
  timeout: (v) => typeof v === "number" && v > 0 && (Number.isFinite(v) || v === Infinity),
};

const expected: Record<string, string> = {
  filter: "an object with a uuid (16 bytes) or a name, or null",
  qemuEvent: "a string or null",
  regex: "a boolean",
  nocase: "a boolean",
  queue: "a whole number of events, at least 1",
  gaps: "a boolean",
  onError: "a function",
  signal: "an AbortSignal",
  predicate: "a function",
  timeout: "a positive number of milliseconds (Infinity for none)",
};

/**
 * Checks options up front, so that a wrong one fails at once with an
 * OptionError instead of a call left pending or a crash later. Only the
 * names in `allowed` are checked; unknown names are left alone, as
 * elsewhere in Node.
 */
export function checkOptions(options: unknown, what: string, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null) throw new OptionError(`${what}: options must be an object`);
  for (const name of allowed) {
    const v = (options as Record<string, unknown>)[name];
    if (v === undefined) continue;
    if (!kinds[name]!(v)) throw new OptionError(`${what}: '${name}' must be ${expected[name]!}`);
  }
}

export const SUBSCRIBE_OPTIONS = ["filter", "qemuEvent", "regex", "nocase", "queue", "gaps"] as const;

function isObjectRef(o: EventObject): boolean {
  return (o.uuid instanceof Uint8Array && o.uuid.length === 16) || (o.uuid === undefined && typeof o.name === "string");
}
