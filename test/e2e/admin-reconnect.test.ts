// connectAdmin(uri, { reconnect }) against a real libvirtd that is killed
// and started again: the admin connection is made again, a call made while
// the daemon was down goes through, and the daemon's admin server lists the
// new connection (as virt-admin sees it). libvirt-admin itself never
// reconnects; this is connect()'s reconnect, on the admin program.
import { execFile, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../protocol/fetch.js";
import { startDaemon, type ThrowawayDaemon } from "../../src/testing/daemon.js";
import { sharedDaemon } from "./daemon.js";

const root = repoRoot();
const isRoot = process.getuid?.() === 0;

/** A command as the daemon's user (its admin server admits only its own uid), its stdout read line by line. */
function spawnAsDaemonUser(cmd: string, args: string[]): { nextLine(): Promise<string>; exit: Promise<number | null> } {
  const [file, argv] = isRoot ? ["runuser", ["-u", "nobody", "--", cmd, ...args]] : [cmd, args];
  const child = spawn(file, argv, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const waiting: (() => void)[] = [];
  let partial = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    lines.push(...parts);
    for (const w of waiting.splice(0)) w();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exit = new Promise<number | null>((resolve) => child.once("exit", resolve));
  void exit.then(() => waiting.splice(0).forEach((w) => w()));
  return {
    exit,
    async nextLine() {
      while (lines.length === 0 && child.exitCode === null) await new Promise<void>((r) => waiting.push(r));
      const line = lines.shift();
      if (line === undefined) throw new Error(`the child exited with ${child.exitCode}: ${stderr}`);
      return line;
    },
  };
}

function virtAdmin(args: string[]): Promise<string> {
  const [file, argv] = isRoot ? ["runuser", ["-u", "nobody", "--", "virt-admin", ...args]] : ["virt-admin", args];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { encoding: "utf8", timeout: 60_000 }, (err, stdout, stderr) => (err === null ? resolve(stdout) : reject(new Error(`${err.message}: ${stderr}`))));
  });
}

/** The client IDs that `virt-admin srv-clients-list <server>` prints. */
async function clientIds(uri: string, server: string): Promise<string[]> {
  const out = await virtAdmin(["-c", uri, "-q", "srv-clients-list", server]);
  return out
    .split("\n")
    .map((l) => l.trim().split(/\s+/)[0] ?? "")
    .filter((id) => id !== "");
}

describe.skipIf(sharedDaemon() === null)("connectAdmin with reconnect, against a daemon that is restarted", () => {
  let d: ThrowawayDaemon;
  let uri: string;
  beforeAll(async () => {
    // Its own daemon: this test kills it.
    d = await startDaemon();
    uri = `libvirtd:///session?socket=${d.adminSocket}`;
  });
  afterAll(async () => {
    await d?.stop();
  });

  it("survives SIGKILL and restart: disconnect, then reconnect; a call made while down waits and goes through; the new daemon lists the connection", async () => {
    const script = `
      const { connectAdmin } = await import(${JSON.stringify(join(root, "dist/src/admin/client.js"))});
      const out = (o) => process.stdout.write(JSON.stringify(o, (_, v) => (typeof v === "bigint" ? String(v) : v)) + "\\n");
      const { existsSync } = await import("node:fs");
      const a = await connectAdmin(process.argv[1], { reconnect: { initialDelay: 50, maxDelay: 500 } });
      const seen = [];
      let whileDown = null;
      let lostReason = null;
      a.on("disconnect", (i) => {
        seen.push("disconnect");
        lostReason = i.reason;
        whileDown = a.connectListServers({ need_results: 16, flags: 0 }, { timeout: 60000 });
      });
      a.on("reconnect", () => seen.push("reconnect"));
      a.on("close", (i) => seen.push("close " + i.reason));
      const back = new Promise((r) => a.once("reconnect", r));
      const { servers } = await a.connectListServers({ need_results: 16, flags: 0 });
      out({ servers: servers.map((s) => s.name).sort() });
      await back;
      const during = await whileDown;
      const { libVer } = await a.connectGetLibVersion();
      out({ seen, lostReason, during: during.servers.map((s) => s.name).sort(), libVer, reconnecting: a.isReconnecting, closed: a.isClosed });
      // Connected until the test has looked at the daemon's list of clients.
      while (!existsSync(process.argv[2])) await new Promise((r) => setTimeout(r, 50));
      await a.close();
      out({ seen, closed: (await a.closed).reason });
    `;
    const flag = join(d.dir, "close-now");
    const child = spawnAsDaemonUser(process.execPath, ["--input-type=module", "-e", script, uri, flag]);
    expect(JSON.parse(await child.nextLine())).toEqual({ servers: ["admin", "libvirtd"] });
    const before = await clientIds(uri, "admin");
    await d.restart("SIGKILL");
    const after = JSON.parse(await child.nextLine()) as Record<string, unknown>;
    expect(after).toMatchObject({ seen: ["disconnect", "reconnect"], during: ["admin", "libvirtd"], reconnecting: false, closed: false });
    // Killed, the daemon's end of the socket is closed: eof (or a reset, had it unread bytes of ours).
    expect(["eof", "error"]).toContain(after["lostReason"]);
    expect(after["libVer"]).toMatch(/^\d+$/);
    // The restarted daemon's admin server has our connection again (and virt-admin's own, which lists it).
    const now = await clientIds(uri, "admin");
    expect(before).toHaveLength(2);
    expect(now).toHaveLength(2);
    await writeFile(flag, "");
    expect(JSON.parse(await child.nextLine())).toEqual({ seen: ["disconnect", "reconnect", "close client"], closed: "client" });
    expect(await child.exit).toBe(0);
  });
});
