import { Client } from "../../src/client/client.js";
import type { EventConnection } from "../../src/events/dispatcher.js";
import { qemuProgram, codecs as qemuCodecs } from "../../src/gen/qemu_protocol.js";
import { codecs, remoteProgram } from "../../src/gen/remote_protocol.js";
import { MessageStatus, MessageType, type Header } from "../../src/rpc/message.js";
import type { InboundEvent } from "../../src/rpc/session.js";
import { memoryPair } from "../../src/transport/memory.js";
import { parseUri } from "../../src/uri.js";
import type { Codec } from "../../src/xdr/index.js";
import { FakeDaemon } from "../helpers/fake-daemon.js";

const P = remoteProgram.procedures;
const Q = qemuProgram.procedures;
const names = new Map<string, string>([
  ...Object.values(P).map((p): [string, string] => [`${remoteProgram.program}:${p.number}`, p.name.replace("REMOTE_PROC_", "")]),
  ...Object.values(Q).map((p): [string, string] => [`${qemuProgram.program}:${p.number}`, p.name]),
]);

export const dom = (name: string, b: number) => ({ name, uuid: new Uint8Array(16).fill(b), id: b });
export const pool = (name: string, b: number) => ({ name, uuid: new Uint8Array(16).fill(b) });

export interface EventDaemonOptions {
  callbackForm?: boolean;
  /** The callback ID of the nth registration of a family, as libvirtd numbers them: per driver. */
  firstId?: number;
  /** Registration procedures (names as in `calls()`) to answer with an error. */
  failing?: Set<string>;
}

/**
 * A client over an in-memory pair whose fake daemon answers event
 * registrations as libvirtd does: callback IDs counted per family (per
 * driver), so a domain and a storage pool registration get the same ID.
 */
export function eventDaemon(options: EventDaemonOptions = {}) {
  const [c, s] = memoryPair();
  const daemon = new FakeDaemon(s);
  const next = new Map<string, number>();
  const seen = new Set<number>();
  s.on("data", () =>
    queueMicrotask(() => {
      for (const [i, m] of daemon.received.entries()) {
        if (seen.has(i)) continue;
        seen.add(i);
        answer(m.header);
      }
    }),
  );
  const give = (family: string): number => {
    const id = next.get(family) ?? options.firstId ?? 1;
    next.set(family, id + 1);
    return id;
  };
  const answer = (h: Header): void => {
    const name = names.get(`${h.prog}:${h.proc}`) ?? "";
    if (options.failing?.has(name)) {
      daemon.reply(h, codecs.remote_error, { code: 1, domain: 0, message: "refused", level: 2, dom: null, str1: null, str2: null, str3: null, int1: 0, int2: 0, net: null }, MessageStatus.VIR_NET_ERROR);
      return;
    }
    if (h.proc === P.connectSupportsFeature.number && h.prog === remoteProgram.program) {
      daemon.reply(h, codecs.remote_connect_supports_feature_ret, { supported: options.callbackForm === false ? 0 : 1 });
    } else if (name === "CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY") {
      daemon.reply(h, codecs.remote_connect_domain_event_callback_register_any_ret, { callbackID: give("domain") });
    } else if (name === "CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY") {
      daemon.reply(h, codecs.remote_connect_storage_pool_event_register_any_ret, { callbackID: give("pool") });
    } else if (name === "CONNECT_NETWORK_EVENT_REGISTER_ANY") {
      daemon.reply(h, codecs.remote_connect_network_event_register_any_ret, { callbackID: give("network") });
    } else if (name === "QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_REGISTER") {
      // The QEMU monitor callbacks share the QEMU driver's domain list.
      daemon.reply(h, qemuCodecs.qemu_connect_domain_monitor_event_register_ret, { callbackID: give("domain") });
    } else daemon.reply(h, null);
  };
  const client = new Client(c, parseUri("test:///default"), { description: "memory", connect: async () => c });
  const calls = (): string[] => daemon.received.map((m) => names.get(`${m.header.prog}:${m.header.proc}`)!);
  const send = <T>(proc: { number: number }, codec: Codec<T>, body: T, prog: { program: number; version: number } = remoteProgram): void =>
    daemon.send({ type: MessageType.VIR_NET_MESSAGE, prog: prog.program, vers: prog.version, proc: proc.number }, codec, body);
  return {
    client,
    daemon,
    calls,
    lifecycle: (callbackID: number, d: ReturnType<typeof dom>, event: number) =>
      send(P.domainEventCallbackLifecycle, codecs.remote_domain_event_callback_lifecycle_msg, { callbackID, msg: { dom: d, event, detail: 0 } }),
    poolLifecycle: (callbackID: number, p: ReturnType<typeof pool>, event: number) =>
      send(P.storagePoolEventLifecycle, codecs.remote_storage_pool_event_lifecycle_msg, { callbackID, pool: p, event, detail: 0 }),
    networkLifecycle: (callbackID: number, n: ReturnType<typeof pool>, event: number) =>
      send(P.networkEventLifecycle, codecs.remote_network_event_lifecycle_msg, { callbackID, net: n, event, detail: 0 }),
    monitor: (callbackID: number, d: ReturnType<typeof dom>, event: string) =>
      send(Q.domainMonitorEvent, qemuCodecs.qemu_domain_monitor_event_msg, { callbackID, dom: d, event, seconds: 1n, micros: 0, details: null }, qemuProgram),
  };
}

/**
 * A connection as a reconnecting manager would hand it to the dispatcher:
 * calls and events of one client, whose loss is not the end of events
 * (its 'close' is not passed on; the manager calls reattach instead).
 */
export function managed(client: Client): EventConnection {
  return {
    call: (...args) => client.call(...args),
    on(event: "event" | "close", listener: (x: never) => void) {
      if (event === "event") client.on("event", listener as (e: InboundEvent) => void);
      return this;
    },
  };
}
