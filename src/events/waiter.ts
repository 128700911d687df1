import type { CloseInfo } from "../rpc/session.js";
import { EventGapError } from "./errors.js";
import type { EventGap } from "./gap.js";
import type { Sink } from "./sink.js";
import type { LibvirtEvent } from "./types.js";

export type WaitOutcome = { ok: true; event: LibvirtEvent } | { ok: false; error: unknown };

/**
 * `waitFor`'s end of a subscription: the first event the predicate accepts
 * settles it. A gap settles it too, with an EventGapError: the awaited
 * event may have come while the connection was down, and waiting on for it
 * could only end in a timeout.
 */
export class WaiterSink implements Sink {
  live = false;
  private done = false;

  constructor(
    private readonly predicate: ((event: LibvirtEvent) => boolean) | undefined,
    private readonly settle: (outcome: WaitOutcome) => void,
  ) {}

  push(event: LibvirtEvent): void {
    if (this.done) return;
    let accepted: boolean;
    try {
      accepted = this.predicate === undefined || this.predicate(event);
    } catch (error) {
      this.finish({ ok: false, error });
      return;
    }
    if (accepted) this.finish({ ok: true, event });
  }

  gap(marker: EventGap): void {
    this.finish({ ok: false, error: new EventGapError(marker.family, marker.event) });
  }

  end(info: CloseInfo | null): void {
    if (info !== null) this.finish({ ok: false, error: info.error });
    else this.done = true;
  }

  /** Settles the wait with `error` (timeout, abort, registration failure), unless it is settled. */
  fail(error: unknown): void {
    this.finish({ ok: false, error });
  }

  private finish(outcome: WaitOutcome): void {
    if (this.done) return;
    this.done = true;
    this.settle(outcome);
  }
}
