import { describe, expect, it } from "vitest";
import type { LibvirtEvent } from "../../src/events/types.js";
import { dom, eventDaemon, pool } from "./event-daemon.js";

const names = (list: LibvirtEvent[]): string[] => list.map((e) => `${e.family} ${e.event}`);

describe("routing by program, procedure and callback ID (issue 13, defect 1)", () => {
  it("a domain and a storage pool registration with the same callback ID each get only their own events", async () => {
    // libvirtd numbers callbacks per driver: both registrations get ID 9.
    const { client, calls, lifecycle, poolLifecycle } = eventDaemon({ firstId: 9 });
    const domains: LibvirtEvent[] = [];
    const pools: LibvirtEvent[] = [];
    await client.events.subscribe("domain", "lifecycle", (e) => void domains.push(e));
    const poolSub = await client.events.subscribe("storagePool", "lifecycle", (e) => void pools.push(e));
    expect(calls()).toEqual(["CONNECT_SUPPORTS_FEATURE", "CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY", "CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY"]);
    lifecycle(9, dom("a", 1), 0);
    poolLifecycle(9, pool("p", 2), 2);
    lifecycle(9, dom("a", 1), 2);
    await expect.poll(() => domains.length + pools.length).toBe(3);
    expect(names(domains)).toEqual(["domain lifecycle", "domain lifecycle"]);
    expect(names(pools)).toEqual(["storagePool lifecycle"]);
    // Closing the pool subscription leaves the domain's route alone.
    await poolSub.close();
    lifecycle(9, dom("a", 1), 1);
    await expect.poll(() => domains.length).toBe(3);
    expect(pools).toHaveLength(1);
    client.destroy();
  });

  it("a hostile daemon's event of one family with another family's callback ID reaches nobody, and is counted", async () => {
    const { client, lifecycle, networkLifecycle, poolLifecycle, monitor } = eventDaemon({ firstId: 9 });
    const domains: LibvirtEvent[] = [];
    await client.events.subscribe("domain", "lifecycle", (e) => void domains.push(e));
    // No network, pool or QEMU monitor registration exists: ID 9 is the domain's.
    networkLifecycle(9, pool("n", 3), 0);
    poolLifecycle(9, pool("p", 2), 0);
    monitor(9, dom("a", 1), "STOP");
    lifecycle(10, dom("a", 1), 0); // the right procedure, an ID nobody holds
    lifecycle(9, dom("a", 1), 5); // the one that is ours, last: all before it were routed (or not)
    await expect.poll(() => domains.some((e) => e.event === "lifecycle" && (e.data as { event: number }).event === 5)).toBe(true);
    expect(domains).toHaveLength(1);
    expect(domains[0]).toMatchObject({ family: "domain", event: "lifecycle", data: { event: 5 } });
    expect(client.events.stats.unrouted).toBe(4);
    client.destroy();
  });

  it("QEMU monitor events route on their own program: a monitor callback and a domain callback may share an ID", async () => {
    // The domain registration gets ID 1, the monitor one 2; each ID is then sent with the other's procedure.
    const { client, lifecycle, monitor, calls } = eventDaemon();
    const domains: string[] = [];
    const monitors: string[] = [];
    await client.events.subscribe("domain", "lifecycle", (e) => void domains.push(e.data.dom.name));
    await client.events.subscribe("qemu", "monitor", (e) => void monitors.push(e.data.event));
    expect(calls()).toContain("QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_REGISTER");
    monitor(2, dom("a", 1), "RESUME");
    lifecycle(1, dom("b", 2), 0);
    monitor(1, dom("a", 1), "STOP"); // a monitor event with the domain's ID: not ours
    lifecycle(2, dom("c", 3), 0); // a lifecycle event with the monitor's ID: not ours
    await expect.poll(() => domains.length + monitors.length).toBe(2);
    await new Promise((r) => setTimeout(r, 20));
    expect(domains).toEqual(["b"]);
    expect(monitors).toEqual(["RESUME"]);
    client.destroy();
  });
});
