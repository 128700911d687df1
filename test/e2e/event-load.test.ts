import { describe, expect, it } from "vitest";
import { connect } from "../../src/client/client.js";
import { startDaemon } from "../../src/testing/daemon.js";
import { sharedDaemon } from "./daemon.js";

const skip = sharedDaemon() === null;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

describe.skipIf(skip)("an event flood beside RPC calls", () => {
  it("10,000 lifecycle events arrive complete and in order; a paused listener delays no call and stays bounded", async () => {
    const d = await startDaemon();
    try {
      const generator = await connect(d.uris.testTcp);
      const listener = await connect(d.uris.testTcp);
      const { dom } = await generator.domainDefineXml({
        xml: "<domain type='test'><name>flood</name><memory>8192</memory><os><type>hvm</type></os></domain>",
      });
      await generator.domainCreate({ dom });

      const seen: number[] = [];
      await listener.events.subscribe("domain", "lifecycle", (e) => void seen.push(e.data.event), { filter: dom });
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const paused = await listener.events.subscribe("domain", "lifecycle", () => gate, { filter: dom, queue: 1000 });
      const rssBefore = process.memoryUsage().rss;

      const cycles = 5000;
      const flood = (async () => {
        for (let i = 0; i < cycles; i++) {
          await generator.domainSuspend({ dom });
          await generator.domainResume({ dom });
        }
      })();
      // 1,000 calls on the listening connection while the flood comes in.
      const latencies: number[] = [];
      for (let i = 0; i < 1000; i++) {
        const started = performance.now();
        await listener.connectGetHostname();
        latencies.push(performance.now() - started);
        if (i % 10 === 0) await new Promise((r) => setImmediate(r));
      }
      await flood;
      await expect.poll(() => seen.length, { timeout: 30_000 }).toBe(2 * cycles);
      const rssPeak = process.memoryUsage().rss;

      // VIR_DOMAIN_EVENT_SUSPENDED = 3, VIR_DOMAIN_EVENT_RESUMED = 4, alternating.
      expect(seen.every((ev, i) => ev === (i % 2 === 0 ? 3 : 4))).toBe(true);
      const p50 = percentile(latencies, 50);
      const p99 = percentile(latencies, 99);
      expect(p99).toBeLessThan(50);
      // The paused listener holds at most its queue; the rest were dropped and counted.
      expect(paused.pending).toBe(1000);
      expect(paused.dropped).toBe(2 * cycles - 1 - 1000);
      release();
      await expect.poll(() => paused.pending).toBe(0);
      console.log(
        `event flood: ${seen.length} events in order; calls beside it p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms; ` +
          `paused listener: queue 1000, dropped ${paused.dropped}; RSS ${(rssBefore / 2 ** 20).toFixed(0)} -> ${(rssPeak / 2 ** 20).toFixed(0)} MiB`,
      );
      await generator.domainDestroy({ dom });
      await generator.close();
      await listener.close();
    } finally {
      await d.stop();
    }
  });
});
