import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Client } from "../../src/client/client.js";
import type { EventOf } from "../../src/events/types.js";
import { freePort, startDaemon, type ThrowawayDaemon } from "../../src/testing/daemon.js";
import { guestXml, prepareGuests, rfbHandshake } from "../../src/testing/guests.js";
import { sharedDaemon, virsh } from "./daemon.js";
import { sideBySide } from "./watch.js";

const skip = sharedDaemon() === null;

describe.skipIf(skip)("real QEMU guests (TCG): the seed events, compared with virsh", () => {
  let d: ThrowawayDaemon;
  let dir: string;
  let guests: { stop(): void } | undefined;
  let holder: Client;
  let vncPort = 0;

  beforeAll(async () => {
    d = await startDaemon();
    dir = await mkdtemp(join(tmpdir(), "lr-qemu-"));
    guests = await prepareGuests(dir);
    vncPort = await freePort();
    const xml = guestXml(dir, vncPort);
    await writeFile(join(dir, "evt.xml"), xml.evt);
    await writeFile(join(dir, "ioerr.xml"), xml.ioerr);
    await writeFile(join(dir, "mark.xml"), xml.idle);
    holder = await connect(d.uris.qemuTcp);
  });

  afterAll(async () => {
    await holder?.close();
    await d?.stop();
    guests?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("lifecycle, reboot, graphics, rtc-change, watchdog, io-error and io-error-reason print as virsh prints them", async () => {
    const uri = d.uris.qemuTcp;
    const graphics: EventOf<"domain", "graphics">[] = [];
    const sub = await holder.events.subscribe("domain", "graphics", (e) => void graphics.push(e));
    const waitEvent = async (event: string, domain: string): Promise<void> => {
      const it = holder.events.stream("domain", event as "lifecycle", { filter: (await holder.domainLookupByName({ name: domain })).dom });
      try {
        await it.next();
      } finally {
        await it.return!();
      }
    };
    const marker = async (): Promise<string> => {
      await virsh(uri, "define", join(dir, "mark.xml"));
      await virsh(uri, "undefine", "mark");
      return "domain 'mark': Undefined Removed";
    };
    let clientPort = 0;
    const { ours, theirs } = await sideBySide(uri, "event", "domain", ["--all"], marker, async () => {
      await virsh(uri, "define", join(dir, "evt.xml"));
      const watchdog = waitEvent("watchdog", "evt");
      await virsh(uri, "start", "evt");
      await watchdog; // the boot sector has run: rtc-change, then watchdog (pause)
      clientPort = await rfbHandshake(vncPort);
      await expect.poll(() => graphics.length, { timeout: 10_000 }).toBe(3);
      const reboot = waitEvent("reboot", "evt");
      await virsh(uri, "reset", "evt");
      await reboot;
      await virsh(uri, "resume", "evt");
      await virsh(uri, "destroy", "evt");
      await virsh(uri, "undefine", "evt");
      await virsh(uri, "define", join(dir, "ioerr.xml"));
      const ioError = waitEvent("io-error-reason", "ioerr");
      await virsh(uri, "start", "ioerr");
      await ioError;
      await virsh(uri, "destroy", "ioerr");
      await virsh(uri, "undefine", "ioerr");
    });
    await sub.close();
    expect(ours).toEqual(theirs);
    const expected = [
      "event 'lifecycle' for domain 'evt': Started Booted",
      "event 'lifecycle' for domain 'evt': Suspended Watchdog",
      "event 'watchdog' for domain 'evt': pause",
      `event 'graphics' for domain 'evt': connect local[IPv4 127.0.0.1 ${vncPort}] remote[IPv4 127.0.0.1 ${clientPort}] none`,
      `event 'graphics' for domain 'evt': initialize local[IPv4 127.0.0.1 ${vncPort}] remote[IPv4 127.0.0.1 ${clientPort}] none`,
      `event 'graphics' for domain 'evt': disconnect local[IPv4 127.0.0.1 ${vncPort}] remote[IPv4 127.0.0.1 ${clientPort}] none`,
      "event 'reboot' for domain 'evt'",
      "event 'lifecycle' for domain 'evt': Resumed Unpaused",
      "event 'lifecycle' for domain 'evt': Stopped Destroyed",
      `event 'io-error' for domain 'ioerr': ${join(dir, "top.qcow2")} (virtio-disk0) pause`,
      "event 'lifecycle' for domain 'ioerr': Suspended I/O Error",
    ];
    for (const line of expected) expect(ours).toContain(line);
    expect(ours.some((l) => /^event 'rtc-change' for domain 'evt': -?\d+$/.test(l))).toBe(true);
    expect(ours.some((l) => l.startsWith(`event 'io-error-reason' for domain 'ioerr': ${join(dir, "top.qcow2")} (virtio-disk0) pause due to`))).toBe(true);
    // The typed payload: phases, address family, addresses, auth scheme.
    expect(graphics.map((e) => [e.data.phase, e.data.local.family, e.data.local.node, e.data.local.service, e.data.remote.service, e.data.authScheme])).toEqual([
      [0, 0, "127.0.0.1", String(vncPort), String(clientPort), "none"],
      [1, 0, "127.0.0.1", String(vncPort), String(clientPort), "none"],
      [2, 0, "127.0.0.1", String(vncPort), String(clientPort), "none"],
    ]);
    console.log(`qemu events: ${ours.length} lines, identical to virsh's`);
  });

  it("QEMU monitor events, filtered by a regex, print as virsh qemu-monitor-event does; a no-case filter matches", async () => {
    const uri = d.uris.qemuTcp;
    await virsh(uri, "create", join(dir, "mark.xml")); // no disk: the BIOS finds nothing to boot and waits
    const nocase: string[] = [];
    const { dom } = await holder.domainLookupByName({ name: "mark" });
    const sub = await holder.events.subscribe("qemu", "monitor", (e) => void nocase.push(e.data.event), { filter: dom, qemuEvent: "stop", nocase: true });
    const marker = async (): Promise<string> => {
      await virsh(uri, "suspend", "mark");
      await virsh(uri, "resume", "mark");
      return "event RESUME for domain 'mark'";
    };
    const { ours, theirs } = await sideBySide(uri, "qemu-monitor-event", "qemu", ["--event", "^(STOP|RESUME)$", "--regex"], marker, async () => {
      await virsh(uri, "reset", "mark"); // a RESET event, which the regex leaves out
      await virsh(uri, "suspend", "mark");
      await virsh(uri, "resume", "mark");
    });
    await sub.close();
    await virsh(uri, "destroy", "mark");
    expect(ours).toEqual(theirs);
    expect(ours.length).toBeGreaterThanOrEqual(5);
    expect(ours.every((l) => /^event (STOP|RESUME) for domain 'mark': /.test(l))).toBe(true);
    expect(nocase.length).toBeGreaterThanOrEqual(2);
    expect(new Set(nocase)).toEqual(new Set(["STOP"]));
    console.log(`qemu monitor events: ${ours.length} lines, identical to virsh's; no-case filter got ${nocase.length} STOP`);
  });
});
