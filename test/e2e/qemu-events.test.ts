import { spawn, execFile, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Client } from "../../src/client/client.js";
import type { EventOf } from "../../src/events/types.js";
import { freePort, startDaemon, type ThrowawayDaemon } from "../../src/testing/daemon.js";
import { sharedDaemon, virsh } from "./daemon.js";
import { sideBySide } from "./watch.js";

const run = promisify(execFile);
const skip = sharedDaemon() === null;

/**
 * A boot sector (no OS needed) that writes the RTC (out 0x70,0; out 0x71,0x30),
 * asks the BIOS to read drive 0x81, arms the ib700 watchdog (0x0E to port
 * 0x443: start, 2 s) and spins. Hand-assembled; padded and signed 55 AA.
 */
function bootSector(): Uint8Array {
  const code = Buffer.from("31C08EC0B000E670B030E671B80102B90100BA8100BB007ECD13BA4304B00EEEEBFE", "hex");
  const sector = new Uint8Array(512);
  sector.set(code);
  sector[510] = 0x55;
  sector[511] = 0xaa;
  return sector;
}

/** A VNC client that does the RFB 3.8 handshake with security None, then hangs up. */
function rfbHandshake(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host: "127.0.0.1", port });
    let buf = Buffer.alloc(0);
    let step = 0;
    let localPort = 0;
    s.once("connect", () => (localPort = s.localPort ?? 0));
    s.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (step === 0 && buf.length >= 12) {
        buf = buf.subarray(12); // "RFB 003.008\n"
        s.write("RFB 003.008\n");
        step = 1;
      }
      if (step === 1 && buf.length >= 1 && buf.length >= 1 + buf[0]!) {
        buf = buf.subarray(1 + buf[0]!); // security types
        s.write(Buffer.from([1])); // None
        step = 2;
      }
      if (step === 2 && buf.length >= 4) {
        buf = buf.subarray(4); // SecurityResult
        s.write(Buffer.from([1])); // ClientInit: shared
        step = 3;
      }
      if (step === 3 && buf.length >= 24 && buf.length >= 24 + buf.readUInt32BE(20)) {
        step = 4; // ServerInit read
        s.end();
      }
    });
    s.on("error", reject);
    s.on("close", () => (step === 4 ? resolve(localPort) : reject(new Error(`RFB handshake stopped at step ${step}`))));
  });
}

describe.skipIf(skip)("real QEMU guests (TCG): the seed events, compared with virsh", () => {
  let d: ThrowawayDaemon;
  let dir: string;
  let nbdkit: ChildProcess;
  let holder: Client;
  let vncPort = 0;

  beforeAll(async () => {
    d = await startDaemon();
    dir = await mkdtemp(join(tmpdir(), "lr-qemu-"));
    await chmod(dir, 0o777); // QEMU runs as the daemon's unprivileged user
    await writeFile(join(dir, "boot.img"), bootSector());
    await chmod(join(dir, "boot.img"), 0o666); // QEMU opens its disks read-write
    // A disk whose every read fails: a qcow2 overlay over an nbdkit export with the error filter.
    nbdkit = spawn("nbdkit", ["-f", "--unix", join(dir, "nbd.sock"), "--filter=error", "memory", "1M", "error=EIO", "error-rate=100%"], { stdio: "ignore" });
    for (let i = 0; i < 100; i++) {
      try {
        await run("qemu-img", ["create", "-f", "qcow2", "-F", "raw", "-b", `nbd+unix:///?socket=${join(dir, "nbd.sock")}`, join(dir, "top.qcow2")]);
        break;
      } catch (e) {
        if (i === 99) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await chmod(join(dir, "nbd.sock"), 0o777);
    await chmod(join(dir, "top.qcow2"), 0o666);
    vncPort = await freePort();
    await writeFile(
      join(dir, "evt.xml"),
      `<domain type='qemu'><name>evt</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>
        <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
        <clock offset='variable' basis='utc'/>
        <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
          <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${join(dir, "boot.img")}'/><target dev='hda' bus='ide'/></disk>
          <watchdog model='ib700' action='pause'/>
          <graphics type='vnc' port='${vncPort}' autoport='no' listen='127.0.0.1'/>
        </devices></domain>`,
    );
    await writeFile(
      join(dir, "ioerr.xml"),
      `<domain type='qemu'><name>ioerr</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>
        <os><type arch='x86_64' machine='pc'>hvm</type></os>
        <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
          <disk type='file' device='disk'><driver name='qemu' type='qcow2' error_policy='stop' rerror_policy='stop'/>
            <source file='${join(dir, "top.qcow2")}'/><target dev='vda' bus='virtio'/><boot order='1'/></disk>
        </devices></domain>`,
    );
    await writeFile(join(dir, "mark.xml"), "<domain type='qemu'><name>mark</name><memory unit='MiB'>32</memory><os><type arch='x86_64' machine='pc'>hvm</type></os><devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>");
    holder = await connect(d.uris.qemuTcp);
  });

  afterAll(async () => {
    await holder?.close();
    await d?.stop();
    nbdkit?.kill();
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
