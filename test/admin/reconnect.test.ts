// connectAdmin on the connection manager: keepalive when asked for (off by
// default, as libvirt-admin), and `reconnect` with connect()'s policy and
// events. An in-memory admin server stands for the daemon; the real one is
// in test/e2e/admin.test.ts.
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { connectAdmin, type AdminClient } from "../../src/admin/client.js";
import type { DisconnectInfo, ReconnectInfo } from "../../src/client/manager.js";
import type { ReconnectFailedInfo } from "../../src/client/reconnect.js";
import { adminProgram, codecs } from "../../src/gen/admin_protocol.js";
import { KEEPALIVE_PROGRAM, KeepaliveProcedure } from "../../src/gen/virkeepaliveprotocol.js";
import { ConnectionClosedError, OptionError } from "../../src/rpc/errors.js";
import { MemoryTransport } from "../../src/transport/memory.js";
import { FakeDaemon } from "../helpers/fake-daemon.js";

const P = adminProgram.procedures;

/**
 * An admin server: answers every admin call (CONNECT_GET_LIB_VERSION with
 * 11.3.0), never a PING; `refuse` makes later dials fail as a socket that
 * is gone does.
 */
function adminServer(): { transport: MemoryTransport; daemons: FakeDaemon[]; dials: () => number; refuse: (yes: boolean) => void; pings: () => number } {
  const daemons: FakeDaemon[] = [];
  let refusing = false;
  let dials = 0;
  const transport = new MemoryTransport((server: Duplex) => {
    dials++;
    if (refusing) throw Object.assign(new Error("connect ENOENT /run/libvirt/libvirt-admin-sock"), { code: "ENOENT" });
    const d = new FakeDaemon(server);
    daemons.push(d);
    server.on("end", () => server.end());
    let seen = 0;
    server.on("data", () =>
      queueMicrotask(() => {
        for (; seen < d.received.length; seen++) {
          const h = d.received[seen]!.header;
          if (h.prog === KEEPALIVE_PROGRAM) continue;
          if (h.proc === P.connectGetLibVersion.number) d.reply(h, codecs.admin_connect_get_lib_version_ret, { libVer: 11_003_000n });
          else d.reply(h, null);
        }
      }),
    );
  });
  const pings = (): number =>
    daemons.reduce((n, d) => n + d.received.filter((m) => m.header.prog === KEEPALIVE_PROGRAM && m.header.proc === KeepaliveProcedure.KEEPALIVE_PROC_PING).length, 0);
  return { transport, daemons, dials: () => dials, refuse: (yes) => (refusing = yes), pings };
}

/** The admin procedures a daemon received, in order (keepalive left out). */
const procs = (d: FakeDaemon): number[] => d.received.filter((m) => m.header.prog === adminProgram.program).map((m) => m.header.proc);

const once = <T>(a: AdminClient, name: "disconnect" | "reconnect" | "reconnectFailed"): Promise<T> => new Promise((r) => a.once(name, r as never));

afterEach(() => {
  vi.useRealTimers();
});

describe("connectAdmin: reconnect", () => {
  it("is off by default: a lost connection closes the client, nothing is dialled again", async () => {
    const s = adminServer();
    const a = await connectAdmin("libvirtd:///system", { transport: s.transport });
    s.daemons[0]!.stream.destroy();
    expect((await a.closed).reason).toBe("eof");
    expect(s.dials()).toBe(1);
    expect(a.isReconnecting).toBe(false);
  });

  it("makes a lost connection again with ADMIN_PROC_CONNECT_OPEN (flags 0, no auth); a call made meanwhile waits and goes through", async () => {
    const s = adminServer();
    const a = await connectAdmin("libvirtd:///system", { transport: s.transport, reconnect: { initialDelay: 10, maxDelay: 50 } });
    const lost = once<DisconnectInfo>(a, "disconnect");
    const back = once<ReconnectInfo>(a, "reconnect");
    s.refuse(true);
    s.daemons[0]!.stream.destroy();
    const info = await lost;
    expect(info.reason).toBe("eof");
    expect(a.isReconnecting).toBe(true);
    const waiting = a.connectGetLibVersion({ timeout: 60_000 });
    const failed = once<ReconnectFailedInfo>(a, "reconnectFailed");
    expect(await failed).toMatchObject({ attempt: 1, permanent: false, retryIn: expect.any(Number) });
    s.refuse(false);
    expect(await back).toMatchObject({ attempts: expect.any(Number) });
    expect(await waiting).toEqual({ libVer: 11_003_000n });
    expect(s.daemons).toHaveLength(2);
    // The new connection opens as the first did: CONNECT_OPEN first, nothing before it.
    expect(procs(s.daemons[1]!)).toEqual([P.connectOpen.number, P.connectGetLibVersion.number]);
    expect(s.daemons[1]!.received[0]!.body).toEqual(Uint8Array.from([0, 0, 0, 0]));
    await a.close();
    expect((await a.closed).reason).toBe("client");
    expect(procs(s.daemons[1]!).at(-1)).toBe(P.connectClose.number);
  });

  it("gives up after maxAttempts: a reconnectFailed per attempt, the last with retryIn null, then close with the cause; waiting calls reject", async () => {
    const s = adminServer();
    const a = await connectAdmin("libvirtd:///system", { transport: s.transport, reconnect: { initialDelay: 5, maxDelay: 10, maxAttempts: 3 } });
    const failures: ReconnectFailedInfo[] = [];
    a.on("reconnectFailed", (f) => failures.push(f));
    s.refuse(true);
    s.daemons[0]!.stream.destroy();
    await once(a, "disconnect");
    const waiting = a.connectGetLibVersion().catch((e: unknown) => e);
    const closed = await a.closed;
    expect(failures.map((f) => [f.attempt, f.retryIn === null])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(closed.error).toBeInstanceOf(ConnectionClosedError);
    expect(closed.error.message).toMatch(/gave up reconnecting after 3 attempts: connect ENOENT/);
    expect(await waiting).toBe(closed.error);
    expect(a.isClosed).toBe(true);
  });

  it("close() while reconnecting stops it: close with reason client, no more dials", async () => {
    const s = adminServer();
    const a = await connectAdmin("libvirtd:///system", { transport: s.transport, reconnect: { initialDelay: 60_000 } });
    s.daemons[0]!.stream.destroy();
    await once(a, "disconnect");
    await a.close();
    expect((await a.closed).reason).toBe("client");
    expect(s.dials()).toBe(1);
  });

  it("checks the reconnect option as connect() does, before dialling", async () => {
    const transport = new MemoryTransport(() => {
      throw new Error("must not dial");
    });
    await expect(connectAdmin("libvirtd:///system", { transport, reconnect: { maxAttempts: 0 } })).rejects.toThrow(OptionError);
    await expect(connectAdmin("libvirtd:///system", { transport, reconnect: "yes" as never })).rejects.toThrow(/reconnect must be a boolean/);
  });
});

describe("connectAdmin: keepalive", () => {
  it("a daemon that never answers gets a PING after each interval of silence, and is found dead after count unanswered; with reconnect, the connection is made again", async () => {
    // Only the keepalive's clock is faked: the in-memory streams and the reconnect's timers run as usual.
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    const s = adminServer();
    const a = await connectAdmin("libvirtd:///system", { transport: s.transport, keepalive: { interval: 2, count: 3 }, reconnect: { initialDelay: 0, maxDelay: 0 } });
    expect(a.keepalive).toEqual({ interval: 2, count: 3 });
    const lost = once<DisconnectInfo>(a, "disconnect");
    const back = once<ReconnectInfo>(a, "reconnect");
    const t0 = Date.now();
    const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
    const at = async (ms: number): Promise<void> => {
      await vi.advanceTimersByTimeAsync(ms - (Date.now() - t0));
      await settle();
    };
    await at(1_999);
    expect(s.pings()).toBe(0);
    await at(2_000);
    expect(s.pings()).toBe(1);
    await at(6_000);
    expect(s.pings()).toBe(3);
    expect(a.isReconnecting).toBe(false);
    // 2 s x (3 + 1): the fourth interval without an answer ends it.
    await at(8_000);
    expect((await lost).reason).toBe("keepalive");
    await back;
    expect(s.dials()).toBe(2);
    expect(a.keepalive).toEqual({ interval: 2, count: 3 });
    expect(await a.connectGetLibVersion()).toEqual({ libVer: 11_003_000n });
    a.destroy();
  });

  it("stays off by default, as libvirt-admin: no PING however long the silence", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    const s = adminServer();
    const a = await connectAdmin("libvirtd:///system", { transport: s.transport });
    expect(a.keepalive).toBeNull();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(s.pings()).toBe(0);
    expect(a.isClosed).toBe(false);
    a.destroy();
  });
});
