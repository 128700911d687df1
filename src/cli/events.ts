import { parseArgs } from "node:util";
import { connect } from "../client/client.js";
import type { Subscription } from "../events/dispatcher.js";
import type { EventFamily, LibvirtEvent } from "../events/types.js";
import { eventNames } from "../events/names.js";
import { formatVirsh, virshTimestamp } from "../events/virsh-format.js";
import { LibvirtError } from "../rpc/errors.js";
import { eventFamilies } from "../gen/events.js";
import { toJson } from "../xdr/index.js";
import { UsageError } from "./usage.js";

export const EVENTS_USAGE = `usage: libvirt-remote events [-c URI] [--family F] (--all | --event NAME | --list)
                             [--domain NAME] [--loop] [--timeout SECONDS] [--timestamp] [--json]

Waits for libvirt events and prints them as virsh does (virsh event,
net-event, pool-event, nodedev-event, secret-event), or as JSON lines.

  --family F       domain (default), network, storage-pool, node-device, secret,
                   or qemu for QEMU monitor events (virsh qemu-monitor-event)
  --all            every event of the family; --event NAME one of them (--list names them);
                   for qemu, --event filters by monitor event name (--regex, --no-case)
  --domain NAME    only events about this domain
  --loop           keep going after the first event (until Ctrl-C or --timeout)
  --timeout S      stop after S seconds
  --timestamp      prefix each event with the time it arrived, as virsh does
  --json           one JSON object per line instead of virsh's text`;

const FAMILY_FLAGS: Record<string, EventFamily> = {
  domain: "domain",
  network: "network",
  "storage-pool": "storagePool",
  "node-device": "nodeDevice",
  secret: "secret",
  qemu: "qemu",
};

export async function eventsMain(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      connect: { type: "string", short: "c" },
      family: { type: "string", default: "domain" },
      all: { type: "boolean", default: false },
      event: { type: "string" },
      list: { type: "boolean", default: false },
      domain: { type: "string" },
      loop: { type: "boolean", default: false },
      timeout: { type: "string" },
      timestamp: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      regex: { type: "boolean", default: false },
      "no-case": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${EVENTS_USAGE}\n`);
    return 0;
  }
  const family = FAMILY_FLAGS[values.family];
  if (family === undefined) throw new UsageError(`unknown family '${values.family}' (${Object.keys(FAMILY_FLAGS).join(", ")})`);
  const qemu = family === "qemu";
  const kinds = qemu ? ["monitor"] : Object.keys(eventFamilies[family].kinds);
  if (values.list) {
    process.stdout.write(`${kinds.join("\n")}\n`);
    return 0;
  }
  if (!values.all && values.event === undefined && !qemu) throw new UsageError("either --list or --event NAME or --all is required");
  if (values.event !== undefined && !qemu && !kinds.includes(values.event)) {
    throw new UsageError(`unknown ${values.family} event '${values.event}' (--list names them)`);
  }
  if (values.domain !== undefined && family !== "domain" && !qemu) throw new UsageError("--domain applies to domain events only");
  const timeout = values.timeout === undefined ? null : Number(values.timeout);
  if (timeout !== null && !(timeout > 0)) throw new UsageError("--timeout takes a positive number of seconds");

  const conn = await connect(values.connect);
  let count = 0;
  let stop!: (why: "done" | "timeout" | "interrupted" | "closed") => void;
  const stopped = new Promise<"done" | "timeout" | "interrupted" | "closed">((resolve) => (stop = resolve));
  const print = (e: LibvirtEvent): void => {
    if (!values.loop && count > 0) return;
    const line = values.json
      ? `${JSON.stringify({ ...(values.timestamp ? { timestamp: new Date().toISOString() } : {}), family: e.family, event: e.event, data: toJson(e.data), names: eventNames(e) })}\n`
      : `${values.timestamp ? `${virshTimestamp()}: ` : ""}${formatVirsh(e, { timestamp: values.timestamp })}`;
    process.stdout.write(line);
    count++;
    if (!values.loop) stop("done");
  };
  try {
    const filter = values.domain === undefined ? null : (await conn.domainLookupByName({ name: values.domain })).dom;
    const subs: Subscription[] = [];
    const qemuFilter = { qemuEvent: values.event ?? null, regex: values.regex, nocase: values["no-case"] };
    for (const kind of values.all || qemu ? kinds : [values.event!]) {
      try {
        subs.push(await conn.events.subscribe(family, kind as never, print, { filter, ...(qemu ? qemuFilter : {}) }));
      } catch (e) {
        // With --all, events newer than the daemon are left out, as an older virsh would not know them.
        if (!(values.all && e instanceof LibvirtError)) throw e;
      }
    }
    const timer = timeout === null ? null : setTimeout(() => stop("timeout"), timeout * 1000);
    const onSignal = (): void => stop("interrupted");
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    void conn.closed.then(() => stop("closed"));
    const why = await stopped;
    if (timer !== null) clearTimeout(timer);
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    if (why === "interrupted") process.stdout.write("event loop interrupted\n");
    if (why === "timeout") process.stdout.write("event loop timed out\n");
    process.stdout.write(`events received: ${count}\n`);
    if (why === "closed") throw (await conn.closed).error;
    for (const s of subs) await s.close();
  } finally {
    await conn.close();
  }
  return 0;
}
