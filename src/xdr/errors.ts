/**
 * The one error type the XDR layer throws. `path` locates the failing field
 * from the outermost type inwards, e.g. `remote_domain_event_graphics_msg`,
 * `subject[3]`, `name`; generated codecs prepend their segment as the error
 * travels outwards, so the cost is paid only when decoding fails.
 */
export class XdrError extends Error {
  override readonly name = "XdrError";
  readonly code: XdrErrorCode;
  readonly path: string[] = [];
  /** The problem without the path, kept so `message` can be rebuilt. */
  readonly detail: string;

  constructor(code: XdrErrorCode, detail: string, options?: ErrorOptions) {
    super(detail, options);
    this.code = code;
    this.detail = detail;
  }

  /** Dotted form of the path: `remote_x.subject[3].name`. */
  get where(): string {
    let out = "";
    for (const seg of this.path) out += seg.startsWith("[") || out === "" ? seg : `.${seg}`;
    return out;
  }

  /** Adds the enclosing segment and refreshes the message. */
  within(segment: string): this {
    this.path.unshift(segment);
    this.message = `${this.where}: ${this.detail}`;
    return this;
  }
}

export type XdrErrorCode =
  /** The input ended before the value did. */
  | "XDR_SHORT"
  /** Bytes were left over after a whole value was read. */
  | "XDR_TRAILING"
  /** A count or length above the `<max>` the `.x` declares. */
  | "XDR_TOO_LONG"
  /** A fixed-size array or opaque of the wrong size (encode side). */
  | "XDR_BAD_SIZE"
  /** Padding bytes that are not zero. */
  | "XDR_PADDING"
  /** A bool or optional flag that is neither 0 nor 1. */
  | "XDR_BAD_BOOL"
  /** An enum value the `.x` does not define. */
  | "XDR_BAD_ENUM"
  /** A union discriminant with no arm and no default arm. */
  | "XDR_BAD_UNION"
  /** A number outside the range of its wire type. */
  | "XDR_RANGE"
  /** A value of the wrong JavaScript type handed to an encoder. */
  | "XDR_BAD_VALUE"
  /** A string with U+0000: libvirtd reads C strings and would cut it there. */
  | "XDR_STRING_NUL"
  /** A string with an unpaired UTF-16 surrogate, which has no UTF-8 form. */
  | "XDR_STRING_SURROGATE";

/**
 * Adds a path segment to an XdrError passing through a generated codec;
 * anything else is a bug and propagates untouched.
 */
export function within(err: unknown, segment: string): unknown {
  if (err instanceof XdrError) err.within(segment);
  return err;
}

/** An enum value the `.x` does not define, on either side of the wire. */
export function badEnum(v: unknown, type: string): XdrError {
  return new XdrError("XDR_BAD_ENUM", `${describe(v)} is not a value of enum ${type}`);
}

/** A union discriminant that has no arm and no default. */
export function badUnion(v: unknown, type: string): XdrError {
  return new XdrError("XDR_BAD_UNION", `${describe(v)} selects no arm of union ${type}`);
}

export function badValue(v: unknown, what: string): XdrError {
  return new XdrError("XDR_BAD_VALUE", `expected ${what}, got ${describe(v)}`);
}

export function describe(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === null || typeof v !== "object") return String(v);
  return Array.isArray(v) ? "an array" : (v.constructor?.name ?? "an object");
}
