import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { connect, type Client, type DisconnectInfo } from "../../src/client/client.js";
import type { ReconnectFailedInfo } from "../../src/client/reconnect.js";
import { codecs, remoteProgram } from "../../src/gen/remote_protocol.js";
import { FakeDaemon } from "../helpers/fake-daemon.js";

const P = remoteProgram.procedures;

/** When a hostile daemon drops each connection. */
type Drop = "after-handshake" | "after-open" | { after: number };

/**
 * A hostile daemon on loopback TCP: it accepts, answers the handshake
 * (AUTH_LIST: none; CONNECT_OPEN; keepalive supported: no), and drops the
 * connection where `drop(n)` says for its n-th connection (1-based).
 */
async function flappingDaemon(drop: (n: number) => Drop): Promise<{ server: Server; uri: string; dials: number[] }> {
  const dials: number[] = [];
  const server = createServer((socket: Socket) => {
    dials.push(Date.now());
    const how = drop(dials.length);
    const d = new FakeDaemon(socket);
    socket.on("error", () => {});
    let seen = 0;
    socket.on("data", () =>
      queueMicrotask(() => {
        for (; seen < d.received.length; seen++) {
          const h = d.received[seen]!.header;
          if (h.proc === P.authList.number) d.reply(h, codecs.remote_auth_list_ret, { types: [0] });
          else if (h.proc === P.connectOpen.number) {
            d.reply(h, null);
            if (how === "after-open") socket.end(() => socket.destroy());
          } else if (h.proc === P.connectSupportsFeature.number) {
            d.reply(h, codecs.remote_connect_supports_feature_ret, { supported: 0 });
            // The handshake is complete: the client counts this as reconnected.
            if (how === "after-handshake") socket.end(() => socket.destroy());
            else if (typeof how === "object") setTimeout(() => socket.destroy(), how.after).unref();
          } else d.reply(h, null);
        }
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return { server, uri: `test+tcp://127.0.0.1:${port}/default`, dials };
}

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Non-decreasing: with equal jitter, the wait before attempt n+1 is never shorter than before attempt n, below maxDelay. */
const growing = (xs: number[]): boolean => xs.every((x, i) => i === 0 || x >= xs[i - 1]!);

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

function track(c: Client): { downs: DisconnectInfo[]; failures: ReconnectFailedInfo[] } {
  const downs: DisconnectInfo[] = [];
  const failures: ReconnectFailedInfo[] = [];
  c.on("disconnect", (i) => void downs.push(i));
  c.on("reconnectFailed", (f) => void failures.push(f));
  return { downs, failures };
}

describe("Client: reconnect backoff against a flapping daemon", () => {
  it("a daemon that drops every connection right after the handshake is redialled at a growing interval, not at initialDelay each time", async () => {
    const d = await flappingDaemon(() => "after-handshake");
    cleanup.push(() => d.server.close());
    const c = await connect(d.uri, { reconnect: { initialDelay: 20, maxDelay: 5_000 } });
    cleanup.push(() => c.destroy());
    const { downs } = track(c);
    // Waits of 20 ms doubling: 7 losses take a few seconds, however loaded the machine.
    await until("7 losses", () => downs.length >= 7);
    const waits = downs.map((i) => i.retryIn);
    console.log(`flapping after the handshake: waits before redialling ${waits.map((w) => w.toFixed(0)).join(", ")} ms`);
    // Before, each successful handshake started the delays over: every wait was 10-20 ms.
    expect(growing(waits.slice(0, 7)), waits.join(", ")).toBe(true);
    expect(waits[6]).toBeGreaterThanOrEqual(20 * 2 ** 6 / 2);
    // The dials are as far apart as the waits say (the peer drops at once, so little else separates them).
    const gaps = d.dials.slice(1, 7).map((t, i) => t - d.dials[i]!);
    for (const [i, gap] of gaps.entries()) expect(gap, `gap ${i + 1}`).toBeGreaterThanOrEqual(Math.floor(waits[i]!) - 2);
  });

  it("a connection that stays up stableAfter ms counts as healthy: the next loss is redialled at initialDelay again", async () => {
    // Connections 1-4 drop after the handshake, 5 stays up 600 ms, 6 and later drop at once again.
    const d = await flappingDaemon((n) => (n === 5 ? { after: 600 } : "after-handshake"));
    cleanup.push(() => d.server.close());
    const c = await connect(d.uri, { reconnect: { initialDelay: 20, maxDelay: 5_000, stableAfter: 400 } });
    cleanup.push(() => c.destroy());
    const { downs } = track(c);
    await until("6 losses", () => downs.length >= 6);
    const waits = downs.map((i) => i.retryIn);
    expect(growing(waits.slice(0, 4)), waits.join(", ")).toBe(true);
    expect(waits[3]).toBeGreaterThanOrEqual(20 * 2 ** 3 / 2);
    // Loss 5 ended the healthy connection: back to initialDelay (10-20 ms with jitter), then growing again.
    expect(waits[4]).toBeLessThanOrEqual(20);
    expect(waits[5]).toBeGreaterThanOrEqual(20);
  });

  it("a daemon that drops each connection after CONNECT_OPEN's reply: every failed attempt reported, each wait longer", async () => {
    const d = await flappingDaemon((n) => (n === 1 ? { after: 30_000 } : "after-open"));
    cleanup.push(() => d.server.close());
    const c = await connect(d.uri, { reconnect: { initialDelay: 20, maxDelay: 5_000 } });
    cleanup.push(() => c.destroy());
    const { failures } = track(c);
    // The first connection is cut from our side: its daemon keeps it.
    (c as unknown as { manager: { stream: Socket } }).manager.stream.destroy();
    await until("6 failed attempts", () => failures.length >= 6);
    expect(failures.map((f) => f.attempt).slice(0, 6)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const f of failures) expect(f.permanent).toBe(false);
    expect(growing(failures.slice(0, 6).map((f) => f.retryIn!))).toBe(true);
    expect(failures[5]!.retryIn).toBeGreaterThanOrEqual(20 * 2 ** 6 / 2);
  });
});
