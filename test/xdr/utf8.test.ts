// libvirt's strings are bytes (xdr_string into a char *); ours are UTF-8 of
// the JS string, byte for byte what Buffer.from(s) gives, both ways. The
// writer and reader each have an ASCII fast path for short strings and
// TextEncoder/TextDecoder for the rest: every code unit goes through both.
import { describe, expect, it } from "vitest";
import { XDR_UNBOUNDED, XdrReader, XdrWriter } from "../../src/xdr/index.js";
import { fromHex, hex } from "../helpers/bytes.js";

/** The XDR string libvirt would send for `s`: length, UTF-8 bytes, zero padding. */
function wire(s: string): Buffer {
  const utf8 = Buffer.from(s, "utf8");
  const out = Buffer.alloc(4 + utf8.length + ((4 - (utf8.length % 4)) % 4));
  out.writeUInt32BE(utf8.length, 0);
  utf8.copy(out, 4);
  return out;
}

/** Every UTF-16 code unit that stands for a character on its own: 1..U+FFFF without the surrogates. */
function* codeUnits(): Generator<string> {
  for (let c = 1; c <= 0xffff; c++) if (c < 0xd800 || c > 0xdfff) yield String.fromCharCode(c);
}

/** A few shapes around one character: alone, after ASCII, before ASCII, past the short-string limits. */
function shapes(ch: string): string[] {
  return [ch, `ab${ch}`, `${ch}z`, `${"x".repeat(40)}${ch}`];
}

describe("UTF-8 both ways, as libvirt's bytes", () => {
  it("every code unit, in short and long strings, is written as Buffer.from writes it", () => {
    const w = new XdrWriter();
    const wrong: string[] = [];
    for (const ch of codeUnits()) {
      for (const s of shapes(ch)) {
        w.reset();
        w.string(s, XDR_UNBOUNDED);
        if (Buffer.compare(w.bytes, wire(s)) !== 0) wrong.push(`U+${ch.charCodeAt(0).toString(16)} in ${JSON.stringify(s)}`);
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it("every code unit, in short and long strings, is read back as itself", () => {
    const wrong: string[] = [];
    for (const ch of codeUnits()) {
      for (const s of shapes(ch)) {
        if (new XdrReader(wire(s)).string(XDR_UNBOUNDED) !== s) wrong.push(`U+${ch.charCodeAt(0).toString(16)} in ${JSON.stringify(s)}`);
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it("U+0080, the first character past ASCII, is two bytes, not the byte 0x80", () => {
    const w = new XdrWriter();
    w.string("\u0080", 10);
    w.string("a\u0080", 10);
    w.string("\u007f", 10);
    expect(hex(w.bytes)).toBe("00000002c2800000" + "0000000361c28000" + "000000017f000000");
  });

  it("a lone byte 0x80..0xff is not UTF-8: U+FFFD, as TextDecoder makes it, short and long", () => {
    for (let b = 0x80; b <= 0xff; b++) {
      expect(new XdrReader(Uint8Array.of(0, 0, 0, 1, b, 0, 0, 0)).string(10), `byte ${b}`).toBe("\ufffd");
      const short = Uint8Array.of(0, 0, 0, 2, 0x61, b, 0, 0);
      expect(new XdrReader(short).string(10), `byte ${b}`).toBe("a\ufffd");
      const long = Buffer.concat([fromHex("00000029"), Buffer.from("x".repeat(40)), Uint8Array.of(b, 0, 0, 0)]);
      expect(new XdrReader(long).string(100), `byte ${b}`).toBe(`${"x".repeat(40)}\ufffd`);
    }
  });

  it("a leading U+FEFF (a UTF-8 BOM) is kept both ways: it is three bytes of the string to libvirt", () => {
    for (const s of ["\ufeff", "\ufeffname", `\ufeff${"y".repeat(40)}`, "\ufeff\ufeffx"]) {
      const w = new XdrWriter();
      w.string(s, XDR_UNBOUNDED);
      expect(hex(w.bytes)).toBe(hex(wire(s)));
      expect(hex(w.bytes).slice(8, 14)).toBe("efbbbf");
      expect(new XdrReader(w.bytes).string(XDR_UNBOUNDED)).toBe(s);
    }
    expect(new XdrReader(fromHex("00000004 efbbbf41")).string(10)).toBe("\ufeffA");
  });
});
