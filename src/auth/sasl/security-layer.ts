import { createCipheriv, createDecipheriv, createHash, type Cipher, type Decipher, type Hash } from "node:crypto";
import { rc4, type StreamTransform } from "./rc4.js";
import type { ByteFilter } from "../../rpc/link.js";
import { AuthError } from "../errors.js";

/**
 * DIGEST-MD5's security layer (RFC 2831 section 2.3 and 2.4) exactly as
 * Cyrus SASL's plugin writes it, since that is what libvirtd runs:
 *
 *     integrity:       len | msg | HMAC-MD5(Ki, seq|msg)[0..9] | 0x0001 | seq
 *     confidentiality: len | CIPHER(Kc, msg | pad | HMAC[0..9]) | 0x0001 | seq
 *
 * `len` (4 bytes, big-endian) counts what follows it; `seq` is a 32-bit
 * counter per direction from 0. The cipher state runs on from packet to
 * packet (CBC chaining for 3DES, the key stream for RC4). A packet carries
 * at most `maxOut` bytes of plaintext (the peer's maxbuf less the
 * overhead), so one frame may span packets and one packet many frames.
 */
export type DigestCipher = "3des" | "des" | "rc4" | "rc4-56" | "rc4-40";

export interface DigestCipherInfo {
  name: DigestCipher;
  /** Cyrus's strength figure for it. */
  ssf: number;
  /** Bytes of H(A1) that go into the sealing keys. */
  keyBytes: number;
  /** The block size (8) for DES ciphers, 0 for the RC4 stream. */
  block: number;
}

/** Cyrus's cipher table (its order is also its preference on ties). */
export const DIGEST_CIPHERS: readonly DigestCipherInfo[] = [
  { name: "rc4-40", ssf: 40, keyBytes: 5, block: 0 },
  { name: "rc4-56", ssf: 56, keyBytes: 7, block: 0 },
  { name: "rc4", ssf: 128, keyBytes: 16, block: 0 },
  { name: "des", ssf: 55, keyBytes: 16, block: 8 },
  { name: "3des", ssf: 112, keyBytes: 16, block: 8 },
];

let available: Set<DigestCipher> | undefined;

/**
 * The ciphers this client can run: RC4 always (OpenSSL's when Node has it,
 * its own otherwise: see rc4.ts), 3DES from OpenSSL's default provider,
 * single DES only from the legacy one (`--openssl-legacy-provider`).
 */
export function availableCiphers(): ReadonlySet<DigestCipher> {
  if (available === undefined) {
    available = new Set();
    const probe = (alg: string, key: number, iv: number | null): boolean => {
      try {
        createCipheriv(alg, Buffer.alloc(key), iv === null ? null : Buffer.alloc(iv));
        return true;
      } catch {
        return false;
      }
    };
    if (probe("des-ede-cbc", 16, 8)) available.add("3des");
    if (probe("des-cbc", 8, 8)) available.add("des");
    for (const c of ["rc4", "rc4-56", "rc4-40"] as const) available.add(c);
  }
  return available;
}

const SEAL_CS = "Digest H(A1) to client-to-server sealing key magic constant";
const SEAL_SC = "Digest H(A1) to server-to-client sealing key magic constant";
const SIGN_CS = "Digest session key to client-to-server signing key magic constant";
const SIGN_SC = "Digest session key to server-to-client signing key magic constant";
const VERSION = 1;
const MAC = 10;

const md5 = (...parts: (Uint8Array | string)[]): Buffer => {
  const h = createHash("md5");
  for (const p of parts) h.update(p);
  return h.digest();
};

/** DES keys from 7 bytes: each byte's 7 bits slid into the high bits of 8 (the low bit is parity, ignored). */
function slideBits(k: Uint8Array): Buffer {
  const b = (i: number): number => k[i]!;
  return Buffer.from([
    b(0),
    ((b(0) << 7) | (b(1) >> 1)) & 0xff,
    ((b(1) << 6) | (b(2) >> 2)) & 0xff,
    ((b(2) << 5) | (b(3) >> 3)) & 0xff,
    ((b(3) << 4) | (b(4) >> 4)) & 0xff,
    ((b(4) << 3) | (b(5) >> 5)) & 0xff,
    ((b(5) << 2) | (b(6) >> 6)) & 0xff,
    (b(6) << 1) & 0xff,
  ]);
}

interface CipherPair {
  enc: StreamTransform;
  dec: StreamTransform;
}

function makeCiphers(cipher: DigestCipherInfo, encKey: Buffer, decKey: Buffer): CipherPair {
  if (cipher.block === 0) {
    return { enc: rc4(encKey), dec: rc4(decKey) };
  }
  // 3DES is two-key EDE (K1, K2, K1) in CBC mode; the IV is the key's last 8 bytes.
  const make = <T extends Cipher | Decipher>(f: (alg: string, key: Buffer, iv: Buffer) => T, key: Buffer): T => {
    const k = cipher.name === "3des" ? Buffer.concat([slideBits(key.subarray(0, 7)), slideBits(key.subarray(7, 14))]) : slideBits(key.subarray(0, 7));
    const c = f(cipher.name === "3des" ? "des-ede-cbc" : "des-cbc", k, key.subarray(8, 16));
    c.setAutoPadding(false);
    return c;
  };
  return { enc: make(createCipheriv, encKey), dec: make(createDecipheriv, decKey) };
}

/**
 * HMAC-MD5(Ki, seq | msg) truncated to 10 bytes, with the key's inner and
 * outer pads hashed once: two packets per call make key set-up a
 * noticeable share of a small call's cost.
 */
class HmacMd5 {
  private readonly inner: Hash;
  private readonly outer: Hash;
  private readonly seq = Buffer.allocUnsafe(4);

  constructor(key: Buffer) {
    const pad = (b: number): Buffer => Buffer.from(Array.from({ length: 64 }, (_, i) => (key[i] ?? 0) ^ b));
    this.inner = createHash("md5").update(pad(0x36));
    this.outer = createHash("md5").update(pad(0x5c));
  }

  mac(seq: number, msg: Uint8Array): Buffer {
    this.seq.writeUInt32BE(seq >>> 0);
    const inner = this.inner.copy().update(this.seq).update(msg).digest();
    return this.outer.copy().update(inner).digest().subarray(0, MAC);
  }
}

export interface LayerKeys {
  /** H(A1) of the exchange, binary (16 bytes). */
  ha1: Uint8Array;
  /** null: integrity only. */
  cipher: DigestCipherInfo | null;
  /** The peer's maxbuf: the largest packet (after the length word) it accepts. */
  peerMaxBuf: number;
  /** Ours: the largest packet we accept. */
  maxBuf: number;
  /** "client" for a client; the server's keys are the mirror image (tests play the daemon with it). */
  side?: "client" | "server";
}

/** What a packet adds to its plaintext, as Cyrus subtracts it from the peer's maxbuf. */
export function layerOverhead(cipher: DigestCipherInfo | null): number {
  return cipher === null ? 16 : 25;
}

export class DigestLayer implements ByteFilter {
  readonly name: string;
  readonly ssf: number;
  /** The most plaintext one packet carries. */
  readonly maxOut: number;
  private readonly macSend: HmacMd5;
  private readonly macReceive: HmacMd5;
  private readonly ciphers: CipherPair | null;
  private readonly block: number;
  private readonly maxBuf: number;
  private sendSeq = 0;
  private receiveSeq = 0;
  /** Inbound bytes not yet a whole packet. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private broken: AuthError | null = null;

  constructor(keys: LayerKeys) {
    const server = keys.side === "server";
    const ha1 = keys.ha1;
    const cipher = keys.cipher;
    this.name = cipher === null ? "DIGEST-MD5 integrity" : `DIGEST-MD5 ${cipher.name}`;
    this.ssf = cipher === null ? 1 : cipher.ssf;
    this.macSend = new HmacMd5(md5(ha1, server ? SIGN_SC : SIGN_CS));
    this.macReceive = new HmacMd5(md5(ha1, server ? SIGN_CS : SIGN_SC));
    if (cipher === null) {
      this.ciphers = null;
      this.block = 0;
    } else {
      const part = ha1.subarray(0, cipher.keyBytes);
      this.ciphers = makeCiphers(cipher, md5(part, server ? SEAL_SC : SEAL_CS), md5(part, server ? SEAL_CS : SEAL_SC));
      this.block = cipher.block;
    }
    // Cyrus: the peer's maxbuf less the MAC block (and padding, version, sequence).
    this.maxOut = keys.peerMaxBuf - layerOverhead(cipher);
    if (!(this.maxOut >= 1)) throw new AuthError("ERR_AUTH_LAYER", `security layer: the peer's maxbuf ${keys.peerMaxBuf} leaves no room for data`);
    this.maxBuf = keys.maxBuf;
  }

  encode(plain: Uint8Array): Uint8Array {
    if (plain.length <= this.maxOut) return this.packet(plain);
    const parts: Uint8Array[] = [];
    for (let at = 0; at < plain.length; at += this.maxOut) parts.push(this.packet(plain.subarray(at, at + this.maxOut)));
    return Buffer.concat(parts);
  }

  decode(wire: Uint8Array): Uint8Array[] {
    if (this.broken !== null) throw this.broken;
    this.pending.push(Buffer.from(wire.buffer, wire.byteOffset, wire.byteLength));
    this.pendingBytes += wire.length;
    const out: Uint8Array[] = [];
    let buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    let at = 0;
    try {
      while (buf.length - at >= 4) {
        const len = buf.readUInt32BE(at);
        if (len < 16 || len > this.maxBuf) throw new AuthError("ERR_AUTH_LAYER", `security layer: a packet of ${len} bytes is outside 16..${this.maxBuf}`);
        if (buf.length - at - 4 < len) break;
        out.push(this.unpack(buf.subarray(at + 4, at + 4 + len)));
        at += 4 + len;
      }
    } catch (e) {
      this.broken = e as AuthError;
      throw e;
    }
    buf = buf.subarray(at);
    // Keep a copy only of what is left, so the caller's buffer can be reused.
    this.pending = buf.length === 0 ? [] : [Buffer.from(buf)];
    this.pendingBytes = buf.length;
    return out;
  }


  private packet(msg: Uint8Array): Uint8Array {
    const seq = this.sendSeq;
    this.sendSeq = (this.sendSeq + 1) >>> 0;
    const mac = this.macSend.mac(seq, msg);
    let body: Buffer;
    if (this.ciphers === null) {
      body = Buffer.concat([msg, mac]);
    } else if (this.block === 0) {
      body = Buffer.concat([this.ciphers.enc.update(msg), this.ciphers.enc.update(mac)]);
    } else {
      const padLen = 8 - ((msg.length + MAC) % 8);
      body = this.ciphers.enc.update(Buffer.concat([msg, Buffer.alloc(padLen, padLen), mac]));
    }
    const out = Buffer.allocUnsafe(4 + body.length + 6);
    out.writeUInt32BE(body.length + 6, 0);
    body.copy(out, 4);
    out.writeUInt16BE(VERSION, 4 + body.length);
    out.writeUInt32BE(seq, 4 + body.length + 2);
    return out;
  }

  private unpack(p: Buffer): Uint8Array {
    const n = p.length;
    if (p.readUInt16BE(n - 6) !== VERSION) throw new AuthError("ERR_AUTH_LAYER", "security layer: wrong packet version");
    const seq = p.readUInt32BE(n - 4);
    if (seq !== this.receiveSeq) throw new AuthError("ERR_AUTH_LAYER", `security layer: sequence number ${seq}, expected ${this.receiveSeq}`);
    this.receiveSeq = (this.receiveSeq + 1) >>> 0;
    const sealed = p.subarray(0, n - 6);
    let msg: Buffer;
    let mac: Buffer;
    if (this.ciphers === null) {
      msg = sealed.subarray(0, sealed.length - MAC);
      mac = sealed.subarray(sealed.length - MAC);
    } else {
      if (this.block !== 0 && sealed.length % this.block !== 0) throw new AuthError("ERR_AUTH_LAYER", "security layer: a sealed packet is not whole cipher blocks");
      const plain = this.ciphers.dec.update(sealed);
      if (plain.length !== sealed.length) throw new AuthError("ERR_AUTH_LAYER", "security layer: the cipher held bytes back");
      let end = plain.length - MAC;
      if (this.block !== 0) {
        const pad = plain[end - 1]!;
        if (pad < 1 || pad > 8 || end - pad < 0) throw new AuthError("ERR_AUTH_LAYER", "security layer: bad padding");
        for (let i = 1; i <= pad; i++) if (plain[end - i] !== pad) throw new AuthError("ERR_AUTH_LAYER", "security layer: bad padding");
        end -= pad;
      }
      msg = plain.subarray(0, end);
      mac = plain.subarray(plain.length - MAC);
    }
    if (!this.macReceive.mac(seq, msg).equals(mac)) throw new AuthError("ERR_AUTH_LAYER", "security layer: message authentication code mismatch");
    return msg;
  }
}
