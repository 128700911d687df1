/**
 * The parity harness's rich guest: a TCG QEMU guest with as many tunables
 * as a daemon accepts (disks in an iotune group, vCPU, emulator and
 * IOThread pinning, NUMA tuning, interfaces, metadata, perf events), its
 * disks the volumes of a directory pool, and a secret with a value.
 * libvirt refuses memory, blkio and CPU (scheduler) tuning in session
 * mode; `system: true` adds memory and CPU tuning for a system-mode
 * daemon. No blkio tuning: on a host whose disks have no bfq or cfq
 * scheduler libvirt refuses weights, and a device's limits name a host
 * block device; virDomainGetBlkioParameters then fails on both sides.
 */
import { execFile } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Connection } from "../src/api/connection.js";

const run = promisify(execFile);

export const METADATA_URI = "http://example.org/libvirt-remote/parity";

export interface RichGuest {
  /** Holds the disks; readable by the daemon's user. */
  dir: string;
  domain: string;
  pool: string;
  secretUuid: string;
  /** A network defined for its getters (not started: that needs a bridge and dnsmasq), or null with why in `notes`. */
  network: string | null;
  disks: string[];
  interfaces: string[];
  /** What could not be set up, and the daemon's reason. */
  notes: string[];
}

export interface GuestOptions {
  /** Add the tuning a session daemon refuses (memtune, blkiotune, scheduler). */
  system?: boolean;
}

/** A tap device the daemon makes (system mode only): an interface with a host-side name, for interfaceStats. */
function tapName(): string {
  return `lrp${process.pid % 1_000_000}`;
}

function domainXml(name: string, dir: string, disks: readonly string[], system: boolean): string {
  const disk = (dev: string, tune: string): string =>
    `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${join(dir, `${dev}.qcow2`)}'/><target dev='${dev}' bus='virtio'/><iotune>${tune}</iotune></disk>`;
  const group = "<total_bytes_sec>10000000</total_bytes_sec><group_name>grp1</group_name>";
  const tunes = [group, group, "<read_iops_sec>500</read_iops_sec><write_bytes_sec>2000000</write_bytes_sec>"];
  // No hard_limit: QEMU is then given a locked-memory limit, which a container may not allow.
  const systemOnly = system ? "<memtune><soft_limit unit='MiB'>512</soft_limit></memtune>" : "";
  const cputuneSystem = system ? "<shares>2048</shares><period>100000</period><quota>50000</quota>" : "";
  return (
    `<domain type='qemu'><name>${name}</name><title>Parity guest</title><description>libvirt-remote parity harness</description>` +
    `<metadata><p:info xmlns:p='${METADATA_URI}'><p:owner>parity</p:owner></p:info></metadata>` +
    "<memory unit='MiB'>64</memory><vcpu placement='static'>2</vcpu><iothreads>2</iothreads>" +
    `<cputune>${cputuneSystem}<vcpupin vcpu='0' cpuset='0'/><vcpupin vcpu='1' cpuset='0-1'/><emulatorpin cpuset='0'/><iothreadpin iothread='1' cpuset='0'/></cputune>` +
    "<numatune><memory mode='strict' nodeset='0'/></numatune>" +
    systemOnly +
    "<os><type arch='x86_64' machine='pc'>hvm</type></os>" +
    "<perf><event name='cmt' enabled='no'/><event name='cpu_cycles' enabled='no'/></perf>" +
    "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>" +
    disks.map((d, i) => disk(d, tunes[i] ?? "")).join("") +
    "<interface type='user'><mac address='52:54:00:7a:00:01'/><model type='virtio'/></interface>" +
    "<interface type='user'><mac address='52:54:00:7a:00:02'/><model type='e1000'/></interface>" +
    (system ? `<interface type='ethernet'><mac address='52:54:00:7a:00:03'/><target dev='${tapName()}' managed='yes'/><model type='virtio'/></interface>` : "") +
    "<memballoon model='virtio'/></devices></domain>"
  );
}

/**
 * Makes the disks (in a new directory the daemon's user can write), defines
 * and starts the guest, a pool over `dir` and a secret; the guest is then
 * paused, so its counters hold still while both clients read them.
 */
export async function prepareRichGuest(conn: Connection, name: string, options: GuestOptions = {}): Promise<RichGuest> {
  const dir = await mkdtemp(join(tmpdir(), "lr-parity-"));
  await chmod(dir, 0o777); // the daemon runs as another user
  const disks = ["vda", "vdb", "vdc"];
  for (const d of disks) {
    await run("qemu-img", ["create", "-q", "-f", "qcow2", join(dir, `${d}.qcow2`), "16M"]);
    await chmod(join(dir, `${d}.qcow2`), 0o666);
  }
  const pool = await conn.storagePoolCreateXml(`<pool type='dir'><name>${name}-pool</name><target><path>${dir}</path></target></pool>`);
  const secret = await conn.secretDefineXml(`<secret ephemeral='no' private='no'><usage type='volume'><volume>${join(dir, "vda.qcow2")}</volume></usage></secret>`);
  await secret.setValue(new TextEncoder().encode("parity-secret"));
  const notes: string[] = [];
  const network = await conn
    .networkDefineXml(`<network><name>${name}-net</name><bridge name='lrb${process.pid % 1_000_000}'/><forward mode='nat'/><ip address='192.168.251.1' netmask='255.255.255.0'/></network>`)
    .then((n) => n.name)
    .catch((e: unknown) => {
      notes.push(`no network: ${(e as Error).message}`);
      return null;
    });
  const dom = await conn.domainDefineXml(domainXml(name, dir, disks, options.system === true));
  await dom.create();
  await dom.suspend();
  return { dir, domain: name, pool: pool.name, secretUuid: secret.uuid, network, notes, disks, interfaces: ["52:54:00:7a:00:01", "52:54:00:7a:00:02", ...(options.system === true ? [tapName()] : [])] };
}

/** Undoes prepareRichGuest, as far as it got. */
export async function removeRichGuest(conn: Connection, g: { dir?: string; domain: string; pool: string; secretUuid: string; network?: string | null }): Promise<void> {
  const quiet = async (f: () => Promise<unknown>): Promise<void> => {
    await f().catch(() => undefined);
  };
  await quiet(async () => {
    const dom = await conn.domain(g.domain);
    await quiet(() => dom.destroy());
    await dom.undefine();
  });
  await quiet(async () => (await conn.storagePool(g.pool)).destroy());
  await quiet(async () => (await conn.secret(g.secretUuid)).undefine());
  if (g.network !== undefined && g.network !== null) await quiet(async () => (await conn.network(g.network!)).undefine());
  if (g.dir !== undefined) await rm(g.dir, { recursive: true, force: true });
}
