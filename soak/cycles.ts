// Cycle soak: connect, call, end the connection (cleanly or not), many
// times; fds, handles and heap must come back to where they were.

import { setTimeout as sleep } from "node:timers/promises";
import { connect, ConnectionClosedError, type Client, type ConnectOptions } from "../src/index.js";
import type { ThrowawayDaemon } from "../src/testing/daemon.js";
import type { SoakResult } from "./idle.js";
import { fdCount, formatCounts, gcHeap, mib, type Heap, sameCounts, settle, snapshot, type Snapshot } from "./measure.js";

export interface CycleOptions {
  cycles: number;
  warmup: number;
  /** Heap may differ from the baseline by this fraction. */
  heapTolerance: number;
}

/** How a cycle ends its connection. */
const MODES = [
  "close", // await the call, close()
  "destroy", // await the call, destroy()
  "destroy-inflight", // destroy() in the same tick as the call: it never leaves
  "close-inflight", // close() with the call unanswered: its reply comes first
  "destroy-sent", // destroy() once the call is written, reply maybe not read
] as const;
type Mode = (typeof MODES)[number];

interface Tally {
  resolved: number;
  rejected: number;
}

const CYCLE_TIMEOUT = 60_000;
/** Sockets closed by destroy() go away a few loop turns later. */
const SETTLE_MS = 10_000;

export async function cycleSoak(d: ThrowawayDaemon, o: CycleOptions, log: (s: string) => void): Promise<SoakResult> {
  const tally = new Map<Mode, Tally>(MODES.map((m) => [m, { resolved: 0, rejected: 0 }]));
  // Clients that are still reachable after GC would be a leak.
  let finalized = 0;
  const registry = new FinalizationRegistry<null>(() => finalized++);
  let current: Client | null = null;

  const cycle = async (i: number): Promise<void> => {
    const unix = i % 2 === 1;
    // Every mode with both transports, and keepalive (a timer per session) in some.
    const mode = MODES[Math.floor(i / 2) % MODES.length]!;
    const opts: ConnectOptions = { timeout: 30_000 };
    if (i % 3 === 0) opts.keepalive = { interval: 5, count: 5 };
    const client = await connect(unix ? d.uris.testUnix : d.uris.testTcp, opts);
    current = client;
    registry.register(client, null);
    const t = tally.get(mode)!;
    const count = (p: Promise<unknown>): Promise<void> =>
      p.then(
        () => void t.resolved++,
        (e: unknown) => {
          // Only "the connection is closed" is an acceptable way for the call to fail.
          if (!(e instanceof ConnectionClosedError)) throw e;
          t.rejected++;
        },
      );
    switch (mode) {
      case "close":
        await count(client.connectGetHostname());
        await client.close();
        break;
      case "destroy":
        await count(client.connectGetHostname());
        client.destroy();
        break;
      case "destroy-inflight": {
        const p = count(client.connectGetHostname());
        client.destroy();
        await p;
        break;
      }
      case "close-inflight": {
        const p = count(client.connectGetHostname());
        await client.close();
        await p;
        break;
      }
      case "destroy-sent": {
        const p = count(client.connectGetHostname());
        await new Promise((r) => setImmediate(r));
        client.destroy();
        await p;
        break;
      }
    }
    if (!client.isClosed) throw new Error(`cycle ${i} (${mode}): client not closed`);
    current = null;
  };

  /** One cycle, or an error naming it if it does not finish in time. */
  const guarded = async (i: number): Promise<void> => {
    const ac = new AbortController();
    const watchdog = sleep(CYCLE_TIMEOUT, undefined, { signal: ac.signal }).then(
      () => {
        const mode = MODES[Math.floor(i / 2) % MODES.length]!;
        throw new Error(`HANG: cycle ${i} (${i % 2 === 1 ? "unix" : "tcp"}, ${mode}) did not finish in ${CYCLE_TIMEOUT} ms`);
      },
      () => undefined,
    );
    try {
      await Promise.race([cycle(i), watchdog]);
    } finally {
      ac.abort();
    }
  };

  try {
    // fds and handles owe nothing to warm-up, so they must also match the state before it.
    const pre = await stableSnapshot();
    const preDaemonFds = fdCount(d.pid);
    const tw = Date.now();
    for (let i = 0; i < o.warmup; i++) await guarded(i);
    const warmMs = Date.now() - tw;
    const base = await stableSnapshot();
    const baseHeap = await quietHeap();
    const baseDaemonFds = fdCount(d.pid);
    const finalizedAtBase = finalized;
    log(
      `cycles: before warm-up fds ${pre.fds}, handles ${formatCounts(pre.handles)}, daemon fds ${preDaemonFds ?? "?"}; ` +
        `warm-up ${o.warmup} in ${warmMs} ms; baseline fds ${base.fds} ${formatCounts(base.fdKinds)}, ` +
        `handles ${formatCounts(base.handles)}, heap ${mib(baseHeap.used)}, daemon fds ${baseDaemonFds ?? "?"}`,
    );

    // Slow growth shows in samples along the way, not just at the end.
    const every = Math.max(1, Math.floor(o.cycles / 10));
    const samples: string[] = [];
    let gcMs = 0;
    const t0 = Date.now();
    for (let i = 0; i < o.cycles; i++) {
      await guarded(o.warmup + i);
      if ((i + 1) % every === 0 && i + 1 < o.cycles) {
        const tg = Date.now();
        const heap = await quietHeap();
        gcMs += Date.now() - tg;
        const s = `${i + 1}:${(heap.used / 1048576).toFixed(2)}MiB/${snapshot().fds}fd`;
        samples.push(s);
        log(`cycles: ${s} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      }
    }
    const runMs = Date.now() - t0 - gcMs;

    const { snap: after, waited } = await settle(base, SETTLE_MS);
    const afterHeap = await quietHeap();
    const total = o.warmup + o.cycles;
    const retained = total - finalized;
    const afterDaemonFds = fdCount(d.pid);
    const heapPct = ((afterHeap.used - baseHeap.used) / baseHeap.used) * 100;

    const problems: string[] = [];
    if (after.fds !== base.fds) problems.push(`fds ${base.fds} -> ${after.fds}`);
    if (!sameCounts(after.handles, base.handles)) problems.push("active handles differ");
    if (pre.fds !== base.fds || !sameCounts(pre.handles, base.handles)) {
      problems.push(`warm-up left fds ${pre.fds} -> ${base.fds}, handles ${formatCounts(pre.handles)} -> ${formatCounts(base.handles)}`);
    }
    if (Math.abs(heapPct) > o.heapTolerance * 100) problems.push(`heap ${heapPct.toFixed(1)}%`);
    if (retained > Math.max(10, total / 100)) problems.push(`${retained} clients still reachable after GC`);
    if (preDaemonFds !== null && afterDaemonFds !== null && afterDaemonFds > preDaemonFds) {
      problems.push(`daemon fds ${preDaemonFds} -> ${afterDaemonFds}`);
    }
    const ok = problems.length === 0;
    const tallies = MODES.map((m) => `${m} ${tally.get(m)!.resolved}/${tally.get(m)!.rejected}`).join(", ");
    const line =
      `cycles: ${ok ? "PASS" : `FAIL (${problems.join("; ")})`} ${o.cycles} cycles in ${(runMs / 1000).toFixed(1)} s ` +
      `(${((o.cycles * 1000) / runMs).toFixed(0)}/s, +${o.warmup} warm-up); ` +
      `fds ${base.fds} -> ${after.fds} ${formatCounts(base.fdKinds)} -> ${formatCounts(after.fdKinds)}; ` +
      `handles ${formatCounts(base.handles)} -> ${formatCounts(after.handles)} (settled in ${waited} ms); ` +
      `heap ${mib(baseHeap.used)} -> ${mib(afterHeap.used)} (${heapPct >= 0 ? "+" : ""}${heapPct.toFixed(2)}%, ` +
      `of which code ${mib(baseHeap.code)} -> ${mib(afterHeap.code)}); ` +
      `clients not finalized ${retained}/${total} (${finalized - finalizedAtBase} finalized since baseline); ` +
      `daemon fds ${preDaemonFds ?? "?"} -> ${baseDaemonFds ?? "?"} -> ${afterDaemonFds ?? "?"} (before warm-up, baseline, after); ` +
      `call resolved/rejected: ${tallies}; heap samples ${samples.join(" ")}`;
    return { ok, line };
  } catch (e) {
    (current as Client | null)?.destroy();
    return { ok: false, line: `cycles: FAIL ${(e as Error).stack ?? String(e)}` };
  }
}

/**
 * Heap once finalizers have run: they run as tasks after the GC that found
 * the garbage, and their registry cells are only freed after that.
 */
async function quietHeap(): Promise<Heap> {
  await gcHeap();
  await sleep(50);
  return gcHeap();
}

/** A snapshot taken once two in a row agree, so a closing socket from before does not count. */
async function stableSnapshot(): Promise<Snapshot> {
  let prev = snapshot();
  for (let i = 0; i < 50; i++) {
    await sleep(20);
    const next = snapshot();
    if (next.fds === prev.fds && sameCounts(next.handles, prev.handles)) return next;
    prev = next;
  }
  return prev;
}
