import type { Duplex } from "node:stream";
import { TLSSocket } from "node:tls";
import type { TransportKind } from "../uri.js";

/**
 * Transports libvirt's remote driver counts as secure already (its
 * `is_secure`): TLS, SSH in all its forms, and the local Unix socket. Plain
 * TCP and `ext` (an arbitrary command) are not, so SASL must add a layer of
 * strength 56 or more there.
 */
export function isSecureTransport(kind: TransportKind): boolean {
  return kind !== "tcp" && kind !== "ext";
}

/**
 * The external strength SASL is told of: on TLS, the cipher's key size in
 * bits (libvirt: gnutls_cipher_get_key_size × 8), 0 otherwise. Node does
 * not expose the key size, so it is read from the cipher suite's name.
 */
export function externalSsf(stream: Duplex): number {
  if (!(stream instanceof TLSSocket)) return 0;
  const name = (stream.getCipher()?.standardName ?? stream.getCipher()?.name ?? "").toUpperCase();
  if (/CHACHA20/.test(name)) return 256;
  if (/(AES|CAMELLIA|ARIA)_?256/.test(name)) return 256;
  if (/(AES|CAMELLIA|ARIA|SEED)_?128/.test(name)) return 128;
  if (/3DES|DES_EDE3|DES-CBC3/.test(name)) return 192;
  return 0;
}
