import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chaosSoak } from "../../soak/chaos.js";
import { startDaemon, type ThrowawayDaemon } from "../../src/testing/daemon.js";
import { sharedDaemon } from "./daemon.js";

/** The short version of `npm run soak -- --only chaos`: kills, stops and restarts under load. */
describe.skipIf(sharedDaemon() === null)("chaos: a steady load while the daemon is killed, stopped and restarted", () => {
  let d: ThrowawayDaemon;
  beforeAll(async () => {
    d = await startDaemon();
  });
  afterAll(async () => {
    await d?.stop();
  });

  it("loses no call while connected, keeps every subscription, and memory stays flat", async () => {
    // Every kind of disturbance, in a fixed order: a plan, not a time budget, so that a busy machine
    // runs the same windows, only slower (a 20 s budget fitted no SIGTERM on a loaded machine).
    const plan = ["kill", "term", "stop", "kill"] as const;
    const sequence = [0.1, 0.5, 0.9, 0.4, 0.6, 0.2, 0.8];
    let i = 0;
    const random = (): number => sequence[i++ % sequence.length]!;
    const r = await chaosSoak(d, { seconds: 0, plan, minGap: 2, maxGap: 3, heapTolerance: 0.5, random }, () => {});
    console.log(r.line);
    expect(r.windows.map((w) => w.ended)).toEqual([...plan]);
    expect(r.callsFailedWhileUp).toBe(0);
    expect(r.reconnects).toBeGreaterThanOrEqual(3);
    // Every window after a reconnect saw the events it caused: the subscription came back each time.
    for (const w of r.windows.slice(1)) expect(w.received, JSON.stringify(w)).toBeGreaterThan(0);
    expect(r.ok).toBe(true);
  });
});
