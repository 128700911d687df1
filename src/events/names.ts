import * as dom from "../gen/libvirt_domain.js";
import * as net from "../gen/libvirt_network.js";
import * as nodedev from "../gen/libvirt_nodedev.js";
import * as secret from "../gen/libvirt_secret.js";
import * as storage from "../gen/libvirt_storage.js";
import type { LibvirtEvent } from "./types.js";

type Table = Readonly<Record<string, number>>;

/**
 * Which header enum names which numeric field of an event: the C callback
 * signatures in libvirt's headers say it (`int phase` is a
 * virDomainEventGraphicsPhase); the names themselves are generated.
 */
const FIELDS: Record<string, Record<string, Record<string, Table>>> = {
  domain: {
    lifecycle: { event: dom.VirDomainEventType },
    watchdog: { action: dom.VirDomainEventWatchdogAction },
    "io-error": { action: dom.VirDomainEventIOErrorAction },
    "io-error-reason": { action: dom.VirDomainEventIOErrorAction },
    "block-job": { type: dom.VirDomainBlockJobType, status: dom.VirConnectDomainEventBlockJobStatus },
    "block-job-2": { type: dom.VirDomainBlockJobType, status: dom.VirConnectDomainEventBlockJobStatus },
    "disk-change": { reason: dom.VirConnectDomainEventDiskChangeReason },
    "tray-change": { reason: dom.VirDomainEventTrayChangeReason },
    "agent-lifecycle": { state: dom.VirConnectDomainEventAgentLifecycleState, reason: dom.VirConnectDomainEventAgentLifecycleReason },
    "metadata-change": { type: dom.VirDomainMetadataType },
    "memory-failure": { recipient: dom.VirDomainMemoryFailureRecipientType, action: dom.VirDomainMemoryFailureActionType },
  },
  network: { lifecycle: { event: net.VirNetworkEventLifecycleType } },
  storagePool: { lifecycle: { event: storage.VirStoragePoolEventLifecycleType } },
  nodeDevice: { lifecycle: { event: nodedev.VirNodeDeviceEventLifecycleType } },
  secret: { lifecycle: { event: secret.VirSecretEventLifecycleType } },
};

/** The detail enum of each lifecycle event type (virConnectDomainEventCallback's `detail`). */
const LIFECYCLE_DETAILS: readonly Table[] = [
  dom.VirDomainEventDefinedDetailType,
  dom.VirDomainEventUndefinedDetailType,
  dom.VirDomainEventStartedDetailType,
  dom.VirDomainEventSuspendedDetailType,
  dom.VirDomainEventResumedDetailType,
  dom.VirDomainEventStoppedDetailType,
  dom.VirDomainEventShutdownDetailType,
  dom.VirDomainEventPMSuspendedDetailType,
  dom.VirDomainEventCrashedDetailType,
];

const reverse = new Map<Table, Map<number, string>>();
function nameIn(table: Table, value: unknown): string | undefined {
  let byValue = reverse.get(table);
  if (byValue === undefined) {
    byValue = new Map();
    // The first name of a value wins: later aliases (`*_LAST`-style) do not rename it.
    for (const [k, v] of Object.entries(table)) if (!byValue.has(v)) byValue.set(v, k);
    reverse.set(table, byValue);
  }
  return byValue.get(value as number);
}

/**
 * The symbolic names of the numeric codes an event carries, from libvirt's
 * headers: `{ event: "VIR_DOMAIN_EVENT_STARTED", detail: "VIR_DOMAIN_EVENT_STARTED_BOOTED" }`.
 * Codes a header of the pinned version does not define are left out.
 */
export function eventNames(e: LibvirtEvent): Record<string, string> {
  const out: Record<string, string> = {};
  const data = e.data as Record<string, unknown>;
  for (const [field, table] of Object.entries(FIELDS[e.family]?.[e.event] ?? {})) {
    const name = nameIn(table, data[field]);
    if (name !== undefined) out[field] = name;
  }
  if (e.family === "domain" && e.event === "lifecycle") {
    const details = LIFECYCLE_DETAILS[data["event"] as number];
    const name = details === undefined ? undefined : nameIn(details, data["detail"]);
    if (name !== undefined) out["detail"] = name;
  }
  if (e.family === "domain" && e.event === "graphics") {
    const phase = nameIn(dom.VirDomainEventGraphicsPhase, data["phase"]);
    if (phase !== undefined) out["phase"] = phase;
    for (const side of ["local", "remote"] as const) {
      const family = nameIn(dom.VirDomainEventGraphicsAddressType, (data[side] as { family: number }).family);
      if (family !== undefined) out[`${side}.family`] = family;
    }
  }
  return out;
}
