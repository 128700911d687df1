import { createHash, randomBytes } from "node:crypto";
import { AuthError } from "../errors.js";
import { stepAfterCompletion, text, utf8, type Answers, type SaslMechanism, type SaslMechanismFactory, type SaslParams, type SaslStep } from "./mechanism.js";
import { askAuthnamePassword, PROMPTS } from "./prompts.js";
import { availableCiphers, DIGEST_CIPHERS, DigestLayer, layerOverhead, type DigestCipherInfo } from "./security-layer.js";

export interface DigestMd5Options {
  /** The client nonce (tests use RFC 2831's); 32 random bytes in base64 otherwise, as Cyrus makes it. */
  cnonce?: () => string;
  /** Restricts the ciphers offered by this client (tests); by default every one Node's OpenSSL has. */
  ciphers?: readonly string[];
}

/**
 * DIGEST-MD5 (RFC 2831) as Cyrus SASL's client runs it against libvirtd:
 * the server speaks first; the client answers with `md5-sess`, no
 * authorization identity, `digest-uri` "libvirt/HOST", maxbuf 65536, and
 * the strongest protection the strength bounds allow: a cipher
 * (auth-conf), else integrity (auth-int), else none (auth). It checks the
 * server's rspauth before the exchange counts as done, then keys the
 * security layer from H(A1).
 */
export function digestMd5(options: DigestMd5Options = {}): SaslMechanismFactory {
  return {
    name: "DIGEST-MD5",
    rank: 300,
    maxSsf: 128,
    create: (params) => new DigestMd5(params, options),
  };
}

type Protection = "auth" | "auth-int" | "auth-conf";

interface Challenge {
  realms: string[];
  nonce: string;
  qop: Set<string>;
  ciphers: Set<string>;
  maxbuf: number;
}

class DigestMd5 implements SaslMechanism {
  private state: "start" | "challenge" | "rspauth" | "done" = "start";
  private expectedRspauth = "";
  private ha1: Buffer | null = null;
  private protection: Protection = "auth";
  private cipher: DigestCipherInfo | null = null;
  private serverMaxBuf = 65536;

  constructor(
    private readonly params: SaslParams,
    private readonly options: DigestMd5Options,
  ) {}

  start(): SaslStep {
    this.state = "challenge";
    // The server speaks first: no initial response (nil, not empty).
    return { kind: "continue", response: null };
  }

  step(challenge: Uint8Array | null, answers?: Answers): SaslStep {
    if (this.state === "challenge") return this.respond(challenge, answers);
    if (this.state === "rspauth") return this.verify(challenge);
    if (this.state === "done") throw stepAfterCompletion("DIGEST-MD5");
    throw new AuthError("ERR_AUTH_SERVER", "DIGEST-MD5: a step before the exchange started");
  }

  layer(): { ssf: number; filter: DigestLayer | null } {
    if (this.state !== "done" || this.ha1 === null || this.protection === "auth") return { ssf: 0, filter: null };
    const filter = new DigestLayer({ ha1: this.ha1, cipher: this.cipher, peerMaxBuf: this.serverMaxBuf, maxBuf: this.params.maxBuf });
    return { ssf: filter.ssf, filter };
  }

  private respond(challenge: Uint8Array | null, answers: Answers | undefined): SaslStep {
    if (challenge === null || challenge.length === 0) throw new AuthError("ERR_AUTH_SERVER", "DIGEST-MD5: the daemon sent no challenge");
    const c = parseChallenge(challenge);
    this.chooseProtection(c);
    // maxbuf is outside the response hash, so anyone on the path may lower it: a layer must carry at least a byte per packet.
    if (this.protection !== "auth" && c.maxbuf <= layerOverhead(this.cipher)) {
      throw new AuthError("ERR_AUTH_SERVER", `DIGEST-MD5: the daemon's maxbuf ${c.maxbuf} leaves no room for data under ${this.protection}`);
    }
    const creds = askAuthnamePassword(answers, c.realms.length > 1 ? [{ type: "realm", prompt: PROMPTS.realm, challenge: `Available realms: ${c.realms.map((r) => `{${r}}`).join(", ")}.` }] : []);
    if (creds.kind === "interact") return creds;
    // One realm offered: that one; several: the user's pick; none: the server's name (as Cyrus fakes it).
    const realm = c.realms.length === 1 ? c.realms[0]! : c.realms.length > 1 ? (creds.extra[0] ?? "") : this.params.host;
    const cnonce = this.options.cnonce?.() ?? randomBytes(32).toString("base64");
    const digestUri = `${this.params.service}/${this.params.host}`;
    const nc = "00000001";
    const secret = md5(latin1IfPossible(creds.user), ":", latin1IfPossible(realm), ":", latin1IfPossible(creds.password));
    this.ha1 = md5(secret, `:${c.nonce}:${cnonce}`);
    const ha1hex = this.ha1.toString("hex");
    const entity = this.protection === "auth" ? "" : ":00000000000000000000000000000000";
    const kd = (a2: string): string => md5(`${ha1hex}:${c.nonce}:${nc}:${cnonce}:${this.protection}:${md5(a2 + entity).toString("hex")}`).toString("hex");
    const response = kd(`AUTHENTICATE:${digestUri}`);
    this.expectedRspauth = kd(`:${digestUri}`);
    const fields = [
      `username=${quote(creds.user)}`,
      `realm=${quote(realm)}`,
      `nonce=${quote(c.nonce)}`,
      `cnonce=${quote(cnonce)}`,
      `nc=${nc}`,
      `qop=${this.protection}`,
      ...(this.cipher === null ? [] : [`cipher=${this.cipher.name}`]),
      `maxbuf=${this.params.maxBuf}`,
      `digest-uri=${quote(digestUri)}`,
      `response=${response}`,
    ];
    this.serverMaxBuf = c.maxbuf;
    this.state = "rspauth";
    return { kind: "continue", response: utf8(fields.join(",")) };
  }

  /** Cyrus's choice: the strongest cipher within bounds, else integrity, else none if the server allows it. */
  private chooseProtection(c: Challenge): void {
    const { minSsf, maxSsf, externalSsf, maxBuf } = this.params;
    const limit = maxBuf === 0 ? 0 : Math.max(0, maxSsf - externalSsf);
    const musthave = maxBuf === 0 ? 0 : Math.max(0, minSsf - externalSsf);
    const ours = this.options.ciphers === undefined ? availableCiphers() : new Set(this.options.ciphers);
    this.cipher = null;
    if (limit > 1 && c.qop.has("auth-conf")) {
      for (const cipher of DIGEST_CIPHERS) {
        if (limit >= cipher.ssf && musthave <= cipher.ssf && c.ciphers.has(cipher.name) && ours.has(cipher.name) && (this.cipher === null || cipher.ssf > this.cipher.ssf)) {
          this.cipher = cipher;
        }
      }
    }
    if (this.cipher !== null) this.protection = "auth-conf";
    else if (limit >= 1 && musthave <= 1 && c.qop.has("auth-int")) this.protection = "auth-int";
    else if (musthave <= 0) {
      if (!c.qop.has("auth")) throw new AuthError("ERR_AUTH_SERVER", "DIGEST-MD5: the daemon requires a security layer this client may not use here");
      this.protection = "auth";
    } else {
      const offered = [...c.ciphers].join(", ") || "none";
      throw new AuthError("ERR_AUTH_TOO_WEAK", `DIGEST-MD5: no protection of strength ${musthave} or more is possible (daemon's ciphers: ${offered}; this client's: ${[...ours].join(", ") || "none"})`);
    }
  }

  private verify(challenge: Uint8Array | null): SaslStep {
    if (challenge === null) throw new AuthError("ERR_AUTH_SERVER", "DIGEST-MD5: the daemon sent no rspauth");
    const pairs = parsePairs(decodeText(challenge));
    const rspauth = pairs.find(([k]) => k.toLowerCase() === "rspauth")?.[1];
    if (rspauth !== this.expectedRspauth) throw new AuthError("ERR_AUTH_SERVER", "DIGEST-MD5: the daemon's rspauth is wrong: it does not know the password");
    this.state = "done";
    return { kind: "complete", response: null };
  }
}

const md5 = (...parts: (Uint8Array | string)[]): Buffer => {
  const h = createHash("md5");
  for (const p of parts) h.update(p);
  return h.digest();
};

/** Cyrus hashes a string as ISO 8859-1 when every character fits, as UTF-8 otherwise. */
function latin1IfPossible(s: string): Buffer {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range starts at NUL on purpose (all of Latin-1)
  return /^[\u0000-\u00ff]*$/.test(s) ? Buffer.from(s, "latin1") : Buffer.from(s, "utf8");
}

function quote(s: string): string {
  return `"${s.replace(/["\\]/g, (m) => `\\${m}`)}"`;
}

function decodeText(b: Uint8Array): string {
  try {
    return text(b);
  } catch {
    throw new AuthError("ERR_AUTH_SERVER", "DIGEST-MD5: the daemon's message is not UTF-8");
  }
}

/** RFC 2831's `name=value` / `name="quoted"` list, separated by commas and white space. */
export function parsePairs(s: string): [string, string][] {
  const out: [string, string][] = [];
  let i = 0;
  const lws = (): void => {
    while (i < s.length && /[ \t\r\n]/.test(s[i]!)) i++;
  };
  const bad = (): never => {
    throw new AuthError("ERR_AUTH_SERVER", "DIGEST-MD5: the daemon's message does not parse");
  };
  for (;;) {
    lws();
    while (s[i] === ",") {
      i++;
      lws();
    }
    if (i >= s.length) return out;
    const start = i;
    while (i < s.length && !/[=, \t\r\n]/.test(s[i]!)) i++;
    const name = s.slice(start, i);
    lws();
    if (s[i] !== "=" || name === "") bad();
    i++;
    lws();
    let value = "";
    if (s[i] === '"') {
      i++;
      for (;;) {
        if (i >= s.length) bad();
        const ch = s[i++]!;
        if (ch === '"') break;
        if (ch === "\\") {
          if (i >= s.length) bad();
          value += s[i++];
        } else value += ch;
      }
    } else {
      const v = i;
      while (i < s.length && s[i] !== "," && !/[ \t\r\n]/.test(s[i]!)) i++;
      value = s.slice(v, i);
    }
    lws();
    if (i < s.length && s[i] !== ",") bad();
    out.push([name, value]);
  }
}

function parseChallenge(bytes: Uint8Array): Challenge {
  const c: Challenge = { realms: [], nonce: "", qop: new Set(), ciphers: new Set(), maxbuf: 65536 };
  let sawQop = false;
  let algorithms = 0;
  let maxbufs = 0;
  const list = (v: string): string[] => v.split(",").map((x) => x.trim().toLowerCase()).filter((x) => x !== "");
  for (const [rawName, value] of parsePairs(decodeText(bytes))) {
    const name = rawName.toLowerCase();
    if (name === "realm") c.realms.push(value);
    else if (name === "nonce") c.nonce = value;
    else if (name === "qop") {
      sawQop = true;
      for (const q of list(value)) c.qop.add(q);
    } else if (name === "cipher") for (const q of list(value)) c.ciphers.add(q);
    else if (name === "maxbuf") {
      maxbufs++;
      const n = /^\d+$/.test(value) ? Number(value) : NaN;
      if (maxbufs > 1 || !(n > 16 && n <= 0xffffff)) throw new AuthError("ERR_AUTH_SERVER", "DIGEST-MD5: the daemon's maxbuf is missing, repeated or out of range");
      c.maxbuf = n;
    } else if (name === "charset") {
      if (value.toLowerCase() !== "utf-8") throw new AuthError("ERR_AUTH_SERVER", "DIGEST-MD5: the daemon's charset is not utf-8");
    } else if (name === "algorithm") {
      algorithms++;
      if (value.toLowerCase() !== "md5-sess") throw new AuthError("ERR_AUTH_SERVER", "DIGEST-MD5: the daemon's algorithm is not md5-sess");
    }
  }
  if (!sawQop) c.qop.add("auth");
  if (c.qop.size === 0 || ![...c.qop].some((q) => q === "auth" || q === "auth-int" || q === "auth-conf")) {
    throw new AuthError("ERR_AUTH_SERVER", "DIGEST-MD5: the daemon offers no known qop");
  }
  if (algorithms !== 1) throw new AuthError("ERR_AUTH_SERVER", "DIGEST-MD5: the daemon must name algorithm md5-sess exactly once");
  if (c.nonce === "") throw new AuthError("ERR_AUTH_SERVER", "DIGEST-MD5: the daemon sent no nonce");
  return c;
}
