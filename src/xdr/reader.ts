import { XdrError } from "./errors.js";

/** XDR's `<>` with no bound: the count is an unsigned 32-bit word. */
export const XDR_UNBOUNDED = 0xffffffff;

const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** Up to this length building from char codes beats TextDecoder's call overhead. */
const SHORT_STRING = 24;

/**
 * Big-endian XDR reader over one buffer. Every read checks the remaining
 * length first, so a hostile count fails before anything is allocated.
 * Strings decode as UTF-8 with invalid sequences replaced by U+FFFD.
 */
export class XdrReader {
  readonly bytes: Uint8Array;
  pos: number;
  readonly end: number;
  /** Made on first use: most messages hold no hyper, float or double. */
  private dataView: DataView | null = null;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    // Node hands over Buffers, tests plain arrays: one element kind keeps reads monomorphic.
    this.bytes = bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
    this.end = end;
  }

  private get view(): DataView {
    const b = this.bytes;
    return (this.dataView ??= new DataView(b.buffer, b.byteOffset, b.byteLength));
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): number {
    const at = this.pos;
    if (this.end - at < n) {
      throw new XdrError("XDR_SHORT", `needs ${n} bytes, ${this.end - at} left`);
    }
    this.pos = at + n;
    return at;
  }

  int(): number {
    const at = this.need(4);
    const b = this.bytes;
    return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
  }

  uint(): number {
    const at = this.need(4);
    const b = this.bytes;
    return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  }

  hyper(): bigint {
    return this.view.getBigInt64(this.need(8));
  }

  uhyper(): bigint {
    return this.view.getBigUint64(this.need(8));
  }

  float(): number {
    return this.view.getFloat32(this.need(4));
  }

  double(): number {
    return this.view.getFloat64(this.need(8));
  }

  bool(): boolean {
    const v = this.int();
    if (v === 0) return false;
    if (v === 1) return true;
    throw new XdrError("XDR_BAD_BOOL", `bool must be 0 or 1, got ${v}`);
  }

  /** The "present" word in front of an optional (`*`) value. */
  present(): boolean {
    const v = this.int();
    if (v === 0) return false;
    if (v === 1) return true;
    throw new XdrError("XDR_BAD_BOOL", `optional flag must be 0 or 1, got ${v}`);
  }

  /** A 4-byte integer that the `.x` declares narrower (char, short). */
  ranged(min: number, max: number): number {
    const v = this.int();
    if (v < min || v > max) throw new XdrError("XDR_RANGE", `${v} is outside ${min}..${max}`);
    return v;
  }

  unsignedRanged(max: number): number {
    const v = this.uint();
    if (v > max) throw new XdrError("XDR_RANGE", `${v} is outside 0..${max}`);
    return v;
  }

  /**
   * The count in front of a variable-length array, checked against the
   * declared max and against what the remaining bytes could possibly hold
   * (`minSize` is the smallest encoding of one element).
   */
  count(max: number, minSize: number): number {
    const n = this.uint();
    if (n > max) throw new XdrError("XDR_TOO_LONG", `count ${n} exceeds max ${max}`);
    if (n * minSize > this.end - this.pos) {
      throw new XdrError("XDR_SHORT", `count ${n} needs at least ${n * minSize} bytes, ${this.end - this.pos} left`);
    }
    return n;
  }

  private length(max: number): number {
    const n = this.uint();
    if (n > max) throw new XdrError("XDR_TOO_LONG", `length ${n} exceeds max ${max}`);
    return n;
  }

  private padding(n: number): void {
    const pad = (4 - (n & 3)) & 3;
    if (pad === 0) return;
    const at = this.need(pad);
    const b = this.bytes;
    for (let i = at; i < at + pad; i++) {
      if (b[i] !== 0) throw new XdrError("XDR_PADDING", "non-zero padding byte");
    }
  }

  string(max: number): string {
    const n = this.length(max);
    const at = this.pos;
    const end = at + n;
    // The string and its padding in one bounds check: strings are most of what is read.
    const padded = end + ((4 - (n & 3)) & 3);
    if (padded > this.end) throw new XdrError("XDR_SHORT", `needs ${padded - at} bytes, ${this.end - at} left`);
    const b = this.bytes;
    for (let i = end; i < padded; i++) {
      if (b[i] !== 0) throw new XdrError("XDR_PADDING", "non-zero padding byte");
    }
    this.pos = padded;
    return decodeUtf8(b, at, end);
  }

  opaque(max: number): Uint8Array {
    return this.fixedOpaque(this.length(max));
  }

  fixedOpaque(n: number): Uint8Array {
    const at = this.need(n);
    // A plain copy: Buffer's slice() would be a view of the network buffer.
    const out = new Uint8Array(n);
    const b = this.bytes;
    if (n <= 64) for (let i = 0; i < n; i++) out[i] = b[at + i]!;
    else out.set(b.subarray(at, at + n));
    this.padding(n);
    return out;
  }

  /** Asserts that a whole message was consumed. */
  done(): void {
    if (this.pos !== this.end) {
      throw new XdrError("XDR_TRAILING", `${this.end - this.pos} trailing bytes`);
    }
  }
}

const fromCharCode = String.fromCharCode;

/**
 * Short ASCII strings (names, addresses, keys) are most of what libvirt
 * sends. Building them with one String.fromCharCode call per eight bytes,
 * the last call taking exactly what is left, beats TextDecoder's call
 * overhead and a char-by-char loop severalfold at these lengths.
 */
function decodeUtf8(b: Uint8Array, start: number, end: number): string {
  if (end - start > SHORT_STRING) return utf8.decode(b.subarray(start, end));
  // Built optimistically as ASCII; any byte with the high bit set sends it to TextDecoder.
  let high = 0;
  let s = "";
  let i = start;
  for (; end - i > 8; i += 8) {
    const c0 = b[i]!, c1 = b[i + 1]!, c2 = b[i + 2]!, c3 = b[i + 3]!;
    const c4 = b[i + 4]!, c5 = b[i + 5]!, c6 = b[i + 6]!, c7 = b[i + 7]!;
    high |= c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7;
    s += fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7);
  }
  for (let k = i; k < end; k++) high |= b[k]!;
  if (high >= 0x80) return utf8.decode(b.subarray(start, end));
  return s + tail(b, i, end - i);
}

/** Up to eight bytes as one string, with one call. */
function tail(b: Uint8Array, i: number, n: number): string {
  switch (n) {
    case 0:
      return "";
    case 1:
      return fromCharCode(b[i]!);
    case 2:
      return fromCharCode(b[i]!, b[i + 1]!);
    case 3:
      return fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!);
    case 4:
      return fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!);
    case 5:
      return fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!, b[i + 4]!);
    case 6:
      return fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!, b[i + 4]!, b[i + 5]!);
    case 7:
      return fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!, b[i + 4]!, b[i + 5]!, b[i + 6]!);
    default:
      return fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!, b[i + 4]!, b[i + 5]!, b[i + 6]!, b[i + 7]!);
  }
}
