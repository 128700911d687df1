// The chaos soak: a steady load of calls and events while the daemon is
// killed, stopped and restarted at random. Clients reconnect by themselves;
// what is measured is what they lose.

import { connect, type Client } from "../src/client/client.js";
import type { ThrowawayDaemon } from "../src/testing/daemon.js";
import { gcHeap } from "./measure.js";

export interface ChaosOptions {
  /** How long to run; ignored when `plan` is given. */
  seconds: number;
  /**
   * The disturbances to cause, in order, one per uptime window; the run ends
   * after the last. Without it the kind is drawn at random until `seconds`
   * have passed (a busy machine then fits fewer windows: tests give a plan).
   */
  plan?: readonly Disturbance[];
  /** Seconds between disturbances: uniformly random in [min, max]. */
  minGap: number;
  maxGap: number;
  /** Heap growth allowed from the first to the last uptime window. */
  heapTolerance: number;
  random?: () => number;
}

export interface ChaosWindow {
  /** What ended the window: the disturbance that followed it. */
  ended: string;
  seconds: number;
  caused: number;
  received: number;
  calls: number;
  heapMiB: number;
}

export interface ChaosResult {
  ok: boolean;
  line: string;
  windows: ChaosWindow[];
  callsFailedWhileUp: number;
  callsFailedWhileDown: number;
  reconnects: number;
}

export type Disturbance = "kill" | "term" | "stop";

/**
 * Runs for `seconds`: a generator connection suspends and resumes the test
 * driver's domain (each success is one lifecycle event caused), a watcher
 * connection listens for those events and makes a call every 10 ms. Both
 * reconnect. Between disturbances (an uptime window) events caused and
 * received are counted; a call that fails while the watcher is connected
 * is a failure of the client, one that fails while it is down is expected.
 */
export async function chaosSoak(d: ThrowawayDaemon, o: ChaosOptions, log: (s: string) => void): Promise<ChaosResult> {
  const random = o.random ?? Math.random;
  const reconnect = { initialDelay: 50, maxDelay: 1000 };
  // A short keepalive so that a stopped daemon is noticed within seconds.
  const opts = { reconnect, keepalive: { interval: 1, count: 2 } } as const;
  const watcher = await connect(d.uris.testTcp, opts);
  const generator = await connect(d.uris.testTcp, opts);
  let down = false;
  let reconnects = 0;
  watcher.on("disconnect", () => (down = true));
  watcher.on("reconnect", () => {
    down = false;
    reconnects++;
  });
  let received = 0;
  const sub = await watcher.events.subscribe("domain", "lifecycle", (e) => {
    if (e.data.dom.name === "test") received++;
  });
  let caused = 0;
  let calls = 0;
  let failedUp = 0;
  let failedDown = 0;
  let running = true;

  const cause = async (): Promise<void> => {
    const name = { name: "test" };
    while (running) {
      try {
        const { dom } = await generator.domainLookupByName(name, { timeout: 5000 });
        await generator.domainSuspend({ dom }, { timeout: 5000 });
        caused++;
        await generator.domainResume({ dom }, { timeout: 5000 });
        caused++;
      } catch {
        // Down, or the daemon came back with the domain in another state: try again.
        await sleep(50);
      }
      await sleep(20);
    }
  };
  const call = async (): Promise<void> => {
    while (running) {
      const wasDown = down;
      try {
        await watcher.connectGetLibVersion({ timeout: 10_000 });
        calls++;
      } catch {
        // In flight when the connection died, or made while it was down.
        if (wasDown || down || watcher.isReconnecting) failedDown++;
        else failedUp++;
      }
      await sleep(10);
    }
  };
  const load = Promise.all([cause(), call()]);

  const windows: ChaosWindow[] = [];
  const began = Date.now();
  const deadline = began + o.seconds * 1000;
  let start = Date.now();
  let baseCaused = 0;
  let baseReceived = 0;
  let baseCalls = 0;
  const more = (): boolean => (o.plan === undefined ? Date.now() < deadline : windows.length < o.plan.length);
  while (more()) {
    await sleep((o.minGap + random() * (o.maxGap - o.minGap)) * 1000);
    // Let the window's last events arrive before counting it.
    await sleep(200);
    const what: Disturbance = o.plan?.[windows.length] ?? (["kill", "term", "stop"] as const)[Math.floor(random() * 3)]!;
    const heap = await gcHeap();
    windows.push({
      ended: what,
      seconds: (Date.now() - start) / 1000,
      caused: caused - baseCaused,
      received: received - baseReceived,
      calls: calls - baseCalls,
      // Compiled code is left out: V8 keeps optimizing long after warm-up.
      heapMiB: (heap.used - heap.code) / 1024 / 1024,
    });
    const back = Promise.all([nextReconnect(watcher), nextReconnect(generator)]);
    if (what === "stop") {
      d.signal("SIGSTOP");
      await sleep(1000 + random() * 3000);
      d.signal("SIGCONT");
      // Keepalive may or may not have given up on a short stop: both are fine.
      await Promise.race([back, sleep(4000)]);
    } else {
      await d.restart(what === "kill" ? "SIGKILL" : "SIGTERM");
      await back;
    }
    await untilUp(watcher, generator);
    baseCaused = caused;
    baseReceived = received;
    baseCalls = calls;
    start = Date.now();
    log(`window ${windows.length}: ${fmt(windows[windows.length - 1]!)}; then ${what}`);
  }
  running = false;
  await load;
  await sub.close();
  await watcher.close();
  await generator.close();

  // The first windows warm the JIT up; compare steady state.
  const steady = windows.slice(Math.min(2, windows.length - 1));
  const heapGrowth = steady.length > 1 ? steady[steady.length - 1]!.heapMiB / steady[0]!.heapMiB - 1 : 0;
  const lost = windows.reduce((n, w) => n + Math.max(0, w.caused - w.received), 0);
  const extra = windows.reduce((n, w) => n + Math.max(0, w.received - w.caused), 0);
  const ok = failedUp === 0 && heapGrowth <= o.heapTolerance && windows.length > 0;
  const line =
    `chaos: ${o.plan === undefined ? `${o.seconds} s` : `${((Date.now() - began) / 1000).toFixed(1)} s`}, ${windows.length} disturbances, ${reconnects} reconnects; ` +
    `events caused ${windows.reduce((n, w) => n + w.caused, 0)}, received ${windows.reduce((n, w) => n + w.received, 0)} ` +
    `(short ${lost}, over ${extra}, in windows that ended in a kill or stop); ` +
    `calls ok ${calls}, failed while down ${failedDown}, failed while up ${failedUp}; ` +
    `heap ${steady[0]?.heapMiB.toFixed(1) ?? "?"} -> ${steady[steady.length - 1]?.heapMiB.toFixed(1) ?? "?"} MiB (${(heapGrowth * 100).toFixed(1)}%) ${ok ? "OK" : "FAIL"}`;
  return { ok, line, windows, callsFailedWhileUp: failedUp, callsFailedWhileDown: failedDown, reconnects };
}

function fmt(w: ChaosWindow): string {
  return `${w.seconds.toFixed(1)} s up, events caused ${w.caused} received ${w.received}, calls ${w.calls}, heap ${w.heapMiB.toFixed(1)} MiB`;
}

function nextReconnect(c: Client): Promise<void> {
  return new Promise((resolve) => c.once("reconnect", () => resolve()));
}

/** Both clients connected again (a short stop may not have disconnected them at all). */
async function untilUp(...clients: Client[]): Promise<void> {
  for (let i = 0; i < 600 && clients.some((c) => c.isReconnecting); i++) await sleep(50);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
