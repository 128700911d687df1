import { execFile, spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { connect as netConnect } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A boot sector (no OS needed) that writes the RTC (out 0x70,0; out 0x71,0x30),
 * asks the BIOS to read drive 0x81, arms the ib700 watchdog (0x0E to port
 * 0x443: start, 2 s) and spins. Hand-assembled; padded and signed 55 AA.
 */
export function bootSector(): Uint8Array {
  const code = Buffer.from("31C08EC0B000E670B030E671B80102B90100BA8100BB007ECD13BA4304B00EEEEBFE", "hex");
  const sector = new Uint8Array(512);
  sector.set(code);
  sector[510] = 0x55;
  sector[511] = 0xaa;
  return sector;
}

/** Domain XML of the guests that cause libvirt's seed events under QEMU (TCG). */
export function guestXml(dir: string, vncPort: number): { evt: string; ioerr: string; idle: string } {
  const emulator = "<emulator>/usr/bin/qemu-system-x86_64</emulator>";
  const os = "<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>";
  return {
    // rtc-change and watchdog from the boot sector; graphics from a VNC client; reboot from a reset.
    evt:
      `<domain type='qemu'><name>evt</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>${os}` +
      "<clock offset='variable' basis='utc'/>" +
      `<devices>${emulator}<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${join(dir, "boot.img")}'/><target dev='hda' bus='ide'/></disk>` +
      `<watchdog model='ib700' action='pause'/><graphics type='vnc' port='${vncPort}' autoport='no' listen='127.0.0.1'/></devices></domain>`,
    // io-error: every read of its only disk fails, and the firmware reads it first.
    ioerr:
      `<domain type='qemu'><name>ioerr</name><memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>` +
      `<devices>${emulator}<disk type='file' device='disk'><driver name='qemu' type='qcow2' error_policy='stop' rerror_policy='stop'/>` +
      `<source file='${join(dir, "top.qcow2")}'/><target dev='vda' bus='virtio'/><boot order='1'/></disk></devices></domain>`,
    // No disk: the BIOS finds nothing to boot and waits; a guest to suspend and resume.
    idle: `<domain type='qemu'><name>mark</name><memory unit='MiB'>32</memory><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>${emulator}</devices></domain>`,
  };
}

/**
 * Prepares `dir` for the guests of guestXml: the boot sector, and a qcow2
 * overlay over an nbdkit export whose reads all fail with EIO. The
 * directory must be reachable by the daemon's (unprivileged) QEMU.
 */
export async function prepareGuests(dir: string): Promise<{ stop(): void }> {
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o777);
  await writeFile(join(dir, "boot.img"), bootSector());
  await chmod(join(dir, "boot.img"), 0o666); // QEMU opens its disks read-write
  const socket = join(dir, "nbd.sock");
  await rm(socket, { force: true }); // a socket left by an earlier run would refuse connections
  const nbdkit: ChildProcess = spawn("nbdkit", ["-f", "--unix", socket, "--filter=error", "memory", "1M", "error=EIO", "error-rate=100%"], { stdio: "ignore" });
  for (let i = 0; ; i++) {
    try {
      await run("qemu-img", ["create", "-f", "qcow2", "-F", "raw", "-b", `nbd+unix:///?socket=${socket}`, join(dir, "top.qcow2")]);
      break;
    } catch (e) {
      if (i === 100) {
        nbdkit.kill();
        throw e;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await chmod(socket, 0o777);
  await chmod(join(dir, "top.qcow2"), 0o666);
  return { stop: () => void nbdkit.kill() };
}

/** A VNC client that does the RFB 3.8 handshake with security None, then hangs up; resolves its local port. */
export function rfbHandshake(port: number): Promise<number> {
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
