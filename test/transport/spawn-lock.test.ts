import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tryLock } from "../../src/transport/spawn-lock.js";

// The lock that lets one of several racing clients start the session daemon.
let dir = "";
let path = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "lr-spawn-lock-"));
  path = join(dir, "libvirtd.lock");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const LIMIT = 20_000;

describe("tryLock", () => {
  it("one holder at a time; released, it can be taken again; it holds the owner's pid", async () => {
    const first = await tryLock(path, LIMIT);
    expect(first).not.toBeNull();
    expect(readFileSync(path, "utf8")).toMatch(new RegExp(`^${process.pid}\n[0-9a-f]{16}\n$`));
    expect(await tryLock(path, LIMIT)).toBeNull();
    await first!.release();
    expect(existsSync(path)).toBe(false);
    const again = await tryLock(path, LIMIT);
    expect(again).not.toBeNull();
    await again!.release();
  });

  it("takes over a lock whose owner is gone", async () => {
    const gone = spawnSync(process.execPath, ["-e", ""]).pid!;
    writeFileSync(path, `${gone}\n`);
    const lock = await tryLock(path, LIMIT);
    expect(lock).not.toBeNull();
    expect(readFileSync(path, "utf8")).toMatch(new RegExp(`^${process.pid}\n`));
  });

  it("waits for libvirt's own (empty) lock file while it is fresh, takes it over once older than libvirt holds one", async () => {
    writeFileSync(path, "");
    expect(await tryLock(path, LIMIT)).toBeNull();
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(path, old, old);
    expect(await tryLock(path, LIMIT)).not.toBeNull();
  });

  it("release leaves a lock file that is no longer its own (libvirt's client unlinks whichever is there)", async () => {
    const lock = await tryLock(path, LIMIT);
    unlinkSync(path);
    writeFileSync(path, "");
    await lock!.release();
    expect(existsSync(path)).toBe(true);
  });
});
