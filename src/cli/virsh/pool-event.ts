// virsh-pool.c's pool-event: one kind of storage pool event waited for and
// printed as virsh prints it (the library's formatVirsh); the wait is
// event-watch.ts's.

import { formatVirsh } from "../format/virsh-events.js";
import { CommandFailed, type VirshCommand } from "../vsh.js";
import { findPool } from "./pool-lookup.js";
import { stringReq } from "./util.js";
import { timeoutMs, watchEvents } from "./event-watch.js";

/** virsh 9.0's storage pool event kinds, in its order. */
const KINDS = ["lifecycle", "refresh"];

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
      const count = await watchEvents(ctx, {
        loop: opts.bool("loop"),
        timeout,
        line: (e) => formatVirsh(e, { timestamp: opts.bool("timestamp") }),
        subscribe: (deliver) => c.events.subscribe("storagePool", kind as never, deliver, { filter: filter as never }),
      });
      if (count > 0) return true;
      if (lookupError instanceof Error) ctx.error(lookupError.message);
      return false;
    },
  },
];
