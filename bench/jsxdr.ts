// The bench's messages described in @stellar/js-xdr's DSL, plus converters
// between our plain values and js-xdr's struct/union instances.
//
// Fairness: js-xdr decodes `string<>` to a Buffer view of the input. Our codec
// returns JS strings, so every string here is a `Utf8String`: js-xdr's own
// String type with `read` followed by `buf.toString("utf8")`. Encoding already
// takes JS strings (js-xdr writes them with Buffer#write).

import { createRequire } from "node:module";
import type {
  RemoteConnectListAllDomainsRet,
  RemoteDomainEventGraphicsAddress,
  RemoteDomainEventGraphicsIdentity,
  RemoteDomainEventGraphicsMsg,
  RemoteDomainGetSchedulerParametersFlagsRet,
  RemoteNonnullDomain,
  RemoteTypedParam,
  RemoteTypedParamValue,
} from "../src/gen/remote_protocol.js";

// js-xdr ships CommonJS without type declarations: describe the little we use.
interface JsXdrReader {
  read(n: number): Buffer;
}
interface JsXdrWriter {
  finalize(): Buffer;
}
export interface JsXdrType {
  read(r: JsXdrReader): unknown;
  write(v: unknown, w: JsXdrWriter): void;
  fromXDR(bytes: Uint8Array): unknown;
  toXDR(v: unknown): Buffer;
}
interface JsXdrStructClass extends JsXdrType {
  new (attributes: Record<string, unknown>): JsXdrStruct;
}
interface JsXdrStruct {
  readonly _attributes: Record<string, unknown>;
}
interface JsXdrUnionClass extends JsXdrType {
  new (discriminant: number, value: unknown): JsXdrUnion;
}
interface JsXdrUnion {
  switch(): number;
  value(): unknown;
}
interface JsXdrLargeInt {
  toBigInt(): bigint;
}
type Ref = object;
interface Builder {
  typedef(name: string, t: Ref): void;
  struct(name: string, fields: [string, Ref][]): void;
  union(name: string, cfg: { switchOn: Ref; switchName: string; switches: [number, string][]; arms: Record<string, Ref> }): void;
  lookup(name: string): Ref;
  int(): Ref;
  uint(): Ref;
  hyper(): Ref;
  uhyper(): Ref;
  double(): Ref;
  opaque(n: number): Ref;
  varArray(t: Ref, max: number): Ref;
}
interface JsXdrLib {
  config(fn: (x: Builder) => void): Record<string, unknown>;
  String: new (max: number) => { read(r: JsXdrReader): Buffer };
  XdrWriter: new (buffer: Buffer) => JsXdrWriter;
}

const require = createRequire(import.meta.url);
const lib = require("@stellar/js-xdr") as JsXdrLib;

/** The version actually loaded, for the report. */
export const jsXdrVersion = (require("@stellar/js-xdr/package.json") as { version: string }).version;

const REMOTE_STRING_MAX = 4194304;

class Utf8String extends lib.String {
  override read(r: JsXdrReader): Buffer {
    // Declared as Buffer to satisfy the base; it is a string at run time.
    return super.read(r).toString("utf8") as unknown as Buffer;
  }
}

const t = lib.config((x) => {
  x.typedef("remote_nonnull_string", new Utf8String(REMOTE_STRING_MAX));
  x.typedef("remote_uuid", x.opaque(16));
  const str = x.lookup("remote_nonnull_string");
  x.struct("remote_nonnull_domain", [
    ["name", str],
    ["uuid", x.lookup("remote_uuid")],
    ["id", x.int()],
  ]);
  x.struct("remote_domain_event_graphics_address", [
    ["family", x.int()],
    ["node", str],
    ["service", str],
  ]);
  x.struct("remote_domain_event_graphics_identity", [
    ["type", str],
    ["name", str],
  ]);
  x.struct("remote_domain_event_graphics_msg", [
    ["dom", x.lookup("remote_nonnull_domain")],
    ["phase", x.int()],
    ["local", x.lookup("remote_domain_event_graphics_address")],
    ["remote", x.lookup("remote_domain_event_graphics_address")],
    ["authScheme", str],
    ["subject", x.varArray(x.lookup("remote_domain_event_graphics_identity"), 20)],
  ]);
  x.struct("remote_connect_list_all_domains_ret", [
    ["domains", x.varArray(x.lookup("remote_nonnull_domain"), 16384)],
    ["ret", x.uint()],
  ]);
  x.union("remote_typed_param_value", {
    switchOn: x.int(),
    switchName: "type",
    switches: [
      [1, "i"],
      [2, "ui"],
      [3, "l"],
      [4, "ul"],
      [5, "d"],
      [6, "b"],
      [7, "s"],
    ],
    arms: { i: x.int(), ui: x.uint(), l: x.hyper(), ul: x.uhyper(), d: x.double(), b: x.int(), s: str },
  });
  x.struct("remote_typed_param", [
    ["field", str],
    ["value", x.lookup("remote_typed_param_value")],
  ]);
  x.struct("remote_domain_get_scheduler_parameters_flags_ret", [
    ["params", x.varArray(x.lookup("remote_typed_param"), 16)],
  ]);
});

function structType(name: string): JsXdrStructClass {
  return t[name] as JsXdrStructClass;
}

const Domain = structType("remote_nonnull_domain");
const Address = structType("remote_domain_event_graphics_address");
const Identity = structType("remote_domain_event_graphics_identity");
const GraphicsMsg = structType("remote_domain_event_graphics_msg");
const ListAllDomainsRet = structType("remote_connect_list_all_domains_ret");
const TypedParamValue = t["remote_typed_param_value"] as JsXdrUnionClass;
const TypedParam = structType("remote_typed_param");
const SchedulerParamsRet = structType("remote_domain_get_scheduler_parameters_flags_ret");

/** A js-xdr writer over `scratch`, so encoding does not pay for a fresh 8 KiB buffer each time. */
export function jsXdrWriter(scratch: Buffer): JsXdrWriter {
  return new lib.XdrWriter(scratch);
}

// --- ours -> js-xdr (done once, outside the timed loops) ---

// js-xdr copies a non-Buffer opaque through Buffer.from on every write.
const buf = (u: Uint8Array): Buffer => Buffer.from(u);

const toDomain = (d: RemoteNonnullDomain): JsXdrStruct => new Domain({ name: d.name, uuid: buf(d.uuid), id: d.id });
const toAddress = (a: RemoteDomainEventGraphicsAddress): JsXdrStruct =>
  new Address({ family: a.family, node: a.node, service: a.service });
const toIdentity = (i: RemoteDomainEventGraphicsIdentity): JsXdrStruct => new Identity({ type: i.type, name: i.name });

function toTypedParamValue(v: RemoteTypedParamValue): JsXdrUnion {
  switch (v.type) {
    case 1:
      return new TypedParamValue(1, v.i);
    case 2:
      return new TypedParamValue(2, v.ui);
    case 3:
      return new TypedParamValue(3, v.l);
    case 4:
      return new TypedParamValue(4, v.ul);
    case 5:
      return new TypedParamValue(5, v.d);
    case 6:
      return new TypedParamValue(6, v.b);
    case 7:
      return new TypedParamValue(7, v.s);
  }
}

const toTypedParam = (p: RemoteTypedParam): JsXdrStruct =>
  new TypedParam({ field: p.field, value: toTypedParamValue(p.value) });

// --- js-xdr -> ours (only to check decoded values, never timed) ---

const attrs = (s: unknown): Record<string, unknown> => (s as JsXdrStruct)._attributes;
const u8 = (b: unknown): Uint8Array => new Uint8Array(b as Buffer);

function fromDomain(s: unknown): RemoteNonnullDomain {
  const a = attrs(s);
  return { name: a["name"] as string, uuid: u8(a["uuid"]), id: a["id"] as number };
}

function fromAddress(s: unknown): RemoteDomainEventGraphicsAddress {
  const a = attrs(s);
  return { family: a["family"] as number, node: a["node"] as string, service: a["service"] as string };
}

function fromIdentity(s: unknown): RemoteDomainEventGraphicsIdentity {
  const a = attrs(s);
  return { type: a["type"] as string, name: a["name"] as string };
}

function fromTypedParamValue(u: unknown): RemoteTypedParamValue {
  const un = u as JsXdrUnion;
  const v = un.value();
  switch (un.switch()) {
    case 1:
      return { type: 1, i: v as number };
    case 2:
      return { type: 2, ui: v as number };
    case 3:
      return { type: 3, l: (v as JsXdrLargeInt).toBigInt() };
    case 4:
      return { type: 4, ul: (v as JsXdrLargeInt).toBigInt() };
    case 5:
      return { type: 5, d: v as number };
    case 6:
      return { type: 6, b: v as number };
    case 7:
      return { type: 7, s: v as string };
    default:
      throw new Error(`unexpected typed param type ${un.switch()}`);
  }
}

export interface JsXdrMessage<T> {
  type: JsXdrType;
  /** Our value as js-xdr wants it. */
  from(v: T): unknown;
  /** js-xdr's decoded value back in our conventions. */
  to(v: unknown): T;
}

export const graphicsMsg: JsXdrMessage<RemoteDomainEventGraphicsMsg> = {
  type: GraphicsMsg,
  from: (v) =>
    new GraphicsMsg({
      dom: toDomain(v.dom),
      phase: v.phase,
      local: toAddress(v.local),
      remote: toAddress(v.remote),
      authScheme: v.authScheme,
      subject: v.subject.map(toIdentity),
    }),
  to: (s) => {
    const a = attrs(s);
    return {
      dom: fromDomain(a["dom"]),
      phase: a["phase"] as number,
      local: fromAddress(a["local"]),
      remote: fromAddress(a["remote"]),
      authScheme: a["authScheme"] as string,
      subject: (a["subject"] as unknown[]).map(fromIdentity),
    };
  },
};

export const listAllDomainsRet: JsXdrMessage<RemoteConnectListAllDomainsRet> = {
  type: ListAllDomainsRet,
  from: (v) => new ListAllDomainsRet({ domains: v.domains.map(toDomain), ret: v.ret }),
  to: (s) => {
    const a = attrs(s);
    return { domains: (a["domains"] as unknown[]).map(fromDomain), ret: a["ret"] as number };
  },
};

export const schedulerParamsRet: JsXdrMessage<RemoteDomainGetSchedulerParametersFlagsRet> = {
  type: SchedulerParamsRet,
  from: (v) => new SchedulerParamsRet({ params: v.params.map(toTypedParam) }),
  to: (s) => ({
    params: (attrs(s)["params"] as unknown[]).map((p) => {
      const a = attrs(p);
      return { field: a["field"] as string, value: fromTypedParamValue(a["value"]) };
    }),
  }),
};
