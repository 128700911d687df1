import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURE_OPTIONS, SCENARIOS } from "../../fixtures/scenarios.js";
import { repoRoot } from "../../protocol/fetch.js";
import { connect } from "../../src/client/client.js";
import { frameBytes, readFixture, type Fixture } from "../../src/recording/format.js";
import { ReplayTransport, type ReplaySession } from "../../src/recording/replay.js";
import { listen, replayServer } from "../../src/recording/servers.js";
import { lxcProgram } from "../../src/gen/lxc_protocol.js";
import { qemuProgram } from "../../src/gen/qemu_protocol.js";
import { remoteProgram } from "../../src/gen/remote_protocol.js";
import { KEEPALIVE_PROGRAM } from "../../src/gen/virkeepaliveprotocol.js";
import { codecs as net } from "../../src/gen/virnetprotocol.js";
import { LibvirtError } from "../../src/rpc/errors.js";
import { MessageStatus, MessageType, decodeBody, decodeInbound } from "../../src/rpc/message.js";
import type { Codec, ProcedureInfo } from "../../src/xdr/index.js";

// No daemon here: everything below runs from the files in fixtures/.
const dir = join(repoRoot(), "fixtures");
const fixtures = readdirSync(dir).filter((f) => f.endsWith(".jsonl")).sort();
const load = (file: string): Fixture => readFixture(readFileSync(join(dir, file), "utf8"), file);

const programs = new Map<number, Map<number, ProcedureInfo>>(
  [remoteProgram, qemuProgram, lxcProgram].map((p) => [p.program, new Map(Object.values(p.procedures).map((x: ProcedureInfo) => [x.number, x]))]),
);

/** The codec a frame's body must decode with, from its header alone. */
function bodyCodec(frame: Uint8Array): Codec<unknown> | null {
  const { header: h } = decodeInbound(frame.subarray(4));
  if (h.prog === KEEPALIVE_PROGRAM) return null;
  const p = programs.get(h.prog)?.get(h.proc);
  if (p === undefined) throw new Error(`unknown procedure ${h.prog}/${h.proc}`);
  if (h.type === MessageType.VIR_NET_CALL) return p.args;
  if (h.type === MessageType.VIR_NET_MESSAGE) return p.message;
  if (h.status === MessageStatus.VIR_NET_ERROR) return net.virNetMessageError as Codec<unknown>;
  return p.ret;
}

describe("captured sessions", () => {
  it("exist and are small enough for git", () => {
    expect(fixtures).toEqual(expect.arrayContaining(Object.keys(SCENARIOS).map((n) => `${n}.jsonl`)));
    const bytes = readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    expect(bytes).toBeLessThan(2 << 20);
    console.log(`fixtures: ${fixtures.length} sessions, ${(bytes / 1024).toFixed(0)} KiB in fixtures/`);
  });

  for (const file of fixtures) {
    it(`${file}: every frame decodes with the generated decoders, consuming all its bytes`, () => {
      const f = load(file);
      expect(f.frames.length).toBeGreaterThan(0);
      for (const frame of f.frames) {
        const bytes = frameBytes(frame);
        const { body } = decodeInbound(bytes.subarray(4));
        expect(() => decodeBody(bodyCodec(bytes), body), `${frame.procedure} ${frame.type}`).not.toThrow();
      }
    });
  }

  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    it(`${name}: replayed through the client, it gives what the daemon gave`, async () => {
      const f = load(`${name}.jsonl`);
      const replay = new ReplayTransport(f);
      const client = await connect(f.header.uri, { ...FIXTURE_OPTIONS, ...scenario.options, transport: replay });
      const result = await scenario.run(client, { live: false });
      await client.close();
      expect(JSON.parse(JSON.stringify(result))).toEqual(JSON.parse(readFileSync(join(dir, `${name}.expected.json`), "utf8")));
      replay.assertDone();
    });
  }

  it("a request the fixture does not hold fails with the difference", async () => {
    const f = load("test-driver-calls.jsonl");
    const replay = new ReplayTransport(f);
    const client = await connect(f.header.uri, { ...FIXTURE_OPTIONS, transport: replay });
    const err = await client.domainLookupByName({ name: "not-recorded" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibvirtError);
    // Worded as libvirt words an internal error, so that virsh prints "error: internal error: replay: ...".
    expect((err as Error).message).toMatch(/^internal error: replay: payload differs from the fixture's REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME: expected [0-9a-f]+, got [0-9a-f]+$/);
    expect(err).toMatchObject({ code: "VIR_ERR_INTERNAL_ERROR", domain: "VIR_FROM_RPC" });
    const missing = await client.domainGetXmlDesc({ dom: { name: "x", uuid: new Uint8Array(16), id: 1 }, flags: 0 }).catch((e: unknown) => e);
    expect((missing as Error).message).toBe("internal error: replay: the fixture has no unanswered REMOTE_PROC_DOMAIN_GET_XML_DESC request");
    expect(() => replay.assertDone()).toThrow(/replay: payload differs/);
    client.destroy();
  });

  it("the replay server also serves over a Unix socket", async () => {
    const f = load("test-driver-calls.jsonl");
    const socketDir = mkdtempSync(join(tmpdir(), "lr-replay-"));
    const server = replayServer(f);
    await listen(server, join(socketDir, "sock"));
    try {
      const client = await connect(`test+unix:///default?socket=${join(socketDir, "sock")}`, FIXTURE_OPTIONS);
      const result = await SCENARIOS["test-driver-calls"]!.run(client, { live: false });
      await client.close();
      expect(JSON.parse(JSON.stringify(result))).toEqual(JSON.parse(readFileSync(join(dir, "test-driver-calls.expected.json"), "utf8")));
    } finally {
      server.close();
      rmSync(socketDir, { recursive: true, force: true });
    }
  });

  describe.skipIf(!existsSync("/usr/bin/virsh") || !existsSync("/usr/bin/python3"))("served to real clients by the replay server", () => {
    const clients: Record<string, (uri: string) => string[]> = {
      "virsh-session": (uri) => ["virsh", "-c", uri, "list", "--all"],
      "python-session": (uri) => [
        "/usr/bin/python3",
        "-c",
        "import libvirt,sys\nc=libvirt.open(sys.argv[1])\nprint(c.getHostname(), c.getLibVersion(), sorted(d.name() for d in c.listAllDomains()))\nc.close()",
        uri,
      ],
    };
    for (const [name, argv] of Object.entries(clients)) {
      it(`${name}: the client prints what it printed live, and the whole session is used`, async () => {
        const f = load(`${name}.jsonl`);
        let ended!: (s: ReplaySession) => void;
        const done = new Promise<ReplaySession>((r) => (ended = r));
        const server = replayServer(f, ended);
        const addr = await listen(server, "127.0.0.1:0");
        try {
          const [cmd, ...args] = argv(`test+tcp://${addr}/default`);
          const { stdout } = await promisify(execFile)(cmd!, args, { encoding: "utf8" });
          expect(stdout).toBe(readFileSync(join(dir, `${name}.expected.txt`), "utf8"));
          const session = await done;
          expect(session.mismatches).toEqual([]);
          expect(session.remaining).toBe(0);
        } finally {
          server.close();
        }
      });
    }
  });
});
