import { afterEach, describe, expect, it, vi } from "vitest";
import { ListenerError } from "../../src/events/errors.js";
import { dom, eventDaemon } from "./event-daemon.js";

afterEach(() => vi.restoreAllMocks());

/** Process-level failures during the test: with the defect, the first listener error lands here. */
function watchProcess(): { uncaught: unknown[]; stop(): void } {
  const uncaught: unknown[] = [];
  const onError = (e: unknown): void => void uncaught.push(e);
  process.on("uncaughtException", onError);
  process.on("unhandledRejection", onError);
  return {
    uncaught,
    stop() {
      process.off("uncaughtException", onError);
      process.off("unhandledRejection", onError);
    },
  };
}

describe("a failing listener (issue 13, defect 6)", () => {
  it("throwing or rejecting: the others and the failing subscription keep running; one warning, no crash", async () => {
    const watch = watchProcess();
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    try {
      const { client, lifecycle } = eventDaemon();
      const good: number[] = [];
      const thrower: number[] = [];
      const rejecter: number[] = [];
      await client.events.subscribe("domain", "lifecycle", (e) => void good.push(e.data.event));
      const t = await client.events.subscribe("domain", "lifecycle", (e) => {
        thrower.push(e.data.event);
        throw new Error(`sync ${e.data.event}`);
      });
      const r = await client.events.subscribe("domain", "lifecycle", async (e) => {
        rejecter.push(e.data.event);
        await Promise.resolve();
        throw new Error(`async ${e.data.event}`);
      });
      for (let i = 0; i < 5; i++) lifecycle(1, dom("a", 1), i);
      await expect.poll(() => rejecter.length).toBe(5);
      await new Promise((res) => setTimeout(res, 20));
      expect(good).toEqual([0, 1, 2, 3, 4]);
      expect(thrower).toEqual([0, 1, 2, 3, 4]);
      expect(watch.uncaught).toEqual([]);
      expect([t.errors, r.errors]).toEqual([5, 5]);
      // Nobody listens for 'error': one warning per failing subscription, then only counted.
      expect(warn).toHaveBeenCalledTimes(2);
      const warned = warn.mock.calls.map((c) => c[0]);
      expect(warned.every((w) => w instanceof ListenerError)).toBe(true);
      expect((warned[0] as ListenerError).cause).toMatchObject({ message: "sync 0" });
      expect((warned[1] as ListenerError).cause).toMatchObject({ message: "async 0" });
      expect(warned[0]).toMatchObject({ code: "ERR_LISTENER", family: "domain", event: "lifecycle", item: { data: { event: 0 } } });
      client.destroy();
    } finally {
      watch.stop();
    }
  });

  it("onError gets the error and the event; without it, the dispatcher's 'error' event gets a ListenerError", async () => {
    const watch = watchProcess();
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    try {
      const { client, lifecycle } = eventDaemon();
      const handled: [string, number][] = [];
      const emitted: ListenerError[] = [];
      client.events.on("error", (e) => void emitted.push(e as ListenerError));
      await client.events.subscribe(
        "domain",
        "lifecycle",
        (e) => {
          throw new Error(`own ${e.data.event}`);
        },
        { onError: (err, e) => void handled.push([(err as Error).message, "data" in e ? e.data.event : -1]) },
      );
      await client.events.subscribe("domain", "lifecycle", () => Promise.reject(new Error("shared")));
      lifecycle(1, dom("a", 1), 7);
      lifecycle(1, dom("a", 1), 8);
      await expect.poll(() => emitted.length).toBe(2);
      expect(handled).toEqual([["own 7", 7], ["own 8", 8]]);
      expect(emitted.map((e) => [(e.cause as Error).message, e.family, e.event])).toEqual([["shared", "domain", "lifecycle"], ["shared", "domain", "lifecycle"]]);
      expect(warn).not.toHaveBeenCalled();
      expect(watch.uncaught).toEqual([]);
      client.destroy();
    } finally {
      watch.stop();
    }
  });

  it("an 'error' listener or onError that throws is reported by a warning, never thrown", async () => {
    const watch = watchProcess();
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    try {
      const { client, lifecycle } = eventDaemon();
      client.events.on("error", () => {
        throw new Error("the handler is broken too");
      });
      const seen: number[] = [];
      await client.events.subscribe(
        "domain",
        "lifecycle",
        (e) => {
          seen.push(e.data.event);
          throw new Error("listener");
        },
        {
          onError: () => {
            throw new Error("onError");
          },
        },
      );
      lifecycle(1, dom("a", 1), 1);
      lifecycle(1, dom("a", 1), 2);
      await expect.poll(() => seen.length).toBe(2);
      await new Promise((res) => setTimeout(res, 20));
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![0]).toMatchObject({ message: "the handler is broken too" });
      expect(watch.uncaught).toEqual([]);
      client.destroy();
    } finally {
      watch.stop();
    }
  });
});
