import { virshStrings } from "../../gen/events.js";
import type { LibvirtEvent } from "../../events/types.js";
import { uuidToString } from "../../uuid.js";

export interface FormatVirshOptions {
  /**
   * virsh's `--timestamp`: the time first (`2026-11-21 12:16:20.238+0000: `,
   * see virshTimestamp), now or the Date given; a QEMU monitor event then
   * leaves out its own time, as virsh does.
   */
  timestamp?: boolean | Date;
}

/**
 * An event as virsh prints it (`virsh event`, `net-event`, `pool-event`,
 * `nodedev-event`, `secret-event`, `qemu-monitor-event`), with
 * `{ timestamp: true }` as `--timestamp` prints it, without the final
 * newline (for console.log). A few events span lines as in virsh
 * (`tunable`, `job-completed`, `memory-failure`, a `graphics` event's
 * subject): their lines are joined by "\n". The words come from virsh's own
 * string tables (generated); the sentence shapes follow its print
 * functions, one per event kind.
 */
export function formatVirsh(e: LibvirtEvent, options: FormatVirshOptions = {}): string {
  const at = options.timestamp === true ? new Date() : options.timestamp instanceof Date ? options.timestamp : null;
  const text = virshText(e, at !== null);
  // virsh prints "%s: %s" (virshEventPrint, virshEventQemuPrint): the stamp, then the message.
  const stamp = at === null ? "" : `${virshTimestamp(at)}: `;
  return stamp + (text.endsWith("\n") ? text.slice(0, -1) : text);
}

/** The message virsh builds for the event, with its newline(s). */
function virshText(e: LibvirtEvent, timestamped: boolean): string {
  const d = e.data as Record<string, unknown>;
  switch (e.family) {
    case "domain":
      return formatDomain(e.event, d);
    case "network":
      return e.event === "lifecycle"
        ? `event 'lifecycle' for network ${objName(d["net"])}: ${word("virshNetworkEvent", d["event"])}\n`
        : `event '${e.event}' for network ${objName(d["net"])}: type ${word("virshNetworkEventMetadataChangeType", d["type"], "unsupported value")}, uri ${nullstr(d["nsuri"])}\n`;
    case "storagePool":
      return e.event === "lifecycle"
        ? `event 'lifecycle' for storage pool ${objName(d["pool"])}: ${word("virshPoolEvent", d["event"])}\n`
        : `event '${e.event}' for storage pool ${objName(d["pool"])}\n`;
    case "nodeDevice":
      return e.event === "lifecycle"
        ? `event 'lifecycle' for node device ${objName(d["dev"])}: ${word("virshNodeDeviceEvent", d["event"])}\n`
        : `event '${e.event}' for node device ${objName(d["dev"])}\n`;
    case "secret": {
      const secret = uuidToString((d["secret"] as { uuid: Uint8Array }).uuid);
      return e.event === "lifecycle"
        ? `event 'lifecycle' for secret ${secret}: ${word("virshSecretEvent", d["event"])}\n`
        : `event '${e.event}' for secret ${secret}\n`;
    }
    case "qemu":
      return formatQemuMonitor(d, timestamped);
  }
}

/** virsh's lifecycle detail tables, by VIR_DOMAIN_EVENT_* type (virsh's own switch). */
const LIFECYCLE_DETAILS = [
  "virshDomainEventDefined",
  "virshDomainEventUndefined",
  "virshDomainEventStarted",
  "virshDomainEventSuspended",
  "virshDomainEventResumed",
  "virshDomainEventStopped",
  "virshDomainEventShutdown",
  "virshDomainEventPMSuspended",
  "virshDomainEventCrashed",
];

/** Words virsh prints from switch statements rather than tables, by enum value. */
const WATCHDOG = ["none", "pause", "reset", "poweroff", "shutdown", "debug", "inject-nmi"];
const IO_ERROR = ["none", "pause", "report"];
const TRAY = ["opened", "closed"];

function formatDomain(event: string, d: Record<string, unknown>): string {
  const head = `event '${event}' for domain '${objName(d["dom"])}'`;
  switch (event) {
    case "lifecycle": {
      const type = d["event"] as number;
      const table = LIFECYCLE_DETAILS[type];
      const detail = table === undefined ? "unknown" : word(table, d["detail"]);
      return `${head}: ${word("virshDomainEvent", type)} ${detail}\n`;
    }
    case "rtc-change":
      return `${head}: ${String(d["offset"])}\n`;
    case "watchdog":
      return `${head}: ${WATCHDOG[d["action"] as number] ?? "unknown"}\n`;
    case "io-error":
      return `${head}: ${d["srcPath"]} (${d["devAlias"]}) ${IO_ERROR[d["action"] as number] ?? "unknown"}\n`;
    case "io-error-reason":
      // virsh 9.0 names it io-error-reason; virsh 11.x prints 'io-error' here. The 9.0 wording is kept.
      return `${head}: ${d["srcPath"]} (${d["devAlias"]}) ${IO_ERROR[d["action"] as number] ?? "unknown"} due to ${d["reason"]}\n`;
    case "graphics": {
      const addr = (a: unknown): string => {
        const x = a as { family: number; node: string; service: string };
        return `${word("virshGraphicsAddress", x.family)} ${x.node} ${x.service}`;
      };
      const subject = (d["subject"] as { type: string; name: string }[]).map((i) => `\t${i.type}=${i.name}\n`).join("");
      return `${head}: ${word("virshGraphicsPhase", d["phase"])} local[${addr(d["local"])}] remote[${addr(d["remote"])}] ${d["authScheme"]}\n${subject}`;
    }
    case "disk-change":
      return `event 'disk-change' for domain '${objName(d["dom"])}' disk ${d["devAlias"]}: ${nullstr(d["oldSrcPath"])} -> ${nullstr(d["newSrcPath"])}: ${word("virshDomainEventDiskChange", d["reason"])}\n`;
    case "tray-change":
      return `event 'tray-change' for domain '${objName(d["dom"])}' disk ${d["devAlias"]}: ${TRAY[d["reason"] as number] ?? "unknown"}\n`;
    case "balloon-change":
      return `${head}: ${String(d["actual"])}KiB\n`;
    case "device-removed":
    case "device-added":
    case "device-removal-failed":
      return `${head}: ${d["devAlias"]}\n`;
    case "tunable":
    case "job-completed":
      return `${head}:\n${typedParams(d["params"])}`;
    case "agent-lifecycle":
      return `${head}: state: '${word("virshEventAgentLifecycleState", d["state"], "unsupported value")}' reason: '${word("virshEventAgentLifecycleReason", d["reason"], "unsupported value")}'\n`;
    case "migration-iteration":
      return `${head}: iteration: '${d["iteration"]}'\n`;
    case "metadata-change":
      return `${head}: type ${word("virshEventMetadataChangeType", d["type"], "unsupported value")}, uri ${nullstr(d["nsuri"])}\n`;
    case "block-threshold":
      return `${head}: dev: ${d["dev"]}(${nullstr(d["path"])}) ${String(d["threshold"])} ${String(d["excess"])}\n`;
    case "memory-failure": {
      const flags = d["flags"] as number;
      return (
        `${head}:\nrecipient: ${word("virshEventMemoryFailureRecipientType", d["recipient"], "unsupported value")}\n` +
        `action: ${word("virshEventMemoryFailureActionType", d["action"], "unsupported value")}\n` +
        `flags:\n\taction required: ${flags & 1 ? 1 : 0}\n\trecursive: ${flags & 2 ? 1 : 0}\n`
      );
    }
    case "memory-device-size-change":
      return `${head}:\nalias: ${d["alias"]}\nsize: ${String(d["size"])}\n`;
    case "nic-mac-change":
      return `${head}:\nalias: ${d["alias"]}\noldMAC: ${d["oldMAC"]}\nnewMAC: ${d["newMAC"]}\n`;
    default:
      // reboot, control-error and the power-management events carry nothing more.
      return `${head}\n`;
  }
}

/** virsh qemu-monitor-event: with --timestamp the event's own time is left out. */
function formatQemuMonitor(d: Record<string, unknown>, timestamped: boolean): string {
  const at = timestamped ? "" : ` at ${String(d["seconds"])}.${String(d["micros"]).padStart(6, "0")}`;
  return `event ${d["event"]}${at} for domain '${objName(d["dom"])}': ${nullstr(d["details"])}\n`;
}

/** A typed parameter list as virsh prints it: `\tfield: value`. */
function typedParams(params: unknown): string {
  return (params as { field: string; value: { type: number } & Record<string, unknown> }[])
    .map(({ field, value }) => {
      const v = Object.entries(value).find(([k]) => k !== "type")?.[1];
      const text = typeof v === "number" && value.type === 5 ? formatDouble(v) : String(v);
      return `\t${field}: ${text}\n`;
    })
    .join("");
}

/** C's %g, which virTypedParameterToString uses for doubles. */
function formatDouble(v: number): string {
  if (v === 0) return "0";
  const exp = Math.floor(Math.log10(Math.abs(v)));
  if (exp < -4 || exp >= 6) return v.toExponential(5).replace(/\.?0+e/, "e").replace(/e([+-])(\d)$/, "e$10$2");
  return String(Number(v.toPrecision(6)));
}

function word(table: string, value: unknown, fallback = "unknown"): string {
  return virshStrings[table]?.[value as number] ?? fallback;
}

/** virsh's NULLSTR(). */
function nullstr(s: unknown): string {
  return s === null || s === undefined ? "<null>" : String(s);
}

function objName(o: unknown): string {
  return (o as { name: string }).name;
}

/**
 * virsh's `--timestamp` stamp (virTimeStringNowRaw): UTC to the
 * millisecond, `2026-11-21 12:16:20.238+0000`.
 */
export function virshTimestamp(date = new Date()): string {
  const iso = date.toISOString(); // 2026-11-21T12:16:20.238Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}+0000`;
}
