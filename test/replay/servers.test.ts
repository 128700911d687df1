import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createConnection, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "../../protocol/fetch.js";
import { readFixture, type Fixture } from "../../src/recording/format.js";
import type { Recorder } from "../../src/recording/recorder.js";
import { ReplayTransport, type ReplaySession } from "../../src/recording/replay.js";
import { listen, recordingProxy, replayServer } from "../../src/recording/servers.js";
import { KEEPALIVE_PROGRAM, KeepaliveProcedure } from "../../src/gen/virkeepaliveprotocol.js";
import { sharedDaemon } from "../e2e/daemon.js";

const run = promisify(execFile);
const daemon = sharedDaemon();
const dir = join(repoRoot(), "fixtures");
const load = (file: string): Fixture => readFixture(readFileSync(join(dir, file), "utf8"), file);

/** A keepalive message (type MESSAGE, serial 0, status OK) as libvirt's client sends it. */
function keepalive(proc: number): Buffer {
  const b = Buffer.alloc(28);
  [28, KEEPALIVE_PROGRAM, 1, proc, 2, 0, 0].forEach((v, i) => b.writeUInt32BE(v, i * 4));
  return b;
}

/** Connects, writes `bytes`, and resolves with everything read once the server closes. */
function stray(addr: string, bytes: string | Buffer): Promise<{ read: Buffer; closed: boolean }> {
  const [host, port] = [addr.slice(0, addr.lastIndexOf(":")), Number(addr.slice(addr.lastIndexOf(":") + 1))];
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s: Socket = createConnection({ host, port }, () => s.write(bytes));
    s.on("data", (c: Buffer) => chunks.push(c));
    s.on("error", reject);
    s.on("close", () => resolve({ read: Buffer.concat(chunks), closed: true }));
  });
}

/** virsh's exit code and output, whether it succeeds or not. */
async function virsh(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("virsh", args, { encoding: "utf8" });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

// Issue 13, defect 3: one garbage client must not take the server, or anyone else's session, down.
describe("the replay and recording servers survive garbage clients", () => {
  const garbage: [string, string | Buffer][] = [
    ["an HTTP request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"],
    ["a frame too short for a header", Buffer.from([0, 0, 0, 8, 1, 2, 3, 4])],
    // The start of a TLS ClientHello, as from a client that expected TLS on this port.
    ["a TLS handshake", Buffer.from("16030100f4010000f00303", "hex")],
  ];

  for (const [what, bytes] of garbage) {
    it(`replay: ${what} closes only that connection, with a note`, async () => {
      const notes: string[] = [];
      const sessions: ReplaySession[] = [];
      const server = replayServer(load("virsh-session.jsonl"), (s) => sessions.push(s), (n) => notes.push(n));
      servers.push(server);
      const addr = await listen(server, "127.0.0.1:0");
      const r = await stray(addr, bytes);
      expect(r).toEqual({ read: Buffer.alloc(0), closed: true });
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatch(/^replay: client 127\.0\.0\.1:\d+: closed: .+$/);
      expect(notes[0]).not.toContain("\n");
      // The server still serves whole sessions.
      const { stdout } = await run("virsh", ["-c", `test+tcp://${addr}/default`, "list", "--all"], { encoding: "utf8" });
      expect(stdout).toBe(readFileSync(join(dir, "virsh-session.expected.txt"), "utf8"));
    });
  }

  it("replay: a garbage client next to a live session leaves that session whole", async () => {
    const notes: string[] = [];
    const server = replayServer(load("virsh-session.jsonl"), undefined, (n) => notes.push(n));
    servers.push(server);
    const addr = await listen(server, "127.0.0.1:0");
    const live = run("virsh", ["-c", `test+tcp://${addr}/default`, "list", "--all"], { encoding: "utf8" });
    await Promise.all(garbage.map(([, b]) => stray(addr, b)));
    expect((await live).stdout).toBe(readFileSync(join(dir, "virsh-session.expected.txt"), "utf8"));
    expect(notes).toHaveLength(garbage.length);
  });

  describe.skipIf(daemon === null)("recording proxy", () => {
    for (const [what, bytes] of garbage) {
      it(`${what}: only that connection is closed, with a note, and nothing is recorded for it`, async () => {
        const notes: string[] = [];
        const recorded: Recorder[] = [];
        const proxy = recordingProxy(daemon!.uris.testTcp, (r) => recorded.push(r), (n) => notes.push(n));
        servers.push(proxy);
        const addr = await listen(proxy, "127.0.0.1:0");
        const live = run("virsh", ["-c", `test+tcp://${addr}/default`, "list", "--all"], { encoding: "utf8" });
        const r = await stray(addr, bytes);
        expect(r.closed).toBe(true);
        expect((await live).stdout).toContain("test");
        expect(notes).toHaveLength(1);
        expect(notes[0]).toMatch(/^record: client 127\.0\.0\.1:\d+: closed: .+$/);
        await expect.poll(() => recorded.length, { timeout: 10_000 }).toBe(2);
        const whole = recorded.find((x) => x.frames.length > 0)!;
        expect(whole.frames.some((f) => f.procedure === "REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS")).toBe(true);
        expect(recorded.filter((x) => x.frames.length === 0)).toHaveLength(1);
      });
    }
  });
});

// Issue 13, defect 10: libvirtd answers a client's PING with a PONG; so must a replay.
describe("keepalive from the client during a replay", () => {
  it("a PING is answered with a PONG, not an error reply, and is no mismatch", async () => {
    const replay = new ReplayTransport(load("virsh-session.jsonl"));
    const stream = await replay.connect();
    const read: Buffer[] = [];
    stream.on("data", (c: Uint8Array) => read.push(Buffer.from(c)));
    stream.write(keepalive(KeepaliveProcedure.KEEPALIVE_PROC_PING));
    await expect.poll(() => Buffer.concat(read).length).toBeGreaterThan(0);
    expect(Buffer.concat(read).toString("hex")).toBe(keepalive(KeepaliveProcedure.KEEPALIVE_PROC_PONG).toString("hex"));
    // A PONG nobody asked for is ignored, as libvirtd does.
    stream.write(keepalive(KeepaliveProcedure.KEEPALIVE_PROC_PONG));
    await new Promise((r) => setTimeout(r, 50));
    expect(Buffer.concat(read)).toHaveLength(28);
    expect(replay.sessions[0]!.mismatches).toEqual([]);
    stream.destroy();
  });

  describe.skipIf(daemon === null)("virsh with keepalive on", () => {
    it("recorded without keepalive, replayed with it: virsh prints what it printed live", async () => {
      // `event --timeout 3` keeps virsh idle for 3 s: with -k 1 it sends a PING each second.
      const argv = (addr: string, keepalive: string): string[] =>
        ["-k", keepalive, "-K", "3", "-c", `test+tcp://${addr}/default`, "event", "--event", "lifecycle", "--timeout", "3"];
      let done!: (r: Recorder) => void;
      const recorded = new Promise<Recorder>((r) => (done = r));
      const proxy = recordingProxy(daemon!.uris.testTcp, done);
      servers.push(proxy);
      const live = await virsh(argv(await listen(proxy, "127.0.0.1:0"), "0"));
      const fixture = (await recorded).fixture();
      expect(fixture.frames.some((f) => f.program === "keepalive")).toBe(false);

      let ended!: (s: ReplaySession) => void;
      const session = new Promise<ReplaySession>((r) => (ended = r));
      const server = replayServer(fixture, ended);
      servers.push(server);
      const replayed = await virsh(argv(await listen(server, "127.0.0.1:0"), "1"));
      // virsh ends a timed-out `event` with exit code 1, live as well.
      expect(live).toEqual({ code: 1, stdout: "event loop timed out\nevents received: 0\n\n", stderr: "" });
      expect(replayed).toEqual(live);
      expect((await session).mismatches).toEqual([]);
    });
  });
});
