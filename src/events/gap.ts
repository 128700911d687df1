import type { EventFamily, EventName } from "./types.js";

/**
 * A marker in a subscription's stream of events: the connection was lost
 * and its registration made again on a new one, so events of this
 * subscription may have been missed in between. A consumer that keeps
 * state from events should re-read it (list the domains again, ...).
 *
 * Delivered in order with the events (after every event of the old
 * connection, before any of the new), to listeners and iterators that
 * asked for it with `gaps: true`; every subscription counts them in `gaps`.
 * Tell it from an event with `instanceof EventGap` or `isGap()`.
 */
export class EventGap<F extends EventFamily = EventFamily, K extends EventName<F> = EventName<F>> {
  readonly gap = true;
  constructor(
    readonly family: F,
    readonly event: K,
    /** Why events may be missing: the only cause so far is a new connection. */
    readonly reason: "reconnect",
    /** When the subscription was carried over to the new connection. */
    readonly at: Date,
  ) {}
}

export function isGap(item: unknown): item is EventGap {
  return item instanceof EventGap;
}
