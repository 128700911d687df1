import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../protocol/fetch.js";
import { connect } from "../../src/client/client.js";
import { LibvirtError } from "../../src/rpc/errors.js";

// Issue 27, item 9: `libvirt-remote replay` says on stderr, as it happens, which request the
// fixture could not answer; the client gets a libvirt error (virsh prints it as it prints any).
const run = promisify(execFile);
const cli = join(repoRoot(), "dist/src/cli/main.js");
const fixture = join(repoRoot(), "fixtures/virsh-session.jsonl");

/** Resolves once `f` holds, polling; fails after a generous bound. */
async function until(f: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A generous bound: a held request fails the test instead of hanging it. */
function within<T>(p: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer!: NodeJS.Timeout;
  const stalled = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`replay stalled: ${what}`)), ms)));
  return Promise.race([p, stalled]).finally(() => clearTimeout(timer));
}

describe("libvirt-remote replay: a request the fixture cannot answer", () => {
  it("is printed on stderr at once, while the client is still connected, and the client's call fails", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lr-replay-cli-"));
    const socket = join(dir, "sock");
    const child = spawn("node", [cli, "replay", "--listen", socket, fixture], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    try {
      await until(() => stderr.includes("serving"), "the replay server");
      const uri = `test+unix:///default?socket=${socket}`;
      // This client asks in another order than virsh, whose session the fixture holds.
      const c = await within(connect(uri), "connect");
      const err = await within(c.connectGetHostname().catch((e: unknown) => e), "hostname");
      expect(err).toBeInstanceOf(LibvirtError);
      const why = "the fixture has no unanswered REMOTE_PROC_CONNECT_GET_HOSTNAME request";
      expect((err as LibvirtError).message).toBe(`internal error: replay: ${why}`);
      await until(() => stderr.includes(why), "the note");
      expect(c.isClosed).toBe(false);
      expect(stderr.split("\n").filter((l) => l.includes(why))).toEqual([expect.stringMatching(/^replay: client #\d+: the fixture has no unanswered/)]);
      c.destroy();

      // virsh, the reference client, reports it as any daemon error.
      const r = await run("virsh", ["-c", uri, "hostname"], { encoding: "utf8" }).then(
        () => ({ code: 0, stderr: "" }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      );
      expect(r).toEqual({ code: 1, stderr: `error: failed to get hostname\nerror: internal error: replay: ${why}\n` });
      await until(() => stderr.split("\n").filter((l) => l.includes(why)).length === 2, "virsh's note");
    } finally {
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
