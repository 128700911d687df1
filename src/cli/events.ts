import type { Subscription } from "../events/dispatcher.js";
import type { EventFamily, LibvirtEvent } from "../events/types.js";
import { eventNames } from "../events/names.js";
import { formatVirsh } from "./format/virsh-events.js";
import { LibvirtError } from "../rpc/errors.js";
import { eventFamilies } from "../gen/events.js";
import { connect } from "./connection.js";
import { toCliJson } from "./json.js";
import { HELP, type Opts, type OwnCommand } from "./command.js";
import { UsageError, timeoutOption } from "./usage.js";

export const EVENTS_USAGE = `usage: libvirt-remote [-c URI] [-k S] [-K N] events [--family F] (--all | --event NAME | --list)
           [--domain NAME] [--loop] [--reconnect] [--timeout SECONDS] [--timestamp] [--json]

Waits for libvirt events and prints them as virsh does (virsh event,
net-event, pool-event, nodedev-event, secret-event), or as JSON lines.

  --family F       domain (default), network, storage-pool, node-device, secret,
                   or qemu for QEMU monitor events (virsh qemu-monitor-event)
  --all            every event of the family; --event NAME one of them (--list names them);
                   for qemu, --event filters by monitor event name (--regex, --no-case)
  --domain NAME    only events about this domain
  --loop           keep going after the first event (until Ctrl-C or --timeout)
  --reconnect      with --loop: when the connection is lost (the daemon restarted,
                   or hung past the keepalive -k/-K), connect again and carry on
  --timeout S      stop after S seconds (a whole number)
  --timestamp      prefix each event with the time it arrived, as virsh does
  --json           one JSON object per line instead of virsh's text; every
                   other line (timeout, count, errors) goes to stderr

Exit status, as virsh event's: 0 when at least one event was printed, else 1.`;

const FAMILY_FLAGS: Record<string, EventFamily> = {
  domain: "domain",
  network: "network",
  "storage-pool": "storagePool",
  "node-device": "nodeDevice",
  secret: "secret",
  qemu: "qemu",
};

const events: OwnCommand = {
  names: ["events"],
  options: [
    { name: "family", type: "string", named: true },
    { name: "all", type: "bool" },
    { name: "event", type: "string", named: true },
    { name: "list", type: "bool" },
    { name: "domain", type: "string", named: true },
    { name: "loop", type: "bool" },
    { name: "reconnect", type: "bool" },
    { name: "timeout", type: "string", named: true },
    { name: "timestamp", type: "bool" },
    { name: "json", type: "bool" },
    { name: "regex", type: "bool" },
    { name: "no-case", type: "bool" },
    HELP,
  ],
  help: EVENTS_USAGE,
  run: (_ctx, opts) => watchEvents(readOptions(opts)),
};

export const commands: readonly OwnCommand[] = [events];

interface EventsOptions {
  family: string;
  all: boolean;
  event: string | undefined;
  list: boolean;
  domain: string | undefined;
  loop: boolean;
  reconnect: boolean;
  timeout: string | undefined;
  timestamp: boolean;
  json: boolean;
  regex: boolean;
  "no-case": boolean;
}

/** The options as the loop below reads them. */
function readOptions(opts: Opts): EventsOptions {
  return {
    family: opts.string("family") ?? "domain",
    all: opts.bool("all"),
    event: opts.string("event"),
    list: opts.bool("list"),
    domain: opts.string("domain"),
    loop: opts.bool("loop"),
    reconnect: opts.bool("reconnect"),
    timeout: opts.string("timeout"),
    timestamp: opts.bool("timestamp"),
    json: opts.bool("json"),
    regex: opts.bool("regex"),
    "no-case": opts.bool("no-case"),
  };
}

/** Waits and prints; resolves to virsh event's success: an event was printed (or --list). */
async function watchEvents(values: EventsOptions): Promise<boolean> {
  const family = FAMILY_FLAGS[values.family];
  if (family === undefined) throw new UsageError([`unknown family '${values.family}' (${Object.keys(FAMILY_FLAGS).join(", ")})`]);
  const qemu = family === "qemu";
  const kinds = qemu ? ["monitor"] : Object.keys(eventFamilies[family].kinds);
  if (values.list) {
    process.stdout.write(`${kinds.join("\n")}\n`);
    return true;
  }
  if (!values.all && values.event === undefined && !qemu) throw new UsageError(["either --list or --event NAME or --all is required"]);
  if (values.event !== undefined && !qemu && !kinds.includes(values.event)) {
    throw new UsageError([`unknown ${values.family} event '${values.event}' (--list names them)`]);
  }
  if (values.domain !== undefined && family !== "domain" && !qemu) throw new UsageError(["--domain applies to domain events only"]);
  if (values.reconnect && !values.loop) throw new UsageError(["--reconnect applies to --loop only"]);
  const timeout = values.timeout === undefined ? null : timeoutOption(values.timeout);
  // With --json, stdout carries events only: every other line goes to stderr.
  const status = (line: string): void => void (values.json ? process.stderr : process.stdout).write(`${line}\n`);
  const say = (line: string): void => void process.stderr.write(`error: ${line}\n`);

  const conn = await connect(undefined, values.reconnect ? { reconnect: true } : {});
  // virshCatchDisconnect's words.
  const lost = (reason: string): string =>
    `Disconnected from ${conn.uri.uri} due to ${reason === "keepalive" ? "keepalive timeout" : reason === "eof" ? "end of file" : reason === "error" ? "I/O error" : "unknown reason"}`;
  conn.on("disconnect", (info) => say(lost(info.reason)));
  // Each failed attempt in virsh's words (virshReconnect), then its reason, as virsh prints the error after.
  conn.on("reconnectFailed", (f) => {
    say("Failed to reconnect to the hypervisor");
    say(f.error.message);
  });
  conn.on("reconnect", () => say("Reconnected to the hypervisor"));
  let count = 0;
  let stop!: (why: "done" | "timeout" | "interrupted" | "closed") => void;
  const stopped = new Promise<"done" | "timeout" | "interrupted" | "closed">((resolve) => (stop = resolve));
  const print = (e: LibvirtEvent): void => {
    if (!values.loop && count > 0) return;
    const line = values.json
      ? `${JSON.stringify({ ...(values.timestamp ? { timestamp: new Date().toISOString() } : {}), family: e.family, event: e.event, data: toCliJson(e.data), names: eventNames(e) })}\n`
      : `${formatVirsh(e, { timestamp: values.timestamp })}\n`;
    process.stdout.write(line);
    count++;
    if (!values.loop) stop("done");
  };
  const onSignal = (): void => stop("interrupted");
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let timer: NodeJS.Timeout | null = null;
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
    timer = timeout === null ? null : setTimeout(() => stop("timeout"), timeout);
    void conn.closed.then(() => stop("closed"));
    const why = await stopped;
    if (why === "interrupted") status("event loop interrupted");
    if (why === "timeout") status("event loop timed out");
    if (why === "closed") {
      const { reason } = await conn.closed;
      if (reason !== "client") say(lost(reason));
    }
    status(`events received: ${count}`);
    if (why === "closed") return false;
    for (const s of subs) await s.close();
  } finally {
    if (timer !== null) clearTimeout(timer);
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await conn.close();
  }
  // virsh event succeeds when it saw an event, whatever ended the wait.
  return count > 0;
}
