import { LibvirtRemoteError } from "../errors.js";
import type { EventGap } from "./gap.js";
import type { EventFamily, LibvirtEvent } from "./types.js";

/** A listener threw, or its promise rejected; `cause` is what it threw. */
export class ListenerError extends LibvirtRemoteError {
  override name = "ListenerError";
  constructor(
    readonly family: EventFamily,
    readonly event: string,
    /** What the listener was given when it failed. */
    readonly item: LibvirtEvent | EventGap,
    cause: unknown,
  ) {
    super("ERR_LISTENER", `a listener of ${family} '${event}' events failed: ${describe(cause)}`, { cause });
  }
}

/** `waitFor` was waiting across a reconnect: the event it waits for may have come while the connection was down. */
export class EventGapError extends LibvirtRemoteError {
  override name = "EventGapError";
  constructor(family: EventFamily, event: string) {
    super("ERR_EVENT_GAP", `the connection was re-established while waiting for a ${family} '${event}' event, which may have been missed`);
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
