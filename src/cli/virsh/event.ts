// virsh's `event` (tools/virsh-domain-event.c, cmdEvent): domain events
// printed as virsh prints them, on the command's connection. The printing
// is the library's formatVirsh and the subscribing its dispatcher, as
// `events` (../events.ts) uses them; the options and words are virsh's.

import type { Subscription } from "../../events/dispatcher.js";
import type { LibvirtEvent } from "../../events/types.js";
import { eventFamilies } from "../../gen/events.js";
import { formatVirsh } from "../format/virsh-events.js";
import { CommandFailed, exclusive, type VirshCommand } from "../vsh.js";
import type { Opts } from "../command.js";
import { lookupDomain } from "./util.js";

/** vshCommandOptTimeoutToMs: whole seconds from 1 to INT_MAX / 1000, else virsh's malformed-value line. */
function timeoutMs(opts: Opts): number | null {
  const text = opts.string("timeout");
  if (text === undefined) return null;
  const n = /^\s*[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= Math.floor((2 ** 31 - 1) / 1000))) throw new CommandFailed([`Numeric value '${text}' for <timeout> option is malformed or out of range`]);
  return n * 1000;
}

const DISCONNECT_WORDS: Record<string, string> = { keepalive: "keepalive timeout", eof: "end of file", error: "I/O error" };

type Ending = "done" | "timeout" | "interrupted" | "closed";

const event: VirshCommand = {
  names: ["event"],
  options: [
    { name: "domain", type: "string" },
    { name: "event", type: "string" },
    { name: "all", type: "bool" },
    { name: "loop", type: "bool" },
    { name: "timeout", type: "int" },
    { name: "list", type: "bool" },
    { name: "timestamp", type: "bool" },
  ],
  async run(ctx, opts) {
    exclusive(opts, "all", "event");
    exclusive(opts, "list", "all");
    exclusive(opts, "list", "event");
    // The events this client knows: libvirt's own table, which virsh's --list prints too.
    const kinds = Object.keys(eventFamilies.domain.kinds);
    if (opts.bool("list")) {
      ctx.print(kinds.map((k) => `${k}\n`).join(""));
      return true;
    }
    const name = opts.string("event");
    if (name === undefined && !opts.bool("all")) throw new CommandFailed(["one of --list, --all, or --event <type> is required"]);
    const chosen = name === undefined ? kinds : kinds.filter((k) => k === name);
    if (chosen.length === 0) throw new CommandFailed([`unknown event type ${name}`]);
    const timeout = timeoutMs(opts);
    const c = await ctx.client();
    const domain = opts.string("domain");
    const filter = domain === undefined ? null : await lookupDomain(c, domain);

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
    const subs: Subscription[] = [];
    try {
      for (const [i, kind] of chosen.entries()) {
        try {
          subs.push(await c.events.subscribe("domain", kind as never, print, { filter }));
        } catch (e) {
          // Past the first, a refusal means an older daemon that lacks the event: left out, as virsh does.
          if (i === 0) throw e;
        }
      }
      timer = timeout === null ? null : setTimeout(() => stop("timeout"), timeout);
      void c.closed.then(() => stop("closed"));
      const why = await stopped;
      if (why === "closed") {
        // virshCatchDisconnect's words; virsh then waits on for a timeout or Ctrl-C that no event can end, so we stop here.
        const { reason } = await c.closed;
        ctx.error(`Disconnected from ${c.uri.uri} due to ${DISCONNECT_WORDS[reason] ?? "unknown reason"}`);
        ctx.print(`events received: ${count}\n`);
        return false;
      }
      if (why === "interrupted") ctx.print("event loop interrupted\n");
      if (why === "timeout") ctx.print("event loop timed out\n");
      ctx.print(`events received: ${count}\n`);
      return count > 0;
    } finally {
      if (timer !== null) clearTimeout(timer);
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
      for (const s of subs) await s.close().catch(() => undefined);
    }
  },
};

export const commands: VirshCommand[] = [event];
