import { describe, expect, it } from "vitest";
import { codecs } from "../../src/gen/remote_protocol.js";
import { XdrWriter, arrayCount, encode, fixedLength } from "../../src/xdr/index.js";
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

  it("anything but a number for a float or double, which DataView would write as NaN or coerce", () => {
    const w = new XdrWriter();
    for (const [v, shown] of [["1.5", '"1.5"'], [undefined, "undefined"], [null, "null"], [true, "true"], [[2], "an array"]] as const) {
      expect(xdrErrorOf(() => w.float(v as unknown as number)).message).toBe(`${shown} is not a valid float`);
      expect(xdrErrorOf(() => w.double(v as unknown as number)).message).toBe(`${shown} is not a valid double`);
    }
    expect(xdrErrorOf(() => w.double(1n as unknown as number)).code).toBe("XDR_RANGE");
    expect(w.pos).toBe(0);
    // The one double of the protocol: a typed parameter's VIR_TYPED_PARAM_DOUBLE arm.
    const e = xdrErrorOf(() => encode(codecs.remote_typed_param, { field: "weight", value: { type: 5, d: "0.5" as unknown as number } }));
    expect([e.code, e.message]).toEqual(["XDR_RANGE", 'remote_typed_param.value.d: "0.5" is not a valid double']);
  });

  it("a fraction, NaN or string for a char or short, which setInt32 would truncate or zero", () => {
    const w = new XdrWriter();
    expect(xdrErrorOf(() => w.ranged(1.5, -128, 127)).message).toBe("1.5 is not a valid -128..127");
    expect(xdrErrorOf(() => w.ranged(NaN, -32768, 32767)).message).toBe("NaN is not a valid -32768..32767");
    expect(xdrErrorOf(() => w.ranged(-0.5, 0, 255)).message).toBe("-0.5 is not a valid 0..255");
    expect(xdrErrorOf(() => w.ranged("7" as unknown as number, 0, 65535)).message).toBe('"7" is not a valid 0..65535');
    expect(w.pos).toBe(0);
    // char model[32] and unsigned short nrVirtCpu, through their generated encoders.
    const model = [120, 56, 54, 95, 54, 52, ...new Array<number>(26).fill(0)];
    model[3] = 95.5;
    const info = { model, memory: 1n, cpus: 1, mhz: 1, nodes: 1, sockets: 1, cores: 1, threads: 1 };
    expect(xdrErrorOf(() => encode(codecs.remote_node_get_info_ret, info)).message).toBe("remote_node_get_info_ret.model[3]: 95.5 is not a valid -128..127");
    const dominfo = { state: 1, maxMem: 1n, memory: 1n, nrVirtCpu: 2.5, cpuTime: 0n };
    expect(xdrErrorOf(() => encode(codecs.remote_domain_get_info_ret, dominfo)).message).toBe("remote_domain_get_info_ret.nrVirtCpu: 2.5 is not a valid 0..65535");
  });

  it("anything but an array for an array field, even one with the right length", () => {
    // A typed array or an array-like has a length and numeric elements: only Array.isArray tells them apart.
    for (const [cells, shown] of [[BigUint64Array.of(1n), "BigUint64Array"], [{ length: 0 }, "Object"], ["", '""']] as const) {
      const e = xdrErrorOf(() => encode(codecs.remote_node_get_cells_free_memory_ret, { cells: cells as unknown as bigint[] }));
      expect([e.code, e.message]).toEqual(["XDR_BAD_VALUE", `remote_node_get_cells_free_memory_ret.cells: expected an array, got ${shown}`]);
    }
    const info = { model: new Int8Array(32), memory: 1n, cpus: 1, mhz: 1, nodes: 1, sockets: 1, cores: 1, threads: 1 };
    const e = xdrErrorOf(() => encode(codecs.remote_node_get_info_ret, info as unknown as typeof info & { model: number[] }));
    expect([e.code, e.message]).toEqual(["XDR_BAD_VALUE", "remote_node_get_info_ret.model: expected an array, got Int8Array"]);
    const w = new XdrWriter();
    expect(xdrErrorOf(() => arrayCount(w, "ab" as unknown as unknown[], 10)).message).toBe('expected an array, got "ab"');
    expect(xdrErrorOf(() => fixedLength(new Uint8Array(4) as unknown as unknown[], 4)).message).toBe("expected an array, got Uint8Array");
    expect(w.pos).toBe(0);
  });

  it("writes nothing for a refused string", () => {
    const w = new XdrWriter();
    w.int(1);
    expect(() => w.string("a\0", 16)).toThrow();
    expect(() => w.string("a\ud800", 16)).toThrow();
    expect(w.pos).toBe(4);
  });
});
