import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { FIXTURE_OPTIONS, SCENARIOS } from "../../fixtures/scenarios.js";
import { repoRoot } from "../../protocol/fetch.js";
import { connect, type Client } from "../../src/client/client.js";
import { readFixture, type Fixture, type FixtureFrame } from "../../src/recording/format.js";
import type { Recorder } from "../../src/recording/recorder.js";
import { isOrderingPoint } from "../../src/recording/order.js";
import { ReplayTransport } from "../../src/recording/replay.js";
import { listen, recordingProxy, replayServer } from "../../src/recording/servers.js";
import { remoteProgram } from "../../src/gen/remote_protocol.js";
import { KEEPALIVE_PROGRAM, KeepaliveProcedure } from "../../src/gen/virkeepaliveprotocol.js";
import { LibvirtError } from "../../src/rpc/errors.js";
import { MessageStatus, MessageType, type Header } from "../../src/rpc/message.js";
import { sharedDaemon } from "../e2e/daemon.js";

// Issue 27, item 9: a replay must not hold a request whose turn in the recording has not come.
// Independent requests match in any order; one that cannot match is answered with an error and
// reported at once. The rule is in src/recording/order.ts and src/recording/replay.ts.
const run = promisify(execFile);
const daemon = sharedDaemon();
const dir = join(repoRoot(), "fixtures");
const load = (file: string): Fixture => readFixture(readFileSync(join(dir, file), "utf8"), file);

/** A generous bound: a held request fails the test instead of hanging it. */
function within<T>(p: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer!: NodeJS.Timeout;
  const stalled = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`replay stalled: ${what}`)), ms)));
  return Promise.race([p, stalled]).finally(() => clearTimeout(timer));
}

/** What `virsh list --all` asks, asked by this library's client: names and states. */
async function listAll(c: Client): Promise<[string, number][]> {
  const { domains } = await c.connectListAllDomains({ need_results: 1, flags: 3 });
  const out: [string, number][] = [];
  for (const dom of domains) out.push([dom.name, (await c.domainGetState({ dom, flags: 0 })).state]);
  return out;
}

/** The frames of `f` with request/reply pairs moved: `order` lists the serials of the pairs, in their new order. */
function reorderPairs(f: Fixture, order: number[]): Fixture {
  const moved = f.frames.filter((x) => order.includes(x.serial));
  const at = f.frames.findIndex((x) => order.includes(x.serial));
  const rest = f.frames.filter((x) => !order.includes(x.serial));
  const pairs = order.flatMap((serial) => moved.filter((x) => x.serial === serial));
  return { header: f.header, frames: [...rest.slice(0, at), ...pairs, ...rest.slice(at)] };
}

const names = (frames: FixtureFrame[]): string[] => frames.map((x) => `${x.dir} ${x.procedure}`);

// virsh asks SUPPORTS_FEATURE (keepalive) before CONNECT_OPEN, this client after it; virsh also
// registers a close callback and asks two more features, which this client does not.
const VIRSH_ONLY = [
  "send REMOTE_PROC_CONNECT_SUPPORTS_FEATURE",
  "recv REMOTE_PROC_CONNECT_SUPPORTS_FEATURE",
  "send REMOTE_PROC_CONNECT_SUPPORTS_FEATURE",
  "recv REMOTE_PROC_CONNECT_SUPPORTS_FEATURE",
  "send REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK",
  "recv REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK",
  "send REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK",
  "recv REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK",
];

describe("independent requests in another order than the recording's", () => {
  it("virsh's recorded session (fixtures/virsh-session.jsonl) replayed to this library's client", async () => {
    const f = load("virsh-session.jsonl");
    const replay = new ReplayTransport(f);
    // Keepalive on, as by default: this client then asks SUPPORTS_FEATURE (keepalive) after CONNECT_OPEN.
    const c = await within(connect(f.header.uri, { transport: replay }), "connect");
    expect(await within(listAll(c), "list")).toEqual([["test", 1]]);
    await within(c.close(), "close");
    const s = replay.sessions[0]!;
    expect(s.mismatches).toEqual([]);
    expect(names(s.unused())).toEqual(VIRSH_ONLY);
  });

  it("a hand-made reorder of independent calls: the scenario gives what it gave live, and the whole fixture is used", async () => {
    const f = load("test-driver-calls.jsonl");
    // Recorded: hostname (3), lib version (4), node info (5); the fixture now says 5, 4, 3.
    const swapped = reorderPairs(f, [5, 4, 3]);
    expect(swapped.frames.slice(4, 10).map((x) => x.serial)).toEqual([5, 5, 4, 4, 3, 3]);
    const replay = new ReplayTransport(swapped);
    const c = await connect(f.header.uri, { ...FIXTURE_OPTIONS, transport: replay });
    const result = await within(SCENARIOS["test-driver-calls"]!.run(c, { live: false }), "scenario");
    await c.close();
    expect(JSON.parse(JSON.stringify(result))).toEqual(JSON.parse(readFileSync(join(dir, "test-driver-calls.expected.json"), "utf8")));
    replay.assertDone();
  });

  describe.skipIf(daemon === null)("recorded from virsh through the record proxy, now", () => {
    const closing: (() => void)[] = [];
    afterEach(() => closing.splice(0).forEach((close) => close()));

    it("virsh list --all, replayed to this library's client, gives what the daemon gives it live", async () => {
      let done!: (r: Recorder) => void;
      const recorded = new Promise<Recorder>((r) => (done = r));
      const proxy = recordingProxy(daemon!.uris.testTcp, done);
      closing.push(() => proxy.close());
      const addr = await listen(proxy, "127.0.0.1:0");
      await run("virsh", ["-c", `test+tcp://${addr}/default`, "list", "--all"], { encoding: "utf8" });
      const fixture = (await recorded).fixture();
      const order = fixture.frames.filter((x) => x.dir === "send").map((x) => x.procedure);
      // The order that stalled the replay: virsh's SUPPORTS_FEATURE comes before CONNECT_OPEN.
      expect(order.indexOf("REMOTE_PROC_CONNECT_SUPPORTS_FEATURE")).toBeLessThan(order.indexOf("REMOTE_PROC_CONNECT_OPEN"));

      const live = await connect(daemon!.uris.testTcp);
      const expected = await listAll(live);
      await live.close();
      const replay = new ReplayTransport(fixture);
      const c = await within(connect(daemon!.uris.testTcp, { transport: replay }), "connect");
      expect(await within(listAll(c), "list")).toEqual(expected);
      await within(c.close(), "close");
      expect(replay.sessions[0]!.mismatches).toEqual([]);
      expect(names(replay.sessions[0]!.unused())).toEqual(VIRSH_ONLY);
    });
  });
});

describe("requests whose recorded replies depend on state keep their order", () => {
  const xml = "<domain type='test'><name>fx1</name><memory>8192</memory><os><type>hvm</type></os></domain>";

  it("a query sent before a call that changes state, which the recording has before it, gets an error at once", async () => {
    // Recorded: define, create, suspend, resume, destroy, then GET_STATE (shut off). Asked right after define, the
    // recorded answer would be wrong: the daemon would say the domain is not running yet, not that it was destroyed.
    const replay = new ReplayTransport(load("test-driver-calls.jsonl"));
    const c = await connect("test:///default", { ...FIXTURE_OPTIONS, transport: replay });
    await within(Promise.all([c.connectGetHostname(), c.connectGetLibVersion(), c.nodeGetInfo()]), "queries");
    await within(c.connectListAllDomains({ need_results: 1, flags: 0 }), "list");
    await within(c.domainLookupByName({ name: "no-such-domain" }).catch(() => null), "lookup");
    const { dom } = await within(c.domainDefineXml({ xml }), "define");
    const err = await within(c.domainGetState({ dom, flags: 0 }).catch((e: unknown) => e), "get state");
    expect(err).toBeInstanceOf(LibvirtError);
    const why =
      "REMOTE_PROC_DOMAIN_GET_STATE came before REMOTE_PROC_DOMAIN_CREATE, which the fixture has first (its recorded reply may depend on that call)";
    expect((err as LibvirtError).message).toBe(`internal error: replay: ${why}`);
    expect(replay.sessions[0]!.mismatches).toEqual([why]);
    // The session goes on in the recorded order.
    await within(c.domainCreate({ dom }), "create");
    c.destroy();
  });

  it("a query sent after a call that changes state, which the recording has after it, gets an error at once", async () => {
    const replay = new ReplayTransport(load("test-driver-calls.jsonl"));
    const c = await connect("test:///default", { ...FIXTURE_OPTIONS, transport: replay });
    await within(c.connectGetHostname(), "hostname");
    // Skips lib version, node info, list, lookup: defining passes them.
    await within(c.domainDefineXml({ xml }), "define");
    const err = await within(c.nodeGetInfo().catch((e: unknown) => e), "node info");
    const why =
      "REMOTE_PROC_NODE_GET_INFO came after REMOTE_PROC_DOMAIN_DEFINE_XML, which the fixture has after it (its recorded reply is from before that call)";
    expect((err as LibvirtError).message).toBe(`internal error: replay: ${why}`);
    expect(replay.sessions[0]!.mismatches).toEqual([why]);
    c.destroy();
  });
});

describe("a request the fixture cannot answer", () => {
  it("is answered with a libvirt error and noted by the replay server at once, while the client stays connected", async () => {
    const notes: string[] = [];
    const server = replayServer(load("test-driver-calls.jsonl"), undefined, (n) => notes.push(n));
    const addr = await listen(server, "127.0.0.1:0");
    try {
      const c = await within(connect(`test+tcp://${addr}/default`, FIXTURE_OPTIONS), "connect");
      const err = await within(c.connectGetCapabilities().catch((e: unknown) => e), "capabilities");
      expect(err).toBeInstanceOf(LibvirtError);
      expect((err as LibvirtError).message).toBe("internal error: replay: the fixture has no unanswered REMOTE_PROC_CONNECT_GET_CAPABILITIES request");
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatch(/^replay: client 127\.0\.0\.1:\d+: the fixture has no unanswered REMOTE_PROC_CONNECT_GET_CAPABILITIES request$/);
      // Still served: the next recorded call is answered.
      expect(await within(c.connectGetHostname(), "hostname")).toEqual({ hostname: "vm" });
      c.destroy();
    } finally {
      server.close();
    }
  });
});

describe("ordering points", () => {
  const call = (proc: number, prog: number = remoteProgram.program): Header => ({ prog, vers: 1, proc, type: MessageType.VIR_NET_CALL, serial: 1, status: MessageStatus.VIR_NET_OK });
  const P = remoteProgram.procedures;

  it("calls that only look are queries; calls that change state, authenticate or close, and stream packets are ordering points", () => {
    const queries = [P.connectOpen, P.connectSupportsFeature, P.connectGetHostname, P.connectListAllDomains, P.domainGetState, P.domainGetXmlDesc, P.connectDomainEventCallbackRegisterAny];
    const points = [P.authList, P.authSaslStep, P.connectClose, P.domainDefineXml, P.domainCreate, P.domainDestroy, P.domainSetMemory, P.storageVolUpload, P.domainSetSchedulerParameters];
    expect(queries.filter((p) => isOrderingPoint(call(p.number)))).toEqual([]);
    expect(points.filter((p) => !isOrderingPoint(call(p.number)))).toEqual([]);
    expect(isOrderingPoint({ ...call(P.storageVolDownload.number), type: MessageType.VIR_NET_STREAM, status: MessageStatus.VIR_NET_CONTINUE })).toBe(true);
    expect(isOrderingPoint(call(99_999))).toBe(true);
    expect(isOrderingPoint({ ...call(KeepaliveProcedure.KEEPALIVE_PROC_PONG, KEEPALIVE_PROGRAM), type: MessageType.VIR_NET_MESSAGE })).toBe(false);
  });
});
