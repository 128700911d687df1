import { XdrError, badValue, describe } from "./errors.js";

const utf8 = new TextEncoder();

/** Up to this length a char loop beats TextEncoder.encodeInto's call overhead. */
const SHORT_STRING = 32;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * Big-endian XDR writer into one buffer that grows by doubling. Values are
 * checked before they are written (type, range, `<max>`), so a bad value
 * fails with an XdrError and nothing malformed is ever produced.
 */
export class XdrWriter {
  private buf: Uint8Array;
  private view: DataView;
  pos = 0;

  constructor(initialSize = 1024) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  /** The bytes written so far, as a view into the writer's buffer. */
  get bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** Overwrites a word written earlier, e.g. a length known only at the end. */
  patchUint(at: number, v: number): void {
    this.view.setUint32(at, v);
  }

  /** Starts over, keeping the grown buffer. */
  reset(): void {
    this.pos = 0;
  }

  private room(n: number): number {
    const at = this.pos;
    if (at + n > this.buf.length) this.grow(at + n);
    this.pos = at + n;
    return at;
  }

  private grow(min: number): void {
    let size = this.buf.length * 2;
    while (size < min) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  // The typeof tests come first: `|` and `>>>` throw a TypeError on a bigint.
  int(v: number): void {
    if (typeof v !== "number" || (v | 0) !== v) throw badNumber(v, "int");
    const at = this.room(4);
    this.view.setInt32(at, v);
  }

  uint(v: number): void {
    if (typeof v !== "number" || v >>> 0 !== v) throw badNumber(v, "unsigned int");
    const at = this.room(4);
    this.view.setUint32(at, v);
  }

  hyper(v: bigint): void {
    if (typeof v !== "bigint" || v < INT64_MIN || v > INT64_MAX) throw badNumber(v, "hyper");
    const at = this.room(8);
    this.view.setBigInt64(at, v);
  }

  uhyper(v: bigint): void {
    if (typeof v !== "bigint" || v < 0n || v > UINT64_MAX) throw badNumber(v, "unsigned hyper");
    const at = this.room(8);
    this.view.setBigUint64(at, v);
  }

  float(v: number): void {
    if (typeof v !== "number") throw badNumber(v, "float");
    const at = this.room(4);
    this.view.setFloat32(at, v);
  }

  double(v: number): void {
    if (typeof v !== "number") throw badNumber(v, "double");
    const at = this.room(8);
    this.view.setFloat64(at, v);
  }

  bool(v: boolean): void {
    if (typeof v !== "boolean") throw badValue(v, "a boolean");
    const at = this.room(4);
    this.view.setInt32(at, v ? 1 : 0);
  }

  /** A 4-byte integer that the `.x` declares narrower (char, short). */
  ranged(v: number, min: number, max: number): void {
    if (typeof v !== "number" || (v | 0) !== v || v < min || v > max) throw badNumber(v, `${min}..${max}`);
    const at = this.room(4);
    this.view.setInt32(at, v);
  }

  /** The count in front of a variable-length array. */
  count(n: number, max: number): void {
    if (n > max) throw new XdrError("XDR_TOO_LONG", `count ${n} exceeds max ${max}`);
    const at = this.room(4);
    this.view.setUint32(at, n);
  }

  string(v: string, max: number): void {
    if (typeof v !== "string") throw badValue(v, "a string");
    const n = v.length;
    // Every UTF-16 unit is at least one UTF-8 byte: too long already.
    if (n > max) throw new XdrError("XDR_TOO_LONG", `string of at least ${n} UTF-8 bytes exceeds max ${max}`);
    const at = this.pos;
    // Room for the worst case: 3 bytes per UTF-16 unit, the length word, 3 of padding.
    const worst = at + 4 + n * 3 + 3;
    if (worst > this.buf.length) this.grow(worst);
    const b = this.buf;
    const start = at + 4;
    let len = 0;
    if (n <= SHORT_STRING) {
      // One unsigned compare per character sends NUL (0 - 1 wraps to
      // 0xffffffff) and anything outside ASCII to the checked path.
      for (; len < n; len++) {
        const c = v.charCodeAt(len);
        if ((c - 1) >>> 0 >= 0x7f) break;
        b[start + len] = c;
      }
      if (len < n) {
        const rest = len === 0 ? v : v.slice(len);
        checkText(rest, len);
        len += utf8.encodeInto(rest, b.subarray(start + len)).written;
      }
    } else {
      checkText(v, 0);
      len = utf8.encodeInto(v, b.subarray(start)).written;
    }
    if (len > max) throw new XdrError("XDR_TOO_LONG", `string of ${len} UTF-8 bytes exceeds max ${max}`);
    b[at] = len >>> 24;
    b[at + 1] = (len >>> 16) & 0xff;
    b[at + 2] = (len >>> 8) & 0xff;
    b[at + 3] = len & 0xff;
    const end = start + len;
    // Three zeros always fit (reserved above); the padding takes what it needs.
    b[end] = 0;
    b[end + 1] = 0;
    b[end + 2] = 0;
    this.pos = end + ((4 - (len & 3)) & 3);
  }

  opaque(v: Uint8Array, max: number): void {
    if (!(v instanceof Uint8Array)) throw badValue(v, "a Uint8Array");
    if (v.length > max) throw new XdrError("XDR_TOO_LONG", `opaque of ${v.length} bytes exceeds max ${max}`);
    const at = this.room(4);
    this.view.setUint32(at, v.length);
    this.raw(v);
  }

  fixedOpaque(v: Uint8Array, n: number): void {
    if (!(v instanceof Uint8Array)) throw badValue(v, "a Uint8Array");
    if (v.length !== n) throw new XdrError("XDR_BAD_SIZE", `opaque of ${v.length} bytes, must be ${n}`);
    this.raw(v);
  }

  private raw(v: Uint8Array): void {
    const at = this.room(v.length);
    this.buf.set(v, at);
    this.zeroPad(v.length);
  }

  private zeroPad(n: number): void {
    const pad = (4 - (n & 3)) & 3;
    if (pad === 0) return;
    const at = this.room(pad);
    for (let i = at; i < at + pad; i++) this.buf[i] = 0;
  }
}

/** Checks the element count of a fixed-size `[N]` array before encoding it. */
export function fixedLength(v: readonly unknown[], n: number): void {
  if (!Array.isArray(v)) throw badValue(v, "an array");
  if (v.length !== n) throw new XdrError("XDR_BAD_SIZE", `array of ${v.length} elements, must be ${n}`);
}

/** Checks a variable-size `<N>` array and writes its count. */
export function arrayCount(w: XdrWriter, v: readonly unknown[], max: number): void {
  if (!Array.isArray(v)) throw badValue(v, "an array");
  w.count(v.length, max);
}

// Node 20 has String.prototype.isWellFormed; the es2023 lib does not declare it.
declare global {
  interface String {
    isWellFormed(): boolean;
  }
}

/**
 * Refuses what a libvirt string cannot carry: NUL (libvirtd reads C strings
 * and would silently cut the value there) and lone surrogates (which
 * TextEncoder would silently turn into U+FFFD). `offset` is where `v`
 * starts in the whole string, for the message. Both tests are native scans,
 * and isWellFormed is immediate for strings V8 stores one byte per char.
 */
function checkText(v: string, offset: number): void {
  const nul = v.indexOf("\0");
  if (nul !== -1) throw new XdrError("XDR_STRING_NUL", `string contains NUL at index ${offset + nul}`);
  if (!v.isWellFormed()) throw new XdrError("XDR_STRING_SURROGATE", "string contains a lone UTF-16 surrogate");
}

function badNumber(v: unknown, type: string): XdrError {
  return new XdrError("XDR_RANGE", `${describe(v)} is not a valid ${type}`);
}
