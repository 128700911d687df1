import { describe, expect, it } from "vitest";
import { xdrErrorOf } from "../helpers/errors.js";
import { XDR_UNBOUNDED, XdrError, XdrReader, XdrWriter, decode } from "../../src/xdr/index.js";
import { codecs } from "../../src/gen/remote_protocol.js";
import { fromHex, hex, str } from "../helpers/bytes.js";

function written(f: (w: XdrWriter) => void, initialSize?: number): string {
  const w = new XdrWriter(initialSize);
  f(w);
  return hex(w.bytes);
}


describe("XdrWriter", () => {
  it("writes big-endian words and pads to four bytes with zeros", () => {
    expect(written((w) => w.int(-1))).toBe("ffffffff");
    expect(written((w) => w.uint(0x01020304))).toBe("01020304");
    expect(written((w) => w.hyper(-2n))).toBe("fffffffffffffffe");
    expect(written((w) => w.opaque(Uint8Array.of(1, 2, 3, 4, 5), 8))).toBe("000000050102030405000000");
    expect(written((w) => w.fixedOpaque(Uint8Array.of(7), 1))).toBe("07000000");
  });

  it("grows by doubling, keeping what was written", () => {
    const text = "x".repeat(5000);
    expect(written((w) => w.string(text, XDR_UNBOUNDED), 4)).toBe(hex(str(text)));
  });

  it("grows in the middle of every kind of write", () => {
    const writes: [(w: XdrWriter) => void, string][] = [
      [(w) => w.hyper(-1n), "ffffffffffffffff"],
      [(w) => w.uhyper(1n), "0000000000000001"],
      [(w) => w.double(1), "3ff0000000000000"],
      [(w) => w.float(1), "3f800000"],
      [(w) => w.int(2), "00000002"],
      [(w) => w.uint(3), "00000003"],
      [(w) => w.bool(true), "00000001"],
      [(w) => w.ranged(-1, -128, 127), "ffffffff"],
      [(w) => w.count(1, 5), "00000001"],
      [(w) => w.opaque(Uint8Array.of(1), 4), "0000000101000000"],
      [(w) => w.fixedOpaque(Uint8Array.of(1, 2, 3, 4, 5), 5), "0102030405000000"],
    ];
    for (const [write, bytes] of writes) {
      expect(written((w) => { w.int(0); write(w); }, 4)).toBe(`00000000${bytes}`);
    }
  });

  it("encodes strings as UTF-8 and measures <max> in bytes", () => {
    for (const s of ["", "a", "abc", "abcd", "é", "日本語", "😀 emoji", `${"ascii".repeat(20)}é${"x".repeat(50)}`]) {
      expect(written((w) => w.string(s, 1000))).toBe(hex(str(s)));
    }
    expect(written((w) => w.string("é".repeat(8), 16))).toBe(hex(str("é".repeat(8))));
    const err = xdrErrorOf(() => new XdrWriter().string("é".repeat(9), 16));
    expect([err.code, err.message]).toEqual(["XDR_TOO_LONG", "string of 18 UTF-8 bytes exceeds max 16"]);
  });

  it("writes nothing for a refused string", () => {
    const w = new XdrWriter();
    w.int(1);
    expect(() => w.string("é".repeat(9), 16)).toThrow(XdrError);
    expect(hex(w.bytes)).toBe("00000001");
  });

  it("refuses values outside their wire type", () => {
    const w = new XdrWriter();
    for (const [f, code] of [
      [() => w.int(1.5), "XDR_RANGE"],
      [() => w.int(2 ** 31), "XDR_RANGE"],
      [() => w.uint(2 ** 32), "XDR_RANGE"],
      [() => w.uhyper(-1n), "XDR_RANGE"],
      [() => w.uhyper(2n ** 64n), "XDR_RANGE"],
      [() => w.hyper(-(2n ** 63n) - 1n), "XDR_RANGE"],
      [() => w.bool(1 as unknown as boolean), "XDR_BAD_VALUE"],
      [() => w.string(null as unknown as string, 10), "XDR_BAD_VALUE"],
      [() => w.opaque([1, 2] as unknown as Uint8Array, 10), "XDR_BAD_VALUE"],
      [() => w.opaque(new Uint8Array(11), 10), "XDR_TOO_LONG"],
    ] as const) {
      expect(xdrErrorOf(f).code).toBe(code);
    }
    expect(w.bytes.length).toBe(0);
  });
});

describe("XdrReader", () => {
  it("reads what the writer wrote", () => {
    const w = new XdrWriter();
    w.int(-7);
    w.uhyper(2n ** 64n - 1n);
    w.double(Math.PI);
    w.float(0.5);
    w.bool(true);
    w.string("héllo wörld, a string longer than thirty-two bytes", 100);
    w.opaque(Uint8Array.of(9, 8, 7), 3);
    const r = new XdrReader(w.bytes);
    expect([r.int(), r.uhyper(), r.double(), r.float(), r.bool()]).toEqual([-7, 2n ** 64n - 1n, Math.PI, 0.5, true]);
    expect(r.string(100)).toBe("héllo wörld, a string longer than thirty-two bytes");
    expect(r.opaque(3)).toEqual(Uint8Array.of(9, 8, 7));
    r.done();
  });

  it("returns opaque data as a copy, not a view of the input", () => {
    const input = fromHex("00000002 aabb0000");
    const out = new XdrReader(input).opaque(10);
    input[4] = 0;
    expect(out).toEqual(Uint8Array.of(0xaa, 0xbb));
  });

  it("replaces invalid UTF-8 with U+FFFD, short and long strings alike", () => {
    expect(new XdrReader(fromHex("00000003 61ff6200")).string(10)).toBe("a\ufffdb");
    const long = Uint8Array.from([...Buffer.from("x".repeat(40)), 0xc3]);
    const bytes = Uint8Array.from([...fromHex("00000029"), ...long, 0, 0, 0]);
    expect(new XdrReader(bytes).string(100)).toBe(`${"x".repeat(40)}\ufffd`);
  });

  it("checks counts against the bytes left before allocating", () => {
    const r = new XdrReader(fromHex("7fffffd0"));
    const err = xdrErrorOf(() => r.count(XDR_UNBOUNDED, 4));
    expect(err.code).toBe("XDR_SHORT");
    expect(xdrErrorOf(() => new XdrReader(fromHex("7fffffd0")).opaque(XDR_UNBOUNDED)).code).toBe("XDR_SHORT");
    expect(xdrErrorOf(() => new XdrReader(fromHex("7fffffd0")).string(XDR_UNBOUNDED)).code).toBe("XDR_SHORT");
  });

  it("a count the bytes left can just hold passes; one element more fails at the count, before any element is read", () => {
    // Eight bytes after the count: two 4-byte elements fit, three do not; nor does one 12-byte element.
    const withCount = (count: number): XdrReader => new XdrReader(fromHex(`${count.toString(16).padStart(8, "0")} 00000000 00000000`));
    expect(withCount(2).count(XDR_UNBOUNDED, 4)).toBe(2);
    expect(xdrErrorOf(() => withCount(3).count(XDR_UNBOUNDED, 4)).message).toBe("count 3 needs at least 12 bytes, 8 left");
    expect(xdrErrorOf(() => withCount(1).count(XDR_UNBOUNDED, 12)).message).toBe("count 1 needs at least 12 bytes, 8 left");
    expect(withCount(0).count(0, 1000)).toBe(0);
    // Through a generated decoder: unsigned hyper cells<1024>, two cells sent, three announced.
    const cells = fromHex("00000003 0000000000000001 0000000000000002");
    const err = xdrErrorOf(() => decode(codecs.remote_node_get_cells_free_memory_ret, cells));
    expect([err.code, err.message]).toEqual(["XDR_SHORT", "remote_node_get_cells_free_memory_ret.cells: count 3 needs at least 24 bytes, 16 left"]);
  });

  it("rejects non-zero padding, bad bools and trailing bytes", () => {
    expect(xdrErrorOf(() => new XdrReader(fromHex("00000001 00000100")).fixedOpaque(1)).code).toBe("XDR_PADDING");
    expect(xdrErrorOf(() => new XdrReader(fromHex("00000002")).bool()).code).toBe("XDR_BAD_BOOL");
    expect(xdrErrorOf(() => new XdrReader(fromHex("ffffffff")).present()).code).toBe("XDR_BAD_BOOL");
    const r = new XdrReader(fromHex("00000001 00000000"));
    r.int();
    expect(xdrErrorOf(() => r.done()).message).toBe("4 trailing bytes");
  });

  it("reads within a window of a larger buffer", () => {
    const r = new XdrReader(fromHex("ffffffff 00000005 ffffffff"), 4, 8);
    expect(r.int()).toBe(5);
    expect(xdrErrorOf(() => r.int()).code).toBe("XDR_SHORT");
  });
});

describe("XdrReader over a Node Buffer", () => {
  it("returns plain Uint8Array copies, never views of the Buffer", () => {
    for (const n of [3, 16, 100]) {
      const input = Buffer.from(fromHex(`000000${n.toString(16).padStart(2, "0")}` + "ab".repeat(n) + "00".repeat((4 - (n % 4)) % 4)));
      const out = new XdrReader(input).opaque(1000);
      expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype);
      input.fill(0);
      expect(out).toEqual(new Uint8Array(n).fill(0xab));
    }
  });
});
