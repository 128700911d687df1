// Typed parameters as libvirt types them, on real QEMU guests (TCG) and the
// test driver, beside virsh: string fields asked for as libvirt's C API asks
// (VIR_TYPED_PARAM_STRING_OKAY), setters without a getter typed from the
// headers, repeated fields sent once per element.
import { execFile } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { open, type Connection } from "../../src/api/connection.js";
import { TypedParamError } from "../../src/api/errors.js";
import { typedParamStringFlag } from "../../src/api/features.js";
import { fromTypedParams, toTypedParams, typed, type TypedParams } from "../../src/api/typed.js";
import { VIR_DOMAIN_AFFECT_CONFIG, VIR_DOMAIN_NUMATUNE_MEM_STRICT } from "../../src/gen/friendly/constants.js";
import { remoteProgram } from "../../src/gen/remote_protocol.js";
import { Recorder } from "../../src/recording/recorder.js";
import { decodeInbound } from "../../src/rpc/message.js";
import { startDaemon, type ThrowawayDaemon } from "../../src/testing/daemon.js";
import type { Codec } from "../../src/xdr/index.js";
import { sharedDaemon, virsh } from "./daemon.js";

const run = promisify(execFile);
const skip = sharedDaemon() === null;
const EMULATOR = "<emulator>/usr/bin/qemu-system-x86_64</emulator>";
const OS = "<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>";

/** virsh's `name : value` lines (blkdeviotune, numatune, blkiotune) as an object of strings. */
function virshFields(out: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of out.split("\n")) {
    const m = /^(\S+)\s*:\s?(.*)$/.exec(line);
    if (m !== null) fields[m[1]!] = m[2]!.trim();
  }
  return fields;
}

/** Ours as virsh prints them: integers in decimal, strings as they are. */
function asText(p: TypedParams): Record<string, string> {
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, String(v)]));
}

/** The typed parameters of the calls of `procedure` the client sent, as decoded from the recording. */
function sentParams(rec: Recorder, procedure: keyof typeof remoteProgram.procedures): { field: string }[][] {
  const info = remoteProgram.procedures[procedure];
  return rec.frames
    .filter((f) => f.dir === "send" && f.procedure === info.name)
    .map((f) => {
      const { body } = decodeInbound(Buffer.from(f.hex, "hex").subarray(4));
      return (info.args as Codec<{ params: { field: string }[] }>).decode(body).params;
    });
}

describe.skipIf(skip)("typed parameters on real guests, beside virsh", () => {
  let d: ThrowawayDaemon;
  let dir: string;
  let rec: Recorder;
  let conn: Connection;

  const disk = (dev: string, iotune: string): string =>
    `<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${join(dir, `${dev}.img`)}'/><target dev='${dev}' bus='virtio'/>${iotune}</disk>`;
  const GROUP = "<iotune><total_bytes_sec>1000000</total_bytes_sec><group_name>grp1</group_name></iotune>";

  beforeAll(async () => {
    d = await startDaemon();
    dir = await mkdtemp(join(tmpdir(), "lr-typed-"));
    await chmod(dir, 0o777);
    for (const dev of ["vda", "vdb", "vdc"]) {
      await run("qemu-img", ["create", "-f", "raw", join(dir, `${dev}.img`), "8M"]);
      await chmod(join(dir, `${dev}.img`), 0o666); // QEMU runs as the daemon's user
    }
    // Running, persistent, two disks in one throttle group.
    await writeFile(join(dir, "run.xml"), `<domain type='qemu'><name>tprun</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>${OS}<devices>${EMULATOR}${disk("vda", GROUP)}${disk("vdb", GROUP)}</devices></domain>`);
    // Defined only: NUMA tuning (read from its config; a session daemon has no cgroups for a live one).
    await writeFile(
      join(dir, "def.xml"),
      `<domain type='qemu'><name>tpdef</name><memory unit='MiB'>32</memory><vcpu>1</vcpu><numatune><memory mode='strict' nodeset='0'/></numatune>${OS}<devices>${EMULATOR}${disk("vda", "")}</devices></domain>`,
    );
    // Transient (libvirt 9.0 copies only transient domains' disks).
    await writeFile(join(dir, "copy.xml"), `<domain type='qemu'><name>tpcopy</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>${OS}<devices>${EMULATOR}${disk("vdc", "")}</devices></domain>`);
    await virsh(d.uris.qemuTcp, "define", join(dir, "run.xml"));
    await virsh(d.uris.qemuTcp, "start", "tprun");
    await virsh(d.uris.qemuTcp, "define", join(dir, "def.xml"));
    await virsh(d.uris.qemuTcp, "create", join(dir, "copy.xml"));
    rec = new Recorder();
    conn = await open(d.uris.qemuTcp, { record: rec });
  }, 120_000);

  afterAll(async () => {
    await conn?.close();
    await d?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("blockIoTune('vda') has group_name 'grp1' and equals virsh blkdeviotune field for field", async () => {
    const ours = await (await conn.domain("tprun")).blockIoTune("vda");
    expect(ours.group_name).toBe("grp1");
    expect(asText(ours)).toEqual(virshFields(await virsh(d.uris.qemuTcp, "blkdeviotune", "tprun", "vda")));
    // The exact layer sends flags as given: the helper gives the flag libvirt's C API adds.
    const dom = (await conn.domain("tprun")).ref;
    const bare = await conn.raw.domainGetBlockIoTune({ dom, disk: "vda", nparams: 32, flags: 0 });
    const asked = await conn.raw.domainGetBlockIoTune({ dom, disk: "vda", nparams: 32, flags: await typedParamStringFlag(conn.raw) });
    expect(bare.params.map((p) => p.field)).not.toContain("group_name");
    expect(fromTypedParams(asked.params)).toEqual(ours);
  });

  it("numaParameters has numa_nodeset and equals virsh numatune (its mode printed by name)", async () => {
    const ours = await (await conn.domain("tpdef")).numaParameters(VIR_DOMAIN_AFFECT_CONFIG);
    const theirs = virshFields(await virsh(d.uris.qemuTcp, "numatune", "tpdef", "--config"));
    expect(ours).toEqual({ numa_mode: VIR_DOMAIN_NUMATUNE_MEM_STRICT, numa_nodeset: "0" });
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    expect([theirs.numa_mode, theirs.numa_nodeset]).toEqual(["strict", "0"]);
  });

  it("blkioParameters has the device_* strings and equals virsh blkiotune (test driver: QEMU's session mode has no blkio)", async () => {
    const test = await open(d.uris.testTcp);
    try {
      const dom = await test.domain("test");
      await dom.setBlkioParameters({ weight: 600, device_weight: "/dev/sda,500", device_read_bytes_sec: "/dev/sda,1000" });
      const ours = await dom.blkioParameters();
      expect(ours).toMatchObject({ weight: 600, device_weight: "/dev/sda,500", device_read_bytes_sec: "/dev/sda,1000" });
      // The test driver's state lives while a connection to it is open: ours still is.
      expect(asText(ours)).toEqual(virshFields(await virsh(d.uris.testTcp, "blkiotune", "test")));
    } finally {
      await test.close();
    }
  });

  it("asks the daemon once per connection whether it sends string parameters", async () => {
    const probes = (): number => rec.frames.filter((f) => f.dir === "send" && f.procedure === "REMOTE_PROC_CONNECT_SUPPORTS_FEATURE").length;
    const dom = await conn.domain("tprun");
    await dom.blockIoTune("vda");
    const before = probes();
    await dom.blockIoTune("vdb");
    await dom.blockStatsFlags("vda");
    await (await conn.domain("tpdef")).numaParameters(VIR_DOMAIN_AFFECT_CONFIG);
    expect(probes()).toBe(before);
    // The handshake's keepalive probe and ours.
    expect(before).toBe(2);
  });

  it("blockCopy with { bandwidth: 1048576 } (a plain number) starts a copy job at that speed, as virsh blockjob shows", async () => {
    const dom = await conn.domain("tpcopy");
    const dest = `<disk type='file'><source file='${join(dir, "copy.img")}'/><driver type='raw'/></disk>`;
    await dom.blockCopy("vdc", dest, { bandwidth: 1048576 });
    try {
      // virsh prints the job's progress on stderr, its bandwidth on stdout.
      const { stdout, stderr } = await run("virsh", ["-c", d.uris.qemuTcp, "blockjob", "tpcopy", "vdc", "--info", "--bytes"], { encoding: "utf8" });
      expect(stderr).toMatch(/Block Copy/);
      expect(stdout).toMatch(/Bandwidth limit: 1048576 bytes\/s/);
    } finally {
      await virsh(d.uris.qemuTcp, "blockjob", "tpcopy", "vdc", "--abort");
    }
  });

  it("a string for a number field fails with a TypedParamError before anything is sent", async () => {
    const dom = await conn.domain("tpcopy");
    const sent = sentParams(rec, "domainBlockCopy").length;
    const e = await dom.blockCopy("vdc", "<disk/>", { bandwidth: "fast" as unknown as number }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TypedParamError);
    expect(e).toMatchObject({ field: "bandwidth", expected: "ullong", message: `typed parameter 'bandwidth': string "fast" is not a ullong` });
    expect(sentParams(rec, "domainBlockCopy").length).toBe(sent);
  });

  it("migrate_disks: ['vda', 'vdb'] goes as two fields, which the daemon takes (a field libvirt takes once it refuses twice)", async () => {
    const dom = await conn.domain("tpdef");
    // An inactive domain: the daemon checks the parameters, then refuses to migrate it.
    const e = await dom.migrateBegin3Params({ migrate_disks: ["vda", "vdb"], bandwidth: 1 }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "VIR_ERR_OPERATION_INVALID" });
    const [sent] = sentParams(rec, "domainMigrateBegin3Params");
    expect(sent!.map((p) => p.field)).toEqual(["migrate_disks", "migrate_disks", "bandwidth"]);
    // The same check refuses a field not marked multiple when it comes twice (sent through the exact layer).
    const twice = toTypedParams({ bandwidth: [typed.ullong(1n), typed.ullong(2n)] });
    const refused = await conn.raw.domainMigrateBegin3Params({ dom: dom.ref, params: twice, flags: 0 }).catch((x: unknown) => x);
    expect(String((refused as Error).message)).toMatch(/bandwidth.*(multiple|more than once)/);
  });
});
