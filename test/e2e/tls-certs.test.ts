import { execFile } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/client/client.js";
import { TransportError } from "../../src/rpc/errors.js";
import { startDaemon, type ThrowawayDaemon } from "../../src/testing/daemon.js";
import { makeCert, makeCrl, type CertSpec } from "../../src/testing/pki.js";
import { sharedDaemon } from "./daemon.js";

/**
 * Certificate layouts a daemon may present, each run through virsh and
 * through this library on the same daemon: both must connect, or both
 * must refuse. Each test says which way virsh (libvirt 9.0's client, and
 * 11.3's, checked by hand) goes.
 */
const enabled = sharedDaemon() !== null;

/** virsh's exit and stderr, whether it connects or not (its warnings go to stderr too). */
function virshHostname(uri: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile("virsh", ["-c", uri, "hostname"], { encoding: "utf8" }, (error, _stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), stderr }));
  });
}

/** The messages of this library's process warnings while `run` runs. */
async function warningsDuring<T>(run: () => Promise<T>): Promise<{ result: T; warnings: string[] }> {
  const warnings: string[] = [];
  const onWarning = (w: Error & { code?: string }): void => void (w.code === "LIBVIRT_REMOTE_TLS_CERT" && warnings.push(w.message));
  process.on("warning", onWarning);
  try {
    const result = await run();
    await new Promise((r) => setImmediate(r)); // process warnings are emitted on the next tick
    return { result, warnings };
  } finally {
    process.off("warning", onWarning);
  }
}

type Outcome = { connects: true } | { connects: false; code: string; message: string };

describe.skipIf(!enabled)("the daemon's certificate checked as virsh checks it", () => {
  let root: string;
  let certs: string;
  const daemons: ThrowawayDaemon[] = [];
  const files: Record<string, string> = {};

  /** A daemon presenting `cert` (and its chain); libvirtd's own sanity check is off so that it serves what libvirt would refuse. */
  async function serving(name: string, chain: string[], key: string): Promise<ThrowawayDaemon> {
    const certFile = join(certs, `${name}-chain.pem`);
    writeFileSync(certFile, chain.map((f) => readFileSync(f, "utf8")).join(""));
    const daemon = await startDaemon({ tls: { caFile: files["ca"]!, certFile, keyFile: key }, extraConfig: ["tls_no_sanity_certificate = 1"] });
    daemons.push(daemon);
    return daemon;
  }

  /** A pkipath folder: our CA(s), the good client pair, and the given CRLs concatenated into cacrl.pem. */
  function pki(name: string, options: { cas?: string[]; crls?: string[]; cert?: string; key?: string } = {}): string {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "cacert.pem"), (options.cas ?? [files["ca"]!]).map((f) => readFileSync(f, "utf8")).join(""));
    copyFileSync(options.cert ?? files["client"]!, join(dir, "clientcert.pem"));
    copyFileSync(options.key ?? files["clientKey"]!, join(dir, "clientkey.pem"));
    if (options.crls !== undefined) writeFileSync(join(dir, "cacrl.pem"), options.crls.map((f) => readFileSync(f, "utf8")).join(""));
    return dir;
  }

  const uri = (daemon: ThrowawayDaemon, dir: string, extra = ""): string => `test+tls://localhost:${daemon.tlsPort}/default?pkipath=${dir}${extra}`;

  async function ours(u: string): Promise<Outcome> {
    try {
      const conn = await connect(u, { keepalive: false });
      await conn.connectGetHostname();
      await conn.close();
      return { connects: true };
    } catch (e) {
      expect(e).toBeInstanceOf(TransportError);
      return { connects: false, code: (e as TransportError).code ?? "", message: (e as Error).message };
    }
  }

  /** Ours and virsh's outcome on the same URI; they must agree on connecting. */
  async function both(u: string): Promise<{ ours: Outcome; virsh: { connects: boolean; stderr: string } }> {
    const v = await virshHostname(u);
    const mine = await ours(u);
    const virsh = { connects: v.code === 0, stderr: v.stderr };
    expect(mine.connects, `ours: ${JSON.stringify(mine)}; virsh: ${virsh.stderr}`).toBe(virsh.connects);
    return { ours: mine, virsh };
  }

  const make = async (spec: Omit<CertSpec, "subject"> & { subject?: string }): Promise<{ cert: string; key: string }> =>
    makeCert(certs, { subject: `/O=libvirt-remote/CN=${spec.name}`, ...spec });
  const server = (name: string, spec: Partial<CertSpec> = {}): Promise<{ cert: string; key: string }> =>
    make({ name, subject: "/O=libvirt-remote/CN=localhost", issuer: "ca", san: "DNS:localhost", usage: "server", ...spec });

  let plain: ThrowawayDaemon;
  let viaIntermediate: ThrowawayDaemon;
  const odd: Record<string, ThrowawayDaemon> = {};
  const crl: Record<string, string> = {};

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "lr-tls-certs-"));
    chmodSync(root, 0o755); // the daemons run as nobody
    certs = join(root, "certs");
    const ca = await make({ name: "ca", subject: "/O=libvirt-remote/CN=root CA", issuer: "self" });
    const client = await make({ name: "client", subject: "/O=libvirt-remote/CN=client", issuer: "ca", usage: "client" });
    Object.assign(files, { ca: ca.cert, client: client.cert, clientKey: client.key });
    const intermediate = await make({ name: "inter", subject: "/O=libvirt-remote/CN=intermediate CA", issuer: "ca", ca: true });
    await make({ name: "other", subject: "/O=elsewhere/CN=other CA", issuer: "self" });
    // Same name as the root CA, another key: its lists claim to be the root's.
    await make({ name: "impostor", subject: "/O=libvirt-remote/CN=root CA", issuer: "self" });
    const good = await server("plain");
    const underIntermediate = await server("viainter", { issuer: "inter" });
    plain = await serving("plain", [good.cert], good.key);
    viaIntermediate = await serving("viainter", [underIntermediate.cert, intermediate.cert], underIntermediate.key);
    // One daemon per odd certificate of its own.
    const oddSpecs: Record<string, Partial<CertSpec>> = {
      caTrue: { ca: true, keyUsage: "critical,digitalSignature,keyEncipherment,keyCertSign", extendedKeyUsage: "serverAuth" },
      clientPurpose: { extendedKeyUsage: "clientAuth" },
      clientPurposeCritical: { extendedKeyUsage: "critical,clientAuth" },
      anyPurpose: { extendedKeyUsage: "anyExtendedKeyUsage" },
      otherPurpose: { extendedKeyUsage: "codeSigning" },
      noEncipherment: { keyUsage: "critical,digitalSignature" },
      noEnciphermentNonCritical: { keyUsage: "digitalSignature" },
      expired: { notBefore: -30, notAfter: -1 },
      notYetValid: { notBefore: 1, notAfter: 30 },
    };
    for (const [name, spec] of Object.entries(oddSpecs)) {
      const c = await server(name.toLowerCase(), spec);
      odd[name] = await serving(name, [c.cert], c.key);
    }
    // Wrong purpose and an unknown issuer at once: OpenSSL names only one of the two.
    const strangerPurpose = await server("strangerpurpose", { issuer: "other", extendedKeyUsage: "clientAuth" });
    odd["strangerPurpose"] = await serving("strangerpurpose", [strangerPurpose.cert], strangerPurpose.key);
    const criticalPurpose = await server("criticalpurpose", { extendedKeyUsage: "clientAuth", extraExtensions: ["1.2.3.4=critical,ASN1:NULL"] });
    odd["unknownCriticalPurpose"] = await serving("criticalpurpose", [criticalPurpose.cert], criticalPurpose.key);
    const expiredCa = await make({ name: "expiredca", subject: "/O=libvirt-remote/CN=expired CA", issuer: "self", notBefore: -30, notAfter: -1 });
    const underExpired = await server("underexpired", { issuer: "expiredca" });
    files["expiredCa"] = expiredCa.cert;
    odd["underExpiredCa"] = await serving("underexpired", [underExpired.cert], underExpired.key);
    const stranger = await make({ name: "stranger", issuer: "ca", usage: "client" });
    files["strangerKey"] = stranger.key;
    for (const [name, purpose] of [["serverpurpose", "serverAuth"], ["serverpurposecrit", "critical,serverAuth"]] as const) {
      const c = await make({ name, subject: "/O=libvirt-remote/CN=client", issuer: "ca", usage: "client", extendedKeyUsage: purpose });
      files[name] = c.cert;
      files[`${name}Key`] = c.key;
    }
    Object.assign(crl, {
      root: await makeCrl(certs, "ca", [], "root-empty"),
      rootRevokesIntermediate: await makeCrl(certs, "ca", [intermediate.cert], "root-revokes-inter"),
      rootRevokesPlain: await makeCrl(certs, "ca", [good.cert], "root-revokes-plain"),
      intermediate: await makeCrl(certs, "inter", [], "inter-empty"),
      intermediateRevokesServer: await makeCrl(certs, "inter", [underIntermediate.cert], "inter-revokes-server"),
      other: await makeCrl(certs, "other", [], "other-empty"),
      // Another CA's list naming the daemon's serial: only a list from the certificate's own issuer counts.
      otherNamingPlain: await makeCrl(certs, "other", [good.cert], "other-names-plain"),
      // The root's list naming the root itself: trust anchors are not looked up.
      rootRevokesItself: await makeCrl(certs, "ca", [ca.cert], "root-revokes-root"),
      forged: await makeCrl(certs, "impostor", [good.cert], "forged"),
      // Valid for one second: past its next update by the time the tests run (waited for below).
      expired: await makeCrl(certs, "ca", [], "expired-empty", 1),
      expiredRevoking: await makeCrl(certs, "ca", [good.cert], "expired-revoking", 1),
    });
    await new Promise((r) => setTimeout(r, 2000));
  });

  afterAll(async () => {
    for (const d of daemons) await d.stop();
    rmSync(root, { recursive: true, force: true });
  });

  describe("revocation lists (issue 27, item 2)", () => {
    it("a root CA's CRL with a daemon certificate from an intermediate: virsh connects, so do we", async () => {
      const { ours: o } = await both(uri(viaIntermediate, pki("inter-root-crl", { crls: [crl["root"]!] })));
      expect(o.connects).toBe(true);
    });

    it("a CRL of another CA only: virsh connects, so do we", async () => {
      expect((await both(uri(plain, pki("other-crl", { crls: [crl["other"]!] })))).ours.connects).toBe(true);
      expect((await both(uri(viaIntermediate, pki("inter-other-crl", { crls: [crl["other"]!] })))).ours.connects).toBe(true);
    });

    it("another CA's CRL that names the daemon certificate's serial: virsh connects, so do we", async () => {
      expect((await both(uri(plain, pki("other-names-serial", { crls: [crl["otherNamingPlain"]!] })))).ours.connects).toBe(true);
    });

    it("the root's CRL naming the root itself: virsh connects (trust anchors are not looked up), so do we", async () => {
      expect((await both(uri(plain, pki("root-revokes-root", { crls: [crl["rootRevokesItself"]!] })))).ours.connects).toBe(true);
      expect((await both(uri(viaIntermediate, pki("inter-root-revokes-root", { crls: [crl["rootRevokesItself"]!] })))).ours.connects).toBe(true);
    });

    it("the intermediate's own CRL, revoking nothing: virsh connects, so do we", async () => {
      expect((await both(uri(viaIntermediate, pki("inter-inter-crl", { crls: [crl["intermediate"]!] })))).ours.connects).toBe(true);
    });

    it("the intermediate's CRL revoking the daemon's certificate: virsh refuses, so do we", async () => {
      const { ours: o, virsh } = await both(uri(viaIntermediate, pki("inter-revoked", { crls: [crl["root"]!, crl["intermediateRevokesServer"]!] })));
      expect(virsh.stderr).toContain("The certificate has been revoked.");
      expect(o).toMatchObject({ code: "ERR_TLS_REVOKED", message: expect.stringContaining("The certificate has been revoked") });
    });

    it("the root's CRL revoking the intermediate: virsh refuses, so do we, naming the depth", async () => {
      const { ours: o, virsh } = await both(uri(viaIntermediate, pki("inter-inter-revoked", { crls: [crl["rootRevokesIntermediate"]!] })));
      expect(virsh.stderr).toContain("The certificate has been revoked.");
      expect(o).toMatchObject({ code: "ERR_TLS_REVOKED", message: expect.stringContaining("(its issuer at depth 1) is listed in") });
    });

    it("a revoking CRL next to another CA's CRL in one file: virsh refuses, so do we", async () => {
      const { ours: o } = await both(uri(plain, pki("mixed-crls", { crls: [crl["other"]!, crl["rootRevokesPlain"]!] })));
      expect(o).toMatchObject({ code: "ERR_TLS_REVOKED" });
    });

    it("a CRL past its next update: virsh uses it anyway (connects when it revokes nothing, refuses when it revokes), and so do we", async () => {
      expect((await both(uri(plain, pki("expired-crl", { crls: [crl["expired"]!] })))).ours.connects).toBe(true);
      const { ours: o } = await both(uri(plain, pki("expired-crl-revoking", { crls: [crl["expiredRevoking"]!] })));
      expect(o).toMatchObject({ code: "ERR_TLS_REVOKED", message: expect.stringContaining("past its next update") });
    });

    it("a CRL in the root's name but signed by another key, revoking the daemon's certificate: virsh refuses, so do we, and say the signature is wrong", async () => {
      const { ours: o, virsh } = await both(uri(plain, pki("forged-crl", { crls: [crl["forged"]!] })));
      expect(virsh.stderr).toContain("revoked");
      expect(o).toMatchObject({ code: "ERR_TLS_REVOKED", message: expect.stringContaining("whose signature does not verify") });
    });

    it("an unreadable cacrl.pem: virsh fails before connecting, so do we (ERR_TLS_FILE, naming the file)", async () => {
      const dir = pki("garbage-crl");
      writeFileSync(join(dir, "cacrl.pem"), "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n");
      const { ours: o, virsh } = await both(uri(plain, dir));
      expect(virsh.stderr).toContain("revocation list");
      expect(o).toMatchObject({ code: "ERR_TLS_FILE", message: expect.stringContaining(join(dir, "cacrl.pem")) });
    });
  });

  describe("libvirt's own checks of a server certificate (issue 27, items 6 and 7)", () => {
    it("basic constraints CA:TRUE: virsh refuses, so do we, in libvirt's words", async () => {
      const { ours: o, virsh } = await both(uri(odd["caTrue"]!, pki("ca-true")));
      expect(virsh.stderr).toContain("basic constraints show a CA, but we need one for a server");
      expect(o).toMatchObject({ code: "ERR_TLS_CONSTRAINTS", message: expect.stringContaining("basic constraints show a CA, but we need one for a server") });
    });

    it("an extended key usage of clientAuth only, not critical: virsh warns and connects, so do we, and the warning names the purposes", async () => {
      const { result, warnings } = await warningsDuring(() => both(uri(odd["clientPurpose"]!, pki("client-purpose"))));
      expect(result.ours.connects).toBe(true);
      // virsh prints libvirt's warning on stderr by default; ours is a process warning, which Node prints there too.
      expect(result.virsh.stderr).toMatch(/warning : .*Certificate \[session\] purpose does not allow use for with a TLS server/);
      expect(warnings).toEqual([expect.stringMatching(/purpose does not allow use for with a TLS server: its extended key usage lists clientAuth \(1\.3\.6\.1\.5\.5\.7\.3\.2\) but not serverAuth \(1\.3\.6\.1\.5\.5\.7\.3\.1\)/)]);
    });

    it("that purpose from a CA we do not trust: virsh refuses, so do we (ERR_TLS_CA): the purpose does not hide the chain", async () => {
      const { ours: o, virsh } = await both(uri(odd["strangerPurpose"]!, pki("stranger-purpose")));
      expect(virsh.stderr).toContain("hasn't got a known issuer");
      expect(o).toMatchObject({ code: "ERR_TLS_CA", message: expect.stringContaining("The certificate hasn't got a known issuer.") });
    });

    it("that purpose and an unknown critical extension: virsh refuses (not trusted), so do we: the purpose does not hide the extension", async () => {
      const { ours: o, virsh } = await both(uri(odd["unknownCriticalPurpose"]!, pki("critical-purpose")));
      expect(virsh.stderr).toContain("The certificate is not trusted.");
      expect(o).toMatchObject({ code: "ERR_TLS_CHAIN", message: expect.stringContaining("1.2.3.4") });
    });

    it("the same purpose in a critical extension: virsh refuses, so do we, naming the purposes", async () => {
      const { ours: o, virsh } = await both(uri(odd["clientPurposeCritical"]!, pki("client-purpose-critical")));
      expect(virsh.stderr).toContain("Failed to verify peer's certificate");
      expect(o).toMatchObject({ code: "ERR_TLS_PURPOSE", message: expect.stringContaining("lists clientAuth (1.3.6.1.5.5.7.3.2) but not serverAuth") });
    });

    it("anyExtendedKeyUsage alone (libvirt does not count it), not critical: virsh warns and connects, so do we", async () => {
      const { result, warnings } = await warningsDuring(() => both(uri(odd["anyPurpose"]!, pki("any-purpose"))));
      expect(result.ours.connects).toBe(true);
      expect(result.virsh.stderr).toContain("Certificate [session] purpose does not allow use for with a TLS server");
      expect(warnings).toEqual([expect.stringContaining("lists anyExtendedKeyUsage (2.5.29.37.0) but not serverAuth")]);
    });

    it("a purpose libvirt does not know (codeSigning): virsh connects, so do we", async () => {
      const { result, warnings } = await warningsDuring(() => both(uri(odd["otherPurpose"]!, pki("other-purpose"))));
      expect(result.ours.connects).toBe(true);
      expect(result.virsh.stderr).not.toContain("purpose does not allow");
      expect(warnings).toEqual([]);
    });

    it("a critical key usage without keyEncipherment (an EC key): virsh 9.0 and 11.3 refuse, so do we; not critical: both connect", async () => {
      const { ours: o } = await both(uri(odd["noEncipherment"]!, pki("no-encipherment")));
      expect(o).toMatchObject({ code: "ERR_TLS_KEY_USAGE", message: expect.stringContaining("usage does not permit key encipherment") });
      expect((await both(uri(odd["noEnciphermentNonCritical"]!, pki("no-encipherment-nc")))).ours.connects).toBe(true);
    });
  });

  describe("the same rules for our own certificate, checked before connecting", () => {
    it("our certificate for serverAuth only, not critical: virsh warns and connects (the daemon only warns too), so do we", async () => {
      const dir = pki("own-server-purpose", { cert: files["serverpurpose"]!, key: files["serverpurposeKey"]! });
      const { result, warnings } = await warningsDuring(() => both(uri(plain, dir)));
      expect(result.ours.connects).toBe(true);
      const libvirts = `Certificate ${join(dir, "clientcert.pem")} purpose does not allow use for with a TLS client`;
      expect(result.virsh.stderr).toContain(libvirts);
      expect(warnings).toEqual([expect.stringContaining(libvirts)]);
    });

    it("the same purpose in a critical extension: virsh refuses before connecting, naming the file, so do we", async () => {
      const dir = pki("own-server-purpose-critical", { cert: files["serverpurposecrit"]!, key: files["serverpurposecritKey"]! });
      const { ours: o, virsh } = await both(uri(plain, dir));
      expect(virsh.stderr).toContain(`Certificate ${join(dir, "clientcert.pem")} purpose does not allow use for with a TLS client`);
      expect(o).toMatchObject({ code: "ERR_TLS_CERT_PURPOSE", message: expect.stringContaining(`Certificate ${join(dir, "clientcert.pem")} purpose does not allow use for with a TLS client`) });
    });
  });

  describe("dates and key pairs, as the README says", () => {
    it("the daemon's certificate expired: virsh refuses, so do we (ERR_TLS_EXPIRED)", async () => {
      const { ours: o, virsh } = await both(uri(odd["expired"]!, pki("server-expired")));
      expect(virsh.stderr).toContain("The certificate is not trusted.");
      expect(o).toMatchObject({ code: "ERR_TLS_EXPIRED", message: expect.stringContaining("The certificate has expired.") });
    });

    it("the daemon's certificate not yet valid: virsh refuses, so do we (ERR_TLS_NOT_ACTIVE)", async () => {
      const { ours: o } = await both(uri(odd["notYetValid"]!, pki("server-not-yet")));
      expect(o).toMatchObject({ code: "ERR_TLS_NOT_ACTIVE", message: expect.stringContaining("The certificate is not yet active.") });
    });

    it("an expired CA: virsh refuses before connecting, naming the file, so do we; with no_sanity=1 the chain check refuses it, as virsh's does", async () => {
      const dir = pki("expired-ca", { cas: [files["expiredCa"]!] });
      // Our own certificate is not from that CA: the CA's dates are checked first, as libvirt checks them.
      const { ours: o, virsh } = await both(uri(odd["underExpiredCa"]!, dir));
      expect(virsh.stderr).toContain(`The CA certificate ${join(dir, "cacert.pem")} has expired`);
      expect(o).toMatchObject({ code: "ERR_TLS_CA_EXPIRED", message: `The CA certificate ${join(dir, "cacert.pem")} has expired` });
      const { ours: unchecked } = await both(uri(odd["underExpiredCa"]!, dir, "&no_sanity=1"));
      expect(unchecked).toMatchObject({ code: "ERR_TLS_EXPIRED" });
    });

    it("our key not matching our certificate: virsh fails before connecting, even with no_sanity=1, and so do we (ERR_TLS_KEY_MISMATCH)", async () => {
      const dir = pki("key-mismatch", { key: files["strangerKey"]! });
      for (const extra of ["", "&no_sanity=1"]) {
        const { ours: o, virsh } = await both(uri(plain, dir, extra));
        expect(virsh.stderr).toContain("Unable to set x509 key and certificate");
        expect(o).toMatchObject({ code: "ERR_TLS_KEY_MISMATCH", message: expect.stringContaining(join(dir, "clientkey.pem")) });
      }
    });
  });
});
