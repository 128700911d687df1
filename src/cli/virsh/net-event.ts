// virsh-network.c's net-event and virsh-secret.c's secret-event: one kind
// of event of one family waited for (event-watch.ts) and printed as virsh
// prints it (the library's formatVirsh), on the command's connection.

import type { Client } from "../../client/client.js";
import type { Opts } from "../command.js";
import { formatVirsh } from "../format/virsh-events.js";
import { CommandFailed, type VirshCommand, type VshContext } from "../vsh.js";
import { lookupNetwork, lookupSecret } from "./net-lookup.js";
import { stringReq } from "./util.js";
import { timeoutMs, watchEvents } from "./event-watch.js";

interface EventCommand {
  name: string;
  family: "network" | "secret";
  /** The option that names the object to filter by. */
  object: "network" | "secret";
  /** The event kinds virsh 9.0 knows for the family, in its order (newer daemons' kinds it does not list). */
  kinds: readonly string[];
  lookup(c: Client, word: string): Promise<unknown>;
}

function eventCommand(spec: EventCommand): VirshCommand {
  return {
    names: [spec.name],
    options: [
      { name: spec.object, type: "string" },
      { name: "event", type: "string" },
      { name: "loop", type: "bool" },
      { name: "timeout", type: "int" },
      { name: "list", type: "bool" },
      { name: "timestamp", type: "bool" },
    ],
    run: (ctx, opts) => watch(ctx, opts, spec),
  };
}

async function watch(ctx: VshContext, opts: Opts, spec: EventCommand): Promise<boolean> {
  if (opts.bool("list")) {
    ctx.print(spec.kinds.map((k) => `${k}\n`).join(""));
    return true;
  }
  const kind = stringReq(opts, "event");
  if (kind === undefined) throw new CommandFailed(["either --list or --event <type> is required"]);
  if (!spec.kinds.includes(kind)) throw new CommandFailed([`unknown event type ${kind}`]);
  const timeout = timeoutMs(opts);
  const c = await ctx.client();
  // virsh goes on unfiltered after a failed lookup: its line now, the library's error only if the command then fails.
  let filter: unknown = null;
  let lookupError: unknown;
  if (opts.bool(spec.object)) {
    try {
      filter = await spec.lookup(c, stringReq(opts, spec.object)!);
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
    subscribe: (deliver) => c.events.subscribe(spec.family, kind as never, deliver, { filter: filter as never }),
  });
  if (count > 0) return true;
  if (lookupError instanceof Error) ctx.error(lookupError.message);
  return false;
}

export const commands: VirshCommand[] = [
  eventCommand({ name: "net-event", family: "network", object: "network", kinds: ["lifecycle"], lookup: (c, w) => lookupNetwork(c, w) }),
  eventCommand({ name: "secret-event", family: "secret", object: "secret", kinds: ["lifecycle", "value-changed"], lookup: (c, w) => lookupSecret(c, w) }),
];
