// virsh-pool.c's pool-event: one kind of storage pool event waited for and
// printed as virsh prints it (the library's formatVirsh). The same steps
// as net-event.ts's watch, which keeps its helper to itself.

import type { LibvirtEvent } from "../../events/types.js";
import type { Opts } from "../command.js";
import { formatVirsh } from "../format/virsh-events.js";
import { CommandFailed, type VirshCommand } from "../vsh.js";
import { findPool } from "./pool-lookup.js";
import { stringReq } from "./util.js";

/** virsh 9.0's storage pool event kinds, in its order. */
const KINDS = ["lifecycle", "refresh"];

/** vshCommandOptTimeoutToMs: whole seconds from 1 to INT_MAX / 1000. */
function timeoutMs(opts: Opts): number | null {
  const text = opts.string("timeout");
  if (text === undefined) return null;
  const n = /^[ \t\n\v\f\r]*[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= Math.floor((2 ** 31 - 1) / 1000))) throw new CommandFailed([`Numeric value '${text}' for <timeout> option is malformed or out of range`]);
  return n * 1000;
}

export const commands: VirshCommand[] = [
  {
    names: ["pool-event"],
    options: [
      { name: "pool", type: "string" },
      { name: "event", type: "string" },
      { name: "loop", type: "bool" },
      { name: "timeout", type: "int" },
      { name: "list", type: "bool" },
      { name: "timestamp", type: "bool" },
    ],
    async run(ctx, opts) {
      if (opts.bool("list")) {
        ctx.print(KINDS.map((k) => `${k}\n`).join(""));
        return true;
      }
      const kind = stringReq(opts, "event");
      if (kind === undefined) throw new CommandFailed(["either --list or --event <type> is required"]);
      if (!KINDS.includes(kind)) throw new CommandFailed([`unknown event type ${kind}`]);
      const timeout = timeoutMs(opts);
      const c = await ctx.client();
      // A pool that is not found leaves the wait unfiltered: its line now, the library's error only if nothing arrives.
      let filter: unknown = null;
      let lookupError: unknown;
      if (opts.bool("pool")) {
        try {
          filter = await findPool(c, stringReq(opts, "pool")!);
        } catch (e) {
          if (!(e instanceof CommandFailed)) throw e;
          for (const line of e.lines) ctx.error(line);
          lookupError = e.cause;
        }
      }
      const loop = opts.bool("loop");
      const stamped = opts.bool("timestamp");
      let count = 0;
      let stop!: (why: "done" | "timeout" | "interrupted") => void;
      const stopped = new Promise<"done" | "timeout" | "interrupted">((resolve) => (stop = resolve));
      const print = (e: LibvirtEvent): void => {
        if (!loop && count > 0) return;
        ctx.print(`${formatVirsh(e, { timestamp: stamped })}\n`);
        count++;
        if (!loop) stop("done");
      };
      const onSignal = (): void => stop("interrupted");
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      const sub = await c.events.subscribe("storagePool", kind as never, print, { filter: filter as never });
      const timer = timeout === null ? null : setTimeout(() => stop("timeout"), timeout);
      try {
        const why = await stopped;
        if (why === "interrupted") ctx.print("event loop interrupted\n");
        if (why === "timeout") ctx.print("event loop timed out\n");
        ctx.print(`events received: ${count}\n`);
        if (count > 0) return true;
        if (lookupError instanceof Error) ctx.error(lookupError.message);
        return false;
      } finally {
        if (timer !== null) clearTimeout(timer);
        process.removeListener("SIGINT", onSignal);
        process.removeListener("SIGTERM", onSignal);
        await sub.close().catch(() => undefined);
      }
    },
  },
];
