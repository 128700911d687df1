import { X509Certificate, createPrivateKey, type KeyObject } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { TransportError } from "../errors.js";
import { usageProblems } from "./cert-checks.js";
import { DerError } from "./der.js";

/** PEM material for a TLS client: what libvirt reads from its pki files, or given directly. */
export interface TlsCredentials {
  /** The CA certificate(s) the daemon's certificate must chain to. */
  ca: string | Buffer;
  /** The client certificate and its private key (libvirtd asks for one by default). */
  cert?: string | Buffer | undefined;
  key?: string | Buffer | undefined;
  /** Revocation lists (one or more, PEM): each certificate is looked up in its issuer's list, when there is one. */
  crl?: string | Buffer | undefined;
}

/** Where each file was looked for, for messages that name the file. */
export interface PkiFiles {
  ca: string;
  crl: string;
  cert: string;
  key: string;
}

const SYSTEM: PkiFiles = {
  ca: "/etc/pki/CA/cacert.pem",
  crl: "/etc/pki/CA/cacrl.pem",
  cert: "/etc/pki/libvirt/clientcert.pem",
  key: "/etc/pki/libvirt/private/clientkey.pem",
};

/**
 * The files libvirt's client uses: all four under `pkipath` when given
 * (whether they exist or not); else, for a non-root user, those found under
 * `~/.pki/libvirt` (the certificate and key only as a pair); the system
 * paths for the rest.
 */
export function locatePki(pkipath: string | undefined, euid = process.geteuid?.() ?? 0, home = homedir()): PkiFiles {
  if (pkipath !== undefined) {
    return { ca: join(pkipath, "cacert.pem"), crl: join(pkipath, "cacrl.pem"), cert: join(pkipath, "clientcert.pem"), key: join(pkipath, "clientkey.pem") };
  }
  const files = { ...SYSTEM };
  if (euid !== 0) {
    const dir = join(home, ".pki", "libvirt");
    const user = { ca: join(dir, "cacert.pem"), crl: join(dir, "cacrl.pem"), cert: join(dir, "clientcert.pem"), key: join(dir, "clientkey.pem") };
    if (existsSync(user.ca)) files.ca = user.ca;
    if (existsSync(user.crl)) files.crl = user.crl;
    if (existsSync(user.cert) && existsSync(user.key)) {
      files.cert = user.cert;
      files.key = user.key;
    }
  }
  return files;
}

/**
 * Reads the located files. The CA must be there; the CRL is used when
 * present; a missing client certificate or key means connecting without
 * one, as libvirt's client does (the daemon then decides).
 */
export function readPki(files: PkiFiles): TlsCredentials {
  const read = (what: string, file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (e) {
      throw new TransportError("tls", `Cannot read ${what} '${file}': ${(e as Error).message}`, { code: "ERR_TLS_FILE", cause: e });
    }
  };
  const ca = read("CA certificate", files.ca);
  const crl = existsSync(files.crl) ? read("CA revocation list", files.crl) : undefined;
  if (!existsSync(files.cert) || !existsSync(files.key)) return { ca, crl };
  return { ca, crl, cert: read("certificate", files.cert), key: read("private key", files.key) };
}

/**
 * The checks libvirt's client makes of its own credentials before it
 * connects (unless `no_sanity=1`), in libvirt's order: the client
 * certificate within its dates, not a CA, its key usage and purpose those
 * of a client; each CA within its dates, a CA, allowed to sign; the client
 * certificate issued by one of them. Key usage and purpose are fatal only
 * when their extension is critical, else a warning, as libvirt does. Each
 * failure names the file.
 */
export function checkOwnCredentials(creds: TlsCredentials, files: { ca: string; cert: string; key: string }, now = new Date()): void {
  const fail = (check: string, message: string): never => {
    throw new TransportError("tls", message, { code: `ERR_TLS_${check}` });
  };
  const usage = (cert: X509Certificate, role: "client" | "CA", file: string, prefix: string): void => {
    let problems: ReturnType<typeof usageProblems>;
    try {
      problems = usageProblems(cert, role);
    } catch (e) {
      if (!(e instanceof DerError)) throw e;
      throw new TransportError("tls", `cannot read the extensions of ${file}: ${e.message}`, { code: "ERR_TLS_FILE", cause: e });
    }
    const { fatal, warnings } = problems;
    if (fatal !== undefined) fail(`${prefix}${fatal.check}`, `Certificate ${file} ${fatal.reason}`);
    for (const w of warnings) process.emitWarning(`Certificate ${file} ${w}; going on, as libvirt does`, { code: "LIBVIRT_REMOTE_TLS_CERT" });
  };
  const cert = creds.cert === undefined ? undefined : parseCerts(creds.cert, "client certificate", files.cert)[0]!;
  if (cert !== undefined) {
    checkTimes(cert, "client", files.cert, now, fail);
    if (cert.ca) fail("CERT_CONSTRAINTS", `The certificate ${files.cert} basic constraints show a CA, but we need one for a client`);
    usage(cert, "client", files.cert, "CERT_");
  }
  const cas = parseCerts(creds.ca, "CA certificate", files.ca);
  for (const ca of cas) {
    checkTimes(ca, "CA", files.ca, now, fail);
    if (!ca.ca) fail("CA_CONSTRAINTS", `The certificate ${files.ca} basic constraints do not show a CA`);
    usage(ca, "CA", files.ca, "CA_");
  }
  if (cert !== undefined && !cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey))) {
    fail("CERT_ISSUER", `Our own certificate ${files.cert} failed validation against ${files.ca}: The certificate hasn't got a known issuer.`);
  }
}

/**
 * The client key must be the certificate's: checked whether or not
 * `no_sanity=1`, as GnuTLS checks it when libvirt loads the pair.
 */
export function checkKeyPair(creds: TlsCredentials, files: { cert: string; key: string }): void {
  if (creds.cert === undefined || creds.key === undefined) return;
  const [cert] = parseCerts(creds.cert, "client certificate", files.cert);
  let key: KeyObject;
  try {
    key = createPrivateKey(creds.key);
  } catch (e) {
    throw new TransportError("tls", `cannot load the client key ${files.key}: ${(e as Error).message}`, { code: "ERR_TLS_KEY", cause: e });
  }
  if (!cert!.checkPrivateKey(key)) {
    throw new TransportError("tls", `The client key ${files.key} does not belong to the certificate ${files.cert}`, { code: "ERR_TLS_KEY_MISMATCH" });
  }
}

function parseCerts(pem: string | Buffer, what: string, file: string): X509Certificate[] {
  const text = pem.toString();
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  try {
    if (blocks.length === 0) throw new Error("no PEM certificate found");
    return blocks.map((b) => new X509Certificate(b));
  } catch (e) {
    throw new TransportError("tls", `cannot load ${what} ${file}: ${(e as Error).message}`, { code: "ERR_TLS_FILE", cause: e });
  }
}

function checkTimes(cert: X509Certificate, role: "CA" | "client", file: string, now: Date, fail: (check: string, message: string) => never): void {
  if (new Date(cert.validTo) < now) fail(role === "CA" ? "CA_EXPIRED" : "CERT_EXPIRED", `The ${role} certificate ${file} has expired`);
  if (new Date(cert.validFrom) > now) fail(role === "CA" ? "CA_NOT_ACTIVE" : "CERT_NOT_ACTIVE", `The ${role} certificate ${file} is not yet active`);
}
