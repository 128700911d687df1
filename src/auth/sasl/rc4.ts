import { createCipheriv } from "node:crypto";

/** What the security layer needs of a cipher: bytes in, as many bytes out, state carried on. */
export interface StreamTransform {
  update(data: Uint8Array): Buffer;
}

/**
 * RC4, for DIGEST-MD5's "rc4", "rc4-56" and "rc4-40" ciphers. OpenSSL 3
 * keeps RC4 in its legacy provider, which Node loads only when started
 * with --openssl-legacy-provider; libvirtd's Cyrus SASL loads it itself and
 * offers RC4 first, and its 3DES cannot work under OpenSSL 3 (DES_key_sched
 * now rejects the parity of the keys DIGEST-MD5 derives), so without RC4 a
 * client could not reach libvirtd's default tcp_min_ssf at all. OpenSSL's
 * RC4 is used when present, this one otherwise (the same key stream).
 */
export function rc4(key: Uint8Array): StreamTransform {
  try {
    return createCipheriv("rc4", key, null);
  } catch {
    return new Rc4(key);
  }
}

class Rc4 implements StreamTransform {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;

  constructor(key: Uint8Array) {
    const s = this.s;
    for (let i = 0; i < 256; i++) s[i] = i;
    for (let i = 0, j = 0; i < 256; i++) {
      j = (j + s[i]! + key[i % key.length]!) & 0xff;
      const t = s[i]!;
      s[i] = s[j]!;
      s[j] = t;
    }
  }

  update(data: Uint8Array): Buffer {
    const s = this.s;
    const out = Buffer.allocUnsafe(data.length);
    let i = this.i;
    let j = this.j;
    for (let n = 0; n < data.length; n++) {
      i = (i + 1) & 0xff;
      const si = s[i]!;
      j = (j + si) & 0xff;
      const sj = s[j]!;
      s[i] = sj;
      s[j] = si;
      out[n] = data[n]! ^ s[(si + sj) & 0xff]!;
    }
    this.i = i;
    this.j = j;
    return out;
  }
}
