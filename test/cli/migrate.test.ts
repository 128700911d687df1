// `migrate` for real: two throwaway unprivileged daemons on this machine,
// each with its own host UUID (libvirt refuses to migrate to its own host),
// and small QEMU guests under TCG moved between them, by virsh and by us,
// managed (the client runs Begin, Prepare, Perform, Finish, Confirm) and
// peer-to-peer. Our exit code, stdout and last progress line are virsh's
// for the same migration; the guest then runs on the destination and is
// gone from the source. Failures (Prepare refused, Perform unable to reach
// the destination, Ctrl-C on a terminal) end as virsh's do, the guest left
// running on the source with no job.
import { execFile } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../protocol/fetch.js";
import { connect, type Client } from "../../src/client/client.js";
import { freePort, startDaemon, type ThrowawayDaemon } from "../../src/testing/daemon.js";
import { sharedDaemon, uniqueName } from "../e2e/daemon.js";
import { cli, runProgram, type Outcome } from "./helpers.js";

const run = promisify(execFile);
const PTY = join(repoRoot(), "test/cli/migrate-pty.py");
const VIR_DOMAIN_RUNNING = 1;

/** The text after the last carriage return: what a terminal shows last of the progress line. */
function lastLine(stderr: string): string {
  return stderr.split("\r").filter((s) => s !== "").at(-1) ?? "";
}

/** A guest with no disk and no OS: the firmware waits for ever. */
const idleGuest = (name: string): string =>
  `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>` +
  "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>";

/**
 * A multiboot kernel (QEMU loads it itself: no disk) that rewrites 16 MiB
 * of its memory with a new value on every pass: under `--bandwidth 1` its
 * migration never converges, so it lasts until it is aborted.
 */
function dirtyKernel(): Buffer {
  const magic = 0x1badb002;
  const flags = 0x00010000; // the load addresses below are valid
  const base = 0x100000;
  const header = Buffer.alloc(32);
  [magic, flags, (-(magic + flags)) >>> 0, base, base, 0, 0, base + 32].forEach((v, i) => header.writeUInt32LE(v >>> 0, i * 4));
  // cli; cld; xor ebx,ebx; l: inc ebx; mov edi,0x200000; mov ecx,0x400000; mov eax,ebx; rep stosd; jmp l
  return Buffer.concat([header, Buffer.from("FAFC31DB43BF00002000B90000400089D8F3ABEBEF", "hex")]);
}

const dirtyGuest = (name: string, kernel: string): string =>
  `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>` +
  `<os><type arch='x86_64' machine='pc'>hvm</type><kernel>${kernel}</kernel></os><devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>`;

interface PtyRun {
  output: string;
  aliveAfterSigint: boolean;
  code: number | null;
  signal: number | null;
}

async function inPty(argv: string[]): Promise<PtyRun> {
  const { stdout } = await run("/usr/bin/python3", [PTY, JSON.stringify(argv)], { encoding: "utf8", timeout: 300_000 });
  const r = JSON.parse(stdout) as PtyRun;
  // virsh on a terminal also says that polkit's agent is not there: nothing to do with migration.
  const output = Buffer.from(r.output, "base64")
    .toString("latin1")
    .replace(/^Authorization not available\..*\r\n/gm, "");
  return { ...r, output };
}

describe.skipIf(sharedDaemon() === null)("migrate between two daemons, as virsh migrates", () => {
  let a: ThrowawayDaemon;
  let b: ThrowawayDaemon;
  let ca: Client;
  let cb: Client;
  let files: string;
  const name = uniqueName("mig");
  const dirty = uniqueName("dirty");

  beforeAll(async () => {
    [a, b] = await Promise.all([
      startDaemon({ extraConfig: ['host_uuid = "11111111-2222-3333-4444-555555555555"'] }),
      startDaemon({ extraConfig: ['host_uuid = "66666666-7777-8888-9999-aaaaaaaaaaaa"'] }),
    ]);
    [ca, cb] = await Promise.all([connect(a.uris.qemuTcp), connect(b.uris.qemuTcp)]);
    files = await mkdtemp(join(tmpdir(), "libvirt-remote-migrate-"));
    await chmod(files, 0o755); // the daemons' QEMU (nobody) reads the kernel
    await writeFile(join(files, "dirty.bin"), dirtyKernel(), { mode: 0o644 });
    await ca.domainCreateXml({ xml_desc: idleGuest(name), flags: 0 });
  });

  afterAll(async () => {
    await Promise.all([ca?.close(), cb?.close()].map((p) => p?.catch(() => undefined)));
    await Promise.all([a?.stop(), b?.stop()]);
    if (files !== undefined) await rm(files, { recursive: true, force: true });
  });

  /** The guest's state on a daemon: running, or gone. */
  async function where(c: Client, dom: string): Promise<"running" | "gone" | number> {
    try {
      const { dom: d } = await c.domainLookupByName({ name: dom });
      const { state } = await c.domainGetState({ dom: d, flags: 0 });
      return state === VIR_DOMAIN_RUNNING ? "running" : state;
    } catch {
      return "gone";
    }
  }

  const virsh = (uri: string, ...args: string[]): Promise<Outcome> => runProgram("virsh", ["-c", uri, ...args]);
  const ours = (uri: string, ...args: string[]): Promise<Outcome> => runProgram(process.execPath, [cli, "-c", uri, ...args]);
  /** A managed migration's words, with an explicit migration URI (the host name could resolve elsewhere). */
  const managed = async (to: ThrowawayDaemon, ...more: string[]): Promise<string[]> => [
    "migrate",
    "--live",
    "--verbose",
    ...more,
    name,
    to.uris.qemuTcp,
    `tcp://127.0.0.1:${await freePort()}`,
  ];

  function sameEnd(mine: Outcome, theirs: Outcome): void {
    expect(mine.code).toBe(theirs.code);
    expect(mine.stdout).toBe(theirs.stdout);
    expect(lastLine(mine.stderr)).toBe(lastLine(theirs.stderr));
  }

  let reference: Outcome;

  it("virsh migrate --live --verbose A to B: the reference", async () => {
    reference = await virsh(a.uris.qemuTcp, ...(await managed(b)));
    expect(reference.code, reference.stderr).toBe(0);
    expect(lastLine(reference.stderr)).toBe("Migration: [100 %]");
    expect(await where(cb, name)).toBe("running");
    expect(await where(ca, name)).toBe("gone");
  });

  it("ours, managed, B back to A: the same exit code, stdout and last line; the guest runs on A only", async () => {
    const mine = await ours(b.uris.qemuTcp, ...(await managed(a)));
    sameEnd(mine, reference);
    expect(await where(ca, name)).toBe("running");
    expect(await where(cb, name)).toBe("gone");
  });

  it("ours --p2p A to B, then virsh --p2p back: the same end", async () => {
    const mine = await ours(a.uris.qemuTcp, "migrate", "--live", "--verbose", "--p2p", name, b.uris.qemuTcp);
    expect(mine.code, mine.stderr).toBe(0);
    expect(await where(cb, name)).toBe("running");
    expect(await where(ca, name)).toBe("gone");
    const theirs = await virsh(b.uris.qemuTcp, "migrate", "--live", "--verbose", "--p2p", name, a.uris.qemuTcp);
    sameEnd(mine, theirs);
    expect(await where(ca, name)).toBe("running");
    expect(await where(cb, name)).toBe("gone");
  });

  it("Prepare refused (the name taken on B by another guest): virsh's error, the guest still running on A with no job", async () => {
    const other = idleGuest(name).replace("</name>", "</name><uuid>11111111-0000-0000-0000-000000000001</uuid>");
    const { dom: taken } = await cb.domainDefineXml({ xml: other });
    try {
      const theirs = await virsh(a.uris.qemuTcp, ...(await managed(b)));
      const mine = await ours(a.uris.qemuTcp, ...(await managed(b)));
      expect(theirs.code).toBe(1);
      expect(theirs.stderr).toContain("already exists with uuid");
      expect(mine).toEqual(theirs);
      const { dom } = await ca.domainLookupByName({ name });
      expect((await ca.domainGetJobInfo({ dom })).type).toBe(0);
      expect(await where(ca, name)).toBe("running");
    } finally {
      await cb.domainUndefine({ dom: taken });
    }
  });

  it("Perform unable to reach the destination (it listens elsewhere): virsh's error, the guest still on A", async () => {
    const port = String(await freePort());
    const words = ["migrate", "--live", name, b.uris.qemuTcp, `tcp://127.0.0.1:${port}`, "--listen-address", "127.0.0.2"];
    const theirs = await virsh(a.uris.qemuTcp, ...words);
    const mine = await ours(a.uris.qemuTcp, ...words);
    expect(theirs.code).toBe(1);
    expect(theirs.stderr).toBe(`error: unable to connect to server at '127.0.0.1:${port}': Connection refused\n`);
    expect(mine).toEqual(theirs);
    expect(await where(ca, name)).toBe("running");
    expect(await where(cb, name)).toBe("gone");
  });

  it("on a terminal SIGINT is ignored and Ctrl-C aborts the running job, as virsh does; the guest stays on A", async () => {
    await ca.domainCreateXml({ xml_desc: dirtyGuest(dirty, join(files, "dirty.bin")), flags: 0 });
    const words = async (): Promise<string[]> => ["migrate", "--live", "--verbose", "--bandwidth", "1", dirty, b.uris.qemuTcp, `tcp://127.0.0.1:${await freePort()}`];
    const theirs = await inPty(["virsh", "-c", a.uris.qemuTcp, ...(await words())]);
    expect(await where(ca, dirty)).toBe("running");
    const mine = await inPty([process.execPath, cli, "-c", a.uris.qemuTcp, ...(await words())]);
    console.log(`virsh: ${JSON.stringify(theirs)}\nours: ${JSON.stringify(mine)}`);
    for (const r of [theirs, mine]) {
      expect(r.aliveAfterSigint).toBe(true);
      expect(r.code).toBe(1);
      expect(r.output).toMatch(/\rMigration: \[ *\d+ %\]/);
    }
    // The terminal echoes ^C at once; a progress line may still come before the abort's error.
    const end = (o: string): string => o.replace(/\rMigration: \[ *\d+ %\]/g, "");
    expect(end(theirs.output)).toBe("^Cerror: operation aborted: job 'migration out' canceled by client\r\n\r\n");
    expect(end(mine.output)).toBe(end(theirs.output));
    expect(await where(ca, dirty)).toBe("running");
    expect(await where(cb, dirty)).toBe("gone");
  });

  it("--timeout 2: the guest that never converges is suspended after 2 s, and then moves; virsh A to B, ours back", async () => {
    const words = async (to: ThrowawayDaemon): Promise<string[]> => [
      "migrate",
      "--live",
      "--verbose",
      "--bandwidth",
      "16",
      "--timeout",
      "2",
      dirty,
      to.uris.qemuTcp,
      `tcp://127.0.0.1:${await freePort()}`,
    ];
    const theirs = await virsh(a.uris.qemuTcp, ...(await words(b)));
    expect(theirs.code, theirs.stderr).toBe(0);
    const stateOnB = await where(cb, dirty);
    expect(stateOnB).not.toBe("gone");
    expect(await where(ca, dirty)).toBe("gone");
    // Back from where virsh left it, in the same state as virsh's run began.
    if (stateOnB !== "running") await virsh(b.uris.qemuTcp, "resume", dirty);
    const mine = await ours(b.uris.qemuTcp, ...(await words(a)));
    sameEnd(mine, theirs);
    expect(await where(ca, dirty)).toBe(stateOnB);
    expect(await where(cb, dirty)).toBe("gone");
  });
});
