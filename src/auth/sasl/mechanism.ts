import type { ByteFilter } from "../../rpc/link.js";
import type { CredentialRequest } from "../../transport/credentials.js";
import { AuthError } from "../errors.js";

/**
 * One step of a SASL mechanism, as Cyrus SASL's client steps return:
 * `continue` (send `response`, expect more), `complete` (this side is done;
 * `response`, if not null, still goes to the daemon), or `interact` (the
 * mechanism needs these credentials first: call the same step again with
 * the answers). `response: null` is SASL's "no data", distinct from an empty one.
 */
export type SaslStep =
  | { kind: "continue"; response: Uint8Array | null }
  | { kind: "complete"; response: Uint8Array | null }
  | { kind: "interact"; requests: CredentialRequest[] };

/** What a mechanism knows of the connection, as libvirt gives it to Cyrus SASL. */
export interface SaslParams {
  /** Always "libvirt": the service name in digest-uri and in the daemon's SASL config. */
  service: string;
  /** The server's name as the URI gives it ("localhost" without one): DIGEST-MD5's digest-uri and default realm. */
  host: string;
  /** Strength the result must reach, beyond the transport's own (libvirt: 56 on plain TCP, 0 otherwise). */
  minSsf: number;
  /** Strength a layer may add (libvirt: 100000 on plain TCP, 0 otherwise: no layer over TLS, SSH or Unix). */
  maxSsf: number;
  /** The transport's own strength: TLS key bits, 0 otherwise. */
  externalSsf: number;
  /** The largest security-layer packet this side accepts (libvirt: 65536). */
  maxBuf: number;
}

/** The credential answers a step asked for, in the order it asked. */
export type Answers = readonly (string | undefined)[];

/**
 * One authentication exchange. A step may return a promise, to do slow work
 * off the event loop (SCRAM's key derivation); but the step that completes
 * the exchange and brings a security layer should return at once: it runs
 * as the daemon's last reply arrives, so that the layer is in place for the
 * very next byte. Once a step has returned `complete`, every further step
 * must throw (Cyrus SASL refuses a step after the mechanism is done; the
 * client refuses it too, whatever the mechanism does).
 */
export interface SaslMechanism {
  /** The initial response (`null`: none, the server speaks first). */
  start(answers?: Answers): SaslStep | Promise<SaslStep>;
  /** Answers a server challenge (`null`: the daemon sent no data). */
  step(challenge: Uint8Array | null, answers?: Answers): SaslStep | Promise<SaslStep>;
  /**
   * The security layer agreed on, once complete: its strength (0: none,
   * 1: integrity only) and the filter that carries every later byte (null:
   * bytes go as they are).
   */
  layer(): { ssf: number; filter: ByteFilter | null };
}

/**
 * A mechanism the client can use: the built-in ones, or a plug-in given in
 * `connect(uri, { auth: { mechanisms: [...] } })` for what cannot be pure
 * JavaScript (GSSAPI/Kerberos through a native binding, say).
 *
 * `rank` orders the candidates as Cyrus SASL's client does (security
 * properties, then channel binding, then strength, then hash): built-ins
 * use SCRAM-SHA-512 600, SCRAM-SHA-256 500, SCRAM-SHA-1 400, DIGEST-MD5 300,
 * EXTERNAL 200, PLAIN 100; Cyrus would put GSSAPI above them all (700).
 */
export interface SaslMechanismFactory {
  /** The IANA name, as the daemon lists it ("SCRAM-SHA-256"). */
  readonly name: string;
  readonly rank: number;
  /** The strongest layer it can give: mechanisms below the required strength are not tried. */
  readonly maxSsf: number;
  /** Sends the password in the clear (PLAIN): refused where libvirt forbids plaintext (plain TCP). */
  readonly plaintext?: boolean;
  create(params: SaslParams): SaslMechanism;
}

/** Bytes of a UTF-8 string. */
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
/**
 * Text of UTF-8 bytes, strict (a malformed challenge is an error, not U+FFFD)
 * and whole: a leading byte-order mark is kept, as Cyrus reads the bytes as they are.
 */
export const text = (b: Uint8Array): string => new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(b);

/** What a built-in mechanism throws when asked for a step after it completed (Cyrus: SASL_FAIL, "attempting client step after doneflag"). */
export function stepAfterCompletion(mech: string): AuthError {
  return new AuthError("ERR_AUTH_SERVER", `${mech}: the daemon asks for another step after the exchange completed`);
}
