// The virsh-named commands against virsh 9.0 itself: the same words, the
// same daemon state, and stdout, stderr and the exit code compared whole.
// A daemon of our own, so no other test file changes the state between the
// two runs.

import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/client/client.js";
import { startDaemon, type ThrowawayDaemon } from "../../src/testing/daemon.js";
import { sharedDaemon } from "../e2e/daemon.js";
import { limited, lr, virshRun, type Outcome } from "./helpers.js";

// Where libvirtd is installed at all (the shared daemon says so); this file runs against the system's 9.0 only.
const available = sharedDaemon() !== null && process.env["LIBVIRT_E2E_DAEMON"] !== "11.3";

/**
 * What may differ and why: CPU time moves between the two runs (the test
 * driver's is the wall clock; QEMU's `domstats` cpu.* fields are read live
 * and were seen to move for a guest just shut off), and `version`'s first three lines name
 * the client library: libvirt 9.0.0 for virsh, the protocol version this
 * client was generated from (11.3.0) for us.
 */
function normalise(o: Outcome): Outcome {
  const stdout = o.stdout
    .replace(/^(CPU time: +)\d+\.\ds$/gm, "$1N.Ns")
    .replace(/^( {2}cpu\.(?:time|user|system)=)\d+$/gm, "$1N")
    .replace(/^(Compiled against library: libvirt |Using library: libvirt )[\d.]+$/gm, "$1X")
    .replace(/^(Using API: \S+ )[\d.]+$/gm, "$1X");
  return { ...o, stdout };
}

/** Both programs on the same words; their outcomes side by side, normalised. */
async function both(args: readonly string[]): Promise<{ ours: Outcome; virsh: Outcome }> {
  const [virsh, ours] = [await virshRun(args), await lr(args)];
  return { ours: normalise(ours), virsh: normalise(virsh) };
}

/** Compares every command line, two at a time, and reports all differences at once. */
async function compareAll(lines: readonly (readonly string[])[]): Promise<void> {
  const results = await limited(2, lines.map((args) => () => both(args)));
  const diffs = results.flatMap((r, i) => (JSON.stringify(r.ours) === JSON.stringify(r.virsh) ? [] : [{ args: lines[i]!.join(" "), ...r }]));
  expect(diffs).toEqual([]);
  // Not vacuous: each printed something, and the failures failed alike.
  expect(results.every((r) => r.virsh.stdout !== "" || r.virsh.stderr !== "")).toBe(true);
}

describe.skipIf(!available)("virsh-named commands print what virsh prints", () => {
  let d: ThrowawayDaemon;
  let dir: string;
  beforeAll(async () => {
    d = await startDaemon();
    dir = mkdtempSync(join(tmpdir(), "lr-cli-virsh-"));
    // QEMU under TCG: one running guest and one shut off, with no disk (the BIOS waits).
    const xml = (name: string): string =>
      `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory><os><type arch='x86_64' machine='pc'>hvm</type></os>` +
      "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>";
    writeFileSync(join(dir, "run.xml"), xml("cli-run"));
    writeFileSync(join(dir, "off.xml"), xml("cli-off"));
    writeFileSync(join(dir, "t1.xml"), "<domain type='test'><name>t1</name><memory>8192</memory><os><type>hvm</type></os></domain>");
  });
  afterAll(async () => {
    await d?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("the test driver: host, lists, domain information, errors", async () => {
    const c = ["-c", d.uris.testTcp];
    await compareAll([
      [...c, "version"],
      [...c, "version", "--daemon"],
      [...c, "uri"],
      [...c, "hostname"],
      [...c, "nodeinfo"],
      [...c, "capabilities"],
      [...c, "list"],
      [...c, "list", "--all"],
      [...c, "list", "--inactive"],
      [...c, "list", "--name"],
      [...c, "list", "--uuid", "--all"],
      [...c, "list", "--state-running"],
      [...c, "list", "--state-shutoff"],
      [...c, "list", "--state-paused"],
      [...c, "list", "--state-other", "--all"],
      [...c, "list", "--table", "--name"],
      [...c, "dominfo", "test"],
      [...c, "dominfo", "1"],
      [...c, "dominfo", "nope"],
      [...c, "dominfo"],
      [...c, "domstate", "test"],
      [...c, "domstate", "test", "--reason"],
      [...c, "domstats", "test"],
      [...c, "domstats"],
      [...c, "dumpxml", "test"],
      [...c, "dumpxml", "test", "--inactive"],
      [...c, "net-list"],
      [...c, "net-list", "--all"],
      [...c, "net-list", "--name", "--uuid"],
      [...c, "pool-list", "--all"],
      [...c, "pool-list", "--details"],
      [...c, "pool-list", "--uuid", "--name"],
      // Flags named from the generated enums: the filters and type words each ask the daemon for the same set as virsh.
      [...c, "list", "--all", "--persistent", "--with-snapshot"],
      [...c, "list", "--all", "--without-managed-save", "--no-autostart"],
      [...c, "domstats", "--state", "--cpu-total", "--list-active", "--list-persistent"],
      [...c, "domstats", "--vcpu", "--list-inactive"],
      [...c, "dumpxml", "test", "--security-info", "--migratable"],
      [...c, "net-list", "--all", "--persistent"],
      [...c, "net-list", "--inactive", "--no-autostart"],
      [...c, "pool-list", "--all", "--type", "dir,fs"],
      [...c, "pool-list", "--all", "--type", "logical", "--details"],
      [...c, "pool-list", "--all", "--transient"],
      [...c, "vol-list", "default-pool"],
      [...c, "vol-list", "default-pool", "--details"],
      [...c, "vol-list", "nopool"],
      [...c, "resume", "test"],
      [...c, "start", "test"],
      [...c, "shutdown", "test", "--mode", "bogus"],
      [...c, "define", join(tmpdir(), "no-such-file.xml")],
      [...c, "list", "--bogus"],
      [...c, "dominfo", "a", "b"],
      [...c, "nosuch"],
      ["-q", ...c, "list", "--all"],
      ["-q", ...c, "net-list"],
    ]);
  });

  it("the test driver: a domain's life, each step compared (define, start, suspend, resume, reset, reboot, shutdown, destroy, undefine)", async () => {
    const c = ["-c", d.uris.testTcp];
    const steps: [string, ...string[]][] = [
      ["define", join(dir, "t1.xml")],
      ["start", "t1"],
      ["suspend", "t1"],
      ["resume", "t1"],
      ["reset", "t1"],
      ["reboot", "t1"],
      ["shutdown", "t1"],
      ["start", "t1"],
      ["destroy", "t1"],
      ["undefine", "t1"],
    ];
    // virsh takes each step on t1, we take it on its twin t2: outputs compared with the names swapped,
    // then each tool's view of its own domain's state.
    writeFileSync(join(dir, "t2.xml"), "<domain type='test'><name>t2</name><memory>8192</memory><os><type>hvm</type></os></domain>");
    const twin = (a: string): string => (a === "t1" ? "t2" : a === join(dir, "t1.xml") ? join(dir, "t2.xml") : a);
    const swap = (o: Outcome): Outcome => {
      const t = (x: string): string => x.replaceAll("'t1'", "'t2'").replaceAll("t1.xml", "t2.xml");
      return { ...o, stdout: t(o.stdout), stderr: t(o.stderr) };
    };
    const diffs: unknown[] = [];
    for (const [cmd, ...args] of steps) {
      const virsh = swap(await virshRun([...c, cmd, ...args]));
      const ours = await lr([...c, cmd, ...args.map(twin)]);
      if (JSON.stringify(ours) !== JSON.stringify(virsh)) diffs.push({ cmd, ours, virsh });
      const virshState = swap(await virshRun([...c, "domstate", "t1", "--reason"]));
      const ourState = await lr([...c, "domstate", "t2", "--reason"]);
      if (JSON.stringify(virshState) !== JSON.stringify(ourState)) diffs.push({ after: cmd, ours: ourState, virsh: virshState });
    }
    expect(diffs).toEqual([]);
  });

  it("the QEMU session driver: a running and a shut-off guest", async () => {
    const c = ["-c", d.uris.qemuUnix];
    // Defined and started by virsh and by us alike, outputs compared.
    const virshDefine = await virshRun([...c, "define", join(dir, "off.xml")]);
    const ourDefine = await lr([...c, "define", join(dir, "run.xml")]);
    expect(ourDefine).toEqual({ ...virshDefine, stdout: virshDefine.stdout.replace("cli-off", "cli-run").replace("off.xml", "run.xml") });
    const started = await lr([...c, "start", "cli-run"]);
    expect(started).toEqual({ code: 0, stdout: "Domain 'cli-run' started\n\n", stderr: "" });
    await compareAll([
      [...c, "list", "--all"],
      [...c, "list", "--inactive", "--uuid", "--name"],
      [...c, "dominfo", "cli-run"],
      [...c, "dominfo", "cli-off"],
      [...c, "domstate", "cli-run", "--reason"],
      [...c, "domstate", "cli-off", "--reason"],
      [...c, "domstats", "--state", "cli-run"],
      [...c, "domstats", "cli-off"],
      [...c, "dumpxml", "cli-off"],
      [...c, "dumpxml", "cli-run", "--inactive"],
      [...c, "start", "cli-run"],
      [...c, "suspend", "cli-off"],
      [...c, "nodeinfo"],
      [...c, "hostname"],
      [...c, "net-list", "--all"],
      [...c, "pool-list", "--all", "--details"],
      [...c, "uri"],
    ]);
    // suspend, resume and destroy of the running guest: ours, then virsh's state view compared.
    for (const step of ["suspend", "resume", "destroy"]) {
      expect(await lr([...c, step, "cli-run"])).toMatchObject({ code: 0, stderr: "" });
      const s = await both([...c, "domstate", "cli-run", "--reason"]);
      expect(s.ours).toEqual(s.virsh);
    }
  });

  it("undefine with --storage, --remove-all-storage, --wipe-storage: what virsh prints and removes", async () => {
    const c = ["-c", d.uris.qemuUnix];
    const conn = await connect(d.uris.qemuUnix);
    /** A domain with disks in a pool of its own (two by path, one by pool and volume), one outside any pool, an empty CD-ROM. */
    const setUp = async (who: string): Promise<{ name: string; pool: string; dir: string }> => {
      const name = `und-${who}`;
      const poolName = `undpool-${who}`;
      const poolDir = join(dir, poolName);
      mkdirSync(poolDir, { recursive: true });
      chmodSync(dir, 0o755); // the daemon runs as another user
      chmodSync(poolDir, 0o777);
      let pool = await conn.storagePoolLookupByName({ name: poolName }).then((r) => r.pool, () => null);
      pool ??= (await conn.storagePoolCreateXml({ xml: `<pool type='dir'><name>${poolName}</name><target><path>${poolDir}</path></target></pool>`, flags: 0 })).pool;
      for (const v of ["a.img", "b.img", "c.img"]) {
        await conn.storageVolLookupByName({ pool, name: v }).catch(() =>
          conn.storageVolCreateXml({ pool: pool!, xml: `<volume><name>${v}</name><capacity>1048576</capacity><target><format type='raw'/></target></volume>`, flags: 0 }),
        );
      }
      const disk = (dev: string, source: string): string => `<disk type='file' device='disk'><driver name='qemu' type='raw'/>${source}<target dev='${dev}' bus='virtio'/></disk>`;
      const xml =
        `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>` +
        "<emulator>/usr/bin/qemu-system-x86_64</emulator>" +
        disk("vda", `<source file='${poolDir}/a.img'/>`) +
        disk("vdb", `<source file='${poolDir}/b.img'/>`) +
        disk("vdc", `<source file='${dir}/loose-${who}.img'/>`) +
        `<disk type='volume' device='disk'><driver name='qemu' type='raw'/><source pool='${poolName}' volume='c.img'/><target dev='vdd' bus='virtio'/></disk>` +
        "<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk></devices></domain>";
      await conn.domainDefineXml({ xml });
      return { name, pool: poolName, dir: poolDir };
    };
    const volumes = async (pool: string): Promise<string[]> => {
      const { pool: p } = await conn.storagePoolLookupByName({ name: pool });
      await conn.storagePoolRefresh({ pool: p, flags: 0 });
      return (await conn.storagePoolListAllVolumes({ pool: p, need_results: 1, flags: 0 })).vols.map((v) => v.name).sort();
    };
    const defined = async (name: string): Promise<boolean> => conn.domainLookupByName({ name }).then(() => true, () => false);
    const cases: string[][] = [
      ["--wipe-storage"],
      ["--delete-snapshots"],
      ["--storage", "vda,nosuch"],
      ["--storage", "vdb", "--wipe-storage"],
      ["--remove-all-storage"],
    ];
    const diffs: unknown[] = [];
    const seen: string[] = [];
    try {
      for (const extra of cases) {
        const v = await setUp("v");
        const o = await setUp("o");
        const virsh = await virshRun([...c, "undefine", v.name, ...extra]);
        const ours = await lr([...c, "undefine", o.name, ...extra]);
        const same = (x: string): string => x.replaceAll(o.dir, v.dir).replaceAll(o.name, v.name).replaceAll("loose-o", "loose-v");
        const theirs = { ...virsh, state: { defined: await defined(v.name), volumes: await volumes(v.pool) } };
        const mine = { code: ours.code, stdout: same(ours.stdout), stderr: same(ours.stderr), state: { defined: await defined(o.name), volumes: await volumes(o.pool) } };
        if (JSON.stringify(mine) !== JSON.stringify(theirs)) diffs.push({ extra, ours: mine, virsh: theirs });
        seen.push(`${virsh.stdout}${virsh.stderr}`.replaceAll(v.dir, "POOL").replaceAll(dir, "DIR"));
        for (const who of [v, o]) await conn.domainLookupByName({ name: who.name }).then((r) => conn.domainUndefine({ dom: r.dom }), () => undefined);
      }
      expect(diffs).toEqual([]);
      // Not vacuous: each case took its path in virsh.
      expect(seen[0]).toContain("'--wipe-storage' requires '--storage <string>' or '--remove-all-storage'");
      expect(seen[1]).toContain("Option --remove-all-storage is required by option --delete-storage-volume-snapshots");
      expect(seen[2]).toContain("Volume 'nosuch' was not found in domain's definition.");
      expect(seen[3]).toContain("Wiping volume 'vdb'(POOL/b.img) ... Done.\nVolume 'vdb'(POOL/b.img) removed.");
      expect(seen[4]).toContain("Volume 'vda'(POOL/a.img) removed.\nVolume 'vdb'(POOL/b.img) removed.\nVolume 'vdd'(c.img) removed.");
      expect(seen[4]).toContain("error: Storage volume 'vdc'(DIR/loose-v.img) is not managed by libvirt. Remove it manually.\n\n");
    } finally {
      await conn.close();
    }
  });

  it("a one-line script runs in one connection and prints what virsh prints", async () => {
    const c = ["-c", d.uris.testTcp];
    await compareAll([
      [...c, "list --all; dominfo test; nodeinfo"],
      [...c, "dominfo 'test' ; domstate \"test\" --reason # a comment"],
      [...c, "list; nosuch"],
      [...c, "domstate nope; hostname"],
      [...c, 'list "unterminated'],
      ["-q", ...c, "list --all; hostname"],
      // console, screenshot, vol-upload and vol-download are virsh's commands here too (issue 20).
      [...c, `screenshot test ${join(dir, "shot.png")}; domstate test`],
      [...c, "screenshot test --screen abc; hostname"],
      [...c, `vol-download nosuch ${join(dir, "vol")} --pool default-pool; vol-upload nosuch ${join(dir, "vol")}; uri`],
      [...c, "console nosuch; hostname"],
    ]);
  });

  it("a daemon that cannot be reached: libvirt's words for a refused port and a missing socket", async () => {
    await compareAll([
      ["-c", "test+tcp://127.0.0.1:1/default", "list"],
      ["-c", "test+unix:///default?socket=/nonexistent/libvirt-sock", "hostname"],
    ]);
  });

  it("global options: virsh's errors, the URI order, and options after the command", async () => {
    const uri = d.uris.testTcp;
    await compareAll([
      ["-x"],
      ["-c"],
      ["-k", "abc", "-c", uri, "list"],
      ["-k", "-1", "-c", uri, "list"],
      ["-K", "x", "-c", uri, "list"],
      ["-k", "0", "-c", uri, "hostname"],
      ["-r", "-c", uri, "hostname"],
      ["--connect=" + uri, "hostname"],
      ["-qc", uri, "list"],
    ]);
    const expected = await virshRun(["-c", uri, "list", "--all"]);
    // After the command (not in virsh, taken here as before it).
    expect(await lr(["list", "--all", "-c", uri])).toEqual(expected);
    expect(await lr(["list", "--connect", uri, "--all"])).toEqual(expected);
    // -c wins over VIRSH_DEFAULT_CONNECT_URI, which wins over LIBVIRT_DEFAULT_URI.
    const bad = "test+tcp://127.0.0.1:9/default";
    expect(await lr(["list", "--all"], { VIRSH_DEFAULT_CONNECT_URI: uri, LIBVIRT_DEFAULT_URI: bad })).toEqual(expected);
    expect(await lr(["list", "--all"], { LIBVIRT_DEFAULT_URI: uri })).toEqual(expected);
    expect(await lr(["-c", uri, "list", "--all"], { VIRSH_DEFAULT_CONNECT_URI: bad })).toEqual(expected);
    const failed = await lr(["list", "--all"], { VIRSH_DEFAULT_CONNECT_URI: bad, LIBVIRT_DEFAULT_URI: uri });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^error: failed to connect to the hypervisor\nerror: .+\n$/);
    // -r: a read-only connection is refused what changes things.
    const ro = await lr(["-r", "-c", uri, "suspend", "test"]);
    expect(ro.code).toBe(1);
    expect(ro.stderr).toMatch(/^error: Failed to suspend domain 'test'\nerror: operation forbidden: read only access prevents virDomainSuspend\n$/);
  });

  it("-t prints each command's time as virsh does, and --version and --help exit 0", async () => {
    const t = await lr(["-t", "-c", d.uris.testTcp, "hostname; uri"]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^\S+\n\n\(Time: \d+\.\d{3} ms\)\n\ntest\+tcp:\/\/\S+\n\n\(Time: \d+\.\d{3} ms\)\n\n$/);
    const v = await lr(["--version"]);
    expect(v).toMatchObject({ code: 0, stderr: "" });
    expect(v.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const h = await lr(["-h"]);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain("-k, --keepalive-interval");
  });
});
