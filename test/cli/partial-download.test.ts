// A download cut mid-way, as virsh 9.0 handles it (tools/virsh-volume.c
// cmdVolDownload, tools/virsh-domain.c cmdScreenshot): the target is opened
// O_CREAT|O_EXCL, else O_TRUNC; on failure it is unlinked only when this run
// created it. A file that existed before stays, holding what arrived before
// the cut (its old content was truncated away when it was opened).
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Client } from "../../src/client/client.js";
import type { RemoteNonnullStoragePool } from "../../src/gen/remote_protocol.js";
import { sharedDaemon, uniqueName } from "../e2e/daemon.js";
import { cutProxy, type CutProxy } from "./cut-proxy.js";
import { lr, virshRun, type Outcome } from "./helpers.js";

const MiB = 1024 * 1024;
const shared = sharedDaemon();

describe.skipIf(shared === null)("a download cut mid-way leaves what virsh leaves", () => {
  let c: Client;
  let dir: string;
  let pool: RemoteNonnullStoragePool;
  let poolName: string;
  let volume: Buffer;
  let proxy: CutProxy;
  let qemu: string;
  let test: string;

  beforeAll(async () => {
    c = await connect(shared!.uris.qemuTcp);
    dir = await mkdtemp(join(tmpdir(), "lr-cut-"));
    await chmod(dir, 0o777);
    poolName = uniqueName("cut");
    ({ pool } = await c.storagePoolCreateXml({ xml: `<pool type='dir'><name>${poolName}</name><target><path>${join(dir, "pool")}</path></target></pool>`, flags: 1 }));
    const { vol } = await c.storageVolCreateXml({ pool, xml: `<volume><name>rand</name><capacity>${16 * MiB}</capacity><target><format type='raw'/></target></volume>`, flags: 0 });
    volume = randomBytes(16 * MiB);
    await c.storageVolUpload({ vol, offset: 0n, length: 0n, flags: 0 }, [volume]);
    // 4 MiB of stream data pass, then the connection is cut inside the next packet.
    proxy = await cutProxy(shared!.tcpPort, 4 * MiB);
    qemu = `qemu+tcp://127.0.0.1:${proxy.port}/session`;
    test = `test+tcp://127.0.0.1:${proxy.port}/default`;
  });

  afterAll(async () => {
    await proxy?.close();
    await c?.storagePoolDestroy({ pool }).catch(() => {});
    await c?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs virsh and ours on the same command, each with its own target made by `prepare`. */
  async function both(args: (file: string) => string[], prepare: (file: string) => Promise<void>, uri: string, tag: string): Promise<Record<"virsh" | "ours", { r: Outcome; file: string }>> {
    const cutsBefore = proxy.cuts();
    const files = { virsh: join(dir, `${tag}.virsh`), ours: join(dir, `${tag}.ours`) };
    await prepare(files.virsh);
    await prepare(files.ours);
    const virsh = await virshRun(["-c", uri, ...args(files.virsh)]);
    const ours = await lr([...args(files.ours), "-c", uri]);
    // Both runs met the cut, not some other failure.
    expect(proxy.cuts() - cutsBefore, JSON.stringify({ virsh, ours })).toBe(2);
    return { virsh: { r: virsh, file: files.virsh }, ours: { r: ours, file: files.ours } };
  }

  const nothing = async (): Promise<void> => {};
  /** An earlier file, longer than the volume and unlike it: 20 MiB of 0xAA. */
  const earlier = async (file: string): Promise<void> => writeFile(file, Buffer.alloc(20 * MiB, 0xaa));

  for (const sparse of [false, true]) {
    const flag = sparse ? ["--sparse"] : [];
    const args = (file: string): string[] => ["vol-download", "--pool", poolName, "rand", file, ...flag];

    it(`vol-download${sparse ? " --sparse" : ""}: a file this run created is removed, with virsh's message`, async () => {
      const { virsh, ours } = await both(args, nothing, qemu, `new${sparse ? "-sparse" : ""}`);
      console.log(`virsh: ${JSON.stringify(virsh.r)}\nours: ${JSON.stringify(ours.r)}`);
      expect(virsh.r.code).toBe(1);
      expect(virsh.r.stderr).toContain("error: cannot receive data from volume rand\n");
      expect(existsSync(virsh.file)).toBe(false);
      expect(ours.r.code).toBe(1);
      expect(existsSync(ours.file)).toBe(false);
      expect(ours.r.stderr).toMatch(/^error: cannot receive data from volume rand\nerror: [^\n]+\n$/);
    });

    it(`vol-download${sparse ? " --sparse" : ""}: a file that existed stays, truncated, holding only what arrived before the cut`, async () => {
      const { virsh, ours } = await both(args, earlier, qemu, `old${sparse ? "-sparse" : ""}`);
      for (const [who, { r, file }] of Object.entries({ virsh, ours })) {
        expect(r.code, who).toBe(1);
        const left = await readFile(file);
        console.log(`${who}: ${left.length} bytes left`);
        // None of the old bytes: a prefix of the volume, shorter than what passed before the cut.
        expect(left.length, who).toBeLessThanOrEqual(5 * MiB);
        expect(left.equals(volume.subarray(0, left.length)), who).toBe(true);
      }
    });
  }

  it("vol-download refused by the daemon: virsh's message; a created file is removed, an earlier one is left empty (virsh truncates before asking)", async () => {
    const { vol } = await c.storageVolCreateXml({ pool, xml: `<volume><name>locked</name><capacity>${MiB}</capacity><target><format type='raw'/></target></volume>`, flags: 0 });
    try {
      // The daemon's user can no longer open it.
      await chmod(join(dir, "pool", "locked"), 0o000);
      const uri = shared!.uris.qemuTcp;
      for (const prepare of [nothing, earlier]) {
        const files = { virsh: join(dir, `locked.${prepare.name}.virsh`), ours: join(dir, `locked.${prepare.name}.ours`) };
        await prepare(files.virsh);
        await prepare(files.ours);
        const virsh = await virshRun(["-c", uri, "vol-download", "--pool", poolName, "locked", files.virsh]);
        const ours = await lr(["vol-download", "-c", uri, "--pool", poolName, "locked", files.ours]);
        console.log(`virsh: ${JSON.stringify(virsh)}\nours: ${JSON.stringify(ours)}`);
        expect(virsh.stderr).toContain("error: cannot download from volume locked\nerror: Unable to open stream for ");
        for (const [who, r, file] of [["virsh", virsh, files.virsh], ["ours", ours, files.ours]] as const) {
          expect(r.code, who).toBe(1);
          if (prepare === nothing) expect(existsSync(file), who).toBe(false);
          else expect((await stat(file)).size, who).toBe(0);
        }
        // virsh's lines, word for word (vol-download is virsh's command, issue 20).
        expect(ours.stderr).toBe(virsh.stderr);
      }
    } finally {
      await c.storageVolDelete({ vol, flags: 0 }).catch(() => {});
    }
  });

  it("vol-download: the file that existed is the same file afterwards (truncated in place, never replaced)", async () => {
    const file = join(dir, "kept.ours");
    await earlier(file);
    const before = await stat(file);
    const r = await lr(["vol-download", "--pool", poolName, "rand", file, "-c", qemu]);
    expect(r.code).toBe(1);
    expect((await stat(file)).ino).toBe(before.ino);
  });

  describe("screenshot (the test driver's 33 KB PNG, one stream packet, cut in its middle)", () => {
    let cut: CutProxy;
    let uri: string;
    beforeAll(async () => {
      cut = await cutProxy(shared!.tcpPort, 0);
      uri = `test+tcp://127.0.0.1:${cut.port}/default`;
    });
    afterAll(async () => cut?.close());

    it("a file this run created is removed, with virsh's message", async () => {
      const files = { virsh: join(dir, "shot.virsh"), ours: join(dir, "shot.ours") };
      const virsh = await virshRun(["-c", uri, "screenshot", "test", files.virsh]);
      const ours = await lr(["screenshot", "-c", uri, "test", files.ours]);
      console.log(`virsh: ${JSON.stringify(virsh)}\nours: ${JSON.stringify(ours)}`);
      expect(cut.cuts(), JSON.stringify({ virsh, ours })).toBe(2);
      expect(virsh.code).toBe(1);
      expect(virsh.stderr).toContain("error: could not receive data from domain 'test'\n");
      expect(existsSync(files.virsh)).toBe(false);
      expect(ours.code).toBe(1);
      expect(existsSync(files.ours)).toBe(false);
      expect(ours.stderr).toMatch(/^error: could not receive data from domain 'test'\nerror: [^\n]+\n$/);
    });

    it("a file that existed stays, truncated: nothing of the cut packet is written", async () => {
      const files = { virsh: join(dir, "old.virsh.png"), ours: join(dir, "old.ours.png") };
      for (const f of Object.values(files)) await earlier(f);
      const virsh = await virshRun(["-c", uri, "screenshot", "test", files.virsh]);
      const ours = await lr(["screenshot", "-c", uri, "test", files.ours]);
      expect(virsh.code).toBe(1);
      expect(ours.code).toBe(1);
      expect((await stat(files.virsh)).size).toBe(0);
      expect((await stat(files.ours)).size).toBe(0);
    });
  });

  it("a download that ends before the proxy's cut is saved whole (the proxy itself breaks nothing)", async () => {
    const file = join(dir, "whole.png");
    const r = await lr(["screenshot", "-c", test, "test", file]);
    expect(r.code).toBe(0);
    expect((await readFile(file)).equals(await readFile("/usr/share/libvirt/test-screenshot.png"))).toBe(true);
  });
});
