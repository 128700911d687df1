import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { AuthError } from "../errors.js";
import { stepAfterCompletion, text, utf8, type Answers, type SaslMechanism, type SaslMechanismFactory, type SaslStep } from "./mechanism.js";
import { askAuthnamePassword } from "./prompts.js";

/**
 * Far above what servers use (Cyrus: 10,000; RFC 7677 suggests 4,096): about
 * a second of PBKDF2 here. The derivation runs on libuv's thread pool, so the
 * event loop goes on meanwhile; the cap bounds the CPU a daemon can make us spend.
 */
const MAX_ITERATIONS = 1_000_000;
const pbkdf2Async = promisify(pbkdf2);

type Hash = "SHA-1" | "SHA-256" | "SHA-512";
const NODE_HASH: Record<Hash, { alg: string; size: number; rank: number }> = {
  "SHA-1": { alg: "sha1", size: 20, rank: 400 },
  "SHA-256": { alg: "sha256", size: 32, rank: 500 },
  "SHA-512": { alg: "sha512", size: 64, rank: 600 },
};

export interface ScramOptions {
  /** The client nonce (tests use the RFCs' fixed ones); random otherwise. */
  nonce?: () => string;
}

/**
 * SCRAM (RFC 5802, RFC 7677 for SHA-256) as Cyrus SASL's client speaks it
 * to libvirtd: no channel binding ("n,,": libvirt gives Cyrus none), no
 * authorization identity, and the server's signature checked before the
 * exchange counts as done. No security layer: libvirt offers SCRAM only
 * where the transport is already secure (TLS, Unix socket).
 */
export function scram(hash: Hash, options: ScramOptions = {}): SaslMechanismFactory {
  const h = NODE_HASH[hash];
  return {
    name: `SCRAM-${hash}`,
    rank: h.rank,
    maxSsf: 0,
    create: () => new Scram(`SCRAM-${hash}`, h.alg, h.size, options.nonce ?? (() => randomBytes(24).toString("base64"))),
  };
}

class Scram implements SaslMechanism {
  private state: "start" | "first" | "deriving" | "final" | "done" = "start";
  private user = "";
  private password = "";
  private clientNonce = "";
  private clientFirstBare = "";
  private serverSignature: Buffer | null = null;

  constructor(
    private readonly mech: string,
    private readonly alg: string,
    private readonly size: number,
    private readonly makeNonce: () => string,
  ) {}

  start(answers?: Answers): SaslStep {
    const creds = askAuthnamePassword(answers);
    if (creds.kind === "interact") return creds;
    this.user = creds.user;
    this.password = creds.password;
    this.clientNonce = this.makeNonce();
    // saslname escaping (RFC 5802 5.1): "=" and "," may not appear bare.
    this.clientFirstBare = `n=${this.user.replace(/=/g, "=3D").replace(/,/g, "=2C")},r=${this.clientNonce}`;
    this.state = "first";
    return { kind: "continue", response: utf8(`n,,${this.clientFirstBare}`) };
  }

  /** Client-final needs the key derivation (a promise); the verification that completes returns at once. */
  step(challenge: Uint8Array | null): SaslStep | Promise<SaslStep> {
    if (this.state === "first") return this.clientFinal(this.message(challenge));
    if (this.state === "final") return this.verify(this.message(challenge));
    if (this.state === "done") throw stepAfterCompletion(this.mech);
    throw new AuthError("ERR_AUTH_SERVER", `${this.mech}: a step ${this.state === "start" ? "before the exchange started" : "while the previous one still runs"}`);
  }

  layer(): { ssf: number; filter: null } {
    return { ssf: 0, filter: null };
  }

  private message(challenge: Uint8Array | null): string {
    if (challenge === null || challenge.length === 0) throw new AuthError("ERR_AUTH_SERVER", `${this.mech}: the daemon sent no data where a message was due`);
    try {
      return text(challenge);
    } catch {
      throw new AuthError("ERR_AUTH_SERVER", `${this.mech}: the daemon's message is not UTF-8`);
    }
  }

  private async clientFinal(serverFirst: string): Promise<SaslStep> {
    const attrs = parseAttributes(serverFirst, this.mech);
    const nonce = attrs.get("r");
    const salt = attrs.get("s");
    const iterations = Number(attrs.get("i"));
    if (attrs.has("m")) throw new AuthError("ERR_AUTH_SERVER", `${this.mech}: the daemon asks for an extension this client does not know`);
    if (nonce === undefined || salt === undefined || !Number.isSafeInteger(iterations) || iterations < 1) {
      throw new AuthError("ERR_AUTH_SERVER", `${this.mech}: the daemon's first message lacks a nonce, salt or iteration count`);
    }
    if (!nonce.startsWith(this.clientNonce) || nonce.length === this.clientNonce.length) {
      throw new AuthError("ERR_AUTH_SERVER", `${this.mech}: the daemon's nonce does not extend the client's`);
    }
    if (iterations > MAX_ITERATIONS) {
      throw new AuthError("ERR_AUTH_SERVER", `${this.mech}: the daemon asks for ${iterations} iterations, more than this client allows (${MAX_ITERATIONS})`);
    }
    this.state = "deriving";
    const password = utf8(this.password);
    this.password = "";
    let salted: Buffer;
    try {
      salted = await pbkdf2Async(password, Buffer.from(salt, "base64"), iterations, this.size, this.alg);
    } finally {
      password.fill(0);
    }
    const clientKey = this.hmac(salted, "Client Key");
    const storedKey = createHash(this.alg).update(clientKey).digest();
    const withoutProof = `c=${Buffer.from("n,,").toString("base64")},r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = this.hmac(storedKey, authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ signature[i]!;
    this.serverSignature = this.hmac(this.hmac(salted, "Server Key"), authMessage);
    this.state = "final";
    return { kind: "continue", response: utf8(`${withoutProof},p=${proof.toString("base64")}`) };
  }

  private verify(serverFinal: string): SaslStep {
    const attrs = parseAttributes(serverFinal, this.mech);
    const error = attrs.get("e");
    if (error !== undefined) throw new AuthError("ERR_AUTH_SERVER", `${this.mech}: the daemon refused (${error.replace(/[^a-z0-9-]/gi, "").slice(0, 40)})`);
    const v = attrs.get("v");
    const got = v === undefined ? null : Buffer.from(v, "base64");
    if (got === null || this.serverSignature === null || got.length !== this.serverSignature.length || !timingSafeEqual(got, this.serverSignature)) {
      throw new AuthError("ERR_AUTH_SERVER", `${this.mech}: the daemon's signature is wrong: it does not know the password`);
    }
    this.state = "done";
    return { kind: "complete", response: null };
  }

  private hmac(key: Uint8Array, data: string): Buffer {
    return createHmac(this.alg, key).update(data).digest();
  }
}

/** `a=value,b=value`: values may contain "=", never ",". */
function parseAttributes(message: string, mech: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(",")) {
    if (!/^[a-zA-Z]=/.test(part)) throw new AuthError("ERR_AUTH_SERVER", `${mech}: the daemon's message is not a list of attributes`);
    if (!out.has(part[0]!)) out.set(part[0]!, part.slice(2));
  }
  return out;
}
