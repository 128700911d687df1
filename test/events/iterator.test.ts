import { describe, expect, it } from "vitest";
import { OptionError } from "../../src/rpc/errors.js";
import { dom, eventDaemon } from "./event-daemon.js";

const within = <T>(p: Promise<T>, ms = 2000): Promise<T | "pending"> =>
  Promise.race([p, new Promise<"pending">((r) => setTimeout(() => r("pending"), ms))]);

describe("event iterators", () => {
  it("concurrent next() calls each get one event, in call order (issue 13, defect 17)", async () => {
    const { client, lifecycle } = eventDaemon();
    const it1 = client.events.stream("domain", "lifecycle");
    const a = it1.next();
    const b = it1.next();
    const c = it1.next();
    await client.events.stream("domain", "lifecycle").return(); // a registration round trip: ours is in place
    lifecycle(1, dom("a", 1), 10);
    lifecycle(1, dom("a", 1), 11);
    lifecycle(1, dom("a", 1), 12);
    const got = await within(Promise.all([a, b, c]));
    expect(got).not.toBe("pending");
    expect((got as { value: { data: { event: number } } }[]).map((r) => r.value.data.event)).toEqual([10, 11, 12]);
    await it1.return();
    client.destroy();
  });

  it("return() settles every pending next() with done", async () => {
    const { client } = eventDaemon();
    const it1 = client.events.stream("domain", "lifecycle");
    const pending = [it1.next(), it1.next(), it1.next()];
    // Registered, and all three waiting for an event.
    await new Promise((r) => setTimeout(r, 20));
    const ended = it1.return();
    expect(await within(Promise.all(pending))).toEqual([
      { value: undefined, done: true },
      { value: undefined, done: true },
      { value: undefined, done: true },
    ]);
    expect(await within(ended)).toEqual({ value: undefined, done: true });
    expect(await it1.next()).toEqual({ value: undefined, done: true });
    expect(client.events.registrationCount).toBe(0);
    client.destroy();
  });

  it("`ready` resolves once the daemon's registration is in place: an event right after it is delivered", async () => {
    const { client, lifecycle, calls } = eventDaemon();
    const it1 = client.events.stream("domain", "lifecycle");
    await it1.ready;
    expect(calls()).toEqual(["CONNECT_SUPPORTS_FEATURE", "CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY"]);
    lifecycle(1, dom("a", 1), 3);
    const r = await within(it1.next());
    expect(r).toMatchObject({ done: false, value: { data: { event: 3 } } });
    await it1.return();
    client.destroy();
  });

  it("a failed registration rejects `ready` and every next(), with nothing left unhandled", async () => {
    const { client } = eventDaemon({ failing: new Set(["CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY"]) });
    const it1 = client.events.stream("storagePool", "lifecycle");
    const pending = [it1.next(), it1.next()];
    await expect(it1.ready).rejects.toThrow("refused");
    for (const p of pending) await expect(p).rejects.toThrow("refused");
    expect(client.events.registrationCount).toBe(0);
    // Never awaited: must not surface as an unhandled rejection.
    client.events.stream("storagePool", "lifecycle");
    await new Promise((r) => setTimeout(r, 20));
    client.destroy();
  });

  it("bad options fail at once with an OptionError", () => {
    const { client } = eventDaemon();
    expect(() => client.events.stream("domain", "lifecycle", { signal: {} as AbortSignal })).toThrow(OptionError);
    expect(() => client.events.stream("domain", "lifecycle", { queue: 0 })).toThrow(OptionError);
    expect(() => client.events.stream("domain", "lifecycle", { filter: { name: 3 } as never })).toThrow(OptionError);
    expect(client.events.registrationCount).toBe(0);
    client.destroy();
  });
});
