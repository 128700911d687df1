import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { connect, type Client } from "../../src/client/client.js";
import { readFixture } from "../../src/recording/format.js";
import { Recorder } from "../../src/recording/recorder.js";
import { ReplayTransport } from "../../src/recording/replay.js";
import { LibvirtError } from "../../src/rpc/errors.js";
import { sharedDaemon } from "../e2e/daemon.js";

// Issue 27, item 9: stream packets are requests like calls. A recorded upload and download replay
// whole; an upload whose data the fixture does not hold fails at once with a stream error.
const daemon = sharedDaemon();

/** A generous bound: a held request fails the test instead of hanging it. */
function within<T>(p: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer!: NodeJS.Timeout;
  const stalled = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`replay stalled: ${what}`)), ms)));
  return Promise.race([p, stalled]).finally(() => clearTimeout(timer));
}

/** Uploads `data` in two pieces to a new volume of a transient pool at `dir`, downloads it back; names fixed, so replays match. */
async function roundTrip(conn: Client, dir: string, data: Buffer): Promise<Buffer> {
  const { pool } = await conn.storagePoolCreateXml({ xml: `<pool type='dir'><name>replay-streams</name><target><path>${dir}</path></target></pool>`, flags: 0 });
  try {
    const { vol } = await conn.storageVolCreateXml({ pool, xml: `<volume><name>v</name><capacity>${data.length}</capacity><target><format type='raw'/></target></volume>`, flags: 0 });
    await conn.storageVolUpload({ vol, offset: 0n, length: 0n, flags: 0 }, [data.subarray(0, 1000), data.subarray(1000)]);
    const back: Buffer[] = [];
    for await (const chunk of await conn.storageVolDownload({ vol, offset: 0n, length: 0n, flags: 0 })) back.push(chunk as Buffer);
    return Buffer.concat(back);
  } finally {
    await conn.storagePoolDestroy({ pool });
  }
}

describe.skipIf(daemon === null)("a recorded volume upload and download, replayed", () => {
  it("replays whole; different upload data is refused at once with a stream error", async () => {
    const root = mkdtempSync(join(tmpdir(), "lr-replay-streams-"));
    const dir = join(root, "pool");
    // The daemon runs as another user.
    chmodSync(root, 0o755);
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    try {
      const data = Buffer.alloc(600_000, 7);
      const recorder = new Recorder();
      const live = await connect(daemon!.uris.qemuUnix, { keepalive: false, record: recorder });
      expect((await roundTrip(live, dir, data)).equals(data)).toBe(true);
      await live.close();
      const fixture = readFixture(recorder.toString());
      expect(fixture.frames.filter((f) => f.dir === "send" && f.type === "STREAM").length).toBeGreaterThan(2);

      const again = new ReplayTransport(fixture);
      const c = await within(connect(daemon!.uris.qemuUnix, { keepalive: false, transport: again }), "connect");
      expect((await within(roundTrip(c, dir, data), "round trip")).equals(data)).toBe(true);
      await c.close();
      again.assertDone();

      const other = new ReplayTransport(fixture);
      const d = await within(connect(daemon!.uris.qemuUnix, { keepalive: false, transport: other }), "connect");
      const { pool } = await within(d.storagePoolCreateXml({ xml: `<pool type='dir'><name>replay-streams</name><target><path>${dir}</path></target></pool>`, flags: 0 }), "pool");
      const { vol } = await within(d.storageVolCreateXml({ pool, xml: `<volume><name>v</name><capacity>${data.length}</capacity><target><format type='raw'/></target></volume>`, flags: 0 }), "volume");
      const different = Buffer.alloc(600_000, 8);
      const err = await within(d.storageVolUpload({ vol, offset: 0n, length: 0n, flags: 0 }, [different.subarray(0, 1000), different.subarray(1000)]).catch((e: unknown) => e), "upload");
      expect(err).toBeInstanceOf(LibvirtError);
      expect((err as LibvirtError).message).toMatch(/^internal error: replay: payload differs from the fixture's stream data of REMOTE_PROC_STORAGE_VOL_UPLOAD: expected [0-9a-f]+, got [0-9a-f]+$/);
      expect(other.sessions[0]!.mismatches).toHaveLength(1);
      // Later stream packets are no longer in step with the fixture, so the pool cannot be destroyed in this replay:
      // the call is refused at once, naming what the fixture has first.
      const destroyed = await within(d.storagePoolDestroy({ pool }).catch((e: unknown) => e), "destroy");
      expect((destroyed as Error).message).toBe(
        "internal error: replay: REMOTE_PROC_STORAGE_POOL_DESTROY came before stream data of REMOTE_PROC_STORAGE_VOL_UPLOAD, which the fixture has first (its recorded reply may depend on that call)",
      );
      d.destroy();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
