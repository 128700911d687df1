import type { CloseInfo } from "../rpc/session.js";
import type { EventGap } from "./gap.js";
import { EventQueue } from "./queue.js";
import type { Sink } from "./sink.js";
import type { LibvirtEvent } from "./types.js";

type Item = LibvirtEvent | EventGap;

/**
 * Feeds one listener from its own bounded queue. A listener that returns
 * at once is fed at once, so synchronous listeners see events in arrival
 * order across all of them; one that returns a promise is awaited before
 * its next event, and meanwhile its events wait in its queue. A listener
 * that throws or rejects is reported through `onFailure` and keeps its
 * subscription: one bad event must not end a months-long subscription.
 */
export class ListenerSink implements Sink {
  live = false;
  closed = false;
  gaps = 0;
  errors = 0;
  readonly queue: EventQueue<Item>;
  private draining = false;

  constructor(
    private readonly listener: (item: Item) => unknown,
    capacity: number,
    private readonly wantsGaps: boolean,
    private readonly onFailure: (error: unknown, item: Item) => void,
  ) {
    this.queue = new EventQueue(capacity);
  }

  push(item: Item): void {
    if (this.closed) return;
    this.queue.push(item);
    if (!this.draining) void this.drain();
  }

  gap(marker: EventGap): void {
    this.gaps++;
    if (this.wantsGaps) this.push(marker);
  }

  end(_info: CloseInfo | null): void {
    this.closed = true;
    this.queue.clear();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (;;) {
        if (this.closed) return;
        const item = this.queue.shift();
        if (item === undefined) return;
        try {
          const pending = this.listener(item);
          // Only a thenable is awaited: a listener returning some other value stays synchronous.
          if (isThenable(pending)) await pending;
        } catch (err) {
          this.errors++;
          this.onFailure(err, item);
        }
      }
    } finally {
      this.draining = false;
    }
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" || typeof v === "function") && v !== null && typeof (v as { then?: unknown }).then === "function";
}
