import type { CloseInfo } from "../rpc/session.js";
import type { EventGap } from "./gap.js";
import type { LibvirtEvent } from "./types.js";

/** One local subscription's end: a listener, an iterator or a waiter. */
export interface Sink {
  /** Set once its registration is in place; only live sinks are told of gaps. */
  live: boolean;
  push(event: LibvirtEvent): void;
  gap(marker: EventGap): void;
  /** No more events: the subscription was closed (null) or the connection ended. */
  end(info: CloseInfo | null): void;
}
