import { X509Certificate } from "node:crypto";
import { isIP, type Socket } from "node:net";
import { checkServerIdentity, connect as tlsConnect, createSecureContext, type PeerCertificate, type SecureContext, type TLSSocket } from "node:tls";
import { AbortError, TransportError } from "../errors.js";
import { chainProblem, peerChain, serverCertProblems } from "./cert-checks.js";
import { DerError } from "./der.js";
import { checkKeyPair, checkOwnCredentials, locatePki, readPki, type PkiFiles, type TlsCredentials } from "./pki.js";
import { findRevocation, parseCrls, type Revocation } from "./revocation.js";
import { openSocket } from "./socket.js";
import { parseTlsPriority, type TlsPriority } from "./tls-priority.js";
import type { Transport } from "./transport.js";
import type { CrlFields } from "./x509-fields.js";

export interface TlsSettings {
  /** `pkipath=`: the folder holding cacert.pem, cacrl.pem, clientcert.pem and clientkey.pem. */
  pkipath?: string | undefined;
  /** PEM material given by the program, used instead of files (`connect(uri, { tls })`). */
  credentials?: Partial<TlsCredentials> | undefined;
  /** `no_verify=1`: do not check the daemon's certificate. */
  noVerify?: boolean;
  /** `no_sanity=1`: do not check our own certificate before connecting. */
  noSanity?: boolean;
  /** `tls_priority=`: a GnuTLS priority string, mapped by parseTlsPriority. */
  priority?: string | undefined;
}

/** Names of the OpenSSL verification results, as libvirt's GnuTLS-based checks word them. */
const CHAIN_FAILURES: Readonly<Record<string, { check: string; reason: string }>> = {
  UNABLE_TO_GET_ISSUER_CERT: { check: "CA", reason: "The certificate hasn't got a known issuer." },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: { check: "CA", reason: "The certificate hasn't got a known issuer." },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { check: "CA", reason: "The certificate hasn't got a known issuer." },
  SELF_SIGNED_CERT_IN_CHAIN: { check: "CA", reason: "The certificate hasn't got a known issuer." },
  DEPTH_ZERO_SELF_SIGNED_CERT: { check: "CA", reason: "The certificate hasn't got a known issuer." },
  CERT_SIGNATURE_FAILURE: { check: "CA", reason: "The certificate is not trusted." },
  CERT_HAS_EXPIRED: { check: "EXPIRED", reason: "The certificate has expired." },
  CERT_NOT_YET_VALID: { check: "NOT_ACTIVE", reason: "The certificate is not yet active." },
};

/**
 * TLS as libvirt's client does it: credentials from pkipath, ~/.pki/libvirt
 * or /etc/pki; our own certificate sanity-checked; the daemon's certificate
 * checked against the CA, its dates, the revocation lists there are, the
 * host name and libvirt's rules for a server certificate (unless no_verify);
 * then the daemon's verdict on *our* certificate, one byte (1 = accepted)
 * before any frame. Every failure is a TransportError whose code names the
 * check (`ERR_TLS_CA`, `ERR_TLS_HOSTNAME`, `ERR_TLS_REJECTED`, ...).
 */
export class TlsTransport implements Transport {
  readonly description: string;
  private readonly priority: TlsPriority;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly settings: TlsSettings = {},
  ) {
    this.description = `tls:${host.includes(":") ? `[${host}]` : host}:${port}`;
    // Parsed up front, so that a bad string fails before anything is dialled.
    this.priority = settings.priority === undefined ? {} : parseTlsPriority(settings.priority);
  }

  async connect(signal?: AbortSignal): Promise<TLSSocket> {
    const { creds, files } = this.credentials();
    if (this.settings.noSanity !== true) checkOwnCredentials(creds, files);
    // Everything is loaded before dialling, as libvirt builds its TLS context first: bad material never opens a connection.
    checkKeyPair(creds, files);
    const crls = creds.crl === undefined ? [] : parseCrls(creds.crl, files.crl);
    const context = this.context(creds);
    const tcp = await openSocket({ host: this.host, port: this.port }, this.description, signal);
    tcp.setNoDelay(true);
    let socket: TLSSocket;
    try {
      socket = this.wrap(tcp, context);
    } catch (e) {
      tcp.destroy();
      throw e;
    }
    try {
      await this.step(socket, signal, "the TLS handshake", (done) => socket.once("secureConnect", () => done()));
      if (this.settings.noVerify !== true) this.verifyPeer(socket, creds, files, crls);
      await this.step(socket, signal, "waiting for the daemon to accept our certificate", (done) => readConfirmation(socket, done));
    } catch (e) {
      socket.destroy();
      throw e;
    }
    return socket;
  }

  private context(creds: TlsCredentials): SecureContext {
    try {
      return createSecureContext({
        ca: creds.ca,
        ...(creds.cert === undefined ? {} : { cert: creds.cert }),
        ...(creds.key === undefined ? {} : { key: creds.key }),
        ...this.priority,
      });
    } catch (e) {
      throw new TransportError("tls", `cannot use the TLS credentials for ${this.description}: ${(e as Error).message}`, { code: "ERR_TLS_FILE", cause: e });
    }
  }

  private wrap(tcp: Socket, secureContext: SecureContext): TLSSocket {
    return tlsConnect({
      socket: tcp,
      secureContext,
      ...(isIP(this.host) === 0 ? { servername: this.host } : {}),
      // Checked below, so that each failure can say which check it was.
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
  }

  private credentials(): { creds: TlsCredentials; files: PkiFiles } {
    const given = this.settings.credentials;
    if (given?.ca !== undefined) {
      const label = "(given in options.tls)";
      return {
        creds: { ca: given.ca, cert: given.cert, key: given.key, crl: given.crl },
        files: { ca: `CA ${label}`, cert: `certificate ${label}`, key: `key ${label}`, crl: `CRL ${label}` },
      };
    }
    const files = locatePki(this.settings.pkipath);
    const creds = readPki(files);
    return { creds: { ...creds, ...given }, files };
  }

  /**
   * Checks the daemon's certificate as libvirt does: chain to the CA within
   * the dates, revocation by the lists there are, the host name, then
   * libvirt's own checks of a server certificate (not a CA, key usage,
   * purpose), the non-fatal ones as warnings.
   */
  private verifyPeer(socket: TLSSocket, creds: TlsCredentials, files: PkiFiles, crls: CrlFields[]): void {
    const fail = (check: string, reason: string, cause?: unknown): never => {
      throw new TransportError("tls", `Certificate of ${this.description} failed validation against ${files.ca}: ${reason}`, { code: `ERR_TLS_${check}`, cause });
    };
    const chain = peerChain(socket);
    if (chain.length === 0) fail("CA", "The daemon sent no certificate.");
    const cas = caCertificates(creds.ca);
    let revoked: Revocation | undefined;
    let problems: ReturnType<typeof serverCertProblems>;
    try {
      if (!socket.authorized) {
        const code = String(socket.authorizationError ?? "UNKNOWN");
        // OpenSSL also checks the certificate's purpose, which libvirt only warns about; it names one error, so the chain is checked again without it.
        const known = code === "INVALID_PURPOSE" ? chainProblem(chain, cas) : (CHAIN_FAILURES[code] ?? { check: "CHAIN", reason: `Invalid certificate (${code}).` });
        if (known !== undefined) fail(known.check, known.reason);
      }
      revoked = findRevocation(chain, cas, crls);
      problems = serverCertProblems(chain[0]!);
    } catch (e) {
      // OpenSSL took it, but our reading of the fields it does not expose did not: refuse rather than skip the checks.
      if (e instanceof DerError) fail("CHAIN", `Unable to read the certificate's fields: ${e.message}.`, e);
      throw e;
    }
    if (revoked !== undefined) {
      const which = revoked.depth === 0 ? "the daemon's own certificate" : `its issuer at depth ${revoked.depth}`;
      const list = [revoked.signedByIssuer ? "" : ", in a list whose signature does not verify with the issuer's key", revoked.expired ? ", in a list past its next update" : ""].join("");
      fail("REVOKED", `The certificate has been revoked. Serial ${revoked.serial} (${which}) is listed in ${files.crl}${list}.`);
    }
    const peer: PeerCertificate = socket.getPeerCertificate();
    const mismatch = checkServerIdentity(this.host, peer);
    if (mismatch !== undefined) {
      throw new TransportError("tls", `Certificate of ${this.description} owner does not match the hostname ${this.host} (${mismatch.message})`, {
        code: "ERR_TLS_HOSTNAME",
        cause: mismatch,
      });
    }
    const { fatal, warnings } = problems;
    if (fatal !== undefined) {
      throw new TransportError("tls", `The certificate of ${this.description} ${fatal.reason}`, { code: `ERR_TLS_${fatal.check}` });
    }
    for (const w of warnings) process.emitWarning(`The certificate of ${this.description} ${w}; connecting anyway, as libvirt does`, { code: "LIBVIRT_REMOTE_TLS_CERT" });
  }

  /** Waits for one phase, failing at once on the socket's error or close, or on abort. */
  private step(socket: TLSSocket, signal: AbortSignal | undefined, what: string, start: (done: () => void) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        socket.off("error", onError);
        socket.off("close", onClose);
        signal?.removeEventListener("abort", onAbort);
      };
      const fail = (err: Error): void => {
        cleanup();
        reject(err);
      };
      const onError = (err: Error): void =>
        fail(
          new TransportError("tls", `${what} with ${this.description} failed: ${err.message}`, {
            code: what.startsWith("waiting") ? "ERR_TLS_REJECTED" : "ERR_TLS_HANDSHAKE",
            cause: err,
          }),
        );
      const onClose = (): void =>
        fail(
          new TransportError(
            "tls",
            what.startsWith("waiting")
              ? `the daemon at ${this.description} closed the connection: server verification (of our certificate or IP address) failed`
              : `${this.description} closed the connection during ${what}`,
            { code: what.startsWith("waiting") ? "ERR_TLS_REJECTED" : "ERR_TLS_HANDSHAKE" },
          ),
        );
      const onAbort = (): void => fail(new AbortError(`connecting to ${this.description} was aborted during ${what}`, { cause: signal?.reason }));
      if (signal?.aborted) return onAbort();
      socket.once("error", onError);
      socket.once("close", onClose);
      signal?.addEventListener("abort", onAbort, { once: true });
      start(() => {
        cleanup();
        resolve();
      });
    });
  }
}

/** Reads the daemon's one-byte verdict, leaving any later bytes for the session. */
function readConfirmation(socket: TLSSocket, done: () => void): void {
  const onReadable = (): void => {
    const byte = socket.read(1) as Buffer | null;
    if (byte === null) return;
    socket.off("readable", onReadable);
    if (byte[0] === 1) done();
    else socket.destroy(new Error(`the daemon answered ${byte[0]} instead of 1: server verification (of our certificate or IP address) failed`));
  };
  socket.on("readable", onReadable);
}

function caCertificates(pem: string | Buffer): X509Certificate[] {
  const blocks = pem.toString().match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.flatMap((b) => {
    try {
      return [new X509Certificate(b)];
    } catch {
      return [];
    }
  });
}
