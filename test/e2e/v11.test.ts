import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../protocol/fetch.js";
import { connect, type Client } from "../../src/client/client.js";
import type { EventFamily } from "../../src/events/types.js";
import { eventFamilies } from "../../src/gen/events.js";
import { LibvirtError } from "../../src/rpc/errors.js";
import { libvirt11Prefix } from "../../src/testing/prefix.js";
import { sharedDaemon, uniqueName } from "./daemon.js";
import { Watcher } from "./watch.js";

// What libvirt added after 9.0 that a test driver or a QEMU guest can produce:
// network metadata (procedures 444-445, event 446, libvirt 9.7) on the test
// driver, and autostart-once (449-450, libvirt 11.2) on the QEMU driver.

const run = promisify(execFile);
const cli = join(repoRoot(), "dist/src/cli/main.js");
const shared = sharedDaemon();

/** The daemon's version, asked of the daemon itself, so no environment variable can make these tests lie. */
async function daemonVersion(uri: string): Promise<bigint> {
  const c = await connect(uri);
  try {
    return (await c.connectGetLibVersion()).lib_ver;
  } finally {
    await c.close();
  }
}
const version = shared === null ? null : await daemonVersion(shared.uris.testTcp);
const v11 = version !== null && version >= 11_003_000n;

/** Event IDs the generated tables (libvirt 11.3) know and libvirt 9.0 does not. */
const NEWER_THAN_9_0 = ["domain/nic-mac-change", "network/metadata-change"];

/** virsh 11.3, as scripts/libvirt-11.sh unpacks it: the reference for what virsh 9.0 cannot print. */
function virsh11(): [string, string[]] {
  const prefix = libvirt11Prefix();
  return ["env", [`LD_LIBRARY_PATH=${join(prefix, "usr/lib/x86_64-linux-gnu")}`, "stdbuf", "-oL", join(prefix, "usr/bin/virsh")]];
}

async function virsh11Run(...args: string[]): Promise<string> {
  const [cmd, pre] = virsh11();
  return (await run(cmd, [...pre.filter((a) => a !== "stdbuf" && a !== "-oL"), ...args], { encoding: "utf8" })).stdout;
}

const networkXml = (name: string): string => `<network><name>${name}</name><bridge name='${name.slice(0, 12)}'/></network>`;
const domainXml = (name: string): string =>
  `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory><os><type arch='x86_64' machine='pc'>hvm</type></os>` +
  `<devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>`;

/**
 * Which event IDs of every family the daemon accepts: a subscription to
 * each, closed at once, on the test driver and then on QEMU's session
 * drivers (the test driver has no secret events). An ID counts as refused
 * only if every driver refuses it; the error kept is the one that is not
 * merely "this driver has no such family" (VIR_ERR_NO_SUPPORT).
 */
async function acceptedEventIds(...conns: Client[]): Promise<{ accepted: string[]; rejected: Map<string, unknown> }> {
  const accepted: string[] = [];
  const rejected = new Map<string, unknown>();
  for (const [family, spec] of Object.entries(eventFamilies)) {
    for (const kind of Object.keys(spec.kinds)) {
      const errors: unknown[] = [];
      for (const conn of conns) {
        try {
          const sub = await conn.events.subscribe(family as EventFamily, kind as never, () => {});
          await sub.close();
          accepted.push(`${family}/${kind}`);
          break;
        } catch (e) {
          errors.push(e);
        }
      }
      if (errors.length === conns.length) {
        rejected.set(`${family}/${kind}`, errors.find((e) => !(e instanceof LibvirtError && e.code === "VIR_ERR_NO_SUPPORT")) ?? errors[0]);
      }
    }
  }
  return { accepted, rejected };
}

describe.skipIf(!v11)("libvirt 11.3: what 9.0 lacks", () => {
  let conn: Client;
  beforeAll(async () => {
    // Held for the whole file: the test driver's state lives while a connection holds it.
    conn = await connect(shared!.uris.testTcp);
  });
  afterAll(async () => {
    await conn?.close();
  });

  it("accepts every event ID of every family, as the generated tables list them", async () => {
    const qemu = await connect(shared!.uris.qemuTcp);
    const { accepted, rejected } = await acceptedEventIds(conn, qemu).finally(() => qemu.close());
    expect([...rejected.keys()]).toEqual([]);
    expect(accepted).toEqual(expect.arrayContaining(NEWER_THAN_9_0));
    expect(accepted.length).toBe(Object.values(eventFamilies).reduce((n, f) => n + Object.keys(f.kinds).length, 0));
  });

  it("network metadata (procedures 444, 445) and its event (446): ours with events --all print what virsh 11.3 prints", async () => {
    const name = uniqueName("v11net");
    const { net } = await conn.networkCreateXml({ xml: networkXml(name) });
    const [cmd, pre] = virsh11();
    const theirs = new Watcher(cmd, [...pre, "-c", shared!.uris.testTcp, "net-event", "--network", name, "--event", "metadata-change", "--loop", "--timestamp"]);
    const ours = new Watcher(process.execPath, [cli, "events", "-c", shared!.uris.testTcp, "--family", "network", "--all", "--loop", "--timestamp"]);
    const typed: unknown[] = [];
    const sub = await conn.events.subscribe("network", "metadata-change", (e) => void typed.push(e.data), { filter: net });
    try {
      const mine = (ws: Watcher, from: number): string[] => ws.eventsFrom(from).filter((l) => l.includes(`network ${name}:`));
      // Both printers are listening once both show a marker.
      let from: [number, number] | null = null;
      for (let i = 0; from === null; i++) {
        const text = `marker-${i}`;
        await conn.networkSetMetadata({ network: net, type: 0, metadata: text, key: null, uri: null, flags: 0 });
        try {
          await Promise.all([theirs.waitFor(`network ${name}: type description`, 1000), ours.waitFor(`network ${name}: type description`, 1000)]);
          from = [theirs.lines.length, ours.lines.length];
        } catch (e) {
          if (i > 20) throw e;
        }
      }
      await conn.networkSetMetadata({ network: net, type: 2, metadata: "<x>1</x>", key: "v", uri: "http://example.org/v11", flags: 0 });
      await conn.networkSetMetadata({ network: net, type: 1, metadata: "A title", key: null, uri: null, flags: 0 });
      await conn.networkSetMetadata({ network: net, type: 0, metadata: null, key: null, uri: null, flags: 0 });
      await waitUntil(() => mine(theirs, from![0]).length >= 3 && mine(ours, from![1]).length >= 3);
      expect(mine(ours, from[1])).toEqual(mine(theirs, from[0]));
      expect(mine(ours, from[1])).toEqual([
        `event 'metadata-change' for network ${name}: type element, uri http://example.org/v11`,
        `event 'metadata-change' for network ${name}: type title, uri <null>`,
        `event 'metadata-change' for network ${name}: type description, uri <null>`,
      ]);
      expect(typed).toContainEqual({ net: { name, uuid: net.uuid }, type: 2, nsuri: "http://example.org/v11" });

      const { metadata } = await conn.networkGetMetadata({ network: net, type: 2, uri: "http://example.org/v11", flags: 0 });
      // virsh prints the XML and a line, then the blank line it ends every command with.
      expect(`${metadata}\n\n`).toBe(await virsh11Run("-c", shared!.uris.testTcp, "net-metadata", name, "--uri", "http://example.org/v11"));
      expect(metadata).toContain("<x>1</x>");
    } finally {
      theirs.stop();
      ours.stop();
      await sub.close();
      await conn.networkDestroy({ net });
    }
  });

  it("autostart once (procedures 449, 450) on the QEMU driver, as virsh 11.3's dominfo shows it", async () => {
    const qemu = await connect(shared!.uris.qemuTcp);
    const name = uniqueName("v11ao");
    const { dom } = await qemu.domainDefineXml({ xml: domainXml(name) });
    try {
      expect(await qemu.domainGetAutostartOnce({ dom })).toEqual({ autostart: 0 });
      await qemu.domainSetAutostartOnce({ dom, autostart: 1 });
      expect(await qemu.domainGetAutostartOnce({ dom })).toEqual({ autostart: 1 });
      expect(await virsh11Run("-c", shared!.uris.qemuTcp, "dominfo", name)).toMatch(/^Autostart Once: enable$/m);
      await qemu.domainSetAutostartOnce({ dom, autostart: 0 });
      expect(await virsh11Run("-c", shared!.uris.qemuTcp, "dominfo", name)).toMatch(/^Autostart Once: disable$/m);
    } finally {
      await qemu.domainUndefine({ dom });
      await qemu.close();
    }
  });
});

describe.skipIf(v11 || shared === null)("libvirt 9.0: what it lacks is refused with typed errors", () => {
  let conn: Client;
  beforeAll(async () => {
    conn = await connect(shared!.uris.testTcp);
  });
  afterAll(async () => {
    await conn?.close();
  });

  it("refuses the network metadata and autostart-once procedures as unknown (VIR_ERR_RPC)", async () => {
    const name = uniqueName("v9net");
    const { net } = await conn.networkCreateXml({ xml: networkXml(name) });
    const qemu = await connect(shared!.uris.qemuTcp);
    const { dom } = await qemu.domainDefineXml({ xml: domainXml(uniqueName("v9ao")) });
    try {
      // Thunks, so that no refusal is left unhandled while an earlier one is awaited.
      const calls: [() => Promise<unknown>, number][] = [
        [() => conn.networkSetMetadata({ network: net, type: 0, metadata: "x", key: null, uri: null, flags: 0 }), 444],
        [() => conn.networkGetMetadata({ network: net, type: 0, uri: null, flags: 0 }), 445],
        [() => qemu.domainGetAutostartOnce({ dom }), 449],
        [() => qemu.domainSetAutostartOnce({ dom, autostart: 1 }), 450],
      ];
      for (const [call, number] of calls) {
        const e = await call().then(() => null, (err: unknown) => err);
        expect(e).toBeInstanceOf(LibvirtError);
        expect(e).toMatchObject({ code: "VIR_ERR_RPC", message: `unknown procedure: ${number}` });
      }
      // The connection is still good after the refusals.
      expect((await conn.connectGetLibVersion()).lib_ver).toBe(version);
    } finally {
      await qemu.domainUndefine({ dom });
      await qemu.close();
      await conn.networkDestroy({ net });
    }
  });

  it("refuses exactly the event IDs added since, with a LibvirtError; events --all registers the rest", async () => {
    const qemu = await connect(shared!.uris.qemuTcp);
    const { accepted, rejected } = await acceptedEventIds(conn, qemu).finally(() => qemu.close());
    expect([...rejected.keys()].sort()).toEqual(NEWER_THAN_9_0);
    for (const e of rejected.values()) expect(e).toMatchObject({ name: "LibvirtError", code: "VIR_ERR_INTERNAL_ERROR" });
    expect(accepted).toContain("network/lifecycle");
    // events --all leaves out what the daemon refuses, and prints the rest.
    const name = uniqueName("v9net");
    const ours = new Watcher(process.execPath, [cli, "events", "-c", shared!.uris.testTcp, "--family", "network", "--all", "--loop"]);
    try {
      for (let i = 0; ; i++) {
        const { net } = await conn.networkCreateXml({ xml: networkXml(`${name}${i}`) });
        await conn.networkDestroy({ net });
        try {
          await ours.waitFor(`event 'lifecycle' for network ${name}${i}: Stopped`, 1000);
          break;
        } catch (e) {
          if (i > 20) throw e;
        }
      }
    } finally {
      ours.stop();
    }
  });
});

async function waitUntil(check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}
