// virsh-network.c's net-event and virsh-secret.c's secret-event: one kind
// of event of one family waited for and printed as virsh prints it (the
// library's formatVirsh), on the command's connection.

import type { Client } from "../../client/client.js";
import type { LibvirtEvent } from "../../events/types.js";
import type { Opts } from "../command.js";
import { formatVirsh } from "../format/virsh-events.js";
import { CommandFailed, type VirshCommand, type VshContext } from "../vsh.js";
import { lookupNetwork, lookupSecret } from "./net-lookup.js";
import { stringReq } from "./util.js";

/** vshCommandOptTimeoutToMs: whole seconds from 1 to INT_MAX / 1000, else virsh's malformed-value line. */
function timeoutMs(opts: Opts): number | null {
  const text = opts.string("timeout");
  if (text === undefined) return null;
  const n = /^[ \t\n\v\f\r]*[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= Math.floor((2 ** 31 - 1) / 1000))) throw new CommandFailed([`Numeric value '${text}' for <timeout> option is malformed or out of range`]);
  return n * 1000;
}

interface EventCommand {
  name: string;
  family: "network" | "secret";
  /** The option that names the object to filter by. */
  object: "network" | "secret";
  /** The event kinds virsh 9.0 knows for the family, in its order (newer daemons' kinds it does not list). */
  kinds: readonly string[];
  lookup(c: Client, word: string): Promise<unknown>;
}

type Ending = "done" | "timeout" | "interrupted";

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
  const loop = opts.bool("loop");
  const stamped = opts.bool("timestamp");
  let count = 0;
  let stop!: (why: Ending) => void;
  const stopped = new Promise<Ending>((resolve) => (stop = resolve));
  const print = (e: LibvirtEvent): void => {
    if (!loop && count > 0) return;
    ctx.print(`${formatVirsh(e, { timestamp: stamped })}\n`);
    count++;
    if (!loop) stop("done");
  };
  const onSignal = (): void => stop("interrupted");
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let timer: NodeJS.Timeout | null = null;
  const sub = await c.events.subscribe(spec.family, kind as never, print, { filter: filter as never });
  try {
    timer = timeout === null ? null : setTimeout(() => stop("timeout"), timeout);
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
}

export const commands: VirshCommand[] = [
  eventCommand({ name: "net-event", family: "network", object: "network", kinds: ["lifecycle"], lookup: (c, w) => lookupNetwork(c, w) }),
  eventCommand({ name: "secret-event", family: "secret", object: "secret", kinds: ["lifecycle", "value-changed"], lookup: (c, w) => lookupSecret(c, w) }),
];
