// virsh-nodedev.c's nodedev-event: one kind of node device event waited
// for (event-watch.ts) and printed as virsh prints it (the library's
// formatVirsh).

import { formatVirsh } from "../format/virsh-events.js";
import { CommandFailed, type VirshCommand } from "../vsh.js";
import { timeoutMs, watchEvents } from "./event-watch.js";
import { stringReq } from "./util.js";

/** virsh 9.0's node device event kinds, in its order. */
const KINDS = ["lifecycle", "update"];

export const commands: VirshCommand[] = [
  {
    names: ["nodedev-event"],
    options: [
      { name: "device", type: "string" },
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
      const name = stringReq(opts, "device");
      const c = await ctx.client();
      // Unlike net-event and pool-event, a device not found ends the command.
      const filter =
        name === undefined
          ? null
          : (
              await c.nodeDeviceLookupByName({ name }).catch((e: unknown) => {
                throw new CommandFailed([`Could not find matching device '${name}'`], { cause: e });
              })
            ).dev;
      const count = await watchEvents(ctx, {
        loop: opts.bool("loop"),
        timeout,
        line: (e) => formatVirsh(e, { timestamp: opts.bool("timestamp") }),
        subscribe: (deliver) => c.events.subscribe("nodeDevice", kind as never, deliver, { filter }),
      });
      return count > 0;
    },
  },
];
