// The wait every one-family event command of virsh shares (net-event,
// secret-event, pool-event, nodedev-event, qemu-monitor-event): its
// --timeout read as vshCommandOptTimeoutToMs reads it, then vshEventStart,
// the registration, vshEventWait and the lines virsh prints after it.

import type { Subscription } from "../../events/dispatcher.js";
import type { LibvirtEvent } from "../../events/types.js";
import type { Opts } from "../command.js";
import { CommandFailed, type VshContext } from "../vsh.js";

/** vshCommandOptTimeoutToMs: whole seconds from 1 to INT_MAX / 1000, else virsh's malformed-value line. */
export function timeoutMs(opts: Opts): number | null {
  const text = opts.string("timeout");
  if (text === undefined) return null;
  const n = /^[ \t\n\v\f\r]*[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= Math.floor((2 ** 31 - 1) / 1000))) throw new CommandFailed([`Numeric value '${text}' for <timeout> option is malformed or out of range`]);
  return n * 1000;
}

export interface Watch {
  /** --loop: every event, not just the first. */
  loop: boolean;
  /** From timeoutMs; null waits until an event or Ctrl-C. */
  timeout: number | null;
  /** The event's line(s), without the final newline. */
  line(e: LibvirtEvent): string;
  /** Registers with the daemon; every event goes to `deliver`. */
  subscribe(deliver: (e: LibvirtEvent) => void): Promise<Subscription>;
}

/**
 * Waits as virsh does: one event (or all with --loop) until the timeout
 * or SIGINT, then `event loop timed out` / `interrupted` and `events
 * received: N`. Resolves to the count; the command succeeds when it is
 * not zero.
 */
export async function watchEvents(ctx: VshContext, w: Watch): Promise<number> {
  let count = 0;
  let stop!: (why: "done" | "timeout" | "interrupted") => void;
  const stopped = new Promise<"done" | "timeout" | "interrupted">((resolve) => (stop = resolve));
  const deliver = (e: LibvirtEvent): void => {
    if (!w.loop && count > 0) return;
    ctx.print(`${w.line(e)}\n`);
    count++;
    if (!w.loop) stop("done");
  };
  const onSignal = (): void => stop("interrupted");
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  // vshEventStart arms the timer before the registration, as here.
  const timer = w.timeout === null ? null : setTimeout(() => stop("timeout"), w.timeout);
  try {
    const sub = await w.subscribe(deliver);
    try {
      const why = await stopped;
      if (why === "interrupted") ctx.print("event loop interrupted\n");
      if (why === "timeout") ctx.print("event loop timed out\n");
      ctx.print(`events received: ${count}\n`);
      return count;
    } finally {
      await sub.close().catch(() => undefined);
    }
  } finally {
    if (timer !== null) clearTimeout(timer);
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}
