/**
 * The oracles: run one input against one target and say whether what
 * happened is allowed. Allowed is: success, or the project's typed errors
 * (XdrError from the XDR layer, LibvirtRemoteError and its subclasses from
 * the RPC layer) whose causes are typed too, since the RPC layer wraps
 * whatever it catches and would otherwise hide a TypeError from a decoder.
 */
import { LibvirtRemoteError, ProtocolError } from "../src/rpc/errors.js";
import { FRAME_MAX, FRAME_MIN, FrameDecoder } from "../src/rpc/frame.js";
import { decodeBody, decodeInbound } from "../src/rpc/message.js";
import { XdrError, XdrWriter, decode, encode, openEnums, type Codec } from "../src/xdr/index.js";
import { firstDifference } from "../test/oracle/equal.js";
import { bodyCodec } from "./targets.js";

export type Outcome =
  | { kind: "ok" }
  /** The input was refused the allowed way; `sig` names the failure site. */
  | { kind: "rejected"; sig: string }
  | { kind: "finding"; problem: string; error?: unknown };

const OK: Outcome = { kind: "ok" };

/** An error the project means to throw, all the way down its causes. */
export function isTyped(e: unknown): boolean {
  for (let depth = 0; depth < 8; depth++) {
    if (!(e instanceof XdrError || e instanceof LibvirtRemoteError)) return false;
    e = e.cause;
    if (e === undefined) return true;
  }
  return true;
}

export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return `${typeof e} ${String(e)}`;
  let s = `${e.constructor.name}: ${e.message}`;
  if (e.cause !== undefined) s += ` (cause: ${describeError(e.cause)})`;
  return s;
}

/** The failure site of an XdrError, array indices folded: `x.subject[].name XDR_SHORT`. */
function xdrSig(e: XdrError): string {
  return `${e.where.replace(/\[\d+\]/g, "[]")} ${e.code}`;
}

/**
 * Values decoding cannot carry back exactly: U+FFFD from invalid UTF-8, NaN
 * payloads, and strings with NUL (which the writer refuses to send).
 */
function lossy(v: unknown, depth = 0): boolean {
  if (typeof v === "string") return v.includes("\uFFFD") || v.includes("\0");
  if (typeof v === "number") return Number.isNaN(v);
  if (v === null || typeof v !== "object" || v instanceof Uint8Array || depth > 64) return false;
  for (const x of Array.isArray(v) ? v : Object.values(v)) if (lossy(x, depth + 1)) return true;
  return false;
}

const REENCODER = openEnums(new XdrWriter());

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * What an accepted input must satisfy: its value re-encodes, to the very
 * same bytes unless decoding was lossy, and the re-encoding decodes to an
 * equal value (Object.is on numbers).
 */
export function checkReencode(codec: Codec<unknown>, v: unknown, bytes: Uint8Array): Outcome {
  let again: Uint8Array;
  try {
    // Open: a decoded enum may hold a value the .x does not list, and must go back as it came.
    again = encode(codec, v, REENCODER);
  } catch (e) {
    // A string whose invalid bytes became U+FFFD can outgrow its max: expected.
    if (e instanceof XdrError && lossy(v)) return OK;
    return { kind: "finding", problem: `decoded value does not re-encode: ${describeError(e)}`, error: e };
  }
  if (sameBytes(again, bytes)) return OK;
  if (!lossy(v)) {
    return { kind: "finding", problem: `accepted a non-canonical encoding; re-encoded as ${Buffer.from(again).toString("hex")}` };
  }
  let back: unknown;
  try {
    back = decode(codec, again);
  } catch (e) {
    return { kind: "finding", problem: `re-encoded value does not decode: ${describeError(e)}`, error: e };
  }
  const diff = firstDifference(v, back);
  return diff === null ? OK : { kind: "finding", problem: `re-encoded value decodes differently: ${diff}` };
}

/** A generated decoder through `decode`: a value or an XdrError. */
export function runValue(codec: Codec<unknown>, bytes: Uint8Array): Outcome {
  let v: unknown;
  try {
    v = decode(codec, bytes);
  } catch (e) {
    if (e instanceof XdrError) return { kind: "rejected", sig: xdrSig(e) };
    return { kind: "finding", problem: `non-XdrError escaped decode: ${describeError(e)}`, error: e };
  }
  return checkReencode(codec, v, bytes);
}

/**
 * A frame as the frame decoder hands it over (no length word): the header
 * through decodeInbound, then the body with the codec its header selects.
 */
export function runInbound(frame: Uint8Array): Outcome {
  let m: ReturnType<typeof decodeInbound>;
  try {
    m = decodeInbound(frame);
  } catch (e) {
    if (e instanceof ProtocolError && isTyped(e)) return { kind: "rejected", sig: "header" };
    return { kind: "finding", problem: `decodeInbound threw ${describeError(e)}`, error: e };
  }
  const codec = bodyCodec(m.header);
  if (codec === undefined) return OK;
  const at = m.body.pos;
  let v: unknown;
  try {
    v = decodeBody(codec, m.body);
  } catch (e) {
    if (e instanceof XdrError) return { kind: "rejected", sig: xdrSig(e) };
    return { kind: "finding", problem: `body decode (${codec?.name ?? "empty"}) threw ${describeError(e)}`, error: e };
  }
  return codec === null ? OK : checkReencode(codec, v, frame.subarray(at));
}

/** A plain reading of the framing rules, to hold the real decoder to. */
export interface Framing {
  frames: Uint8Array[];
  /** Stream offset just past each frame. */
  ends: number[];
  /** Stream offset just past the first bad length word, if any. */
  badAt: number | null;
  /** Bytes after the last whole frame (when no bad length). */
  rest: number;
}

export function referenceFraming(stream: Uint8Array): Framing {
  const frames: Uint8Array[] = [];
  const ends: number[] = [];
  let at = 0;
  while (stream.length - at >= 4) {
    const len = new DataView(stream.buffer, stream.byteOffset + at, 4).getUint32(0);
    if (len < FRAME_MIN || len > FRAME_MAX) return { frames, ends, badAt: at + 4, rest: 0 };
    if (stream.length - at < len) break;
    frames.push(stream.subarray(at + 4, at + len));
    ends.push(at + len);
    at += len;
  }
  return { frames, ends, badAt: null, rest: stream.length - at };
}

/**
 * The frame decoder fed the stream cut at `cuts` (offsets, any order): it
 * may only throw ProtocolError, exactly when the reference meets a bad
 * length word, and must emit the reference's frames whatever the cuts. A
 * push that throws loses the frames it completed; the session closes then
 * anyway, so only the frames of earlier pushes are required.
 */
export function runFrames(stream: Uint8Array, cuts: readonly number[]): Outcome {
  const ref = referenceFraming(stream);
  const bounds = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  bounds.push(stream.length);
  const dec = new FrameDecoder();
  const got: Uint8Array[] = [];
  let start = 0;
  for (const end of bounds) {
    if (end === start) continue;
    try {
      got.push(...dec.push(stream.subarray(start, end)));
    } catch (e) {
      if (!(e instanceof ProtocolError)) return { kind: "finding", problem: `frame decoder threw ${describeError(e)}`, error: e };
      if (ref.badAt === null) return { kind: "finding", problem: `frame decoder refused a well-framed stream: ${e.message}` };
      if (!(start < ref.badAt && ref.badAt <= end)) {
        return { kind: "finding", problem: `bad length ending at ${ref.badAt} reported in the chunk [${start}, ${end})` };
      }
      const before = ref.ends.filter((x) => x <= start).length;
      if (got.length < before || got.length > ref.frames.length) {
        return { kind: "finding", problem: `${got.length} frames before the error, expected ${before}..${ref.frames.length}` };
      }
      return sameFrames(got, ref.frames.slice(0, got.length)) ?? { kind: "rejected", sig: "frame length" };
    }
    start = end;
  }
  if (ref.badAt !== null) return { kind: "finding", problem: `bad length word ending at ${ref.badAt} was not refused` };
  if (got.length !== ref.frames.length) return { kind: "finding", problem: `${got.length} frames, expected ${ref.frames.length}` };
  if (dec.pending !== ref.rest) return { kind: "finding", problem: `${dec.pending} bytes pending, expected ${ref.rest}` };
  return sameFrames(got, ref.frames) ?? OK;
}

function sameFrames(got: Uint8Array[], want: Uint8Array[]): Outcome | null {
  for (let i = 0; i < want.length; i++) {
    if (!sameBytes(got[i]!, want[i]!)) return { kind: "finding", problem: `frame ${i} differs from the reference` };
  }
  return null;
}
