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
      expect(took).toBeLessThan(1000);
      expect(errors[0]).toBeInstanceOf(ConnectionClosedError);
      expect(new Set(errors).size).toBe(1);
      const info = await client.closed;
      expect(info.reason).toBe("eof");
      expect(info.error).toBe(errors[0]);
      expect(closes).toHaveLength(1);
      const later = performance.now();
      await expect(client.connectGetHostname()).rejects.toBe(info.error);
      expect(performance.now() - later).toBeLessThan(20);
      await client.close(); // a no-op now, and must not throw
      expect(sockets()).toBe(before);
      console.log(`daemon killed: 100 calls rejected ${took.toFixed(1)} ms after SIGKILL`);
    } finally {
      await d.stop();
    }
  });

  it("stopped (SIGSTOP) under client keepalive 1 s x 3: closed with reason keepalive within 5 s; the daemon lives on", async () => {
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
      expect(took).toBeLessThan(5000);
      expect(took).toBeGreaterThan(2900);
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
      const client = await connect(d.uris.testTcp, { keepalive: { interval: 0.2, count: 2 } });
      await new Promise((r) => setTimeout(r, 1500));
      expect(client.isClosed).toBe(false);
      expect(await client.connectGetHostname()).toHaveProperty("hostname");
      await client.close();
    } finally {
      await d.stop();
    }
  });
});
