// libvirt's own RPC message vectors (tests/virnetmessagetest.c), restated
// here as facts: the bytes libvirt expects, field by field, and the values
// they carry. Our encoder must produce them and our decoder must read them
// back. A cross-check parses the C file's byte arrays (when fetched) to prove
// the hex below was copied right, and fails if libvirt adds a vector.

import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, type Manifest } from "../../protocol/fetch.js";
import { codecs as remoteCodecs } from "../../src/gen/remote_protocol.js";
import { codecs, type VirNetMessageError } from "../../src/gen/virnetprotocol.js";
import { VirErrorDomain, VirErrorLevel, VirErrorNumber } from "../../src/gen/virterror.js";
import { LibvirtError } from "../../src/rpc/errors.js";
import { FrameDecoder } from "../../src/rpc/frame.js";
import { MessageStatus, MessageType, decodeBody, decodeInbound, encodeMessage, type Header } from "../../src/rpc/message.js";
import { XdrWriter, decode, encode, type Codec } from "../../src/xdr/index.js";
import { fromHex, hex } from "../helpers/bytes.js";

// ---------------------------------------------------------------------------
// The facts

/** Every vector of libvirt's test uses this header, but for type and status. */
const base = { prog: 0x11223344, vers: 1, proc: 0x666, serial: 0x99 } as const;

/** testMessageHeaderEncode: a bare call header, length word included. */
const HEADER_CALL = fromHex(`
  00 00 00 1c   # length: 28, the length word counts itself
  11 22 33 44   # prog
  00 00 00 01   # vers
  00 00 06 66   # proc
  00 00 00 00   # type: VIR_NET_CALL
  00 00 00 99   # serial
  00 00 00 00   # status: VIR_NET_OK
`);
const headerCall: Header = { ...base, type: MessageType.VIR_NET_CALL, status: MessageStatus.VIR_NET_OK };

/** testMessageHeaderDecode: a reply header saying error, with no body at all. */
const HEADER_REPLY_ERROR = fromHex(`
  00 00 00 1c   # length: 28
  11 22 33 44   # prog
  00 00 00 01   # vers
  00 00 06 66   # proc
  00 00 00 01   # type: VIR_NET_REPLY
  00 00 00 99   # serial
  00 00 00 01   # status: VIR_NET_ERROR
`);
const headerReplyError: Header = { ...base, type: MessageType.VIR_NET_REPLY, status: MessageStatus.VIR_NET_ERROR };

/**
 * testMessagePayloadEncode and testMessagePayloadDecode (the same bytes):
 * a virNetMessageError carried by an async message with error status.
 */
const ERROR_MESSAGE = fromHex(`
  00 00 00 74   # length: 116 = 28 of header + 88 of body
  11 22 33 44   # prog
  00 00 00 01   # vers
  00 00 06 66   # proc
  00 00 00 02   # type: VIR_NET_MESSAGE
  00 00 00 99   # serial
  00 00 00 01   # status: VIR_NET_ERROR
  00 00 00 01   # code: VIR_ERR_INTERNAL_ERROR
  00 00 00 07   # domain: VIR_FROM_RPC
  00 00 00 01   # message: present
  00 00 00 0b   # message: 11 bytes
  48 65 6c 6c   # "Hell"
  6f 20 57 6f   # "o Wo"
  72 6c 64 00   # "rld" + 1 byte of padding (not a NUL terminator)
  00 00 00 02   # level: VIR_ERR_ERROR
  00 00 00 00   # dom: absent
  00 00 00 01   # str1: present
  00 00 00 03   # str1: 3 bytes
  4f 6e 65 00   # "One" + padding
  00 00 00 01   # str2: present
  00 00 00 03   # str2: 3 bytes
  54 77 6f 00   # "Two" + padding
  00 00 00 01   # str3: present
  00 00 00 05   # str3: 5 bytes
  54 68 72 65   # "Thre"
  65 00 00 00   # "e" + 3 bytes of padding
  00 00 00 01   # int1
  00 00 00 02   # int2
  00 00 00 00   # net: absent
`);
const headerAsyncError: Header = { ...base, type: MessageType.VIR_NET_MESSAGE, status: MessageStatus.VIR_NET_ERROR };
const error: VirNetMessageError = {
  code: VirErrorNumber.VIR_ERR_INTERNAL_ERROR,
  domain: VirErrorDomain.VIR_FROM_RPC,
  message: "Hello World",
  level: VirErrorLevel.VIR_ERR_ERROR,
  dom: null,
  str1: "One",
  str2: "Two",
  str3: "Three",
  int1: 1,
  int2: 2,
  net: null,
};

/**
 * testMessagePayloadStreamEncode: stream data follows the header as is, with
 * no XDR length word and no padding, so the frame is 71 bytes, not a
 * multiple of 4.
 */
const STREAM_DATA = fromHex(`
  00 00 00 47   # length: 71 = 28 of header + 43 of data
  11 22 33 44   # prog
  00 00 00 01   # vers
  00 00 06 66   # proc
  00 00 00 03   # type: VIR_NET_STREAM
  00 00 00 99   # serial
  00 00 00 02   # status: VIR_NET_CONTINUE (more data to come)
  54 68 65 20   # "The "
  71 75 69 63   # "quic"
  6b 20 62 72   # "k br"
  6f 77 6e 20   # "own "
  66 6f 78 20   # "fox "
  6a 75 6d 70   # "jump"
  73 20 6f 76   # "s ov"
  65 72 20 74   # "er t"
  68 65 20 6c   # "he l"
  61 7a 79 20   # "azy "
  64 6f 67      # "dog": the frame ends here, unpadded
`);
const headerStream: Header = { ...base, type: MessageType.VIR_NET_STREAM, status: MessageStatus.VIR_NET_CONTINUE };
const streamText = "The quick brown fox jumps over the lazy dog";

/**
 * The C file's byte arrays, keyed `function.array`, and which of ours each
 * must equal. The cross-check fails on any array not listed here.
 */
const C_ARRAYS: Record<string, Uint8Array> = {
  "testMessageHeaderEncode.expect": HEADER_CALL,
  "testMessageHeaderDecode.input_buf": HEADER_REPLY_ERROR,
  "testMessagePayloadEncode.expect": ERROR_MESSAGE,
  "testMessagePayloadDecode.input_buffer": ERROR_MESSAGE,
  "testMessagePayloadStreamEncode.expect": STREAM_DATA,
};
const C_STRINGS: Record<string, string> = {
  "testMessagePayloadStreamEncode.stream": streamText,
};

// ---------------------------------------------------------------------------
// Helpers

/**
 * Stream data as libvirt sends it: raw bytes, not XDR. The writer only has
 * XDR's padded opaque, so its padding is taken back (it wrote zeros past
 * the data, which the frame then no longer includes).
 */
const rawData: Codec<Uint8Array> = {
  name: "raw stream data",
  encode(w, v) {
    w.fixedOpaque(v, v.length);
    w.pos -= (4 - (v.length & 3)) & 3;
  },
  decode(r) {
    const out = r.bytes.slice(r.pos, r.end);
    r.pos = r.end;
    return out;
  },
};

/** Frames cut from the bytes by our FrameDecoder, fed in one piece or one byte at a time. */
function framesOf(bytes: Uint8Array, byteByByte: boolean): Uint8Array[] {
  const d = new FrameDecoder();
  if (!byteByByte) return d.push(bytes);
  const frames: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i++) frames.push(...d.push(bytes.subarray(i, i + 1)));
  expect(d.pending).toBe(0);
  return frames;
}

function onlyFrame(bytes: Uint8Array, byteByByte = false): Uint8Array {
  const frames = framesOf(bytes, byteByByte);
  expect(frames).toHaveLength(1);
  return frames[0]!;
}

// ---------------------------------------------------------------------------
// Our code against the facts

describe("libvirt's virnetmessagetest vectors", () => {
  describe("message header (testMessageHeaderEncode)", () => {
    it("encodes a call header to libvirt's bytes, length word included", () => {
      expect(hex(encodeMessage(new XdrWriter(), headerCall, null, undefined))).toBe(hex(HEADER_CALL));
    });

    it.each([false, true])("decodes it back (byte by byte: %s)", (byteByByte) => {
      const inbound = decodeInbound(onlyFrame(HEADER_CALL, byteByByte));
      expect(inbound.header).toEqual(headerCall);
      expect(decodeBody(null, inbound.body)).toBeUndefined();
    });

    it("the header codec alone gives the bytes after the length word", () => {
      expect(hex(encode(codecs.virNetMessageHeader, headerCall))).toBe(hex(HEADER_CALL.subarray(4)));
    });
  });

  describe("message header (testMessageHeaderDecode)", () => {
    it("decodes a reply header with error status and no body", () => {
      // libvirt reads the length word first, then the rest: so does the FrameDecoder.
      const d = new FrameDecoder();
      expect(d.push(HEADER_REPLY_ERROR.subarray(0, 4))).toEqual([]);
      expect(d.pending).toBe(4);
      const frames = d.push(HEADER_REPLY_ERROR.subarray(4));
      expect(frames).toHaveLength(1);
      const inbound = decodeInbound(frames[0]!);
      expect(inbound.header).toEqual(headerReplyError);
      // libvirt checks the whole buffer is consumed by the header.
      expect(inbound.body.remaining).toBe(0);
    });

    it("encodes that header to the same bytes", () => {
      expect(hex(encodeMessage(new XdrWriter(), headerReplyError, null, undefined))).toBe(hex(HEADER_REPLY_ERROR));
    });
  });

  describe("error payload (testMessagePayloadEncode / testMessagePayloadDecode)", () => {
    it("encodes header + virNetMessageError to libvirt's bytes", () => {
      expect(hex(encodeMessage(new XdrWriter(), headerAsyncError, codecs.virNetMessageError, error))).toBe(hex(ERROR_MESSAGE));
    });

    it("a writer reused after a longer message still gives exactly these bytes", () => {
      const w = new XdrWriter(16);
      encodeMessage(w, headerStream, rawData, new Uint8Array(300).fill(0xff));
      expect(hex(encodeMessage(w, headerAsyncError, codecs.virNetMessageError, error))).toBe(hex(ERROR_MESSAGE));
    });

    it.each([false, true])("decodes header and error back (byte by byte: %s)", (byteByByte) => {
      const inbound = decodeInbound(onlyFrame(ERROR_MESSAGE, byteByByte));
      expect(inbound.header).toEqual(headerAsyncError);
      // libvirt's decoder stands at offset 28 (from the frame start) after the header.
      expect(inbound.body.pos).toBe(24);
      expect(decodeBody(codecs.virNetMessageError, inbound.body)).toEqual(error);
    });

    it("remote_error has the same layout: same bytes, same value", () => {
      const body = ERROR_MESSAGE.subarray(28);
      expect(decode(remoteCodecs.remote_error, body)).toEqual(error);
      expect(hex(encode(remoteCodecs.remote_error, error))).toBe(hex(body));
    });

    it("maps to a LibvirtError with libvirt's symbolic names", () => {
      const e = new LibvirtError(error, "test");
      expect(e.code).toBe("VIR_ERR_INTERNAL_ERROR");
      expect(e.domain).toBe("VIR_FROM_RPC");
      expect(e.level).toBe("VIR_ERR_ERROR");
      expect(e.message).toBe("Hello World");
    });
  });

  describe("stream payload (testMessagePayloadStreamEncode)", () => {
    const data = new TextEncoder().encode(streamText);

    it("the data is the text's 43 bytes, with nothing added", () => {
      expect(data).toHaveLength(43);
      expect(hex(STREAM_DATA.subarray(28))).toBe(hex(data));
    });

    it("encodes header + raw data to libvirt's bytes", () => {
      expect(hex(encodeMessage(new XdrWriter(), headerStream, rawData, data))).toBe(hex(STREAM_DATA));
    });

    it.each([false, true])("decodes header and data back (byte by byte: %s)", (byteByByte) => {
      const inbound = decodeInbound(onlyFrame(STREAM_DATA, byteByByte));
      expect(inbound.header).toEqual(headerStream);
      expect(inbound.body.remaining).toBe(43);
      expect(hex(decodeBody(rawData, inbound.body)!)).toBe(hex(data));
    });
  });

  it("all four messages back to back come out as four frames", () => {
    const all = [HEADER_CALL, HEADER_REPLY_ERROR, ERROR_MESSAGE, STREAM_DATA];
    const joined = Uint8Array.from(all.flatMap((b) => [...b]));
    for (const byteByByte of [false, true]) {
      expect(framesOf(joined, byteByByte).map(hex)).toEqual(all.map((b) => hex(b.subarray(4))));
    }
  });
});

// ---------------------------------------------------------------------------
// Cross-check against libvirt's C file

/** `function.array` -> bytes, for every `static [const] char NAME[] = { ... };` in the file. */
function parseCArrays(src: string): Map<string, Uint8Array> {
  const noComments = src.replace(/\/\*[\s\S]*?\*\//g, "");
  const out = new Map<string, Uint8Array>();
  for (const m of noComments.matchAll(/\bchar\s+(\w+)\s*\[\s*\]\s*=\s*\{([^}]*)\}\s*;/g)) {
    const bytes: number[] = [];
    const body = m[2]!;
    const item = /\s*(0x[0-9a-fA-F]+|'(?:\\[0-7]{1,3}|\\.|[^'\\])')\s*(,|$)/y;
    let at = 0;
    while (at < body.length && body.slice(at).trim() !== "") {
      item.lastIndex = at;
      const t = item.exec(body);
      if (t === null) throw new Error(`unparsed element in ${m[1]!}: ${body.slice(at, at + 20)}`);
      bytes.push(cByte(t[1]!));
      at = item.lastIndex;
      if (t[2] === "") break;
    }
    out.set(`${enclosingFunction(noComments, m.index)}.${m[1]!}`, Uint8Array.from(bytes));
  }
  return out;
}

/** `function.name` -> text, for every `char NAME[] = "...";` (escapes refused: none expected). */
function parseCStrings(src: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of src.matchAll(/\bchar\s+(\w+)\s*\[\s*\]\s*=\s*"([^"\\]*)"\s*;/g)) {
    out.set(`${enclosingFunction(src, m.index)}.${m[1]!}`, m[2]!);
  }
  return out;
}

function cByte(token: string): number {
  if (token.startsWith("0x")) {
    const v = parseInt(token, 16);
    if (v > 0xff) throw new Error(`${token} is not a byte`);
    return v;
  }
  const inner = token.slice(1, -1);
  if (!inner.startsWith("\\")) return inner.charCodeAt(0);
  if (/^\\[0-7]+$/.test(inner)) return parseInt(inner.slice(1), 8);
  const esc: Record<string, number> = { "\\n": 10, "\\t": 9, "\\r": 13, "\\\\": 92, "\\'": 39, '\\"': 34 };
  const v = esc[inner];
  if (v === undefined) throw new Error(`unknown escape ${token}`);
  return v;
}

/** The name of the last function defined before `at`. */
function enclosingFunction(src: string, at: number): string {
  let name = "(file)";
  for (const m of src.slice(0, at).matchAll(/^(?:static\s+)?int\s*\n?\s*(\w+)\s*\([^;{]*\)\s*\{/gm)) name = m[1]!;
  return name;
}

const root = repoRoot();
const manifest = JSON.parse(readFileSync(join(root, "protocol", "libvirt.json"), "utf8")) as Manifest;
const upstream = join(root, "protocol", "upstream");
const cPath = (v: string): string => join(upstream, v, "tests", "virnetmessagetest.c");
// The pinned version always; any other fetched version too, as the vectors are meant to be stable.
const versions = [
  manifest.pinned,
  ...(existsSync(upstream) ? readdirSync(upstream).filter((v) => v !== manifest.pinned && existsSync(cPath(v))) : []),
];

describe.each(versions)("libvirt %s tests/virnetmessagetest.c", (version) => {
  const path = cPath(version);
  const have = existsSync(path);

  it.skipIf(!have)("is the file the manifest pins", () => {
    const want = manifest.versions[version]?.files["tests/virnetmessagetest.c"];
    expect(want).toBeDefined();
    expect(createHash("sha256").update(readFileSync(path)).digest("hex")).toBe(want);
  });

  it.skipIf(!have)("has exactly the byte arrays written above, byte for byte", () => {
    const arrays = parseCArrays(readFileSync(path, "utf8"));
    expect([...arrays.keys()].sort()).toEqual(Object.keys(C_ARRAYS).sort());
    for (const [key, bytes] of arrays) expect({ key, hex: hex(bytes) }).toEqual({ key, hex: hex(C_ARRAYS[key]!) });
  });

  it.skipIf(!have)("has exactly the stream text written above", () => {
    expect(Object.fromEntries(parseCStrings(readFileSync(path, "utf8")))).toEqual(C_STRINGS);
  });
});
