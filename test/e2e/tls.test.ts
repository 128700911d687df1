import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/client/client.js";
import { readFixture } from "../../src/recording/format.js";
import { Recorder } from "../../src/recording/recorder.js";
import { ReplayTransport } from "../../src/recording/replay.js";
import { TransportError } from "../../src/rpc/errors.js";
import { startDaemon, type ThrowawayDaemon } from "../../src/testing/daemon.js";
import { makeCert, makeCrl } from "../../src/testing/pki.js";
import { sharedDaemon, uniqueName, virsh, virshFails, volumeRoundTrip } from "./daemon.js";

const run = promisify(execFile);
const enabled = sharedDaemon() !== null;

/** A folder in libvirt's pkipath layout, from files in `src`. */
function pkiDir(root: string, name: string, files: { ca: string; cert?: string; key?: string }): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  copyFileSync(files.ca, join(dir, "cacert.pem"));
  if (files.cert !== undefined) copyFileSync(files.cert, join(dir, "clientcert.pem"));
  if (files.key !== undefined) copyFileSync(files.key, join(dir, "clientkey.pem"));
  return dir;
}

async function failure(uri: string): Promise<{ error: TransportError; ms: number }> {
  const t0 = performance.now();
  const error = await connect(uri).then(
    (c) => {
      c.destroy();
      throw new Error(`connecting to ${uri} should have failed`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TransportError);
  return { error: error as TransportError, ms: performance.now() - t0 };
}

describe.skipIf(!enabled)("TLS against a real libvirtd", () => {
  let root: string;
  let daemon: ThrowawayDaemon;
  let ok: string;
  let uri: (host: string, pki: string, extra?: string) => string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "lr-tls-"));
    chmodSync(root, 0o755); // the daemon runs as nobody
    const certs = join(root, "certs");
    const ca = await makeCert(certs, { name: "ca", subject: "/O=libvirt-remote/CN=test CA", issuer: "self" });
    const other = await makeCert(certs, { name: "otherca", subject: "/O=elsewhere/CN=other CA", issuer: "self" });
    // The server certificate names localhost only, so 127.0.0.1 is a host-name mismatch.
    const server = await makeCert(certs, { name: "server", subject: "/O=libvirt-remote/CN=localhost", issuer: "ca", san: "DNS:localhost", usage: "server" });
    const client = await makeCert(certs, { name: "client", subject: "/O=libvirt-remote/CN=client", issuer: "ca", usage: "client" });
    const expired = await makeCert(certs, { name: "expired", subject: "/O=libvirt-remote/CN=client-expired", issuer: "ca", usage: "client", notBefore: -30, notAfter: -1 });
    // Issued by the other CA, so that our own sanity check passes and the daemon's certificate is what fails.
    const otherClient = await makeCert(certs, { name: "otherclient", subject: "/O=elsewhere/CN=client", issuer: "otherca", usage: "client" });
    const stranger = await makeCert(certs, { name: "stranger", subject: "/O=libvirt-remote/CN=stranger", issuer: "ca", usage: "client" });
    daemon = await startDaemon({
      tls: { caFile: ca.cert, certFile: server.cert, keyFile: server.key, allowedDnList: ["CN=client,*"] },
    });
    ok = pkiDir(root, "ok", { ca: ca.cert, ...client });
    pkiDir(root, "wrong-ca", { ca: other.cert, ...otherClient });
    pkiDir(root, "foreign-cert", { ca: other.cert, ...client });
    pkiDir(root, "expired", { ca: ca.cert, ...expired });
    pkiDir(root, "no-cert", { ca: ca.cert });
    pkiDir(root, "stranger", { ca: ca.cert, ...stranger });
    // A revocation list that revokes the daemon's certificate, in an otherwise good folder.
    const revoked = pkiDir(root, "revoked", { ca: ca.cert, ...client });
    copyFileSync(await makeCrl(certs, "ca", [server.cert], "revoking"), join(revoked, "cacrl.pem"));
    // And one that revokes nothing: the CRL must not get in the way.
    const crlOk = pkiDir(root, "crl-ok", { ca: ca.cert, ...client });
    copyFileSync(await makeCrl(certs, "ca", [], "empty"), join(crlOk, "cacrl.pem"));
    uri = (host, pki, extra = "") => `test+tls://${host}:${daemon.tlsPort}/default?pkipath=${join(root, pki)}${extra}`;
  });

  afterAll(async () => {
    await daemon?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it("makes calls and sees events, and virsh over the same URI lists the same domains", async () => {
    const u = uri("localhost", "ok");
    const conn = await connect(u);
    try {
      const name = uniqueName("tls");
      const seen: string[] = [];
      await conn.events.subscribe("domain", "lifecycle", (e) => void seen.push(`${e.data.dom.name}:${e.data.event}`));
      await run("sh", ["-c", `echo "$0" | virsh -c "$1" define /dev/stdin`, `<domain type='test'><name>${name}</name><memory>8192</memory><os><type>hvm</type></os></domain>`, u]);
      for (let i = 0; i < 200 && !seen.includes(`${name}:0`); i++) await new Promise((r) => setTimeout(r, 10));
      expect(seen).toContain(`${name}:0`); // VIR_DOMAIN_EVENT_DEFINED
      const { domains } = await conn.connectListAllDomains({ need_results: 1, flags: 0 });
      const theirs = (await virsh(u, "list", "--all", "--name")).split("\n").filter((l) => l !== "");
      expect(domains.map((d) => d.name).sort()).toEqual(theirs.sort());
      await virsh(u, "undefine", name);
    } finally {
      await conn.close();
    }
  });

  it("carries a volume up and down over TLS byte for byte (stream data written as head and payload)", async () => {
    const conn = await connect(`qemu+tls://localhost:${daemon.tlsPort}/session?pkipath=${join(root, "ok")}`);
    try {
      // Not a whole number of 256 KiB packets, in pieces of odd sizes: packets are gathered across them.
      const data = randomBytes(3 * 1024 * 1024 + 1000);
      expect((await volumeRoundTrip(conn, join(root, uniqueName("pool")), data, [1000, 600_000])).equals(data)).toBe(true);
    } finally {
      await conn.close();
    }
  });

  it("finds the credentials in ~/.pki/libvirt for a non-root user, as virsh does", async () => {
    const home = join(root, "home");
    const user = join(home, ".pki", "libvirt");
    mkdirSync(user, { recursive: true });
    for (const f of ["cacert.pem", "clientcert.pem", "clientkey.pem"]) copyFileSync(join(ok, f), join(user, f));
    await run("chmod", ["-R", "a+rX", root]);
    const u = `test+tls://localhost:${daemon.tlsPort}/default`;
    const asNobody = ["-u", "nobody", "--", "env", `HOME=${home}`];
    const ours = await run("runuser", [...asNobody, process.execPath, "dist/src/cli/main.js", "call", "-c", u, "connectGetHostname"], { encoding: "utf8" });
    const theirs = await run("runuser", [...asNobody, "virsh", "-c", u, "hostname"], { encoding: "utf8" });
    expect(JSON.parse(ours.stdout).hostname).toBe(theirs.stdout.trim());
  });

  it("takes PEM material from options instead of files", async () => {
    const conn = await connect(`test+tls://localhost:${daemon.tlsPort}/default?pkipath=/nonexistent`, {
      tls: { ca: readFileSync(join(ok, "cacert.pem"), "utf8"), cert: readFileSync(join(ok, "clientcert.pem")), key: readFileSync(join(ok, "clientkey.pem")) },
    });
    expect((await conn.connectGetHostname()).hostname).toBe((await virsh(uri("localhost", "ok"), "hostname")).trim());
    await conn.close();
  });

  it("refuses a daemon certificate from another CA, at once", async () => {
    const { error, ms } = await failure(uri("localhost", "wrong-ca"));
    expect(error.code).toBe("ERR_TLS_CA");
    expect(error.message).toContain(join(root, "wrong-ca", "cacert.pem"));
    expect(ms).toBeLessThan(5000);
    const v = await virshFails(uri("localhost", "wrong-ca"), "hostname");
    expect(v.stderr).toContain("hasn't got a known issuer");
  });

  it("refuses our own certificate when it does not chain to our CA, before dialling, as virsh does", async () => {
    const { error } = await failure(uri("localhost", "foreign-cert"));
    expect(error.code).toBe("ERR_TLS_CERT_ISSUER");
    expect(error.message).toContain("hasn't got a known issuer");
    expect((await virshFails(uri("localhost", "foreign-cert"), "hostname")).stderr).toContain(`Our own certificate ${join(root, "foreign-cert", "clientcert.pem")} failed validation`);
  });

  it("refuses a host-name mismatch unless no_verify=1, as virsh does", async () => {
    const { error } = await failure(uri("127.0.0.1", "ok"));
    expect(error.code).toBe("ERR_TLS_HOSTNAME");
    expect(error.message).toMatch(/does not match the hostname 127\.0\.0\.1/);
    const v = await virshFails(uri("127.0.0.1", "ok"), "hostname");
    expect(v.code).not.toBe(0);
    expect(v.stderr).toMatch(/does not match the hostname 127\.0\.0\.1/);
    const conn = await connect(uri("127.0.0.1", "ok", "&no_verify=1"));
    expect((await conn.connectGetHostname()).hostname).toBe((await virsh(uri("127.0.0.1", "ok", "&no_verify=1"), "hostname")).trim());
    await conn.close();
  });

  it("honours the CRL: a revoked daemon certificate is refused, as virsh refuses it; an empty CRL changes nothing", async () => {
    const { error } = await failure(uri("localhost", "revoked"));
    expect(error.code).toBe("ERR_TLS_REVOKED");
    expect(error.message).toContain("The certificate has been revoked.");
    expect((await virshFails(uri("localhost", "revoked"), "hostname")).stderr).toContain("revoked");
    const conn = await connect(uri("localhost", "crl-ok"));
    expect((await conn.connectGetHostname()).hostname).toBe((await virsh(uri("localhost", "crl-ok"), "hostname")).trim());
    await conn.close();
  });

  it("refuses our own expired certificate before dialling, naming the file", async () => {
    const { error } = await failure(uri("localhost", "expired"));
    expect(error.code).toBe("ERR_TLS_CERT_EXPIRED");
    expect(error.message).toBe(`The client certificate ${join(root, "expired", "clientcert.pem")} has expired`);
    expect((await virshFails(uri("localhost", "expired"), "hostname")).stderr).toContain("has expired");
  });

  it("reports the daemon's refusal of an expired certificate (no_sanity=1) within a second, no hang", async () => {
    const { error, ms } = await failure(uri("localhost", "expired", "&no_sanity=1"));
    expect(["ERR_TLS_REJECTED", "ERR_TLS_HANDSHAKE"]).toContain(error.code);
    expect(ms).toBeLessThan(5000);
  });

  it("reports a connection without a client certificate as refused by the daemon", async () => {
    const { error, ms } = await failure(uri("localhost", "no-cert"));
    expect(["ERR_TLS_REJECTED", "ERR_TLS_HANDSHAKE"]).toContain(error.code);
    expect(ms).toBeLessThan(5000);
  });

  it("reports a client outside tls_allowed_dn_list as refused after the handshake", async () => {
    const { error, ms } = await failure(uri("localhost", "stranger"));
    expect(error.code).toBe("ERR_TLS_REJECTED");
    expect(error.message).toMatch(/server verification \(of our certificate or IP address\) failed/);
    expect(ms).toBeLessThan(5000);
    expect((await virshFails(uri("localhost", "stranger"), "hostname")).code).not.toBe(0);
  });

  it("maps tls_priority to OpenSSL versions, and refuses what cannot be mapped", async () => {
    const conn = await connect(uri("localhost", "ok", "&tls_priority=NORMAL:-VERS-ALL:%2BVERS-TLS1.2"));
    expect((await conn.connectGetHostname()).hostname).toBe((await virsh(uri("localhost", "ok", "&tls_priority=NORMAL:-VERS-ALL:%2BVERS-TLS1.2"), "hostname")).trim());
    await conn.close();
    await expect(connect(uri("localhost", "ok", "&tls_priority=NORMAL:-AES-128-CBC"))).rejects.toThrow(/cannot be expressed with OpenSSL/);
  });

  it("records plaintext frames over TLS, and the recording replays", async () => {
    const recorder = new Recorder({ uri: uri("localhost", "ok") });
    const conn = await connect(uri("localhost", "ok"), { record: recorder, keepalive: false });
    const live = [await conn.connectGetHostname(), await conn.connectListAllDomains({ need_results: 1, flags: 0 })];
    await conn.close();
    expect(recorder.frames.map((f) => f.procedure)).toContain("REMOTE_PROC_CONNECT_GET_HOSTNAME");
    const file = join(root, "tls.jsonl");
    writeFileSync(file, recorder.toString());
    const replay = new ReplayTransport(readFixture(readFileSync(file, "utf8")));
    const again = await connect(uri("localhost", "ok"), { transport: replay, keepalive: false });
    expect([await again.connectGetHostname(), await again.connectListAllDomains({ need_results: 1, flags: 0 })]).toEqual(live);
    await again.close();
    replay.assertDone();
  });
});
