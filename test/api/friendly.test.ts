// The friendly layer over a recording stand-in for the exact one: which
// procedures each method calls with which arguments, and what it makes of
// the replies. (examples.test.ts runs it against a real daemon.)
import { afterEach, describe, expect, it } from "vitest";
import { Connection } from "../../src/api/connection.js";
import { charsToString, fieldMap, jsonReplacer, uuidFromString, uuidToString } from "../../src/api/convert.js";
import { fromTypedParams, toTypedParams, typed, typeOf } from "../../src/api/typed.js";
import type { Client } from "../../src/client/client.js";
import { LibvirtError } from "../../src/rpc/errors.js";
import { VIR_DOMAIN_SHUTOFF, VIR_NODE_MEMORY_STATS_ALL_CELLS, VIR_ERR_NO_DOMAIN } from "../../src/gen/friendly/constants.js";

const UUID = "c7a5fdbd-edaf-9455-926a-d65c16db1809";

/**
 * A Client whose methods answer from `replies` (by method name, in order) and record every call.
 * A call with no reply left is a mistake of the test or of the method: it fails the test, even
 * where the method's caller would swallow the error.
 */
function fake(replies: Record<string, unknown[]>): { conn: Connection; calls: [string, unknown][] } {
  const calls: [string, unknown][] = [];
  const raw = new Proxy({}, {
    get: (_t, method: string) => async (args: unknown) => {
      calls.push([method, args]);
      const queue = replies[method];
      if (queue === undefined || queue.length === 0) {
        const e = new Error(`the fake has no reply left for ${method}`);
        unexpected.push(e);
        throw e;
      }
      const r = queue.shift();
      if (r instanceof Error) throw r;
      return r;
    },
  });
  return { conn: new Connection(raw as Client), calls };
}

/** Calls the fake could not answer, in any test: checked after each. */
const unexpected: Error[] = [];
afterEach(() => {
  const seen = unexpected.splice(0);
  expect(seen.map((e) => e.message)).toEqual([]);
});

const ref = (id: number) => ({ name: "vm1", uuid: uuidFromString(UUID), id });
const noDomain = (): LibvirtError =>
  new LibvirtError({ code: VIR_ERR_NO_DOMAIN, domain: 10, message: "Domain not found", level: 2, dom: null, str1: null, str2: null, str3: null, int1: -1, int2: -1, net: null }, "REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID");

describe("conversions", () => {
  it("UUIDs as libvirt prints them, both ways", () => {
    const bytes = uuidFromString(UUID);
    expect(bytes).toHaveLength(16);
    expect(uuidToString(bytes)).toBe(UUID);
    expect(uuidToString(uuidFromString(UUID.replace(/-/g, "")))).toBe(UUID);
    expect(() => uuidFromString("vm1")).toThrow(RangeError);
  });

  it("a C char[32] up to its NUL; statistics as a plain object; bigints in JSON as strings", () => {
    expect(charsToString([120, 56, 54, 95, 54, 52, 0, 0, 55])).toBe("x86_64");
    expect(fieldMap([{ field: "total", value: 8n }, { field: "free", value: 2n }])).toEqual({ total: 8n, free: 2n });
    expect(JSON.stringify({ a: 1n << 60n }, jsonReplacer)).toBe('{"a":"1152921504606846976"}');
  });

  it("typed parameters: plain values, wire types kept, JSON-safe, sent back as they came", () => {
    const p = fromTypedParams([
      { field: "cpu_shares", value: { type: 4, ul: 1024n } },
      { field: "weight", value: { type: 2, ui: 100 } },
      { field: "on", value: { type: 6, b: 1 } },
    ]);
    expect(p).toEqual({ cpu_shares: 1024n, weight: 100, on: true });
    expect(typeOf(p, "cpu_shares")).toBe("ullong");
    expect(JSON.stringify(p)).toBe('{"cpu_shares":"1024","weight":100,"on":true}');
    expect(toTypedParams(p)).toEqual([
      { field: "cpu_shares", value: { type: 4, ul: 1024n } },
      { field: "weight", value: { type: 2, ui: 100 } },
      { field: "on", value: { type: 6, b: 1 } },
    ]);
    // Stated, known from the daemon's table, guessed: in that order.
    expect(toTypedParams({ a: typed.llong(5n), b: 7, c: 7, d: "x" }, { b: "ullong" })).toEqual([
      { field: "a", value: { type: 3, l: 5n } },
      { field: "b", value: { type: 4, ul: 7n } },
      { field: "c", value: { type: 2, ui: 7 } },
      { field: "d", value: { type: 7, s: "x" } },
    ]);
    expect(() => toTypedParams({ a: typed.string(5 as unknown as string) })).toThrow(/'a': number 5 is not a string/);
  });
});

describe("generated methods", () => {
  it("flags default to 0; options may stand in their place", async () => {
    const { conn, calls } = fake({ domainLookupByName: [{ dom: ref(3) }], domainGetXmlDesc: [{ xml: "<a/>" }, { xml: "<b/>" }] });
    const dom = await conn.domain("vm1");
    expect(await dom.xmlDesc()).toBe("<a/>");
    expect(await dom.xmlDesc({ timeout: 5 })).toBe("<b/>");
    expect(calls.slice(1)).toEqual([
      ["domainGetXmlDesc", { dom: ref(3), flags: 0 }],
      ["domainGetXmlDesc", { dom: ref(3), flags: 0 }],
    ]);
    expect([dom.name, dom.uuid, dom.id]).toEqual(["vm1", UUID, 3]);
    expect(JSON.stringify(dom)).toBe(`{"name":"vm1","uuid":"${UUID}","id":3}`);
  });

  it("looks up by id, UUID or name, told by the key's form", async () => {
    const { conn, calls } = fake({ domainLookupById: [{ dom: ref(3) }], domainLookupByUuid: [{ dom: ref(3) }], domainLookupByName: [{ dom: ref(3) }] });
    await conn.domain(3);
    await conn.domain(UUID);
    await conn.domain("vm1");
    expect(calls.map(([m]) => m)).toEqual(["domainLookupById", "domainLookupByUuid", "domainLookupByName"]);
    expect(calls[1]![1]).toEqual({ uuid: uuidFromString(UUID) });
  });

  it("count-then-fetch in one call: nparams 0 for the count, then the parameters", async () => {
    const stats = [{ field: "total", value: 8n }, { field: "free", value: 2n }];
    const { conn, calls } = fake({ nodeGetMemoryStats: [{ params: [], nparams: 2 }, { params: stats, nparams: 2 }] });
    expect(await conn.nodeMemoryStats(VIR_NODE_MEMORY_STATS_ALL_CELLS)).toEqual({ total: 8n, free: 2n });
    expect(calls).toEqual([
      ["nodeGetMemoryStats", { nparams: 0, cellNum: -1, flags: 0 }],
      ["nodeGetMemoryStats", { nparams: 2, cellNum: -1, flags: 0 }],
    ]);
  });

  it("a typed-parameter setter takes each field's type from its getter's reply, as libvirt-python does", async () => {
    const { conn, calls } = fake({
      domainLookupByName: [{ dom: ref(3) }],
      connectSupportsFeature: [{ supported: 1 }],
      domainGetSchedulerParametersFlags: [{ params: [{ field: "weight", value: { type: 2, ui: 50 } }] }],
      domainSetSchedulerParametersFlags: [undefined],
    });
    const dom = await conn.domain("vm1");
    await dom.setSchedulerParameters({ weight: 100 });
    expect(calls.slice(1)).toEqual([
      // The getter asks for string fields too (VIR_TYPED_PARAM_STRING_OKAY), as libvirt's C API does.
      ["connectSupportsFeature", { feature: 9 }],
      ["domainGetSchedulerParametersFlags", { dom: ref(3), nparams: 16, flags: 4 }],
      ["domainSetSchedulerParametersFlags", { dom: ref(3), params: [{ field: "weight", value: { type: 2, ui: 100 } }], flags: 0 }],
    ]);
  });

  it("the id follows start (from the reply) and stop (looked up; -1 once the daemon forgets it)", async () => {
    const { conn, calls } = fake({
      domainLookupByName: [{ dom: ref(-1) }],
      domainCreateWithFlags: [{ dom: ref(7) }, { dom: ref(8) }],
      domainDestroyFlags: [undefined, undefined],
      domainLookupByUuid: [{ dom: ref(-1) }, noDomain()],
      domainGetState: [{ state: VIR_DOMAIN_SHUTOFF, reason: 0 }],
    });
    const dom = await conn.domain("vm1");
    await dom.create();
    expect(dom.id).toBe(7);
    await dom.destroy();
    expect(dom.id).toBe(-1);
    // Started again, then destroyed as a transient domain: the lookup after the stop finds nothing.
    await dom.create();
    expect(dom.id).toBe(8);
    await dom.destroy();
    expect(dom.id).toBe(-1);
    expect([dom.name, dom.uuid]).toEqual(["vm1", UUID]);
    expect(await dom.state()).toEqual({ state: VIR_DOMAIN_SHUTOFF, reason: 0 });
    expect(calls.map(([m]) => m)).toEqual([
      "domainLookupByName",
      "domainCreateWithFlags", "domainDestroyFlags", "domainLookupByUuid",
      "domainCreateWithFlags", "domainDestroyFlags", "domainLookupByUuid",
      "domainGetState",
    ]);
  });

  it("a failed call names its procedure and carries the caller's frames", async () => {
    const { conn } = fake({ domainLookupByName: [noDomain()] });
    const e = (await conn.domain("nope").catch((x: unknown) => x)) as LibvirtError;
    expect(e).toBeInstanceOf(LibvirtError);
    expect(e.code).toBe("VIR_ERR_NO_DOMAIN");
    expect(e.procedure).toBe("REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID");
    expect(e.stack).toMatch(/--- called from ---\n[\s\S]*friendly\.test\.ts/);
  });
});
