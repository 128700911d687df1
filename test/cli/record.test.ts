import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../protocol/fetch.js";
import { readFixture } from "../../src/fixtures/format.js";
import { freePort } from "../../src/testing/daemon.js";
import { sharedDaemon } from "../e2e/daemon.js";

const run = promisify(execFile);
const daemon = sharedDaemon();
const cli = join(repoRoot(), "dist/src/cli/main.js");

/** Starts a CLI server and waits for its "listening"/"serving" line on stderr. */
async function server(args: string[]): Promise<ChildProcess> {
  const child = spawn("node", [cli, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    let err = "";
    child.stderr!.setEncoding("utf8").on("data", (c: string) => {
      err += c;
      if (/listening|serving/.test(err)) resolve();
    });
    child.once("exit", () => reject(new Error(err)));
  });
  return child;
}

describe.skipIf(daemon === null)("libvirt-remote record and replay", () => {
  it("records virsh through the proxy, then serves the recording back to virsh", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lr-cli-rec-"));
    try {
      const out = join(dir, "s.jsonl");
      const p1 = await freePort();
      const rec = await server(["record", "--listen", `127.0.0.1:${p1}`, "--upstream", daemon!.uris.testTcp, "--out", out, "--once"]);
      const live = await run("virsh", ["-c", `test+tcp://127.0.0.1:${p1}/default`, "domstate", "test"], { encoding: "utf8" });
      await new Promise((r) => rec.once("exit", r));
      const fixture = readFixture(readFileSync(out, "utf8"));
      expect(fixture.frames.some((f) => f.procedure === "REMOTE_PROC_DOMAIN_GET_STATE")).toBe(true);

      const p2 = await freePort();
      const rep = await server(["replay", "--listen", `127.0.0.1:${p2}`, out, "--once"]);
      const replayed = await run("virsh", ["-c", `test+tcp://127.0.0.1:${p2}/default`, "domstate", "test"], { encoding: "utf8" });
      await new Promise((r) => rep.once("exit", r));
      expect(replayed.stdout).toBe(live.stdout);
      expect(live.stdout.trim()).toBe("running");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
