import { randomBytes } from "node:crypto";
import { execFile, spawn } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Duplex } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthError } from "../../src/auth/errors.js";
import type { CredentialRequest } from "../../src/auth/credentials.js";
import type { SaslMechanismFactory } from "../../src/auth/sasl/mechanism.js";
import { connect, type Client } from "../../src/client/client.js";
import { readFixture } from "../../src/recording/format.js";
import { Recorder } from "../../src/recording/recorder.js";
import { ReplayTransport } from "../../src/recording/replay.js";
import { codecs } from "../../src/gen/remote_protocol.js";
import { LibvirtError } from "../../src/rpc/errors.js";
import { decodeInbound } from "../../src/rpc/message.js";
import { startDaemon, type ThrowawayDaemon } from "../../src/testing/daemon.js";
import { makeCert } from "../../src/testing/pki.js";
import { makeSaslConfig } from "../../src/testing/sasl.js";
import type { Transport } from "../../src/transport/transport.js";
import { toJson } from "../../src/xdr/index.js";
import { sharedDaemon, volumeRoundTrip } from "./daemon.js";

const run = promisify(execFile);
const enabled = sharedDaemon() !== null;

// The test passwords: the last test greps everything the suite produced for them.
const PASSWORD = "Alice-Sasl-Pw-5d81c";
const WRONG = "Not-Alice-Pw-2b7e0";
const BOB = "Bob-Sasl-Pw-9a4f3";
/** Every error, recording, log and command output these tests produce. */
const produced: string[] = [];
const keep = <T>(x: T): T => {
  produced.push(x instanceof Error ? `${x.name} ${x.message} ${x.stack ?? ""} ${String((x as { cause?: unknown }).cause ?? "")}` : typeof x === "string" ? x : JSON.stringify(x));
  return x;
};

/** A TCP transport that hands the client its bytes re-cut into pieces of 1, 2, ... 61 bytes, so every split of every packet and frame occurs; it keeps the raw inbound bytes. */
class RechunkingTcp implements Transport {
  readonly description = "tcp (re-chunked)";
  raw: Buffer[] = [];
  rawBytes = 0;
  constructor(private readonly port: number) {}
  connect(): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const sock: Socket = netConnect({ host: "127.0.0.1", port: this.port });
      let size = 1;
      const wrapper = new Duplex({
        read: () => void sock.resume(),
        write: (chunk: Buffer, _e, cb) => void sock.write(chunk, cb),
        final: (cb) => {
          sock.end();
          cb();
        },
        destroy: (err, cb) => {
          sock.destroy();
          cb(err);
        },
      });
      sock.on("data", (chunk: Buffer) => {
        if (this.rawBytes < 4 << 20) {
          this.raw.push(chunk);
          this.rawBytes += chunk.length;
        }
        let ok = true;
        for (let at = 0; at < chunk.length; at += size, size = (size % 61) + 1) ok = wrapper.push(chunk.subarray(at, at + size)) && ok;
        if (!ok) sock.pause();
      });
      sock.on("end", () => wrapper.push(null));
      sock.on("error", (e) => wrapper.destroy(e));
      sock.once("connect", () => resolve(wrapper));
      sock.once("error", reject);
    });
  }
}

/** The mechanism of the session's AUTH_SASL_START, from a recording. */
function startedMechanism(r: Recorder): string | null {
  const f = r.frames.find((x) => x.procedure === "REMOTE_PROC_AUTH_SASL_START" && x.dir === "send");
  if (f === undefined) return null;
  const { body } = decodeInbound(Buffer.from(f.hex, "hex").subarray(4));
  return codecs.remote_auth_sasl_start_args.decode(body).mech;
}

describe.skipIf(!enabled)("SASL against a real libvirtd with Cyrus SASL", () => {
  let root: string;
  let sasl: ThrowawayDaemon;
  let plain: ThrowawayDaemon;
  let authFile: string;
  let tcp: string;
  let tls: string;
  let unix: string;
  const cli = (args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = execFile(process.execPath, ["dist/src/cli/main.js", ...args], { env: { ...process.env, ...env }, encoding: "utf8" }, (err, stdout, stderr) => {
        resolve(keep({ code: err === null ? 0 : Number((err as { code?: number }).code ?? 1), stdout, stderr }));
      });
      child.stdin?.end();
    });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "lr-sasl-"));
    chmodSync(root, 0o755);
    const certs = join(root, "certs");
    const ca = await makeCert(certs, { name: "ca", subject: "/O=libvirt-remote/CN=test CA", issuer: "self" });
    const server = await makeCert(certs, { name: "server", subject: "/O=libvirt-remote/CN=localhost", issuer: "ca", san: "DNS:localhost,IP:127.0.0.1", usage: "server" });
    const client = await makeCert(certs, { name: "client", subject: "/O=libvirt-remote/CN=client", issuer: "ca", usage: "client" });
    const pki = join(root, "pki");
    mkdirSync(pki);
    copyFileSync(ca.cert, join(pki, "cacert.pem"));
    copyFileSync(client.cert, join(pki, "clientcert.pem"));
    copyFileSync(client.key, join(pki, "clientkey.pem"));
    const conf = await makeSaslConfig(join(root, "sasl"), { alice: PASSWORD, bob: BOB });
    [sasl, plain] = await Promise.all([
      startDaemon({
        tls: { caFile: ca.cert, certFile: server.cert, keyFile: server.key },
        extraConfig: ['auth_tcp = "sasl"', 'auth_tls = "sasl"', 'auth_unix_rw = "sasl"'],
        env: { SASL_CONF_PATH: conf.confPath },
        maxClientRequests: 64,
      }),
      startDaemon({ maxClientRequests: 64 }),
    ]);
    writeFileSync(join(root, "empty.conf"), "# no credentials here\n");
    authFile = join(root, "auth.conf");
    writeFileSync(
      authFile,
      ["[credentials-t]", "authname=alice", `password=${PASSWORD}`, "", "[auth-libvirt-127.0.0.1]", "credentials=t", "[auth-libvirt-localhost]", "credentials=t", ""].join("\n"),
    );
    tcp = `test+tcp://127.0.0.1:${sasl.tcpPort}/default`;
    tls = `test+tls://localhost:${sasl.tlsPort}/default?pkipath=${pki}`;
    unix = sasl.uris.testUnix;
  });

  afterAll(async () => {
    if (sasl !== undefined) keep(readFileSync(join(sasl.dir, "libvirtd.log"), "utf8"));
    await Promise.all([sasl?.stop(), plain?.stop()]);
    rmSync(root, { recursive: true, force: true });
  });

  it("DIGEST-MD5 over plain TCP, confidentiality layer on: 10,000 concurrent calls, an event flood and big frames split at every offset, results identical to an unauthenticated daemon's", async () => {
    const transport = new RechunkingTcp(sasl.tcpPort);
    const recorder = new Recorder({ uri: tcp });
    const secured = await connect(tcp, { transport, auth: { username: "alice", password: PASSWORD }, record: recorder });
    const open = await connect(plain.uris.testTcp);
    try {
      expect(startedMechanism(recorder)).toBe("DIGEST-MD5");
      // A 100 KB description makes frames longer than one security-layer packet, both ways.
      const big = `<domain type='test'><name>big</name><uuid>5b1f3c9a-2d44-4e51-9b8e-0c7a11d2e001</uuid><description>${"x".repeat(100_000)}</description><memory>8192</memory><os><type>hvm</type></os></domain>`;
      for (const c of [secured, open]) await c.domainDefineXml({ xml: big });
      const events = (c: Client): string[] => {
        const seen: string[] = [];
        void c.events.subscribe("domain", "lifecycle", (e) => void seen.push(`${e.data.dom.name}:${e.data.event}:${e.data.detail}`));
        return seen;
      };
      const workload = async (c: Client): Promise<unknown[]> => {
        const test = (await c.domainLookupByName({ name: "test" })).dom;
        const bigDom = (await c.domainLookupByName({ name: "big" })).dom;
        const calls: Promise<unknown>[] = [];
        for (let i = 0; i < 10_000; i++) {
          switch (i % 6) {
            case 0:
              calls.push(c.domainGetState({ dom: test, flags: 0 }));
              break;
            case 1:
              calls.push(c.connectNumOfDomains());
              break;
            case 2:
              calls.push(c.nodeGetInfo());
              break;
            case 3:
              calls.push(c.domainLookupByName({ name: "test" }));
              break;
            case 4:
              calls.push(i % 500 === 4 ? c.domainGetXmlDesc({ dom: bigDom, flags: 0 }) : c.domainGetXmlDesc({ dom: test, flags: 0 }));
              break;
            default:
              calls.push(c.connectListAllDomains({ need_results: 1, flags: 0 }));
          }
        }
        // libvirt's hash tables are seeded per daemon: list order is the one thing that may differ.
        const sorted = (r: unknown): unknown => {
          const v = r as { domains?: { name: string }[] } | null;
          return v?.domains === undefined ? r : { ...v, domains: [...v.domains].sort((x, y) => x.name.localeCompare(y.name)) };
        };
        return (await Promise.all(calls)).map((r) => toJson(sorted(r)));
      };
      const [seenSecured, seenOpen] = [events(secured), events(open)];
      await new Promise((r) => setTimeout(r, 100));
      const t0 = performance.now();
      const [a, b] = await Promise.all([workload(secured), workload(open)]);
      const ms = performance.now() - t0;
      expect(a.length).toBe(10_000);
      const firstDiff = a.findIndex((x, i) => JSON.stringify(x) !== JSON.stringify(b[i]));
      expect(firstDiff === -1 ? null : { i: firstDiff, a: a[firstDiff], b: b[firstDiff] }).toBeNull();
      // The event flood: 600 lifecycle events, each connection's own daemon.
      for (const c of [secured, open]) {
        for (let i = 0; i < 300; i++) {
          await c.domainDefineXml({ xml: `<domain type='test'><name>ev${i}</name><memory>8192</memory><os><type>hvm</type></os></domain>` });
          await c.domainUndefine({ dom: (await c.domainLookupByName({ name: `ev${i}` })).dom });
        }
      }
      for (let i = 0; i < 500 && (seenSecured.length < 600 || seenOpen.length < 600); i++) await new Promise((r) => setTimeout(r, 10));
      expect(seenSecured.length).toBe(600);
      expect(seenSecured).toEqual(seenOpen);
      // Encrypted on the wire: the recorder (above the layer) saw the XML; the socket never did.
      const wire = Buffer.concat(transport.raw);
      expect(wire.includes("<domain type='test'")).toBe(false);
      expect(wire.includes("xxxxxxxxxxxxxxxx")).toBe(false);
      expect(recorder.frames.some((f) => Buffer.from(f.hex, "hex").includes("<domain type='test'"))).toBe(true);
      console.log(`10,000 calls through DIGEST-MD5 auth-conf with every split: ${ms.toFixed(0)} ms`);
      for (const c of [secured, open]) await c.domainUndefine({ dom: (await c.domainLookupByName({ name: "big" })).dom });
    } finally {
      await secured.close();
      await open.close();
      produced.push(recorder.toString());
    }
  });

  it("carries a volume up and down through the DIGEST-MD5 confidentiality layer byte for byte", async () => {
    const conn = await connect(`qemu+tcp://127.0.0.1:${sasl.tcpPort}/session`, { auth: { username: "alice", password: PASSWORD } });
    expect(conn.auth?.layer).toMatch(/rc4/i);
    try {
      const data = randomBytes(1024 * 1024 + 1000);
      expect((await volumeRoundTrip(conn, join(root, "pool"), data, [300_000])).equals(data)).toBe(true);
    } finally {
      await conn.close();
    }
  });

  it("negotiates rc4 with auth-conf as virsh's Cyrus does (seen with redaction off), and the default recording holds no SASL payload", async () => {
    const raw = new Recorder({}, { redactSecrets: false });
    const redacted = new Recorder({});
    for (const record of [raw, redacted]) (await connect(tcp, { auth: { username: "alice", password: PASSWORD }, record })).destroy();
    const response = raw.frames.find((f) => f.procedure === "REMOTE_PROC_AUTH_SASL_STEP" && f.dir === "send")!;
    const args = codecs.remote_auth_sasl_step_args.decode(decodeInbound(Buffer.from(response.hex, "hex").subarray(4)).body);
    const text = Buffer.from(args.data.map((c) => c & 0xff)).toString();
    expect(text).toMatch(/qop=auth-conf,cipher=rc4,maxbuf=65536,digest-uri="libvirt\/127\.0\.0\.1",response=[0-9a-f]{32}$/);
    const saslFrames = redacted.frames.filter((f) => /AUTH_SASL_(START|STEP)/.test(f.procedure));
    expect(saslFrames.length).toBe(4);
    for (const f of saslFrames) expect((f as { redacted?: number }).redacted).toBeGreaterThanOrEqual(0);
    // SASL data is XDR chars, one 4-byte word per byte: look for the words of "cnonce".
    const words = (t: string): string => [...Buffer.from(t)].map((b) => b.toString(16).padStart(8, "0")).join("");
    expect(redacted.toString()).not.toContain(words("cnonce"));
    expect(raw.toString()).toContain(words("cnonce"));
    produced.push(redacted.toString());
  });

  it("SCRAM-SHA-256 over TLS and over the Unix socket; virsh with the same auth.conf is the reference", async () => {
    for (const uri of [tls, unix]) {
      const recorder = new Recorder({});
      const conn = await connect(`${uri}&authfile=${authFile}`, { record: recorder });
      try {
        expect(startedMechanism(recorder)).toBe("SCRAM-SHA-256");
        const { hostname } = await conn.connectGetHostname();
        const { domains } = await conn.connectListAllDomains({ need_results: 1, flags: 0 });
        const env = { ...process.env, LIBVIRT_AUTH_FILE: authFile };
        const theirs = await run("virsh", ["-c", uri, "hostname"], { env, encoding: "utf8" });
        expect(hostname).toBe(theirs.stdout.trim());
        const list = await run("virsh", ["-c", uri, "list", "--all", "--name"], { env, encoding: "utf8" });
        expect(domains.map((d) => d.name).sort()).toEqual(list.stdout.split("\n").filter((l) => l !== "").sort());
      } finally {
        await conn.close();
      }
    }
    // And DIGEST-MD5 over TCP with the same file, against virsh.
    const conn = await connect(`${tcp}?authfile=${authFile}`);
    const theirs = await run("virsh", ["-c", tcp, "hostname"], { env: { ...process.env, LIBVIRT_AUTH_FILE: authFile }, encoding: "utf8" });
    expect((await conn.connectGetHostname()).hostname).toBe(theirs.stdout.trim());
    await conn.close();
  });

  it("a wrong password: VIR_ERR_AUTH_FAILED from the daemon (TCP and TLS), and one line in the CLI", async () => {
    for (const uri of [tcp, tls]) {
      const error = keep(await connect(uri, { auth: { username: "alice", password: WRONG } }).then(() => null, (e: unknown) => e as Error));
      expect(error).toBeInstanceOf(LibvirtError);
      expect((error as LibvirtError).code).toBe("VIR_ERR_AUTH_FAILED");
    }
    const bad = join(root, "bad.conf");
    writeFileSync(bad, readFileSync(authFile, "utf8").replace(PASSWORD, WRONG));
    const r = await cli(["call", "-c", tcp, "connectGetHostname"], { LIBVIRT_AUTH_FILE: bad });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("libvirt-remote: VIR_ERR_AUTH_FAILED: authentication failed: authentication failed\n");
    // No credentials and no terminal: one line, at once.
    const none = await cli(["call", "-c", tcp, "connectGetHostname"], { LIBVIRT_AUTH_FILE: join(root, "empty.conf") });
    expect(none.code).toBe(1);
    expect(none.stderr.split("\n").filter((l) => l !== "")).toEqual([
      "libvirt-remote: authentication needs authname, passphrase, and there is no terminal to ask on: put them in an auth.conf (LIBVIRT_AUTH_FILE or ?authfile=)",
    ]);
  });

  it("a mechanism the daemon does not offer, and strength too low for plain TCP: typed errors before any secret is sent", async () => {
    const notOffered = keep(await connect(`${tcp}?auth=sasl.SCRAM-SHA-256`, { auth: { username: "alice", password: PASSWORD } }).catch((e: unknown) => e as Error));
    expect((notOffered as AuthError).code).toBe("ERR_AUTH_NO_MECHANISM");
    expect((notOffered as AuthError).offered).toEqual(["DIGEST-MD5"]);
    // A client limited to integrity (strength 1) cannot meet the daemon's 56 on TCP.
    const { digestMd5 } = await import("../../src/auth/sasl/digest-md5.js");
    const weak = keep(await connect(tcp, { auth: { username: "alice", password: PASSWORD, mechanisms: [digestMd5({ ciphers: [] })] } }).catch((e: unknown) => e as Error));
    expect((weak as AuthError).code).toBe("ERR_AUTH_TOO_WEAK");
  });

  it("credentials from the callback: typed requests with Cyrus's prompts, asked once", async () => {
    const asked: CredentialRequest[][] = [];
    const conn = await connect(unix, {
      auth: {
        authFile: false,
        callback: (requests) => {
          asked.push([...requests]);
          return requests.map((r) => (r.type === "authname" ? "bob" : BOB));
        },
      },
    });
    await conn.connectGetHostname();
    await conn.close();
    expect(asked).toEqual([
      [
        { type: "authname", prompt: "Please enter your authentication name" },
        { type: "passphrase", prompt: "Please enter your password" },
      ],
    ]);
  });

  it("credentials from the terminal through a pseudo-terminal: the name echoed, the password not", async () => {
    const driver = `
import os, pty, sys, select, json
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b""
def until(s, t=20):
    global out
    while s not in out:
        r, _, _ = select.select([fd], [], [], t)
        if not r: raise SystemExit("timeout waiting for " + repr(s) + " in " + repr(out))
        try: chunk = os.read(fd, 4096)
        except OSError: raise SystemExit("eof waiting for " + repr(s))
        if not chunk: raise SystemExit("eof")
        out += chunk
until(b"authentication name: "); os.write(fd, b"alice\\r")
until(b"password: "); os.write(fd, sys.stdin.readline().strip().encode() + b"\\r")
while True:
    try: chunk = os.read(fd, 4096)
    except OSError: break
    if not chunk: break
    out += chunk
_, status = os.waitpid(pid, 0)
print(json.dumps({"out": out.decode(), "status": os.waitstatus_to_exitcode(status)}))
`;
    const child = spawn("python3", ["-c", driver, process.execPath, "dist/src/cli/main.js", "call", "-c", unix, "connectGetHostname"], {
      stdio: ["pipe", "pipe", "inherit"],
      env: { ...process.env, LIBVIRT_AUTH_FILE: join(root, "empty.conf") },
    });
    child.stdin.end(`${PASSWORD}\n`);
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    await new Promise((r) => child.once("exit", r));
    const { out, status } = keep(JSON.parse(stdout) as { out: string; status: number });
    expect(status).toBe(0);
    expect(out).toContain("Please enter your authentication name: alice");
    expect(out).toMatch(/Please enter your password: \r*\n/);
    expect(out).not.toContain(PASSWORD);
    expect(out).toMatch(/"hostname": "/);
  });

  it("a redacted recording still replays (SASL frames match any payload; a stand-in mechanism plays the client's part)", async () => {
    const recorder = new Recorder({ uri: unix });
    const conn = await connect(unix, { auth: { username: "alice", password: PASSWORD }, record: recorder, keepalive: false });
    const { hostname } = await conn.connectGetHostname();
    await conn.close();
    const fixture = readFixture(recorder.toString());
    produced.push(recorder.toString());
    const standIn: SaslMechanismFactory = {
      name: "SCRAM-SHA-256",
      rank: 500,
      maxSsf: 0,
      create: () => ({
        start: () => ({ kind: "continue", response: new Uint8Array(0) }),
        step: () => ({ kind: "complete", response: new Uint8Array(0) }),
        layer: () => ({ ssf: 0, filter: null }),
      }),
    };
    const replay = new ReplayTransport(fixture);
    const again = await connect(unix, { transport: replay, auth: { mechanisms: [standIn] }, keepalive: false });
    expect((await again.connectGetHostname()).hostname).toBe(hostname);
    await again.close();
    replay.assertDone();
  });

  it("no test password appears in any recording, log, error or output the SASL tests produced", async () => {
    // NODE_DEBUG output of a whole authenticated session (Node's own net/tls/stream debug logs).
    const debug = await cli(["call", "-c", `${tcp}?authfile=${authFile}`, "connectGetHostname"], { NODE_DEBUG: "net,tls,stream,libvirt-remote" });
    expect(debug.code).toBe(0);
    expect(debug.stderr.length).toBeGreaterThan(0);
    keep(readFileSync(join(sasl.dir, "libvirtd.log"), "utf8"));
    expect(produced.length).toBeGreaterThan(10);
    const all = produced.join("\n");
    for (const secret of [PASSWORD, WRONG, BOB]) {
      expect(all.includes(secret)).toBe(false);
      expect(all.includes(Buffer.from(secret).toString("hex"))).toBe(false);
      expect(all.includes(Buffer.from(secret).toString("base64"))).toBe(false);
    }
  });
});
