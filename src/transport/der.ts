/**
 * Just enough DER to read the certificate and CRL fields node:crypto does
 * not expose (extension criticality, key usage bits, raw issuer names,
 * revoked serials). Every read is bounds-checked: a malformed structure
 * throws a DerError, never reads past its parent.
 */
export class DerError extends Error {
  override name = "DerError";
}

export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  head: number;
  /** Offsets of the contents. */
  start: number;
  end: number;
}

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  context0: 0xa0,
  context3: 0xa3,
} as const;

/** The element at `pos`, which must end by `limit`. */
export function readTlv(buf: Buffer, pos: number, limit = buf.length): Tlv {
  if (pos + 2 > limit) throw new DerError("truncated DER element");
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte DER tags are not used in certificates");
  let length = buf[pos + 1]!;
  let start = pos + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || start + bytes > limit) throw new DerError("bad DER length");
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + buf[start + i]!;
    start += bytes;
  }
  if (start + length > limit) throw new DerError("DER element runs past its container");
  return { tag, head: pos, start, end: start + length };
}

/** The elements directly inside a constructed one. */
export function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = parent.start; pos < parent.end; ) {
    const tlv = readTlv(buf, pos, parent.end);
    out.push(tlv);
    pos = tlv.end;
  }
  return out;
}

/** The element's bytes, tag and length included (what signatures and name comparisons use). */
export function whole(buf: Buffer, tlv: Tlv): Buffer {
  return buf.subarray(tlv.head, tlv.end);
}

export function contents(buf: Buffer, tlv: Tlv): Buffer {
  return buf.subarray(tlv.start, tlv.end);
}

export function expect(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (tlv === undefined || tlv.tag !== tag) throw new DerError(`expected ${what}`);
  return tlv;
}

/** Dotted form of an OBJECT IDENTIFIER's contents. */
export function oidText(bytes: Buffer): string {
  if (bytes.length === 0) throw new DerError("empty OID");
  const arcs: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(value);
      value = 0;
    }
  }
  // A last byte with its continuation bit set leaves an arc unfinished: not a valid OID.
  if (bytes[bytes.length - 1]! & 0x80) throw new DerError("truncated OID");
  const first = arcs.shift()!;
  const top = first < 80 ? Math.floor(first / 40) : 2;
  return [top, first - top * 40, ...arcs].join(".");
}

/** An INTEGER's value as lowercase hex without leading zero bytes: how serials are compared. */
export function integerHex(bytes: Buffer): string {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i).toString("hex");
}

/** UTCTime or GeneralizedTime (the Z forms DER requires). */
export function timeValue(buf: Buffer, tlv: Tlv): Date {
  const text = contents(buf, tlv).toString("latin1");
  const m = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (m === null || (tlv.tag === TAG.utcTime) !== (m[1]!.length === 2)) throw new DerError(`bad time ${JSON.stringify(text)}`);
  const year = m[1]!.length === 2 ? (Number(m[1]) < 50 ? 2000 : 1900) + Number(m[1]) : Number(m[1]);
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}
