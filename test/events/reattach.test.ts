import { describe, expect, it } from "vitest";
import { EventDispatcher } from "../../src/events/dispatcher.js";
import { EventGapError } from "../../src/events/errors.js";
import { EventGap, isGap } from "../../src/events/gap.js";
import { codecs, remoteProgram } from "../../src/gen/remote_protocol.js";
import { decode } from "../../src/xdr/index.js";
import { dom, eventDaemon, managed, pool } from "./event-daemon.js";

const P = remoteProgram.procedures;
const label = (x: unknown): string => (isGap(x) ? `gap ${x.family} ${x.event}` : `event ${(x as { data: { event: number } }).data.event}`);

describe("EventDispatcher.reattach: the same subscriptions on a new connection", () => {
  it("registers once per shared key on the new daemon, routes its new IDs to the same subscriptions, and marks the gap", async () => {
    const a = eventDaemon({ firstId: 100 });
    const b = eventDaemon({ firstId: 5 });
    const events = new EventDispatcher(managed(a.client));
    const shared: string[][] = [[], [], []];
    const subs = await Promise.all(shared.map((list) => events.subscribe("domain", "lifecycle", (e) => void list.push(e.data.dom.name))));
    const onlyA: (string | EventGap)[] = [];
    const filtered = await events.subscribe("domain", "lifecycle", (e) => void onlyA.push(e instanceof EventGap ? e : e.data.dom.name), { filter: dom("a", 1), gaps: true });
    const pools: string[] = [];
    const poolSub = await events.subscribe("storagePool", "lifecycle", (e) => void pools.push(e.data.pool.name));
    const it1 = events.stream("domain", "lifecycle", { gaps: true });
    const plain = events.stream("storagePool", "lifecycle");
    await Promise.all([it1.ready, plain.ready]);
    expect(events.registrationCount).toBe(3);

    a.lifecycle(100, dom("a", 1), 1); // shared, unfiltered: ID 100; filtered: 101; pool: 100
    a.lifecycle(101, dom("a", 1), 1);
    a.poolLifecycle(100, pool("p", 9), 1);
    await expect.poll(() => pools.length).toBe(1);

    // The old connection is gone; the manager has a new one.
    a.daemon.stream.destroy();
    const before = b.calls().length;
    await events.reattach(managed(b.client));
    const registered = b.daemon.received.slice(before).filter((m) => m.header.proc === P.connectDomainEventCallbackRegisterAny.number);
    const filters = registered.map((m) => decode(codecs.remote_connect_domain_event_callback_register_any_args, m.body).dom?.name ?? null);
    expect([...filters].sort()).toEqual(["a", null].sort());
    expect(b.calls().filter((c) => c.includes("REGISTER")).sort()).toEqual(
      ["CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY", "CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY", "CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY"].sort(),
    );
    expect(events.registrationCount).toBe(3);

    // On B the domain registrations got 5 and 6 (in some order), the pool 5.
    const idOf = (name: string | null): number => 5 + filters.indexOf(name);
    b.lifecycle(idOf(null), dom("b", 2), 2);
    b.lifecycle(idOf("a"), dom("a", 1), 2);
    b.poolLifecycle(5, pool("p", 9), 2);
    b.lifecycle(100, dom("x", 7), 2); // an old ID means nothing on the new connection
    await expect.poll(() => pools.length).toBe(2);
    await expect.poll(() => shared[2]!.length).toBe(2);
    expect(shared).toEqual([["a", "b"], ["a", "b"], ["a", "b"]]);
    expect(onlyA.map((x) => (typeof x === "string" ? x : `gap ${x.reason}`))).toEqual(["a", "gap reconnect", "a"]);
    expect(pools).toEqual(["p", "p"]);
    expect([...subs, filtered, poolSub].map((s) => s.gaps)).toEqual([1, 1, 1, 1, 1]);
    expect([it1.gaps, plain.gaps]).toEqual([1, 1]);

    // The iterator that asked for gaps sees old events, the marker, new events; the other only counts it.
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) seen.push(label((await it1.next()).value));
    expect(seen).toEqual(["event 1", "gap domain lifecycle", "event 2"]);
    expect(label((await plain.next()).value)).toBe("event 1");
    expect(label((await plain.next()).value)).toBe("event 2");

    // Closing deregisters on the new daemon with its IDs; nothing goes to the old one.
    for (const s of [...subs, filtered, poolSub]) await s.close();
    await it1.return();
    await plain.return();
    const deregistered = b.daemon.received
      .filter((m) => m.header.proc === P.connectDomainEventCallbackDeregisterAny.number)
      .map((m) => decode(codecs.remote_connect_domain_event_callback_deregister_any_args, m.body).callbackID);
    expect(deregistered.sort()).toEqual([5, 6]);
    expect(b.calls()).toContain("CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY");
    expect(a.calls().some((c) => c.includes("DEREGISTER"))).toBe(false);
    expect(events.registrationCount).toBe(0);
    b.client.destroy();
  }, 10_000);

  it("a registration that fails on the new connection rejects reattach; the subscription stays and the next reattach carries it", async () => {
    const a = eventDaemon();
    const refusing = eventDaemon({ failing: new Set(["CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY"]) });
    const c = eventDaemon({ firstId: 40 });
    const events = new EventDispatcher(managed(a.client));
    const pools: string[] = [];
    const domains: string[] = [];
    const poolSub = await events.subscribe("storagePool", "lifecycle", (e) => void pools.push(e.data.pool.name));
    await events.subscribe("domain", "lifecycle", (e) => void domains.push(e.data.dom.name));
    a.daemon.stream.destroy();
    const reported: Error[] = [];
    events.on("error", (e) => void reported.push(e));
    await expect(events.reattach(managed(refusing.client))).rejects.toThrow("refused");
    expect(reported.map((e) => e.message)).toEqual(["refused"]);
    refusing.lifecycle(1, dom("d", 1), 0); // the domain registration made it
    await expect.poll(() => domains).toEqual(["d"]);
    refusing.daemon.stream.destroy();
    await events.reattach(managed(c.client));
    c.poolLifecycle(40, pool("p", 2), 0);
    await expect.poll(() => pools).toEqual(["p"]);
    expect(poolSub.gaps).toBe(2);
    c.client.destroy();
  });

  it("a waiter across a reconnect rejects with EventGapError: its event may have come while down", async () => {
    const a = eventDaemon();
    const b = eventDaemon();
    const events = new EventDispatcher(managed(a.client));
    const w = events.waitFor("domain", "lifecycle", { timeout: 10_000 });
    await w.ready;
    a.daemon.stream.destroy();
    await events.reattach(managed(b.client));
    await expect(w).rejects.toBeInstanceOf(EventGapError);
    await expect.poll(() => events.registrationCount).toBe(0);
    b.client.destroy();
  });

  it("the final close of the current connection ends iterators; a replaced connection's close is ignored", async () => {
    const a = eventDaemon();
    const b = eventDaemon();
    const events = new EventDispatcher(a.client); // a Client: its 'close' is final
    const it1 = events.stream("domain", "lifecycle");
    await it1.ready;
    await events.reattach(b.client);
    a.client.destroy(); // the replaced one: ignored
    b.lifecycle(1, dom("b", 2), 4);
    expect((await it1.next()).value?.data.event).toBe(4);
    b.daemon.stream.end();
    await expect(it1.next()).rejects.toMatchObject({ code: "ERR_CLOSED", reason: "eof" });
    await expect(events.reattach(a.client)).rejects.toMatchObject({ code: "ERR_CLOSED" });
  });
});
