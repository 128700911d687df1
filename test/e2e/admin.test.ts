import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../protocol/fetch.js";
import { connectAdmin } from "../../src/admin/client.js";
import { connect, type Client } from "../../src/client/client.js";
import { ConnectionClosedError } from "../../src/rpc/errors.js";
import { startDaemon, type ThrowawayDaemon } from "../../src/testing/daemon.js";
import { sharedDaemon } from "./daemon.js";

const root = repoRoot();
const cli = join(root, "dist/src/cli/main.js");
const isRoot = process.getuid?.() === 0;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command as the daemon's user: the admin server admits only
 * clients of its own uid, so as root the clients run as nobody, as the
 * daemon does.
 */
function asDaemonUser(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Result> {
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const [file, argv] = isRoot ? ["runuser", ["-u", "nobody", "--", "env", ...envArgs, cmd, ...args]] : ["env", [...envArgs, cmd, ...args]];
  return new Promise((resolve) => {
    execFile(file, argv, { encoding: "utf8", cwd: root, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : -1, stdout, stderr });
    });
  });
}

/** A long-running command as the daemon's user, its stdout read line by line as it comes. */
function spawnAsDaemonUser(cmd: string, args: string[]): { nextLine(ms?: number): Promise<string>; exit: Promise<number | null> } {
  const [file, argv] = isRoot ? ["runuser", ["-u", "nobody", "--", cmd, ...args]] : [cmd, args];
  const child = spawn(file, argv, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  let partial = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exit = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return {
    exit,
    async nextLine(ms = 30_000) {
      await waitFor(`a line from the child (stderr: ${stderr})`, async () => lines.length > 0 || child.exitCode !== null, ms);
      const line = lines.shift();
      if (line === undefined) throw new Error(`the child exited with ${child.exitCode}: ${stderr}`);
      return line;
    },
  };
}

const virtAdmin = (args: string[], env?: Record<string, string>): Promise<Result> => asDaemonUser("virt-admin", args, env);
const ours = (args: string[], env?: Record<string, string>): Promise<Result> => asDaemonUser(process.execPath, [cli, "admin", ...args], env);

/** The client IDs of a server, from `srv-clients-list -q`. */
async function clientIds(uri: string, server: string): Promise<string[]> {
  const r = await ours(["-c", uri, "-q", "srv-clients-list", server]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/)[0] ?? "")
    .filter((id) => id !== "");
}

/** Connects a main-protocol client and finds its ID on the libvirtd server. */
async function newClient(d: ThrowawayDaemon, uri: string): Promise<{ client: Client; id: string }> {
  const admin = `libvirtd:///session?socket=${d.adminSocket}`;
  const before = new Set(await clientIds(admin, "libvirtd"));
  const client = await connect(uri);
  const added = (await clientIds(admin, "libvirtd")).filter((id) => !before.has(id));
  expect(added).toHaveLength(1);
  return { client, id: added[0]! };
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(sharedDaemon() === null)("libvirt-remote admin against virt-admin, on one throwaway daemon", () => {
  let d: ThrowawayDaemon;
  let uri: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    // Its own daemon: these tests change its logging and drop its clients.
    d = await startDaemon();
    uri = `libvirtd:///session?socket=${d.adminSocket}`;
    // Clients of both transports for the lists and client-info.
    clients.push(await connect(d.uris.testTcp), await connect(d.uris.testUnix));
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await d?.stop();
  });

  const same = async (oursArgs: string[], theirArgs = oursArgs, env?: Record<string, string>): Promise<Result> => {
    const [a, b] = [await ours(["-c", uri, ...oursArgs], env), await virtAdmin(["-c", uri, ...theirArgs], env)];
    expect({ args: oursArgs, ...a }).toEqual({ args: oursArgs, ...b });
    return a;
  };

  it("prints srv-list, srv-threadpool-info, srv-clients-info and the log settings byte for byte as virt-admin", async () => {
    const list = await same(["srv-list"], ["server-list"]);
    // The daemon lists its servers in its hash table's order, the same for every query.
    expect([" Id   Name\n----------------\n 0    libvirtd\n 1    admin\n\n", " Id   Name\n----------------\n 0    admin\n 1    libvirtd\n\n"]).toContain(list.stdout);
    await same(["server-list"]);
    await same(["-q", "srv-list"], ["-q", "server-list"]);
    for (const server of ["libvirtd", "admin"]) {
      const info = await same(["srv-threadpool-info", server], ["server-threadpool-info", server]);
      expect(info.stdout).toMatch(/^minWorkers {5}: \d+\n/);
      await same(["srv-clients-info", server], ["server-clients-info", server]);
      await same(["server-clients-info", `--server=${server}`]);
    }
    const outputs = await same(["daemon-log-outputs"]);
    expect(outputs.stdout).toMatch(/^ Logging outputs: \S+\n\n$/);
    // Names virt-admin 9.0 does not have: its "unknown command", byte for byte.
    await same(["dmn-log-outputs"]);
    await same(["-q", "daemon-log-outputs"]);
    await same(["daemon-log-filters"]);
    await same(["dmn-log-filters"]);
    await same(["-q", "daemon-log-filters"]);
  });

  it("prints srv-clients-list and client-info as virt-admin, in UTC and in a zone with a 45-minute offset", async () => {
    for (const TZ of ["UTC", "Asia/Kathmandu"]) {
      const list = await same(["srv-clients-list", "libvirtd"], ["client-list", "libvirtd"], { TZ });
      const ids = list.stdout.split("\n").slice(2).map((l) => l.trim().split(/\s+/)[0]).filter((id) => id !== undefined && id !== "");
      expect(ids.length).toBeGreaterThanOrEqual(2);
      expect(list.stdout).toContain(" tcp ");
      expect(list.stdout).toContain(" unix ");
      if (TZ !== "UTC") expect(list.stdout).toContain("+0545");
      for (const id of ids) {
        const info = await same(["client-info", "libvirtd", id!], undefined, { TZ });
        expect(info.stdout).toMatch(new RegExp(`^id {13}: ${id}\nconnection_time: \\d{4}-`));
      }
    }
  });

  it("reports errors with virt-admin's lines and exit code", async () => {
    for (const args of [
      ["srv-threadpool-info", "nope"],
      ["client-info", "libvirtd", "123456789"],
      ["client-info", "libvirtd", "abc"],
      ["client-info"],
      ["client-info", "a", "b", "c"],
      ["srv-clients-info", "--bogus", "x"],
      ["no-such-command"],
    ]) {
      const r = await same(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: /);
    }
  });

  it("finds libvirtd:///session's admin socket (and the default URI's) as virt-admin does", async () => {
    const env = { XDG_RUNTIME_DIR: join(d.dir, "run") };
    const a = await ours(["-c", "libvirtd:///session", "srv-list"], env);
    const b = await virtAdmin(["-c", "libvirtd:///session", "srv-list"], env);
    expect(a).toEqual(b);
    expect(a.code).toBe(0);
    if (isRoot) {
      // Without -c, a non-root user gets libvirtd:///session.
      expect(await ours(["srv-list"], env)).toEqual(a);
    }
    // A URI libvirt-admin refuses is refused here too.
    for (const bad of [`${uri}&mode=direct`, "qemu:///session", "libvirtd:///nowhere"]) {
      const [x, y] = [await ours(["-c", bad, "srv-list"]), await virtAdmin(["-c", bad, "srv-list"])];
      expect(x.code).toBe(1);
      expect(y.code).toBe(1);
      expect(x.stderr.split("\n")[0]).toBe(y.stderr.split("\n")[0]);
    }
  });

  it("client-disconnect drops the client, which sees a close with reason eof", async () => {
    const mine = await newClient(d, d.uris.testTcp);
    const theirs = await newClient(d, d.uris.testUnix);
    const a = await ours(["-c", uri, "client-disconnect", "libvirtd", mine.id]);
    const b = await virtAdmin(["-c", uri, "client-disconnect", "libvirtd", theirs.id]);
    expect(a).toEqual({ code: 0, stdout: `Client '${mine.id}' disconnected\n`, stderr: "" });
    expect(b).toEqual({ code: 0, stdout: `Client '${theirs.id}' disconnected\n`, stderr: "" });
    for (const { client } of [mine, theirs]) {
      const info = await Promise.race([client.closed, new Promise<null>((r) => setTimeout(() => r(null), 20_000))]);
      expect(info?.reason).toBe("eof");
      await expect(client.connectGetHostname()).rejects.toBeInstanceOf(ConnectionClosedError);
    }
    expect(await clientIds(uri, "libvirtd")).not.toContain(mine.id);
    // Disconnecting it again: the client is gone, as virt-admin says.
    await same(["client-disconnect", "libvirtd", mine.id]);
  });

  it("setting log outputs and filters changes what the daemon logs", async () => {
    const log = join(d.dir, "admin-test.log");
    const initial = await ours(["-c", uri, "-q", "daemon-log-outputs"]);
    expect(existsSync(log)).toBe(false);
    expect(await ours(["-c", uri, "daemon-log-outputs", "--outputs", `1:file:${log}`])).toEqual({ code: 0, stdout: "\n", stderr: "" });
    expect(await ours(["-c", uri, "daemon-log-filters", "--filters", "1:remote"])).toEqual({ code: 0, stdout: "\n", stderr: "" });
    // virt-admin sees what was set.
    expect((await same(["daemon-log-outputs"])).stdout).toBe(` Logging outputs: 1:file:${log}\n\n`);
    expect((await same(["daemon-log-filters"])).stdout).toMatch(/^ Logging filters: 1:\*?remote\*? ?\n\n$/);
    await clients[0]!.connectGetHostname();
    await waitFor("the call in the daemon's new log", async () => existsSync(log) && (await readFile(log, "utf8")).includes("remoteDispatchConnectGetHostname"));
    // An empty value restores the daemon's defaults.
    await ours(["-c", uri, "daemon-log-filters", "--filters", ""]);
    await ours(["-c", uri, "daemon-log-outputs", "--outputs", ""]);
    expect(await ours(["-c", uri, "-q", "daemon-log-outputs"])).toEqual(initial);
    const size = (await readFile(log)).length;
    await clients[0]!.connectGetHostname();
    await new Promise((r) => setTimeout(r, 300));
    expect((await readFile(log)).length).toBe(size);
  });

  it("connectAdmin: typed methods, typed errors, keepalive and close, in a process of the daemon's user", async () => {
    const script = `
      const { connectAdmin } = await import(${JSON.stringify(join(root, "dist/src/admin/client.js"))});
      const { typedParamsObject } = await import(${JSON.stringify(join(root, "dist/src/admin/params.js"))});
      const out = (o) => process.stdout.write(JSON.stringify(o, (_, v) => (typeof v === "bigint" ? String(v) : v)) + "\\n");
      const a = await connectAdmin(process.argv[1], { keepalive: { interval: 1, count: 2 } });
      const { servers } = await a.connectListServers({ need_results: 1, flags: 0 });
      const { libVer } = await a.connectGetLibVersion();
      const limits = typedParamsObject((await a.serverGetClientLimits({ srv: { name: "libvirtd" }, flags: 0 })).params);
      const failed = await a.connectLookupServer({ name: "nope", flags: 0 }).then(() => null, (e) => ({ name: e.name, code: e.code, domain: e.domain, message: e.message }));
      const plain = await connectAdmin(process.argv[1]);
      await plain.close();
      out({ servers: servers.map((s) => s.name), libVer, limits, failed, keepalive: a.keepalive, plainClosed: (await plain.closed).reason });
      const closed = await a.closed;
      out({ reason: closed.reason, error: closed.error.name });
    `;
    const child = spawnAsDaemonUser(process.execPath, ["--input-type=module", "-e", script, uri]);
    let first: Record<string, unknown>;
    try {
      // Once it is connected and has said so, the daemon stops answering: its keepalive must end the connection.
      first = JSON.parse(await child.nextLine()) as Record<string, unknown>;
      d.signal("SIGSTOP");
      const second = JSON.parse(await child.nextLine()) as unknown;
      expect(second).toEqual({ reason: "keepalive", error: "ConnectionClosedError" });
    } finally {
      d.signal("SIGCONT");
    }
    expect(first).toMatchObject({
      limits: { nclients_max: 5000 },
      failed: { name: "LibvirtError", code: "VIR_ERR_NO_SERVER", message: "Server not found: No server named 'nope'" },
      keepalive: { interval: 1, count: 2 },
      plainClosed: "client",
    });
    expect([...(first["servers"] as string[])].sort()).toEqual(["admin", "libvirtd"]);
    expect(first["libVer"]).toBe(String((await clients[0]!.connectGetLibVersion()).lib_ver));
    expect(await child.exit).toBe(0);
  });

  it.skipIf(!isRoot)("connectAdmin from another uid is turned away by the daemon with a ConnectionClosedError", async () => {
    await expect(connectAdmin(uri, { connectTimeout: 10_000 })).rejects.toBeInstanceOf(ConnectionClosedError);
  });
});
