import { createConnection, createServer, type AddressInfo, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { connect } from "../../src/client/client.js";
import { ConnectionClosedError } from "../../src/rpc/errors.js";
import type { CloseInfo } from "../../src/rpc/session.js";
import { startDaemon } from "../../src/testing/daemon.js";
import { sharedDaemon } from "./daemon.js";

const skip = sharedDaemon() === null;

/** Open TCP sockets of this process, to show none was left behind (timers come and go with vitest's own). */
function sockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;
}

describe.skipIf(skip)("a daemon that dies or falls silent", () => {
  it("killed with 100 calls in flight: all reject at once with one error, closed fires once with eof", async () => {
    const d = await startDaemon();
    try {
      const before = sockets();
      const client = await connect(d.uris.testTcp);
      const closes: CloseInfo[] = [];
      client.on("close", (info) => closes.push(info));
      // Stopped first, so that all 100 calls are truly in flight when it dies.
      process.kill(d.pid, "SIGSTOP");
      const calls = Array.from({ length: 100 }, (_, i) => client.domainLookupByName({ name: `d${i}` }).catch((e: unknown) => e));
      await new Promise((r) => setTimeout(r, 100));
      const killed = performance.now();
      process.kill(d.pid, "SIGKILL");
      const errors = await Promise.all(calls);
      const took = performance.now() - killed;
      // A safety limit: they fail when the socket closes, in tens of ms; the figure is printed below.
      expect(took).toBeLessThan(5000);
      expect(errors[0]).toBeInstanceOf(ConnectionClosedError);
      expect(new Set(errors).size).toBe(1);
      const info = await client.closed;
      expect(info.reason).toBe("eof");
      expect(info.error).toBe(errors[0]);
      expect(closes).toHaveLength(1);
      const later = performance.now();
      await expect(client.connectGetHostname()).rejects.toBe(info.error);
      // Without a round trip: no timer or socket stands between the call and its rejection.
      expect(performance.now() - later).toBeLessThan(1000);
      await client.close(); // a no-op now, and must not throw
      expect(sockets()).toBe(before);
      console.log(`daemon killed: 100 calls rejected ${took.toFixed(1)} ms after SIGKILL`);
    } finally {
      await d.stop();
    }
  });

  it("stopped (SIGSTOP) under client keepalive 1 s x 3: closed with reason keepalive after about 4 s; the daemon lives on", async () => {
    const d = await startDaemon();
    try {
      const client = await connect(d.uris.testTcp, { keepalive: { interval: 1, count: 3 } });
      expect(client.keepalive).toEqual({ interval: 1, count: 3 });
      await client.connectGetHostname();
      process.kill(d.pid, "SIGSTOP");
      const stopped = performance.now();
      const pending = client.connectGetHostname().catch((e: unknown) => e);
      const info = await client.closed;
      const took = performance.now() - stopped;
      expect(info.reason).toBe("keepalive");
      expect(await pending).toBe(info.error);
      // Never before three unanswered probes; the upper bound is a safety limit a busy machine cannot trip
      // (timers run late under load), the figure is printed below.
      expect(took).toBeGreaterThan(2900);
      expect(took).toBeLessThan(15_000);
      process.kill(d.pid, "SIGCONT");
      const again = await connect(d.uris.testTcp);
      expect(await again.connectGetHostname()).toHaveProperty("hostname");
      await again.close();
      console.log(`keepalive 1 s x 3: closed ${(took / 1000).toFixed(2)} s after the daemon was stopped`);
    } finally {
      await d.stop();
    }
  });

  it("a daemon that answers keepalive keeps the connection open past interval x (count + 1)", async () => {
    const d = await startDaemon();
    try {
      // libvirt's keepalive counts whole seconds: 1 s x 1 would close after about 2 s if nothing answered.
      const client = await connect(d.uris.testTcp, { keepalive: { interval: 1, count: 1 } });
      await new Promise((r) => setTimeout(r, 3500));
      expect(client.isClosed).toBe(false);
      expect(await client.connectGetHostname()).toHaveProperty("hostname");
      await client.close();
    } finally {
      await d.stop();
    }
  });

  it("a half-open TCP path (a proxy that stops forwarding) is detected by keepalive, after about interval x (count + 1)", async () => {
    const d = await startDaemon();
    const sockets: Socket[] = [];
    let forwarding = true;
    const proxy = createServer((client) => {
      const upstream = createConnection({ host: "127.0.0.1", port: d.tcpPort });
      sockets.push(client, upstream);
      // Bytes are passed on only while forwarding; after that both ways go silent, sockets still open.
      client.on("data", (b) => forwarding && upstream.write(b));
      upstream.on("data", (b) => forwarding && client.write(b));
      client.on("error", () => undefined);
      upstream.on("error", () => undefined);
    });
    try {
      await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
      const port = (proxy.address() as AddressInfo).port;
      const client = await connect(`test+tcp://127.0.0.1:${port}/default`, { keepalive: { interval: 1, count: 3 } });
      await client.connectGetHostname();
      forwarding = false;
      const cut = performance.now();
      const pending = client.connectGetHostname().catch((e: unknown) => e);
      const info = await client.closed;
      const took = performance.now() - cut;
      expect(info.reason).toBe("keepalive");
      expect(await pending).toBe(info.error);
      // About interval x (count + 1); the bound is a safety limit, the figure is printed below.
      expect(took).toBeLessThan(15_000);
      console.log(`half-open TCP: closed with reason keepalive ${(took / 1000).toFixed(2)} s after forwarding stopped`);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => proxy.close(() => r()));
      await d.stop();
    }
  });

  it("100,000 events with one listener paused 10 s: other listeners and calls unaffected, the paused queue bounded", async () => {
    const d = await startDaemon();
    try {
      const generator = await connect(d.uris.testTcp);
      const listener = await connect(d.uris.testTcp);
      const { dom } = await generator.domainDefineXml({
        xml: "<domain type='test'><name>slow</name><memory>8192</memory><os><type>hvm</type></os></domain>",
      });
      await generator.domainCreate({ dom });
      let counted = 0;
      let inOrder = true;
      await listener.events.subscribe("domain", "lifecycle", (e) => {
        inOrder &&= e.data.event === (counted % 2 === 0 ? 3 : 4);
        counted++;
      });
      let release!: () => void;
      const paused = await listener.events.subscribe("domain", "lifecycle", () => new Promise<void>((r) => (release = r)), { queue: 5000 });
      const rssBefore = process.memoryUsage().rss;
      const started = performance.now();
      const cycles = 50_000;
      // One pair at a time, so the events strictly alternate: suspended, resumed.
      const flood = (async () => {
        for (let i = 0; i < cycles; i++) {
          await generator.domainSuspend({ dom });
          await generator.domainResume({ dom });
        }
      })();
      const latencies: number[] = [];
      const caller = (async () => {
        while (performance.now() - started < 10_000 || counted < 2 * cycles) {
          const t = performance.now();
          await listener.connectGetHostname();
          latencies.push(performance.now() - t);
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      await flood;
      await caller;
      expect(counted).toBe(2 * cycles);
      expect(inOrder).toBe(true);
      const rssPeak = process.memoryUsage().rss;
      latencies.sort((a, b) => a - b);
      const p99 = latencies[Math.floor(latencies.length * 0.99)]!;
      // Not held behind the paused listener (10 s): a safety limit far under that, the figure is printed below.
      expect(p99).toBeLessThan(1000);
      expect(paused.pending).toBeLessThanOrEqual(5000);
      expect(paused.dropped).toBe(2 * cycles - 1 - paused.pending);
      release();
      console.log(
        `slow consumer: ${counted} events in order in ${((performance.now() - started) / 1000).toFixed(1)} s; ${latencies.length} calls beside them, ` +
          `p99 ${p99.toFixed(2)} ms; paused listener held ${paused.pending}, dropped ${paused.dropped}; RSS ${(rssBefore / 2 ** 20).toFixed(0)} -> ${(rssPeak / 2 ** 20).toFixed(0)} MiB`,
      );
      await generator.close();
      await listener.close();
    } finally {
      await d.stop();
    }
  });
});
