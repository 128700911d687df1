import { describe, expect, it } from "vitest";
import { AbortError, OptionError, TimeoutError } from "../../src/rpc/errors.js";
import { dom, eventDaemon } from "./event-daemon.js";

describe("waitFor", () => {
  it("registers before `ready` resolves; settles with the first event the predicate accepts; then deregisters", async () => {
    const { client, lifecycle, calls } = eventDaemon();
    const started = client.events.waitFor("domain", "lifecycle", { filter: dom("a", 1), predicate: (e) => e.data.event === 2 });
    await started.ready;
    expect(calls().at(-1)).toBe("CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY");
    lifecycle(1, dom("a", 1), 0);
    lifecycle(1, dom("a", 1), 2);
    lifecycle(1, dom("a", 1), 2);
    const e = await started;
    expect(e).toMatchObject({ family: "domain", event: "lifecycle", data: { event: 2, dom: { name: "a" } } });
    await expect.poll(() => calls().at(-1)).toBe("CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY");
    expect(client.events.registrationCount).toBe(0);
    client.destroy();
  });

  it("rejects with TimeoutError, AbortError (signal, cancel) or the predicate's error, and removes its registration", async () => {
    const { client } = eventDaemon();
    const timedOut = client.events.waitFor("domain", "lifecycle", { timeout: 50 });
    await expect(timedOut).rejects.toBeInstanceOf(TimeoutError);
    const ac = new AbortController();
    const aborted = client.events.waitFor("domain", "lifecycle", { signal: ac.signal });
    await aborted.ready;
    ac.abort(new Error("enough"));
    await expect(aborted).rejects.toMatchObject({ name: "AbortError", cause: { message: "enough" } });
    const cancelled = client.events.waitFor("domain", "reboot");
    cancelled.cancel();
    await expect(cancelled).rejects.toBeInstanceOf(AbortError);
    await expect.poll(() => client.events.registrationCount).toBe(0);
    client.destroy();
  }, 10_000);

  it("a predicate that throws rejects the wait with its error", async () => {
    const { client, lifecycle } = eventDaemon();
    const picky = client.events.waitFor("domain", "lifecycle", {
      predicate: () => {
        throw new Error("bad predicate");
      },
    });
    await picky.ready;
    lifecycle(1, dom("a", 1), 0);
    await expect(picky).rejects.toThrow("bad predicate");
    await expect.poll(() => client.events.registrationCount).toBe(0);
    client.destroy();
  }, 10_000);

  it("an aborted signal registers nothing; bad options throw an OptionError at once", async () => {
    const { client, calls } = eventDaemon();
    const w = client.events.waitFor("domain", "lifecycle", { signal: AbortSignal.abort() });
    await expect(w).rejects.toBeInstanceOf(AbortError);
    expect(calls()).toEqual([]);
    for (const bad of [{ timeout: -1 }, { timeout: Number.NaN }, { signal: {} }, { predicate: "x" }]) {
      expect(() => client.events.waitFor("domain", "lifecycle", bad as never)).toThrow(OptionError);
    }
    client.destroy();
  });

  it("the connection's end rejects a waiter with its error", async () => {
    const { client, daemon } = eventDaemon();
    const w = client.events.waitFor("domain", "lifecycle");
    await w.ready;
    daemon.stream.end();
    await expect(w).rejects.toMatchObject({ code: "ERR_CLOSED" });
  });
});
