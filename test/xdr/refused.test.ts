import { describe, expect, it } from "vitest";
import { codecs } from "../../src/gen/remote_protocol.js";
import { XdrWriter, encode } from "../../src/xdr/index.js";
import { xdrErrorOf } from "../helpers/errors.js";

const dom = { name: "test", uuid: new Uint8Array(16), id: 1 };

describe("values the wire cannot carry are refused with an XdrError naming the field", () => {
  it("a bigint for an int, unsigned int or narrower integer field (issue 13, defect 15)", () => {
    const e = xdrErrorOf(() => encode(codecs.remote_domain_set_autostart_args, { dom, autostart: 1n as unknown as number }));
    expect([e.code, e.message]).toEqual(["XDR_RANGE", "remote_domain_set_autostart_args.autostart: 1n is not a valid int"]);
    const f = xdrErrorOf(() => encode(codecs.remote_domain_lookup_by_id_args, { id: 7n as unknown as number }));
    expect(f.message).toBe("remote_domain_lookup_by_id_args.id: 7n is not a valid int");
    const g = xdrErrorOf(() => encode(codecs.remote_domain_get_state_args, { dom, flags: 0n as unknown as number }));
    expect(g.message).toBe("remote_domain_get_state_args.flags: 0n is not a valid unsigned int");
    const w = new XdrWriter();
    expect(xdrErrorOf(() => w.ranged(1n as unknown as number, 0, 255)).message).toBe("1n is not a valid 0..255");
    expect(xdrErrorOf(() => w.int("1" as unknown as number)).message).toBe('"1" is not a valid int');
    expect(w.pos).toBe(0);
  });

  it("a string with NUL, which the daemon would cut short (issue 13, defect 16)", () => {
    // libvirtd reads C strings: "test\0garbage" would look up the domain "test".
    for (const name of ["test\0garbage", "\0", "x".repeat(40) + "\0", "é\0", `${"y".repeat(40)}é\0`]) {
      const e = xdrErrorOf(() => encode(codecs.remote_domain_lookup_by_name_args, { name }));
      expect(e.code).toBe("XDR_STRING_NUL");
      expect(e.message).toMatch(/^remote_domain_lookup_by_name_args\.name: string contains NUL at index \d+$/);
    }
    const e = xdrErrorOf(() => encode(codecs.remote_domain_lookup_by_name_args, { name: "ab\0c" }));
    expect(e.message).toBe("remote_domain_lookup_by_name_args.name: string contains NUL at index 2");
  });

  it("a string with a lone surrogate, which UTF-8 cannot carry (issue 13, defect 16)", () => {
    for (const name of ["\ud800", "a\udc00b", "x".repeat(40) + "\ud83d", `é\ud83d`, "\ude00\ud83d"]) {
      const e = xdrErrorOf(() => encode(codecs.remote_domain_lookup_by_name_args, { name }));
      expect(e.code).toBe("XDR_STRING_SURROGATE");
      expect(e.message).toBe("remote_domain_lookup_by_name_args.name: string contains a lone UTF-16 surrogate");
    }
    // Proper pairs (emoji) are fine, short and long.
    for (const name of ["😀", "a😀b", `${"x".repeat(40)}😀`]) {
      expect(encode(codecs.remote_domain_lookup_by_name_args, { name })).toEqual(Uint8Array.from(Buffer.concat([
        Buffer.from([0, 0, 0, Buffer.byteLength(name)]),
        Buffer.from(name),
        Buffer.alloc((4 - (Buffer.byteLength(name) % 4)) % 4),
      ])));
    }
  });

  it("writes nothing for a refused string", () => {
    const w = new XdrWriter();
    w.int(1);
    expect(() => w.string("a\0", 16)).toThrow();
    expect(() => w.string("a\ud800", 16)).toThrow();
    expect(w.pos).toBe(4);
  });
});
