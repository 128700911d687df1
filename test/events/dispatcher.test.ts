import { describe, expect, it } from "vitest";
import { Client } from "../../src/client/client.js";
import { codecs, remoteProgram } from "../../src/gen/remote_protocol.js";
import { MessageType, type Header } from "../../src/rpc/message.js";
import { memoryPair } from "../../src/transport/memory.js";
import { parseUri } from "../../src/uri.js";
import { decode } from "../../src/xdr/index.js";
import { FakeDaemon } from "../helpers/fake-daemon.js";


const P = remoteProgram.procedures;
const dom = (name: string, b: number) => ({ name, uuid: new Uint8Array(16).fill(b), id: b });

/** A client over an in-memory pair whose daemon answers event registrations. */
function setup(callbackForm = true): { client: Client; daemon: FakeDaemon; calls: () => string[] } {
  const [c, s] = memoryPair();
  const daemon = new FakeDaemon(s);
  let nextId = 100;
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
  const answer = (h: Header): void => {
    if (h.proc === P.connectSupportsFeature.number) daemon.reply(h, codecs.remote_connect_supports_feature_ret, { supported: callbackForm ? 1 : 0 });
    else if (h.proc === P.connectDomainEventCallbackRegisterAny.number) {
      daemon.reply(h, codecs.remote_connect_domain_event_callback_register_any_ret, { callbackID: nextId++ });
    } else daemon.reply(h, null);
  };
  const client = new Client(c, parseUri("test:///default"), { description: "memory", connect: async () => c });
  const name = new Map<number, string>(Object.values(P).map((p) => [p.number, p.name]));
  return { client, daemon, calls: () => daemon.received.map((m) => name.get(m.header.proc)!.replace("REMOTE_PROC_", "")) };
}

function lifecycle(daemon: FakeDaemon, callbackID: number, d: ReturnType<typeof dom>, event: number): void {
  daemon.send(
    { type: MessageType.VIR_NET_MESSAGE, proc: P.domainEventCallbackLifecycle.number },
    codecs.remote_domain_event_callback_lifecycle_msg,
    { callbackID, msg: { dom: d, event, detail: 0 } },
  );
}

describe("EventDispatcher", () => {
  it("three listeners of one event share one server registration, removed with the last", async () => {
    const { client, calls } = setup();
    const subs = await Promise.all([1, 2, 3].map(() => client.events.subscribe("domain", "lifecycle", () => undefined)));
    expect(calls()).toEqual(["CONNECT_SUPPORTS_FEATURE", "CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY"]);
    await subs[0]!.close();
    await subs[1]!.close();
    expect(calls()).toHaveLength(2);
    await subs[2]!.close();
    expect(calls().at(-1)).toBe("CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY");
  });

  it("routes by callback ID: a filtered registration is separate and sees only its domain", async () => {
    const { client, daemon } = setup();
    const all: string[] = [];
    const one: string[] = [];
    await client.events.subscribe("domain", "lifecycle", (e) => void all.push(e.data.dom.name));
    await client.events.subscribe("domain", "lifecycle", (e) => void one.push(e.data.dom.name), { filter: dom("a", 1) });
    const regs = daemon.received.filter((m) => m.header.proc === P.connectDomainEventCallbackRegisterAny.number);
    const filters = regs.map((m) => decode(codecs.remote_connect_domain_event_callback_register_any_args, m.body).dom?.name ?? null);
    expect(filters).toEqual([null, "a"]);
    lifecycle(daemon, 100, dom("a", 1), 2);
    lifecycle(daemon, 100, dom("b", 2), 2);
    lifecycle(daemon, 101, dom("a", 1), 2);
    lifecycle(daemon, 999, dom("c", 3), 2); // a callback ID nobody holds: dropped
    await expect.poll(() => all.length).toBe(2);
    expect(all).toEqual(["a", "b"]);
    expect(one).toEqual(["a"]);
  });

  it("a paused listener's queue is bounded: the oldest are dropped and counted; others are not delayed", async () => {
    const { client, daemon } = setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: number[] = [];
    const fast: number[] = [];
    const paused = await client.events.subscribe("domain", "lifecycle", async (e) => {
      await gate;
      slow.push(e.data.event);
    }, { queue: 3 });
    await client.events.subscribe("domain", "lifecycle", (e) => void fast.push(e.data.event));
    for (let i = 0; i < 10; i++) lifecycle(daemon, 100, dom("a", 1), i);
    await expect.poll(() => fast.length).toBe(10);
    expect(paused.pending).toBe(3);
    expect(paused.dropped).toBe(6);
    release();
    await expect.poll(() => slow.length).toBe(4);
    // The first was already being delivered; of the rest, the newest three were kept.
    expect(slow).toEqual([0, 7, 8, 9]);
  });

  it("synchronous listeners see events in arrival order across event kinds", async () => {
    const { client, daemon } = setup();
    const order: string[] = [];
    await client.events.subscribe("domain", "lifecycle", (e) => void order.push(`lifecycle ${e.data.event}`));
    await client.events.subscribe("domain", "reboot", () => void order.push("reboot"));
    lifecycle(daemon, 100, dom("a", 1), 1);
    daemon.send({ type: MessageType.VIR_NET_MESSAGE, proc: P.domainEventCallbackReboot.number }, codecs.remote_domain_event_callback_reboot_msg, { callbackID: 101, msg: { dom: dom("a", 1) } });
    lifecycle(daemon, 100, dom("a", 1), 2);
    await expect.poll(() => order.length).toBe(3);
    expect(order).toEqual(["lifecycle 1", "reboot", "lifecycle 2"]);
  });

  it("an iterator throws the connection's error when the daemon goes away", async () => {
    const { client, daemon } = setup();
    const it1 = client.events.stream("domain", "lifecycle");
    const first = it1.next();
    await new Promise((r) => setTimeout(r, 10));
    lifecycle(daemon, 100, dom("a", 1), 5);
    expect((await first).value?.data.event).toBe(5);
    daemon.stream.end();
    await expect(it1.next()).rejects.toMatchObject({ code: "ERR_CLOSED", reason: "eof" });
  });

  it("falls back to the legacy form when the daemon lacks REMOTE_EVENT_CALLBACK, filtering by domain itself", async () => {
    const { client, daemon, calls } = setup(false);
    const all: string[] = [];
    const onlyA: string[] = [];
    const s1 = await client.events.subscribe("domain", "lifecycle", (e) => void all.push(e.data.dom.name));
    const s2 = await client.events.subscribe("domain", "lifecycle", (e) => void onlyA.push(e.data.dom.name), { filter: dom("a", 1) });
    // One legacy registration per event ID, whatever the filters.
    expect(calls()).toEqual(["CONNECT_SUPPORTS_FEATURE", "CONNECT_DOMAIN_EVENT_REGISTER_ANY"]);
    for (const d of [dom("a", 1), dom("b", 2)]) {
      daemon.send({ type: MessageType.VIR_NET_MESSAGE, proc: P.domainEventLifecycle.number }, codecs.remote_domain_event_lifecycle_msg, { dom: d, event: 2, detail: 0 });
    }
    await expect.poll(() => all.length).toBe(2);
    expect(onlyA).toEqual(["a"]);
    await expect(client.events.subscribe("domain", "tunable", () => undefined)).rejects.toThrow("legacy event form, which has no 'tunable' event");
    await s1.close();
    expect(calls()).toHaveLength(2);
    await s2.close();
    expect(calls().at(-1)).toBe("CONNECT_DOMAIN_EVENT_DEREGISTER_ANY");
  });
});
