import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Client } from "../../src/client/client.js";
import { EventDispatcher, type EventConnection } from "../../src/events/dispatcher.js";
import type { LibvirtEvent } from "../../src/events/types.js";
import { remoteProgram } from "../../src/gen/remote_protocol.js";
import type { InboundEvent } from "../../src/rpc/session.js";
import { startDaemon, type ThrowawayDaemon } from "../../src/testing/daemon.js";
import { sharedDaemon, uniqueName, virsh } from "./daemon.js";

const skip = sharedDaemon() === null;
const P = remoteProgram.procedures;

/** The client's calls and events, with the callback ID of every event registration reply noted. */
function recording(conn: Client, ids: Map<string, number>): EventConnection {
  return {
    call: (program, procedure, args, options) =>
      conn.call(program, procedure, args, {
        ...options,
        onReply: (r) => {
          if (/_EVENT_(CALLBACK_)?REGISTER_ANY$/.test(procedure.name)) ids.set(procedure.name, (r as { callbackID: number }).callbackID);
          options?.onReply?.(r);
        },
      }),
    on(event: "event" | "close", listener: (x: never) => void) {
      conn.on(event as "event", listener as (e: InboundEvent) => void);
      return this;
    },
  };
}

describe.skipIf(skip)("event routing on the QEMU session driver, whose drivers number callbacks each on their own (issue 13, defect 1)", () => {
  let d: ThrowawayDaemon;
  let dir: string;
  beforeAll(async () => {
    // Its own daemon: the callback counters below must not move under us.
    d = await startDaemon();
    dir = await mkdtemp(join(tmpdir(), "lr-routing-"));
  });
  afterAll(async () => {
    await d?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("a domain and a storage pool registration with the same callback ID each get only their own events", async () => {
    const uri = d.uris.qemuTcp;
    const conn = await connect(uri);
    try {
      // The domain (QEMU driver) and pool (storage driver) counters: bring them level, so the IDs collide.
      const probe = async (family: "domain" | "pool"): Promise<number> => {
        const r = (family === "domain"
          ? await conn.connectDomainEventCallbackRegisterAny({ eventID: 0, dom: null })
          : await conn.connectStoragePoolEventRegisterAny({ eventID: 0, pool: null })) as { callbackID: number };
        if (family === "domain") await conn.connectDomainEventCallbackDeregisterAny({ callbackID: r.callbackID });
        else await conn.connectStoragePoolEventDeregisterAny({ callbackID: r.callbackID });
        return r.callbackID;
      };
      let [dom, pool] = [await probe("domain"), await probe("pool")];
      while (dom < pool) dom = await probe("domain");
      while (pool < dom) pool = await probe("pool");

      const ids = new Map<string, number>();
      const events = new EventDispatcher(recording(conn, ids));
      const domains: LibvirtEvent[] = [];
      const pools: LibvirtEvent[] = [];
      await events.subscribe("domain", "lifecycle", (e) => void domains.push(e));
      const poolSub = await events.subscribe("storagePool", "lifecycle", (e) => void pools.push(e));
      const domainId = ids.get(P.connectDomainEventCallbackRegisterAny.name);
      const poolId = ids.get(P.connectStoragePoolEventRegisterAny.name);
      console.log(`QEMU session driver: domain callback ID ${domainId}, storage pool callback ID ${poolId}`);
      expect(domainId).toBe(poolId);

      const poolName = uniqueName("rpool");
      const poolDir = join(dir, "pool");
      await mkdir(poolDir);
      // The daemon may run as another user (root drops to nobody): it must be able to reach the pool's directory.
      await chmod(dir, 0o755);
      await chmod(poolDir, 0o777);
      await writeFile(join(dir, "pool.xml"), `<pool type='dir'><name>${poolName}</name><target><path>${poolDir}</path></target></pool>`);
      const domName = uniqueName("rdom");
      await writeFile(
        join(dir, "dom.xml"),
        `<domain type='qemu'><name>${domName}</name><memory>32768</memory><os><type arch='x86_64' machine='pc'>hvm</type></os>` +
          `<devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>`,
      );
      await virsh(uri, "pool-define", join(dir, "pool.xml"));
      await virsh(uri, "pool-start", poolName);
      await virsh(uri, "define", join(dir, "dom.xml"));
      await expect.poll(() => pools.length + domains.length, { timeout: 20_000 }).toBe(3);
      // VIR_STORAGE_POOL_EVENT_DEFINED = 0, STARTED = 2; VIR_DOMAIN_EVENT_DEFINED = 0.
      expect(pools.map((e) => [e.family, e.event, (e.data as { pool: { name: string } }).pool.name, (e.data as { event: number }).event])).toEqual([
        ["storagePool", "lifecycle", poolName, 0],
        ["storagePool", "lifecycle", poolName, 2],
      ]);
      expect(domains.map((e) => [e.family, e.event, (e.data as { dom: { name: string } }).dom.name, (e.data as { event: number }).event])).toEqual([
        ["domain", "lifecycle", domName, 0],
      ]);

      // With the pool subscription closed, the domain's route is intact (VIR_DOMAIN_EVENT_UNDEFINED = 1).
      await poolSub.close();
      await virsh(uri, "pool-destroy", poolName);
      await virsh(uri, "pool-undefine", poolName);
      await virsh(uri, "undefine", domName);
      await expect.poll(() => domains.length, { timeout: 20_000 }).toBe(2);
      expect((domains[1]!.data as { event: number }).event).toBe(1);
      expect(pools).toHaveLength(2);
      expect(events.registrationCount).toBe(1);
    } finally {
      await conn.close();
    }
  });
});
