/**
 * Seeded random values for any type of a codegen Model, in the shapes the
 * generated codecs take (see src/gen): numbers for int/uint/float/double/
 * char/short/enums, bigint for hypers, boolean for bool, string, Uint8Array
 * for opaques, arrays, `null` for an absent optional, `{ disc, arm }` for
 * unions. Everything is driven by the model, nothing by hand, so the same
 * generator serves the C differential test and fuzzing.
 *
 * Deterministic: the same model, type, seed and options give the same value.
 *
 * Choices made here:
 * - Strings never contain U+0000 (C's xdr_string is strlen-based, so libvirt
 *   cannot carry it) and never lone surrogates (not representable in UTF-8);
 *   they do contain 2-, 3- and 4-byte UTF-8 sequences, and a string of
 *   "length n" is exactly n UTF-8 bytes.
 * - NaN is generated only as the canonical quiet NaN: a JS number cannot be
 *   trusted to keep a NaN payload, so payload bits are not part of the
 *   contract. Equality (see equal.ts) is Object.is: NaN equals NaN, and
 *   -0 differs from +0 (XDR carries the sign bit; -0 is generated).
 * - Huge `<max>`es are capped (ValueOptions caps); cappedLimits lists them.
 * - With `openEnums`, enums also take values the `.x` does not list (and
 *   such a value reaches a union's default arm), as libvirt's C does:
 *   rpcgen's xdr_enum is xdr_int. Encoding those needs a writer passed to
 *   openEnums (src/xdr/enums.ts); the default writer refuses them.
 */
import type { EnumDef, Field, Model, StructDef, Sym, TypeDef, UnionDef, Wire } from "../../codegen/model.js";
import { MinSizes } from "../../codegen/sizes.js";

// ---------------------------------------------------------------- PRNG

export interface Rng {
  /** A uniform 32-bit unsigned integer. */
  u32(): number;
  /** A uniform integer in [0, bound), bound <= 2^32. */
  below(bound: number): number;
  /** A uniform integer in [lo, hi]. */
  between(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  bytes(n: number): Uint8Array;
}

/**
 * xoshiro128** seeded through splitmix32: small, fast, and good enough for
 * test data; a string seed is hashed (FNV-1a) first.
 */
export function seededRng(seed: number | string): Rng {
  let x = typeof seed === "number" ? seed >>> 0 : fnv1a(seed);
  const split = (): number => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let s0 = split();
  let s1 = split();
  let s2 = split();
  let s3 = split();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  const u32 = (): number => {
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return r;
  };
  const below = (bound: number): number => {
    if (bound <= 1) return 0;
    // Rejection keeps it unbiased.
    const limit = 0x100000000 - (0x100000000 % bound);
    for (;;) {
      const v = u32();
      if (v < limit) return v % bound;
    }
  };
  return {
    u32,
    below,
    between: (lo, hi) => lo + below(hi - lo + 1),
    chance: (p) => u32() < p * 0x100000000,
    pick: (items) => {
      if (items.length === 0) throw new Error("pick from nothing");
      return items[below(items.length)]!;
    },
    bytes: (n) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i += 4) {
        const v = u32();
        out[i] = v;
        if (i + 1 < n) out[i + 1] = v >>> 8;
        if (i + 2 < n) out[i + 2] = v >>> 16;
        if (i + 3 < n) out[i + 3] = v >>> 24;
      }
      return out;
    },
  };
}

function rotl(v: number, k: number): number {
  return (v << k) | (v >>> (32 - k));
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

// ---------------------------------------------------------------- model lookup

export type TypeOrEnum = TypeDef | EnumDef;

const indexes = new WeakMap<Model, Map<string, TypeOrEnum>>();

function index(model: Model): Map<string, TypeOrEnum> {
  let idx = indexes.get(model);
  if (idx === undefined) {
    idx = new Map();
    for (const m of model.modules) for (const d of [...m.enums, ...m.types]) idx.set(`${m.name}.${d.name}`, d);
    indexes.set(model, idx);
  }
  return idx;
}

/** The definition a symbol names; throws when the model lacks it. */
export function lookup(model: Model, sym: Sym): TypeOrEnum {
  const d = index(model).get(`${sym.module}.${sym.name}`);
  if (d === undefined) throw new Error(`no type ${sym.module}.${sym.name} in the model`);
  return d;
}

/** The wire shape of a named type, as a field referring to it would have. */
export function wireOf(model: Model, sym: Sym): Wire {
  const d = lookup(model, sym);
  switch (d.kind) {
    case "enum":
      return { k: "enum", ref: sym };
    case "struct":
      return { k: "struct", ref: sym };
    case "union":
      return { k: "union", ref: sym };
    case "typedef":
      return d.wire;
  }
}

// ---------------------------------------------------------------- unions

/** One way to fill a union: a discriminant value and the arm it selects. */
export interface UnionChoice {
  discriminant: number | boolean;
  /** null: a void arm. */
  field: Field | null;
  /** Index into `arms`, or -1 for the default arm. */
  arm: number;
}

/**
 * Every case label of every arm, plus one value that reaches the default arm
 * (when there is one and some discriminant value is left for it).
 */
export function unionChoices(model: Model, u: UnionDef, opts: { openEnums?: boolean } = {}): UnionChoice[] {
  const isBool = u.discriminant.wire.k === "bool";
  const disc = (n: number): number | boolean => (isBool ? n !== 0 : n);
  const out: UnionChoice[] = [];
  const used = new Set<number>();
  u.arms.forEach((a, i) => {
    for (const c of a.cases) {
      used.add(c.value);
      out.push({ discriminant: disc(c.value), field: a.field, arm: i });
    }
  });
  if (u.default !== undefined) {
    const free = defaultDiscriminant(model, u.discriminant.wire, used, opts.openEnums === true);
    if (free !== null) out.push({ discriminant: disc(free), field: u.default, arm: -1 });
  }
  return out;
}

function defaultDiscriminant(model: Model, w: Wire, used: Set<number>, openEnums: boolean): number | null {
  const firstFree = (candidates: Iterable<number>): number | null => {
    for (const c of candidates) if (!used.has(c)) return c;
    return null;
  };
  switch (w.k) {
    case "enum": {
      const e = lookup(model, w.ref) as EnumDef;
      // An open enum's values outside the .x go to the default arm too, in C as here.
      return firstFree(chain(e.members.map((m) => m.value), openEnums ? outsideValues(e) : []));
    }
    case "bool":
      return firstFree([0, 1]);
    case "ranged":
      return firstFree(counting(w.min, w.max));
    case "uint":
      return firstFree(chain([0x7fffffff, 0xffffffff], counting(0, 0xffffffff)));
    default:
      return firstFree(chain([0x7fffffff, -0x80000000, -1], counting(0, 0x7fffffff)));
  }
}

// Lazy: the candidate ranges are far too big to spread into arrays.
function* counting(from: number, to: number): Generator<number> {
  for (let i = from; i <= to; i++) yield i;
}

function* chain(first: Iterable<number>, then: Iterable<number>): Generator<number> {
  yield* first;
  yield* then;
}

// ---------------------------------------------------------------- coverage

/**
 * Round-robin state shared by the values generated with it: each union type
 * cycles through its choices and each enum through its members, so N values
 * of a type reach every arm of any union (or enum) with at most N choices.
 * Also records what was reached, numeric edge values included.
 */
export class Coverage {
  private readonly turns = new Map<string, number>();
  /**
   * `module.name` of a union or enum -> choice indices / member values
   * reached; `number:<kind>` -> indices into numberEdges reached.
   */
  readonly reached = new Map<string, Set<number>>();

  turn(key: string, n: number): number {
    const t = this.turns.get(key) ?? 0;
    this.turns.set(key, t + 1);
    return t % n;
  }

  mark(key: string, v: number): void {
    let s = this.reached.get(key);
    if (s === undefined) this.reached.set(key, (s = new Set()));
    s.add(v);
  }

  /** Folds another tracker's reached sets into this one. */
  merge(other: Coverage): void {
    for (const [k, vs] of other.reached) for (const v of vs) this.mark(k, v);
  }
}

// ---------------------------------------------------------------- values

/** empty: shortest everything, absent optionals, zero numbers; full: longest (capped), present optionals, extreme numbers. */
export type Shape = "empty" | "full" | "random";

export interface Caps {
  /** Longest string or variable opaque, in bytes. */
  bytes: number;
  /** Most elements of a variable array whose elements are structs, unions, strings, ... */
  elements: number;
  /** Most elements of a variable array of 4- or 8-byte scalars (char label<4097> fits). */
  scalarElements: number;
}

export const DEFAULT_CAPS: Readonly<Caps> = { bytes: 64 * 1024, elements: 256, scalarElements: 16 * 1024 };

export interface ValueOptions {
  shape?: Shape;
  caps?: Partial<Caps>;
  /**
   * Rough limit on one value's encoded size: once spent, lengths and counts
   * shrink, so a "full" array of structs of strings stays reasonable.
   * Default 256 KiB.
   */
  budget?: number;
  /** Optional/array nesting beyond which optionals are absent and arrays empty. Default 8. */
  maxDepth?: number;
  /** Shared round-robin for union arms and enum members; a fresh one per call if omitted. */
  cover?: Coverage;
  /** "ascii" keeps strings to U+0001..U+007F. Default "unicode". */
  text?: "unicode" | "ascii";
  /**
   * Enums take, in turn with their members, values the `.x` does not list
   * (see outsideValues); union default arms are reached with them too.
   * Default false: the default writer refuses such values.
   */
  openEnums?: boolean;
}

/** A value of `sym` (any enum, struct, union or typedef of the model). */
export function randomValue(model: Model, sym: Sym, rng: Rng, opts: ValueOptions = {}): unknown {
  return new ValueMaker(model, rng, opts).value(wireOf(model, sym), 0, opts.shape ?? "random");
}

/** A value of any wire shape (for fields, or shapes not named in the model). */
export function randomWireValue(model: Model, wire: Wire, rng: Rng, opts: ValueOptions = {}): unknown {
  return new ValueMaker(model, rng, opts).value(wire, 0, opts.shape ?? "random");
}

const I32_MIN = -0x80000000;
const I32_MAX = 0x7fffffff;
const U32_MAX = 0xffffffff;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

const INTS = [0, 1, -1, I32_MAX, I32_MIN];
const UINTS = [0, 1, U32_MAX, 0x80000000];
const HYPERS = [0n, 1n, -1n, I64_MAX, I64_MIN, 2n ** 32n];
const UHYPERS = [0n, 1n, U64_MAX, 2n ** 63n, 2n ** 32n];
const DOUBLES = [0, -0, 1, -1.5, Number.NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, Number.EPSILON, 2 ** 53 + 2];
/** Float32 extremes: smallest denormal, largest finite. */
const FLOATS = [0, -0, 1, -1.5, Number.NaN, Infinity, -Infinity, 2 ** -149, -(2 ** -149), Math.fround(3.4028234663852886e38)];

class ValueMaker {
  private readonly caps: Caps;
  private budget: number;
  private readonly maxDepth: number;
  private readonly cover: Coverage;
  private readonly ascii: boolean;
  private readonly openEnums: boolean;
  private readonly minSizes: MinSizes;

  constructor(
    private readonly model: Model,
    private readonly rng: Rng,
    opts: ValueOptions,
  ) {
    this.caps = { ...DEFAULT_CAPS, ...opts.caps };
    this.minSizes = new MinSizes((s) => lookup(model, s));
    this.budget = opts.budget ?? 256 * 1024;
    this.maxDepth = opts.maxDepth ?? 8;
    this.cover = opts.cover ?? new Coverage();
    this.ascii = opts.text === "ascii";
    this.openEnums = opts.openEnums === true;
  }

  value(w: Wire, depth: number, shape: Shape): unknown {
    const { rng } = this;
    switch (w.k) {
      case "int":
        return this.number(shape, w, INTS, () => rng.u32() | 0);
      case "uint":
        return this.number(shape, w, UINTS, () => rng.u32());
      case "hyper":
        return this.number(shape, w, HYPERS, () => BigInt.asIntN(64, this.u64()));
      case "uhyper":
        return this.number(shape, w, UHYPERS, () => this.u64());
      case "double":
        return this.number(shape, w, DOUBLES, () => this.double());
      case "float":
        return this.number(shape, w, FLOATS, () => this.float());
      case "bool":
        return shape === "empty" ? false : shape === "full" ? true : rng.chance(0.5);
      case "ranged":
        return this.number(shape, w, rangedEdges(w.min, w.max), () => rng.between(w.min, w.max));
      case "string":
        return this.string(this.length(shape, w.max, this.caps.bytes, 1));
      case "opaque":
        return this.opaque(this.length(shape, w.max, this.caps.bytes, 1), shape);
      case "fixedOpaque":
        this.budget -= w.size;
        return this.opaque(w.size, shape);
      case "array": {
        const scalar = isScalar(w.of);
        const per = this.minSizes.of(w.of);
        const n = depth >= this.maxDepth ? 0 : this.length(shape, w.max, scalar ? this.caps.scalarElements : this.caps.elements, per);
        const out: unknown[] = [];
        for (let i = 0; i < n; i++) out.push(this.value(w.of, depth + 1, shape));
        return out;
      }
      case "fixedArray": {
        const out: unknown[] = [];
        for (let i = 0; i < w.size; i++) out.push(this.value(w.of, depth + 1, shape));
        return out;
      }
      case "optional": {
        const present = depth < this.maxDepth && (shape === "full" || (shape === "random" && rng.chance(0.5)));
        return present ? this.value(w.of, depth + 1, shape) : null;
      }
      case "enum": {
        const e = lookup(this.model, w.ref) as EnumDef;
        const key = `${w.ref.module}.${w.ref.name}`;
        // Open: one turn in members+1 is a value outside the .x, those cycling too.
        const i = this.cover.turn(key, e.members.length + (this.openEnums ? 1 : 0));
        const outside = outsideValues(e);
        const v = i < e.members.length ? e.members[i]!.value : outside[this.cover.turn(`${key}:outside`, outside.length)]!;
        this.cover.mark(key, v);
        return v;
      }
      case "struct": {
        const s = lookup(this.model, w.ref) as StructDef;
        const out: Record<string, unknown> = {};
        for (const f of s.fields) out[f.name] = this.value(f.wire, depth, shape);
        return out;
      }
      case "union": {
        const u = lookup(this.model, w.ref) as UnionDef;
        const choices = unionChoices(this.model, u, { openEnums: this.openEnums });
        const key = `${w.ref.module}.${w.ref.name}`;
        const i = this.cover.turn(key, choices.length);
        const c = choices[i]!;
        this.cover.mark(key, i);
        const out: Record<string, unknown> = { [u.discriminant.name]: c.discriminant };
        if (c.field !== null) out[c.field.name] = this.value(c.field.wire, depth, shape);
        return out;
      }
    }
  }

  private number<T>(shape: Shape, w: Wire, edges: readonly T[], uniform: () => T): T {
    const key = numberKey(w);
    let i: number;
    if (shape === "empty") i = 0;
    // "full" walks the non-zero edges in turn.
    else if (shape === "full") i = edges.length > 1 ? 1 + this.cover.turn(`${key}:full`, edges.length - 1) : 0;
    else {
      // Round-robin over every edge then one uniform draw: N+1 values of a
      // type reach all N edges of each numeric field they visit.
      i = this.cover.turn(key, edges.length + 1);
      if (i === edges.length) return uniform();
    }
    this.cover.mark(key, i);
    return edges[i]!;
  }

  private u64(): bigint {
    return (BigInt(this.rng.u32()) << 32n) | BigInt(this.rng.u32());
  }

  private double(): number {
    if (this.rng.chance(0.5)) {
      const v = new DataView(this.rng.bytes(8).buffer).getFloat64(0);
      return Number.isNaN(v) ? Number.NaN : v;
    }
    return (this.rng.u32() / 0x100000000 - 0.5) * 10 ** this.rng.between(-6, 12);
  }

  private float(): number {
    const v = new DataView(this.rng.bytes(4).buffer).getFloat32(0);
    return Number.isNaN(v) ? Number.NaN : v;
  }

  /**
   * How many bytes or elements: the capped max for "full", 0 for "empty",
   * mostly short with occasional capped-max ones for "random". `per` is the
   * smallest encoded size of one unit, charged to the budget.
   */
  private length(shape: Shape, max: number, cap: number, per: number): number {
    const room = Math.floor(Math.max(0, this.budget) / Math.max(1, per));
    const top = Math.min(max, cap, room);
    let n: number;
    if (shape === "empty") n = 0;
    else if (shape === "full") n = top;
    else {
      // Mostly short; now and then up to a few KiB, or the capped max itself.
      const r = this.rng.below(100);
      if (r < 15) n = 0;
      else if (r < 35) n = this.rng.between(1, 4);
      else if (r < 70) n = this.rng.between(5, 40);
      else if (r < 88) n = this.rng.between(41, 256);
      else if (r < 97) n = this.rng.between(0, Math.min(top, 4096));
      else n = top;
      n = Math.min(n, top);
    }
    this.budget -= n * per;
    return n;
  }

  private opaque(n: number, shape: Shape): Uint8Array {
    if (shape === "empty") return new Uint8Array(n);
    if (shape === "full") return new Uint8Array(n).fill(0xff);
    return this.rng.bytes(n);
  }

  /**
   * A string of exactly `n` UTF-8 bytes, no U+0000, no lone surrogates. Long
   * ones repeat a random 4 KiB segment: cheap, and the length is what counts.
   */
  private string(n: number): string {
    const SEGMENT = 4096;
    if (n > 2 * SEGMENT) return this.text(SEGMENT).repeat(Math.floor(n / SEGMENT) - 1) + this.text(SEGMENT + (n % SEGMENT));
    return this.text(n);
  }

  private text(n: number): string {
    const { rng } = this;
    const cps: number[] = [];
    let left = n;
    while (left > 0) {
      const size = this.ascii || rng.chance(0.7) ? 1 : rng.between(2, Math.min(4, left));
      if (size > left) continue;
      let cp: number;
      if (size === 1) cp = rng.chance(0.9) ? rng.between(0x20, 0x7e) : rng.between(0x01, 0x7f);
      else if (size === 2) cp = rng.between(0x80, 0x7ff);
      else if (size === 3) {
        cp = rng.between(0x800, 0xffff - 0x800);
        if (cp >= 0xd800) cp += 0x800; // skip the surrogate block
      } else cp = rng.between(0x10000, 0x10ffff);
      cps.push(cp);
      left -= size;
    }
    let s = "";
    for (let i = 0; i < cps.length; i += 4096) s += String.fromCodePoint(...cps.slice(i, i + 4096));
    return s;
  }

}

/**
 * 32-bit values an enum does not list, nearest and farthest first: one past
 * each end, then the int32 extremes. What a newer peer's new member, or a
 * garbled one, looks like.
 */
export function outsideValues(e: EnumDef): number[] {
  const values = new Set(e.members.map((m) => m.value));
  const max = Math.max(...values);
  const min = Math.min(...values);
  const candidates = [max + 1, min - 1, I32_MAX, I32_MIN];
  return [...new Set(candidates)].filter((v) => v >= I32_MIN && v <= I32_MAX && !values.has(v));
}

function rangedEdges(min: number, max: number): number[] {
  return [...new Set([0, min, max, 1, min < 0 ? -1 : max - 1])];
}

/** The Coverage key under which edge values of a numeric wire are marked. */
export function numberKey(w: Wire): string {
  return w.k === "ranged" ? `number:${w.cname}` : `number:${w.k}`;
}

/**
 * The edge values the generator mixes in for a numeric wire (0 first), or
 * null for non-numeric wires. Coverage marks indices into this list.
 */
export function numberEdges(w: Wire): readonly (number | bigint)[] | null {
  switch (w.k) {
    case "int":
      return INTS;
    case "uint":
      return UINTS;
    case "hyper":
      return HYPERS;
    case "uhyper":
      return UHYPERS;
    case "double":
      return DOUBLES;
    case "float":
      return FLOATS;
    case "ranged":
      return rangedEdges(w.min, w.max);
    default:
      return null;
  }
}

function isScalar(w: Wire): boolean {
  switch (w.k) {
    case "int":
    case "uint":
    case "hyper":
    case "uhyper":
    case "float":
    case "double":
    case "bool":
    case "ranged":
    case "enum":
      return true;
    default:
      return false;
  }
}

// ---------------------------------------------------------------- reporting

export interface CappedLimit {
  /** Where the limit is declared: a typedef name, or `struct.field` / `union.arm`. */
  where: string;
  kind: "string" | "opaque" | "array";
  declared: number;
  used: number;
}

/**
 * Every declared `<max>` of the given modules that the caps cut down. A
 * limit declared on a typedef (remote_nonnull_string) is listed once, under
 * the typedef, not under every field that uses it.
 */
export function cappedLimits(model: Model, modules?: readonly string[], caps: Partial<Caps> = {}): CappedLimit[] {
  const c = { ...DEFAULT_CAPS, ...caps };
  const out: CappedLimit[] = [];
  const walk = (w: Wire, where: string): void => {
    if (w.alias !== undefined) return; // reported at the typedef
    switch (w.k) {
      case "string":
      case "opaque":
        if (w.max > c.bytes) out.push({ where, kind: w.k, declared: w.max, used: c.bytes });
        return;
      case "array": {
        const cap = isScalar(w.of) ? c.scalarElements : c.elements;
        if (w.max > cap) out.push({ where, kind: "array", declared: w.max, used: cap });
        walk(w.of, `${where}[]`);
        return;
      }
      case "fixedArray":
      case "optional":
        walk(w.of, where);
        return;
      default:
        return;
    }
  };
  for (const m of model.modules) {
    if (modules !== undefined && !modules.includes(m.name)) continue;
    for (const t of m.types) {
      if (t.kind === "typedef") walk(t.wire, t.name);
      else if (t.kind === "struct") for (const f of t.fields) walk(f.wire, `${t.name}.${f.name}`);
      else {
        for (const a of t.arms) if (a.field !== null) walk(a.field.wire, `${t.name}.${a.field.name}`);
        if (t.default) walk(t.default.wire, `${t.name}.${t.default.name}`);
      }
    }
  }
  return out;
}
