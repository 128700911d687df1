/**
 * libvirt's typed parameters (`virTypedParameter`, remote_typed_param) as
 * plain objects: `{ cpu_shares: 1024n, vcpu_quota: -1n }`. Each value keeps
 * its wire type, held beside the object (`typeOf`), so an object read from
 * the daemon can be changed and sent back as it came. To send a value of a
 * stated type, wrap it: `typed.ullong(5n)`; a plain value takes the type
 * the daemon's own parameter table gives (setters with a getter read it
 * first, as libvirt-python does), else a type guessed from the JS value.
 *
 * JSON: 64-bit values are bigints (exact); an object from the daemon
 * serializes itself with them as decimal strings, as protobuf's JSON
 * mapping writes 64-bit integers.
 */
import type { RemoteTypedParam, RemoteTypedParamValue } from "../gen/remote_protocol.js";
import { VirTypedParameterType as T } from "../gen/libvirt_common.js";
import { typedParamValue, type TypedScalar } from "../typed-param.js";

export type TypedParamType = "int" | "uint" | "llong" | "ullong" | "double" | "boolean" | "string";
export type { TypedScalar };

/** A value with its type stated (`typed.uint(5)`). */
export interface TypedValue<V extends TypedScalar = TypedScalar> {
  readonly type: TypedParamType;
  readonly value: V;
}

/** Typed parameters as the daemon sent them: field -> value. */
export type TypedParams = Record<string, TypedScalar>;
/** What a setter takes: plain values, or values with their type stated. */
export type TypedParamsInput = Readonly<Record<string, TypedScalar | TypedValue>>;

const TYPE = Symbol("typed");
const typeFor = (type: TypedParamType) => (value: TypedScalar): TypedValue => ({ type, value, [TYPE]: true }) as TypedValue;

/** Values of a stated wire type. */
export const typed = {
  int: typeFor("int") as (n: number) => TypedValue<number>,
  uint: typeFor("uint") as (n: number) => TypedValue<number>,
  llong: typeFor("llong") as (n: bigint) => TypedValue<bigint>,
  ullong: typeFor("ullong") as (n: bigint) => TypedValue<bigint>,
  double: typeFor("double") as (n: number) => TypedValue<number>,
  boolean: typeFor("boolean") as (b: boolean) => TypedValue<boolean>,
  string: typeFor("string") as (s: string) => TypedValue<string>,
};

function isTypedValue(v: unknown): v is TypedValue {
  return typeof v === "object" && v !== null && TYPE in v;
}

/** Types of the objects this module made, kept aside so the object stays plain. */
const types = new WeakMap<object, Readonly<Record<string, TypedParamType>>>();

/** The wire type of a field of an object read from the daemon. */
export function typeOf(params: TypedParams, field: string): TypedParamType | undefined {
  return types.get(params)?.[field];
}

const names: Record<number, TypedParamType> = {
  [T.VIR_TYPED_PARAM_INT]: "int",
  [T.VIR_TYPED_PARAM_UINT]: "uint",
  [T.VIR_TYPED_PARAM_LLONG]: "llong",
  [T.VIR_TYPED_PARAM_ULLONG]: "ullong",
  [T.VIR_TYPED_PARAM_DOUBLE]: "double",
  [T.VIR_TYPED_PARAM_BOOLEAN]: "boolean",
  [T.VIR_TYPED_PARAM_STRING]: "string",
};

/**
 * The wire's list as a plain object. A field sent more than once (a domain
 * stats record may repeat none, but `virTypedParamsAdd*` allows it) keeps
 * its last value.
 */
export function fromTypedParams(list: readonly RemoteTypedParam[]): TypedParams {
  const out: TypedParams = {};
  const t: Record<string, TypedParamType> = {};
  for (const p of list) {
    out[p.field] = typedParamValue(p.value);
    t[p.field] = names[p.value.type] ?? "string";
  }
  types.set(out, t);
  // Not enumerable: the object still spreads and compares as the plain record it is.
  Object.defineProperty(out, "toJSON", {
    value: () => Object.fromEntries(Object.entries(out).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])),
    enumerable: false,
  });
  return out;
}

/** Guessing from the JS value: libvirt's counters and sizes are mostly unsigned. */
function guess(v: TypedScalar): TypedParamType {
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "boolean";
  if (typeof v === "bigint") return v < 0n ? "llong" : "ullong";
  if (!Number.isInteger(v)) return "double";
  // Beyond 32 bits only a 64-bit type holds it (sizes in bytes, bandwidths).
  if (v < 0) return v >= -0x80000000 ? "int" : "llong";
  return v <= 0xffffffff ? "uint" : "ullong";
}

function wire(field: string, type: TypedParamType, v: TypedScalar): RemoteTypedParamValue {
  const bad = (): never => {
    throw new TypeError(`typed parameter ${field}: ${typeof v} ${String(v)} is not a ${type}`);
  };
  switch (type) {
    case "int":
      return { type: T.VIR_TYPED_PARAM_INT, i: typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : bad() };
    case "uint":
      return { type: T.VIR_TYPED_PARAM_UINT, ui: typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : bad() };
    case "llong":
      return { type: T.VIR_TYPED_PARAM_LLONG, l: typeof v === "bigint" ? v : typeof v === "number" && Number.isInteger(v) ? BigInt(v) : bad() };
    case "ullong":
      return { type: T.VIR_TYPED_PARAM_ULLONG, ul: typeof v === "bigint" ? v : typeof v === "number" && Number.isInteger(v) ? BigInt(v) : bad() };
    case "double":
      return { type: T.VIR_TYPED_PARAM_DOUBLE, d: typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : bad() };
    case "boolean":
      return { type: T.VIR_TYPED_PARAM_BOOLEAN, b: typeof v === "boolean" ? (v ? 1 : 0) : v === 0 || v === 1 ? v : bad() };
    case "string":
      return { type: T.VIR_TYPED_PARAM_STRING, s: typeof v === "string" ? v : bad() };
  }
}

/**
 * A plain object to the wire's list. Each value's type: stated
 * (`typed.*`), else the object's own (it came from the daemon), else
 * `known` (the daemon's table), else guessed from the value.
 */
export function toTypedParams(input: TypedParamsInput, known?: Readonly<Record<string, TypedParamType>>): RemoteTypedParam[] {
  const own = types.get(input);
  return Object.entries(input).map(([field, v]) => {
    if (isTypedValue(v)) return { field, value: wire(field, v.type, v.value) };
    return { field, value: wire(field, own?.[field] ?? known?.[field] ?? guess(v), v) };
  });
}

/** The daemon's types for `input`, fetched only when some value's type is not known already. */
export async function typesFor(input: TypedParamsInput, fetch: () => Promise<TypedParams>): Promise<Record<string, TypedParamType>> {
  const own = types.get(input);
  if (Object.entries(input).every(([k, v]) => isTypedValue(v) || own?.[k] !== undefined)) return {};
  return { ...types.get(await fetch()) };
}
