// `npm run bench:events`: an event flood from suspend/resume cycles, received
// by this library and by libvirt-python's default event loop, on the same
// throwaway daemon in one run; then memory while a paused consumer meets a
// flood, and after it drains.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../protocol/fetch.js";
import { connect } from "../src/client/client.js";
import { startDaemon } from "../src/testing/daemon.js";

const run = promisify(execFile);
const peer = join(repoRoot(), "bench/peers/libvirt_python.py");
const CYCLES = 5000;

interface EventResult {
  events: number;
  lost: number;
  inOrder: boolean;
  eventsPerSecond: number;
  p50: number;
  p99: number;
  cpuMicrosPerEvent: number;
}

async function ours(uri: string, cycles: number): Promise<EventResult> {
  const generator = await connect(uri);
  const listener = await connect(uri);
  const { dom } = await generator.domainLookupByName({ name: "test" });
  const received: [number, number][] = [];
  await listener.events.subscribe("domain", "lifecycle", (e) => void received.push([performance.now(), e.data.event]));
  const returned: number[] = [];
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < cycles; i++) {
    await generator.domainSuspend({ dom });
    returned.push(performance.now());
    await generator.domainResume({ dom });
    returned.push(performance.now());
  }
  for (let i = 0; i < 3000 && received.length < 2 * cycles; i++) await new Promise((r) => setTimeout(r, 10));
  const cpu = process.cpuUsage(cpu0);
  const latencies = received.map(([t], i) => t - returned[i]!).sort((a, b) => a - b);
  const result: EventResult = {
    events: received.length,
    lost: 2 * cycles - received.length,
    inOrder: received.every(([, ev], i) => ev === (i % 2 === 0 ? 3 : 4)),
    eventsPerSecond: received.length / ((received.at(-1)?.[0] ?? t0) - t0) * 1000,
    p50: latencies[Math.floor(latencies.length / 2)]!,
    p99: latencies[Math.floor(latencies.length * 0.99)]!,
    cpuMicrosPerEvent: (cpu.user + cpu.system) / Math.max(1, received.length),
  };
  await generator.close();
  await listener.close();
  return result;
}

const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;

/** A consumer that stops reading while a flood comes in, then catches up. */
async function memory(uri: string, cycles: number): Promise<string> {
  const generator = await connect(uri);
  const listener = await connect(uri);
  const { dom } = await generator.domainLookupByName({ name: "test" });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let handled = 0;
  const sub = await listener.events.subscribe("domain", "lifecycle", async () => {
    await gate;
    handled++;
  });
  const before = process.memoryUsage();
  let peak = before;
  for (let i = 0; i < cycles; i++) {
    await generator.domainSuspend({ dom });
    await generator.domainResume({ dom });
    if (i % 500 === 0) {
      const m = process.memoryUsage();
      if (m.rss > peak.rss) peak = m;
    }
  }
  await new Promise((r) => setTimeout(r, 200));
  const paused = process.memoryUsage();
  const held = sub.pending;
  const dropped = sub.dropped;
  release();
  while (sub.pending > 0) await new Promise((r) => setTimeout(r, 10));
  const drained = process.memoryUsage();
  await generator.close();
  await listener.close();
  return (
    `memory: ${2 * cycles} events against a paused listener (queue 10,000, drop-oldest): held ${held}, dropped ${dropped}, handled after release ${handled}; ` +
    `RSS ${mib(before.rss)} -> peak ${mib(Math.max(peak.rss, paused.rss))} -> drained ${mib(drained.rss)}; ` +
    `heap ${mib(before.heapUsed)} -> paused ${mib(paused.heapUsed)} -> drained ${mib(drained.heapUsed)}`
  );
}

async function main(): Promise<void> {
  const d = await startDaemon();
  try {
    const o = await ours(d.uris.testUnix, CYCLES);
    const { stdout } = await run("/usr/bin/python3", [peer, d.uris.testUnix, "events", String(CYCLES)], { encoding: "utf8" });
    const p = JSON.parse(stdout) as EventResult;
    console.log(`events bench: ${CYCLES} suspend/resume cycles on the test driver over a Unix socket`);
    console.log("client | events | lost | in order | events/s | latency p50 ms | p99 ms | client CPU µs/event");
    for (const [name, r] of [["ours", o], ["libvirt-python", p]] as const) {
      console.log([name, r.events, r.lost, r.inOrder, r.eventsPerSecond.toFixed(0), r.p50.toFixed(3), r.p99.toFixed(3), r.cpuMicrosPerEvent.toFixed(1)].join(" | "));
    }
    // An event can beat the reply of the call that caused it (the daemon sends it first): latencies may be negative.
    console.log(
      p.p50 > 0
        ? `ratio latency p50 ours/libvirt-python = ${(o.p50 / p.p50).toFixed(2)} (lower is better; target <= 1)`
        : `latency p50: ours ${o.p50.toFixed(3)} ms, libvirt-python ${p.p50.toFixed(3)} ms (its events often arrive before the call returns: no ratio)`,
    );
    console.log(`ratio latency p99 ours/libvirt-python = ${(o.p99 / p.p99).toFixed(2)} (lower is better; target <= 1)`);
    console.log(`ratio events/s ours/libvirt-python = ${(o.eventsPerSecond / p.eventsPerSecond).toFixed(2)} (higher is better)`);
    console.log(`lossless: ours ${o.lost === 0 && o.inOrder}, libvirt-python ${p.lost === 0 && p.inOrder}`);
    console.log(await memory(d.uris.testUnix, 25_000));
  } finally {
    await d.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
