import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { connect } from "../../src/client/client.js";
import { checkKeepalive, DEFAULT_KEEPALIVE } from "../../src/client/options.js";
import { codecs, remoteProgram } from "../../src/gen/remote_protocol.js";
import { KEEPALIVE_PROGRAM, KeepaliveProcedure } from "../../src/gen/virkeepaliveprotocol.js";
import { OptionError } from "../../src/rpc/errors.js";
import { MemoryTransport } from "../../src/transport/memory.js";
import { FakeDaemon } from "../helpers/fake-daemon.js";

const P = remoteProgram.procedures;

/** A daemon that supports keepalive and answers the handshake, but never a PING. */
function silentDaemon(): { transport: MemoryTransport; pings: () => number; dials: () => number } {
  let daemon: FakeDaemon | null = null;
  let dials = 0;
  const transport = new MemoryTransport((server: Duplex) => {
    dials++;
    const d = (daemon = new FakeDaemon(server));
    let seen = 0;
    server.on("data", () =>
      queueMicrotask(() => {
        for (; seen < d.received.length; seen++) {
          const h = d.received[seen]!.header;
          if (h.prog === KEEPALIVE_PROGRAM) continue;
          if (h.proc === P.authList.number) d.reply(h, codecs.remote_auth_list_ret, { types: [0] });
          else if (h.proc === P.connectSupportsFeature.number) d.reply(h, codecs.remote_connect_supports_feature_ret, { supported: 1 });
          else d.reply(h, null);
        }
      }),
    );
  });
  const pings = (): number => daemon?.received.filter((m) => m.header.prog === KEEPALIVE_PROGRAM && m.header.proc === KeepaliveProcedure.KEEPALIVE_PROC_PING).length ?? 0;
  return { transport, pings, dials: () => dials };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("keepalive: libvirt's values only", () => {
  it.each([
    [{ interval: 0.001, count: 5 }, /keepalive.interval must be a whole number of seconds/],
    [{ interval: 0.5, count: 5 }, /keepalive.interval must be a whole number of seconds/],
    [{ interval: 1.5, count: 5 }, /keepalive.interval must be a whole number of seconds/],
    // virsh: "option -k requires a positive integer argument".
    [{ interval: -1, count: 5 }, /keepalive.interval must be a whole number of seconds, 0 \(off\) or more, not -1/],
    [{ interval: 2147484, count: 5 }, /too large \(at most 2147483 s\)/],
    [{ interval: 5, count: 0.5 }, /keepalive.count must be a whole number/],
    [{ interval: 5, count: -1 }, /keepalive.count must be a whole number/],
    [{ interval: 5, count: 2 ** 32 }, /keepalive.count must be a whole number/],
  ])("connect() refuses %o with an OptionError, before dialling", async (keepalive, message) => {
    const transport = new MemoryTransport(() => {
      throw new Error("must not dial");
    });
    const error = await connect("test:///default", { transport, keepalive }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OptionError);
    expect((error as Error).message).toMatch(message);
  });

  it("takes what virsh's -k/-K take: 0 turns it off, 1 s and the int limit are kept, a count of 0 is allowed", () => {
    expect(checkKeepalive({ interval: 0, count: 5 })).toBe(false);
    expect(checkKeepalive({ interval: 1, count: 0 })).toEqual({ interval: 1, count: 0 });
    expect(checkKeepalive({ interval: 2147483, count: 4294967295 })).toEqual({ interval: 2147483, count: 4294967295 });
  });
});

describe("keepalive: the default", () => {
  it("is libvirt's 5 s x 5, as the README says", () => {
    expect(DEFAULT_KEEPALIVE).toEqual({ interval: 5, count: 5 });
  });

  it("a daemon that never answers gets a PING every 5 s of silence, 5 in all, and the connection ends after 30 s (5 x (5 + 1)) with reason keepalive", async () => {
    // Only the keepalive's clock is faked: the in-memory streams run as usual.
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    const d = silentDaemon();
    const c = await connect("test:///default", { transport: d.transport });
    expect(c.keepalive).toEqual({ interval: 5, count: 5 });
    let closedAt: number | null = null;
    const t0 = Date.now();
    void c.closed.then(() => (closedAt = Date.now() - t0));
    const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
    const at = async (ms: number): Promise<void> => {
      await vi.advanceTimersByTimeAsync(ms - (Date.now() - t0));
      await settle();
    };
    await at(4_999);
    expect(d.pings()).toBe(0);
    await at(5_000);
    expect(d.pings()).toBe(1);
    await at(24_999);
    expect(d.pings()).toBe(4);
    await at(25_000);
    expect(d.pings()).toBe(5);
    await at(29_999);
    expect(closedAt).toBeNull();
    await at(30_000);
    expect(closedAt).toBe(30_000);
    expect((await c.closed).reason).toBe("keepalive");
    expect(d.pings()).toBe(5);
    expect(d.dials()).toBe(1);
  });
});
