import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConnectError } from "../../src/errors.js";
import { AutostartTransport } from "../../src/transport/autostart.js";

// libvirt's client makes the per-user runtime directory before it starts the
// daemon, and reports a failure as "Cannot create user runtime directory".
describe("autostart: a runtime directory that cannot be made", () => {
  const dir = mkdtempSync(join(tmpdir(), "lr-autostart-dir-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is a ConnectError in libvirt's words, not a raw fs error", async () => {
    // A regular file where the directory should be: mkdir fails whoever runs the test (root included).
    writeFileSync(join(dir, "file"), "");
    const t = new AutostartTransport({
      daemon: "/nonexistent/libvirtd",
      socket: join(dir, "absent-sock"),
      lock: join(dir, "file", "libvirt", "libvirtd.lock"),
      idleTimeout: 120,
      wait: 1_000,
      env: {},
    });
    const e = await t.connect().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConnectError);
    expect((e as ConnectError).code).toBe("ERR_CONNECT");
    expect((e as Error).message).toMatch(new RegExp(`^Cannot create user runtime directory '${join(dir, "file", "libvirt")}': `));
    expect((e as Error).cause).toBeInstanceOf(Error);
  });
});
