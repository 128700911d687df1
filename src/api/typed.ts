/**
 * libvirt's typed parameters (`virTypedParameter`, remote_typed_param) as
 * plain objects: `{ cpu_shares: 1024n, vcpu_quota: -1n }`. Each value keeps
 * its wire type, held beside the object (`typeOf`), so an object read from
 * the daemon can be changed and sent back as it came. To send a value of a
 * stated type, wrap it: `typed.ullong(5n)`; a plain value takes the type
 * the daemon's own parameter table gives (setters with a getter read it
 * first, as libvirt-python does), else the one libvirt's headers give (for
 * setters without a getter: block copy, migration, save, ...), else a type
 * guessed from the JS value. A field libvirt takes several times
 * (`migrate_disks`) is an array both ways.
 *
 * JSON: 64-bit values are bigints (exact); an object from the daemon
 * serializes itself with them as decimal strings, as protobuf's JSON
 * mapping writes 64-bit integers.
 */
import type { RemoteTypedParam, RemoteTypedParamValue } from "../gen/remote_protocol.js";
import { VirTypedParameterType as T } from "../gen/libvirt_common.js";
import { typedParamValue, type TypedParamType, type TypedScalar } from "../typed-param.js";
import { TypedParamError } from "./errors.js";

export type { TypedParamType, TypedScalar };

/** A value with its type stated (`typed.uint(5)`). */
export interface TypedValue<V extends TypedScalar = TypedScalar> {
  readonly type: TypedParamType;
  readonly value: V;
}

/** One value of a typed parameter as read: a field the daemon sent more than once reads as an array. */
export type TypedParamValue = TypedScalar | TypedScalar[];
/** Typed parameters as the daemon sent them: field -> value. */
export type TypedParams = Record<string, TypedParamValue>;
/** What one field of a setter takes: a plain value, a value with its type stated, or an array (the field once per element). */
export type ParamInput = TypedScalar | TypedValue | readonly (TypedScalar | TypedValue)[];
/** What a setter takes: plain values, or values with their type stated. */
export type TypedParamsInput = Readonly<Record<string, ParamInput | undefined>>;
/** A plain value that a field of type `T` takes (the generated parameter types use it). */
export type ParamIn<T extends TypedParamType> = (T extends "int" | "uint" | "double" ? number : T extends "llong" | "ullong" ? number | bigint : T extends "boolean" ? boolean : string) | TypedValue;
/** A setter's fields as libvirt's headers type them (generated in src/gen/friendly/params.ts). */
export type ParamTable = Readonly<Record<string, { readonly type: TypedParamType; readonly repeat: boolean }>>;

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
 * The wire's list as a plain object. A field sent more than once
 * (`virTypedParamsAdd*` allows it; libvirt's multiple fields) reads as an
 * array of its values, in the order sent.
 */
export function fromTypedParams(list: readonly RemoteTypedParam[]): TypedParams {
  const out: TypedParams = {};
  const t: Record<string, TypedParamType> = {};
  for (const p of list) {
    const v = typedParamValue(p.value);
    const had = out[p.field];
    out[p.field] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
    t[p.field] = names[p.value.type] ?? "string";
  }
  types.set(out, t);
  // Not enumerable: the object still spreads and compares as the plain record it is.
  Object.defineProperty(out, "toJSON", {
    value: () => Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.isArray(v) ? v.map(jsonScalar) : jsonScalar(v)])),
    enumerable: false,
  });
  return out;
}

function jsonScalar(v: TypedScalar): TypedScalar {
  return typeof v === "bigint" ? v.toString() : v;
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

/** The C ranges: a value outside its type's fails here, naming the field, not in the XDR encoder. */
const RANGES: Record<"int" | "uint" | "llong" | "ullong", readonly [bigint, bigint]> = {
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  uint: [0n, 2n ** 32n - 1n],
  llong: [-(2n ** 63n), 2n ** 63n - 1n],
  ullong: [0n, 2n ** 64n - 1n],
};

/** An integer of a C integer type, from a JS integer (number or bigint) within its range. */
function integer(field: string, type: keyof typeof RANGES, v: TypedScalar): bigint {
  const n = typeof v === "bigint" ? v : typeof v === "number" && Number.isInteger(v) ? BigInt(v) : null;
  if (n === null) throw new TypedParamError(field, type, v);
  const [lo, hi] = RANGES[type];
  if (n < lo || n > hi) throw new TypedParamError(field, type, v, `${String(v)} is out of the range of a ${type}`);
  return n;
}

function wire(field: string, type: TypedParamType, v: TypedScalar): RemoteTypedParamValue {
  switch (type) {
    case "int":
      return { type: T.VIR_TYPED_PARAM_INT, i: Number(integer(field, type, v)) };
    case "uint":
      return { type: T.VIR_TYPED_PARAM_UINT, ui: Number(integer(field, type, v)) };
    case "llong":
      return { type: T.VIR_TYPED_PARAM_LLONG, l: integer(field, type, v) };
    case "ullong":
      return { type: T.VIR_TYPED_PARAM_ULLONG, ul: integer(field, type, v) };
    case "double":
      if (typeof v === "number") return { type: T.VIR_TYPED_PARAM_DOUBLE, d: v };
      if (typeof v === "bigint") return { type: T.VIR_TYPED_PARAM_DOUBLE, d: Number(v) };
      break;
    case "boolean":
      if (typeof v === "boolean" || v === 0 || v === 1) return { type: T.VIR_TYPED_PARAM_BOOLEAN, b: v === true || v === 1 ? 1 : 0 };
      break;
    case "string":
      if (typeof v === "string") return { type: T.VIR_TYPED_PARAM_STRING, s: v };
      break;
  }
  throw new TypedParamError(field, type, v);
}

/** A field's type as given to toTypedParams: a name, or a generated table's entry. */
type Known = Readonly<Record<string, TypedParamType | ParamTable[string]>>;

/**
 * A plain object to the wire's list; an array is the field once per
 * element (a field a table marks as taken once rejects one). Each value's
 * type: stated (`typed.*`), else the object's own (it came from the
 * daemon), else `known` (the daemon's table, or the headers' one for a
 * setter without a getter), else guessed from the value. `undefined`
 * values are left out. Throws TypedParamError before anything is sent.
 */
export function toTypedParams(input: TypedParamsInput, known?: Known): RemoteTypedParam[] {
  const own = types.get(input);
  const out: RemoteTypedParam[] = [];
  for (const [field, given] of Object.entries(input)) {
    if (given === undefined) continue;
    const spec = known?.[field];
    const declared = typeof spec === "string" ? spec : spec?.type;
    if (Array.isArray(given) && typeof spec === "object" && !spec.repeat) {
      throw new TypedParamError(field, spec.type, given, `libvirt takes '${field}' once; an array of ${given.length} was given`);
    }
    const values: readonly (TypedScalar | TypedValue)[] = Array.isArray(given) ? given : [given as TypedScalar | TypedValue];
    for (const v of values) {
      if (isTypedValue(v)) out.push({ field, value: wire(field, v.type, v.value) });
      else out.push({ field, value: wire(field, own?.[field] ?? declared ?? guess(v), v) });
    }
  }
  return out;
}

/** The daemon's types for `input`, fetched only when some value's type is not known already. */
export async function typesFor(input: TypedParamsInput, fetch: () => Promise<TypedParams>): Promise<Record<string, TypedParamType>> {
  const own = types.get(input);
  const stated = (v: ParamInput | undefined): boolean => v === undefined || (Array.isArray(v) ? v.every(isTypedValue) : isTypedValue(v));
  if (Object.entries(input).every(([k, v]) => stated(v) || own?.[k] !== undefined)) return {};
  return { ...types.get(await fetch()) };
}
