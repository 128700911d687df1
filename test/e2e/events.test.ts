import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Client } from "../../src/client/client.js";
import type { LibvirtEvent } from "../../src/events/types.js";
import { startDaemon, type ThrowawayDaemon } from "../../src/testing/daemon.js";
import { sharedDaemon, virsh } from "./daemon.js";
import { sideBySide } from "./watch.js";

const skip = sharedDaemon() === null;

describe.skipIf(skip)("events against the test driver, compared with virsh", () => {
  let d: ThrowawayDaemon;
  let dir: string;
  let holder: Client;
  beforeAll(async () => {
    // Its own daemon: other test files' domains would show up in one printer and not the other.
    d = await startDaemon();
    dir = await mkdtemp(join(tmpdir(), "lr-events-"));
    // The test driver's shared state lives only while a connection holds it open.
    holder = await connect(d.uris.testTcp);
  });
  afterAll(async () => {
    await holder.close();
    await d.stop();
    await rm(dir, { recursive: true, force: true });
  });

  let n = 0;
  const define = async (name: string): Promise<string> => {
    const xml = join(dir, `${name}.xml`);
    await import("node:fs/promises").then((fs) =>
      fs.writeFile(xml, `<domain type='test'><name>${name}</name><memory>8192</memory><os><type>hvm</type></os></domain>`),
    );
    await virsh(d.uris.testTcp, "define", xml);
    return xml;
  };

  it("domain events: virsh event --all --loop --timestamp and ours print the same lines", async () => {
    const uri = d.uris.testTcp;
    const marker = async (): Promise<string> => {
      const name = `mark${n++}`;
      await define(name);
      await virsh(uri, "undefine", name);
      return `domain '${name}': Undefined Removed`;
    };
    const { ours, theirs } = await sideBySide(uri, "event", "domain", ["--all"], marker, async () => {
      await define("ev-a");
      for (const step of [["start"], ["suspend"], ["resume"], ["reboot"], ["desc", "--new-desc", "hello"], ["destroy"], ["start"], ["shutdown"], ["undefine"]]) {
        await virsh(uri, step[0]!, "ev-a", ...step.slice(1));
      }
    });
    expect(ours).toEqual(theirs);
    expect(ours.length).toBeGreaterThan(10);
    expect(ours).toContain("event 'lifecycle' for domain 'ev-a': Suspended Paused");
    expect(ours).toContain("event 'metadata-change' for domain 'ev-a': type description, uri <null>");
    console.log(`domain events: ${ours.length} lines, identical to virsh's`);
  });

  it("network, storage pool, node device and secret events print as virsh's *-event commands do", async () => {
    const uri = d.uris.testTcp;
    const fs = await import("node:fs/promises");
    const write = async (name: string, text: string): Promise<string> => {
      const path = join(dir, name);
      await fs.writeFile(path, text);
      return path;
    };
    const netXml = await write("net.xml", "<network><name>evnet</name><bridge name='evbr0'/></network>");
    const poolDir = join(dir, "pool");
    await fs.mkdir(poolDir);
    const poolXml = await write("pool.xml", `<pool type='dir'><name>evpool</name><target><path>${poolDir}</path></target></pool>`);
    const secretXml = await write("secret.xml", "<secret ephemeral='no' private='no'><uuid>0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f</uuid><usage type='volume'><volume>/x</volume></usage></secret>");
    const nodedevXml = await write(
      "dev.xml",
      "<device><parent>scsi_host1</parent><capability type='scsi_host'><capability type='fc_host'><wwnn>2000000012341234</wwnn><wwpn>1000000012341234</wwpn></capability></capability></device>",
    );
    const secret = "0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f";
    const nodedevCreate = async (): Promise<string> => /Node device (\S+) created/.exec(await virsh(uri, "nodedev-create", nodedevXml))![1]!;
    // Markers of their own name where the driver allows it: a marker's event that reaches a printer late (a retried
    // round on a loaded machine) cannot then be taken for a later one. Node device names and the refresh of
    // default-pool repeat; for them sideBySide's waits after each marker are what holds.
    let k = 0;
    const markNet = async (): Promise<string> => {
      const name = `evmark${k++}`;
      const xml = await write(`${name}.xml`, `<network><name>${name}</name><bridge name='evmk${k}'/></network>`);
      await virsh(uri, "net-define", xml);
      await virsh(uri, "net-undefine", name);
      return `for network ${name}: Undefined`;
    };
    const markPool = async (): Promise<string> => {
      const name = `evmark${k++}`;
      const xml = await write(`${name}.xml`, `<pool type='dir'><name>${name}</name><target><path>${poolDir}</path></target></pool>`);
      await virsh(uri, "pool-define", xml);
      await virsh(uri, "pool-undefine", name);
      return `for storage pool ${name}: Undefined`;
    };
    const markSecret = async (): Promise<string> => {
      const uuid = randomUUID();
      const xml = await write(`secret${k}.xml`, `<secret ephemeral='no' private='no'><uuid>${uuid}</uuid><usage type='volume'><volume>/mark${k++}</volume></usage></secret>`);
      await virsh(suri, "secret-define", xml);
      return uuid;
    };
    // virsh 9.0's *-event commands take one --event at a time (no --all).
    // The test driver has no secrets; the session daemon's secret driver does.
    const suri = d.uris.qemuTcp;
    const cases: { family: string; command: string; event: string; uri?: string; marker: () => Promise<string>; act: () => Promise<void> }[] = [
      {
        family: "network",
        command: "net-event",
        event: "lifecycle",
        marker: markNet,
        act: async () => {
          await virsh(uri, "net-define", netXml);
          await virsh(uri, "net-start", "evnet");
          await virsh(uri, "net-destroy", "evnet");
          await virsh(uri, "net-undefine", "evnet");
        },
      },
      {
        family: "storage-pool",
        command: "pool-event",
        event: "lifecycle",
        marker: markPool,
        act: async () => {
          await virsh(uri, "pool-define", poolXml);
          await virsh(uri, "pool-start", "evpool");
          await virsh(uri, "pool-destroy", "evpool");
          await virsh(uri, "pool-undefine", "evpool");
        },
      },
      {
        family: "storage-pool",
        command: "pool-event",
        event: "refresh",
        marker: async () => {
          await virsh(uri, "pool-refresh", "default-pool");
          return "event 'refresh' for storage pool default-pool";
        },
        act: async () => {
          await virsh(uri, "pool-refresh", "default-pool");
        },
      },
      {
        family: "secret",
        command: "secret-event",
        event: "lifecycle",
        uri: suri,
        marker: async () => {
          const uuid = await markSecret();
          await virsh(suri, "secret-undefine", uuid);
          return `for secret ${uuid}: Undefined`;
        },
        act: async () => {
          await virsh(suri, "secret-define", secretXml);
          await virsh(suri, "secret-undefine", secret);
        },
      },
      {
        family: "secret",
        command: "secret-event",
        event: "value-changed",
        uri: suri,
        marker: async () => {
          const uuid = await markSecret();
          await virsh(suri, "secret-set-value", uuid, "--base64", "c2VjcmV0");
          await virsh(suri, "secret-undefine", uuid);
          return `event 'value-changed' for secret ${uuid}`;
        },
        act: async () => {
          await virsh(suri, "secret-define", secretXml);
          await virsh(suri, "secret-set-value", secret, "--base64", "b3RoZXI=");
        },
      },
      {
        family: "node-device",
        command: "nodedev-event",
        event: "lifecycle",
        marker: async () => {
          const name = await nodedevCreate();
          await virsh(uri, "nodedev-destroy", name);
          return `for node device ${name}: Deleted`;
        },
        act: async () => {
          await virsh(uri, "nodedev-destroy", await nodedevCreate());
        },
      },
    ];
    for (const c of cases) {
      const { ours, theirs } = await sideBySide(c.uri ?? uri, c.command, c.family, ["--event", c.event], c.marker, c.act);
      expect(ours, `${c.family} ${c.event}`).toEqual(theirs);
      expect(ours.length, `${c.family} ${c.event}`).toBeGreaterThanOrEqual(2);
      console.log(`${c.family} ${c.event} events: ${ours.length} lines, identical to virsh ${c.command}'s`);
    }
  });
});

describe.skipIf(skip)("the event API against a real daemon", () => {
  it("a domain-filtered listener receives only its domain; three listeners share one registration", async () => {
    const d = await startDaemon();
    try {
      const conn = await connect(d.uris.testTcp);
      const xml = (name: string): string => `<domain type='test'><name>${name}</name><memory>8192</memory><os><type>hvm</type></os></domain>`;
      const { dom: a } = await conn.domainDefineXml({ xml: xml("fa") });
      const { dom: b } = await conn.domainDefineXml({ xml: xml("fb") });
      const onlyA: string[] = [];
      const all: string[][] = [[], [], []];
      const subs = [
        await conn.events.subscribe("domain", "lifecycle", (e) => void onlyA.push(e.data.dom.name), { filter: a }),
        ...(await Promise.all(all.map((list) => conn.events.subscribe("domain", "lifecycle", (e) => void list.push(e.data.dom.name))))),
      ];
      expect(conn.events.registrationCount).toBe(2);
      for (const dom of [a, b, a]) await conn.domainCreate({ dom }).catch(() => conn.domainDestroy({ dom }));
      await expect.poll(() => all[2]!.length).toBe(3);
      expect(onlyA).toEqual(["fa", "fa"]);
      expect(all).toEqual([["fa", "fb", "fa"], ["fa", "fb", "fa"], ["fa", "fb", "fa"]]);
      for (const s of subs) await s.close();
      expect(conn.events.registrationCount).toBe(0);
      await conn.close();
    } finally {
      await d.stop();
    }
  });

  it("the legacy registration form works too (as against a daemon older than libvirt 1.2.1)", async () => {
    const d = await startDaemon();
    try {
      const conn = await connect(d.uris.testTcp, { legacyEvents: true });
      const seen: LibvirtEvent[] = [];
      const sub = await conn.events.subscribe("domain", "lifecycle", (e) => void seen.push(e));
      await conn.domainDefineXml({ xml: "<domain type='test'><name>lg</name><memory>8192</memory><os><type>hvm</type></os></domain>" });
      await expect.poll(() => seen.length).toBe(1);
      expect(seen[0]).toMatchObject({ family: "domain", event: "lifecycle", data: { dom: { name: "lg" }, event: 0, detail: 0 } });
      await sub.close();
      await conn.close();
    } finally {
      await d.stop();
    }
  });

  it("an async iterator ends when its signal aborts", async () => {
    const conn = await connect(sharedDaemon()!.uris.testTcp);
    const ac = new AbortController();
    const got: string[] = [];
    const loop = (async () => {
      for await (const e of conn.events.stream("network", "lifecycle", { signal: ac.signal })) got.push(e.data.net.name);
    })();
    await new Promise((r) => setTimeout(r, 200));
    ac.abort();
    await loop;
    expect(conn.events.registrationCount).toBe(0);
    await conn.close();
  });
});
