// Setters without a getter take their fields' types from libvirt's headers
// (src/gen/friendly/params.ts); repeated fields are arrays both ways.
import { describe, expect, it } from "vitest";
import { TypedParamError } from "../../src/api/errors.js";
import { fromTypedParams, toTypedParams, typed } from "../../src/api/typed.js";
import { VirTypedParameterType as T } from "../../src/gen/libvirt_common.js";
import { BLOCK_COPY_PARAMS, IOTHREAD_PARAMS, MIGRATE_PARAMS, SAVE_PARAMS } from "../../src/gen/friendly/params.js";
import { remoteProgram } from "../../src/gen/remote_protocol.js";
import { decode, encode, type Codec } from "../../src/xdr/index.js";

describe("the headers' tables", () => {
  it("give the types libvirt-python's hint tables give (libvirt-override.c)", () => {
    expect(BLOCK_COPY_PARAMS).toEqual({
      bandwidth: { type: "ullong", repeat: false },
      granularity: { type: "uint", repeat: false },
      "buf-size": { type: "ullong", repeat: false },
    });
    expect(IOTHREAD_PARAMS.poll_max_ns?.type).toBe("ullong");
    expect(IOTHREAD_PARAMS.poll_grow?.type).toBe("uint");
    expect(IOTHREAD_PARAMS.thread_pool_min?.type).toBe("int");
    expect(SAVE_PARAMS.file).toEqual({ type: "string", repeat: false });
    expect(MIGRATE_PARAMS.bandwidth?.type).toBe("ullong");
    expect(MIGRATE_PARAMS.disks_port?.type).toBe("int");
    // "virDomainMigrate* params multiple field" in libvirt-domain.h.
    expect(Object.entries(MIGRATE_PARAMS).filter(([, f]) => f.repeat).map(([k]) => k)).toEqual(["migrate_disks", "migrate_disks_detect_zeroes", "compression"]);
  });

  it("a plain number becomes the field's type: bandwidth 1048576 is a ullong, granularity a uint", () => {
    expect(toTypedParams({ bandwidth: 1048576, granularity: 65536 }, BLOCK_COPY_PARAMS)).toEqual([
      { field: "bandwidth", value: { type: T.VIR_TYPED_PARAM_ULLONG, ul: 1048576n } },
      { field: "granularity", value: { type: T.VIR_TYPED_PARAM_UINT, ui: 65536 } },
    ]);
    // A stated type still wins; a field the table does not know is guessed from its value.
    expect(toTypedParams({ bandwidth: typed.ullong(5n), other: 7 }, BLOCK_COPY_PARAMS)).toEqual([
      { field: "bandwidth", value: { type: T.VIR_TYPED_PARAM_ULLONG, ul: 5n } },
      { field: "other", value: { type: T.VIR_TYPED_PARAM_UINT, ui: 7 } },
    ]);
  });

  it("a value that cannot be the field's type fails with a TypedParamError naming the field and the type", () => {
    const fail = (input: Record<string, unknown>): TypedParamError => {
      try {
        toTypedParams(input as never, BLOCK_COPY_PARAMS);
      } catch (e) {
        return e as TypedParamError;
      }
      throw new Error("no error");
    };
    const e = fail({ bandwidth: "fast" });
    expect(e).toBeInstanceOf(TypedParamError);
    expect([e.code, e.field, e.expected, e.value]).toEqual(["ERR_TYPED_PARAM", "bandwidth", "ullong", "fast"]);
    expect(e.message).toBe(`typed parameter 'bandwidth': string "fast" is not a ullong`);
    expect(fail({ granularity: 1.5 }).message).toBe("typed parameter 'granularity': number 1.5 is not a uint");
    expect(fail({ granularity: 2 ** 32 }).message).toBe("typed parameter 'granularity': 4294967296 is out of the range of a uint");
    expect(fail({ bandwidth: -1 }).message).toBe("typed parameter 'bandwidth': -1 is out of the range of a ullong");
    expect(fail({ bandwidth: [1, 2] }).message).toBe("typed parameter 'bandwidth': libvirt takes 'bandwidth' once; an array of 2 was given");
  });
});

describe("repeated fields", () => {
  it("an array is the field once per element, in order, each of the field's type", () => {
    const wire = toTypedParams({ migrate_disks: ["vda", "vdb"], bandwidth: 10 }, MIGRATE_PARAMS);
    expect(wire).toEqual([
      { field: "migrate_disks", value: { type: T.VIR_TYPED_PARAM_STRING, s: "vda" } },
      { field: "migrate_disks", value: { type: T.VIR_TYPED_PARAM_STRING, s: "vdb" } },
      { field: "bandwidth", value: { type: T.VIR_TYPED_PARAM_ULLONG, ul: 10n } },
    ]);
    // On the wire: the call's XDR body holds three parameters, migrate_disks twice.
    const proc = remoteProgram.procedures.domainMigratePerform3Params;
    const args = { dom: { name: "vm", uuid: new Uint8Array(16), id: 1 }, dconnuri: null, params: wire, cookie_in: new Uint8Array(0), flags: 0 };
    const codec = proc.args as Codec<typeof args>;
    const decoded = decode(codec, encode(codec, args));
    expect(decoded.params.map((p) => p.field)).toEqual(["migrate_disks", "migrate_disks", "bandwidth"]);
  });

  it("a field that arrives more than once reads back as an array; JSON keeps it", () => {
    const p = fromTypedParams([
      { field: "migrate_disks", value: { type: T.VIR_TYPED_PARAM_STRING, s: "vda" } },
      { field: "bandwidth", value: { type: T.VIR_TYPED_PARAM_ULLONG, ul: 10n } },
      { field: "migrate_disks", value: { type: T.VIR_TYPED_PARAM_STRING, s: "vdb" } },
      { field: "migrate_disks", value: { type: T.VIR_TYPED_PARAM_STRING, s: "vdc" } },
    ]);
    expect(p).toEqual({ migrate_disks: ["vda", "vdb", "vdc"], bandwidth: 10n });
    expect(JSON.stringify(p)).toBe('{"migrate_disks":["vda","vdb","vdc"],"bandwidth":"10"}');
    // And goes back as it came: the field once per value, with its own type.
    expect(toTypedParams(p).map((x) => x.field)).toEqual(["migrate_disks", "migrate_disks", "migrate_disks", "bandwidth"]);
  });
});
