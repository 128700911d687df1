import { describe, expect, it } from "vitest";
import { xdrErrorOf } from "../helpers/errors.js";
import { decode, encode, openEnums, XdrWriter, type Codec } from "../../src/xdr/index.js";
import { fromHex, hex } from "../helpers/bytes.js";
import * as g from "./constructs/expected/constructs.js";

function roundTrip<T>(c: Codec<T>, value: T, annotated: string): void {
  const bytes = encode(c, value);
  expect(hex(bytes)).toBe(hex(fromHex(annotated)));
  expect(decode(c, bytes)).toEqual(value);
}


const SCALARS: g.Scalars = {
  i: -2, u: 0xffffffff, bare: 7, h: -(2n ** 63n), uh: 2n ** 64n - 1n, f: 1.5, d: -0.25, b: true,
  c: -128, uc: 255, s: -32768, us: 65535,
};
const SCALARS_HEX = `
  fffffffe ffffffff 00000007               # i, u, bare
  80000000 00000000 ffffffff ffffffff      # h = -2^63, uh = 2^64-1
  3fc00000 bfd00000 00000000               # f = 1.5, d = -0.25
  00000001                                 # b = TRUE
  ffffff80 000000ff ffff8000 0000ffff      # char, unsigned char, short, unsigned short: 4 bytes each
`;

describe("constructs golden case: constants, enums, tables", () => {
  it("keeps every constant, with its radix", () => {
    expect([g.DEC_MAX, g.HEX_MAX, g.OCT_MODE, g.NEGATIVE, g.ALIAS_MAX, g.USES_EXTERN, g.LATER]).toEqual([
      16, 32, 0o755, -1, 16, 6, 7,
    ]);
  });

  it("emits enums as const objects with value checks", () => {
    expect(g.Sparse).toEqual({ SPARSE_LOW: -5, SPARSE_MID: 32, SPARSE_HIGH: 1000 });
    expect([g.isSparse(-5), g.isSparse(0), g.isColor(2), g.isColor(3)]).toEqual([true, false, true, false]);
  });

  it("turns the procedure enum and its annotations into a program table", () => {
    expect(g.demoProgram.program).toBe(0x64656d6f);
    expect(g.demoProgram.version).toBe(1);
    const { echo, noTypes, eventPing } = g.demoProgram.procedures;
    expect(echo).toMatchObject({ number: 1, name: "DEMO_PROC_ECHO", message: null });
    expect(echo.args).toBe(g.codecs.demo_echo_args);
    expect(echo.ret).toBe(g.codecs.demo_echo_ret);
    expect(echo.annotations).toEqual({
      generate: "both",
      priority: "high",
      acl: ["connect:getattr", "connect:write"],
      inserts: [
        { type: "args", field: null, at: 1 },
        { type: "args", field: "n", at: 2 },
      ],
    });
    expect(noTypes).toMatchObject({ args: null, ret: null, message: null });
    expect(noTypes.annotations).toEqual({ generate: "none", readstream: 2, sparseflag: "DEMO_SPARSE" });
    expect(eventPing.message).toBe(g.codecs.demo_event_ping_msg);
    expect(eventPing.annotations).toEqual({ generate: "both", acl: ["none"], note: "autogen autogen" });
  });
});

describe("constructs golden case: exact bytes", () => {
  it("scalars", () => roundTrip(g.codecs.scalars, SCALARS, SCALARS_HEX));

  it("fixed and variable arrays, opaques, strings, char arrays", () => {
    roundTrip(
      g.codecs.arrays,
      {
        fixed_ints: [1, 2, 3],
        var_hypers: [5n],
        fixed_bytes: Uint8Array.of(1, 2, 3, 4, 5),
        var_bytes: Uint8Array.of(0xaa),
        any_bytes: new Uint8Array(0),
        text: "héllo",
        any_text: "",
        chars: [65, 66, -1, 0],
        var_chars: [1],
        names: ["a", "bc"],
        uuid: Uint8Array.of(9, 9, 9, 9, 9, 9),
      },
      `
      00000001 00000002 00000003               # fixed_ints[3]: no count word
      00000001 00000000 00000005               # var_hypers<4>: count, one hyper
      01020304 05000000                        # fixed_bytes[5]: bytes + 3 pad
      00000001 aa000000                        # var_bytes<32>
      00000000                                 # any_bytes<>: empty
      00000006 68c3a96c 6c6f0000               # text "héllo": 6 UTF-8 bytes
      00000000                                 # any_text ""
      00000041 00000042 ffffffff 00000000      # chars[4]: each char a 4-byte int
      00000001 00000001                        # var_chars<16>
      00000002 00000001 61000000 00000002 62630000  # names<2>
      09090909 09090000                        # uuid[TEST_EXTERN_LEN = 6]
      `,
    );
  });

  it("optionals, forward references, unions on int / unsigned / enum", () => {
    roundTrip(
      g.codecs.optionals,
      {
        name: null,
        inner: null,
        later: {
          shade: g.Color.COLOR_BLUE,
          where: g.Sparse.SPARSE_LOW,
          pick: { kind: 2, two_or_three: "x" },
          flag: { tag: 0xffffffff, last: false },
          tint: { c: g.Color.COLOR_GREEN },
          next: { shade: 0, where: 1000, pick: { kind: -1 }, flag: { tag: 0 }, tint: { c: 0, red: -1 }, next: null },
        },
        shade: g.Color.COLOR_GREEN,
      },
      `
      00000000 00000000                        # name, inner: absent
      00000001                                 # later: present
        00000002 fffffffb                      #   shade BLUE, where SPARSE_LOW
        00000002 00000001 78000000             #   pick: case 2 -> two_or_three "x"
        ffffffff 00000000                      #   flag: case 0xffffffff -> bool FALSE
        00000001                               #   tint: COLOR_GREEN -> void
        00000001                               #   next: present
          00000000 000003e8 ffffffff 00000000  #     shade, where, pick case -1 (void), flag case 0 (void)
          00000000 ffffffff                    #     tint: COLOR_RED -> red = -1
          00000000                             #     next: absent
      00000001 00000001                        # shade: present, GREEN
      `,
    );
  });

  it("a union's default arm carries any other discriminant", () => {
    roundTrip(g.codecs.by_int, { kind: 99, other: 5n }, "00000063 00000000 00000005");
    roundTrip(g.codecs.by_int, { kind: 3, two_or_three: "" }, "00000003 00000000");
  });

  it("typedef chains: optional of a string typedef", () => {
    roundTrip(g.codecs.maybe_name, "ab", "00000001 00000002 61620000");
    roundTrip(g.codecs.maybe_name, null, "00000000");
  });
});

describe("constructs golden case: hostile input fails with XdrError and a path", () => {
  const scalars = fromHex(SCALARS_HEX);
  const cases: [string, Codec<unknown>, Uint8Array, string, string][] = [
    ["bool = 2", g.codecs.scalars, patch(scalars, 40, "00000002"), "XDR_BAD_BOOL", "scalars.b"],
    ["char = 128", g.codecs.scalars, patch(scalars, 44, "00000080"), "XDR_RANGE", "scalars.c"],
    ["unsigned short = 65536", g.codecs.scalars, patch(scalars, 56, "00010000"), "XDR_RANGE", "scalars.us"],
    ["optional flag = 2", g.codecs.maybe_name, fromHex("00000002"), "XDR_BAD_BOOL", "maybe_name"],
    ["union discriminant with no arm", g.codecs.by_unsigned, fromHex("00000005"), "XDR_BAD_UNION", "by_unsigned.tag"],
    ["enum discriminant with no arm", g.codecs.by_enum, fromHex("00000002"), "XDR_BAD_UNION", "by_enum.c"],
    // rpcgen's xdr_union fails too: xdr_enum takes the value, no arm and no default does not.
    ["enum discriminant outside the .x, no default arm", g.codecs.by_enum, fromHex("00000063"), "XDR_BAD_UNION", "by_enum.c"],
    ["non-zero padding", g.codecs.name_t, fromHex("00000001 61000100"), "XDR_PADDING", "name_t"],
    ["trailing bytes", g.codecs.name_t, fromHex("00000001 61000000 00000000"), "XDR_TRAILING", "name_t"],
    ["string over its max", g.codecs.name_t, fromHex("00000011"), "XDR_TOO_LONG", "name_t"],
    ["array count over its max", g.codecs.demo_echo_ret, fromHex("00000011"), "XDR_TOO_LONG", "demo_echo_ret.text"],
    ["huge opaque length, no payload", g.codecs.arrays, withAnyBytesLength(0x7fffffd0), "XDR_SHORT", "arrays.any_bytes"],
    ["huge array count, no payload", g.codecs.demo_echo_ret, fromHex("00000010"), "XDR_SHORT", "demo_echo_ret.text"],
  ];
  for (const [what, c, bytes, code, where] of cases) {
    it(`${what}: ${code} at ${where}`, () => {
      const err = xdrErrorOf(() => decode(c, bytes));
      expect(err.code).toBe(code);
      expect(err.where).toBe(where);
    });
  }

  it("every truncation of a valid encoding fails with XDR_SHORT", () => {
    const bytes = encode(g.codecs.scalars, SCALARS);
    for (let n = 0; n < bytes.length; n++) {
      expect(xdrErrorOf(() => decode(g.codecs.scalars, bytes.subarray(0, n))).code).toBe("XDR_SHORT");
    }
  });
});

describe("constructs golden case: enums are open on decode, strict on encode", () => {
  // rpcgen's xdr_enum is xdr_int: libvirt's C takes any 32-bit value.
  const cases: [string, Codec<unknown>, string, number][] = [
    ["a value past the last member", g.codecs.color, "00000003", 3],
    ["a gap of a sparse enum", g.codecs.sparse, "00000000", 0],
    ["INT32_MIN", g.codecs.sparse, "80000000", -(2 ** 31)],
    ["INT32_MAX", g.codecs.color, "7fffffff", 2 ** 31 - 1],
  ];
  for (const [what, c, bytes, value] of cases) {
    it(`decodes ${what} to the number`, () => expect(decode(c, fromHex(bytes))).toBe(value));
  }

  it("decodes an unknown value inside a struct, and the guard tells it from members", () => {
    const bytes = encode(g.codecs.optionals, { name: null, inner: null, later: null, shade: g.Color.COLOR_BLUE });
    bytes[bytes.length - 1] = 9;
    const v = decode(g.codecs.optionals, bytes);
    expect(v.shade).toBe(9);
    expect([g.isColor(v.shade!), g.isColor(g.Color.COLOR_BLUE)]).toEqual([false, true]);
  });

  it("encodes only listed members by default", () => {
    const err = xdrErrorOf(() => encode(g.codecs.color, 3));
    expect([err.code, err.where, err.detail]).toEqual(["XDR_BAD_ENUM", "color", "3 is not a value of enum color"]);
  });

  it("encodes any 32-bit value through a writer passed to openEnums, as C's xdr_enum does", () => {
    const w = openEnums(new XdrWriter());
    expect(hex(encode(g.codecs.color, 3, w))).toBe("00000003");
    expect(hex(encode(g.codecs.sparse, -1, w))).toBe("ffffffff");
    // Still an integer of 32 bits (1.5 passes the members' range test, then w.int refuses it),
    // and still no arm for a union without default.
    expect(xdrErrorOf(() => encode(g.codecs.color, 1.5, w)).code).toBe("XDR_RANGE");
    expect(xdrErrorOf(() => encode(g.codecs.color, 7.5, w)).code).toBe("XDR_BAD_ENUM");
    expect(xdrErrorOf(() => encode(g.codecs.color, 2 ** 31, w)).code).toBe("XDR_BAD_ENUM");
    expect(xdrErrorOf(() => encode(g.codecs.by_enum, { c: 99 } as unknown as g.ByEnum, w)).code).toBe("XDR_BAD_UNION");
    // Other writers stay strict.
    expect(xdrErrorOf(() => encode(g.codecs.color, 3, new XdrWriter())).code).toBe("XDR_BAD_ENUM");
  });
});

describe("constructs golden case: encoders check values before writing", () => {
  const cases: [string, () => unknown, string, string][] = [
    ["int out of range", () => encode(g.codecs.scalars, { ...SCALARS, i: 2 ** 31 }), "XDR_RANGE", "scalars.i"],
    ["unsigned negative", () => encode(g.codecs.scalars, { ...SCALARS, u: -1 }), "XDR_RANGE", "scalars.u"],
    ["hyper out of range", () => encode(g.codecs.scalars, { ...SCALARS, h: 2n ** 63n }), "XDR_RANGE", "scalars.h"],
    ["hyper as number", () => encode(g.codecs.scalars, { ...SCALARS, uh: 1 as unknown as bigint }), "XDR_RANGE", "scalars.uh"],
    ["char out of range", () => encode(g.codecs.scalars, { ...SCALARS, c: 200 }), "XDR_RANGE", "scalars.c"],
    ["string over max in UTF-8 bytes", () => encode(g.codecs.name_t, "é".repeat(9)), "XDR_TOO_LONG", "name_t"],
    ["fixed array of wrong length", () => encode(g.codecs.arrays, { ...arrays(), fixed_ints: [1, 2] }), "XDR_BAD_SIZE", "arrays.fixed_ints"],
    ["fixed opaque of wrong length", () => encode(g.codecs.uuid_t, new Uint8Array(5)), "XDR_BAD_SIZE", "uuid_t"],
    ["undefined enum value", () => encode(g.codecs.color, 7 as g.Color), "XDR_BAD_ENUM", "color"],
    ["union value with no arm", () => encode(g.codecs.by_enum, { c: 2 } as unknown as g.ByEnum), "XDR_BAD_UNION", "by_enum.c"],
    ["struct that is not an object", () => encode(g.codecs.scalars, null as unknown as g.Scalars), "XDR_BAD_VALUE", "scalars"],
    ["array element", () => encode(g.codecs.arrays, { ...arrays(), names: ["ok", 5 as unknown as string] }), "XDR_BAD_VALUE", "arrays.names[1]"],
  ];
  for (const [what, f, code, where] of cases) {
    it(`${what}: ${code} at ${where}`, () => {
      const err = xdrErrorOf(f);
      expect(err.code).toBe(code);
      expect(err.where).toBe(where);
    });
  }
});

function arrays(): g.Arrays {
  return {
    fixed_ints: [0, 0, 0], var_hypers: [], fixed_bytes: new Uint8Array(5), var_bytes: new Uint8Array(0),
    any_bytes: new Uint8Array(0), text: "", any_text: "", chars: [0, 0, 0, 0], var_chars: [], names: [],
    uuid: new Uint8Array(6),
  };
}

function patch(bytes: Uint8Array, at: number, word: string): Uint8Array {
  const out = bytes.slice();
  out.set(fromHex(word), at);
  return out;
}

/** arrays with every field empty up to any_bytes, whose length word is `n`. */
function withAnyBytesLength(n: number): Uint8Array {
  const prefix = encode(g.codecs.arrays, arrays()).subarray(0, 12 + 4 + 8 + 4);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, n);
  return Uint8Array.from([...prefix, ...len]);
}
