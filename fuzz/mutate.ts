/**
 * Mutation operators, as plain data so fast-check can generate and shrink
 * them and the long-running fuzzer can draw them from a seeded PRNG.
 * Positions are taken modulo the input's size, so any numbers make a
 * valid mutation of any input.
 */
import type { Rng } from "../test/oracle/values.js";
import { EDGE_WORDS, type Marks } from "./record.js";

export type Mutation =
  /** Flips one bit. */
  | { op: "flip"; at: number; bit: number }
  /** Overwrites one byte. */
  | { op: "byte"; at: number; value: number }
  /** Inserts bytes before `at` (at = size appends). */
  | { op: "insert"; at: number; bytes: Uint8Array }
  /** Deletes up to `len` bytes from `at`. */
  | { op: "delete"; at: number; len: number }
  /** Overwrites the 32-bit word at an aligned index with `value`. */
  | { op: "word"; index: number; value: number }
  /** Overwrites a structural word (see record.ts) with one of its chosen values. */
  | { op: "mark"; index: number; choice: number }
  /** Sets a count or length mark to a size near its max, inserting or removing the bytes behind it. */
  | { op: "grow"; index: number; choice: number }
  /** Cuts the input to `at` bytes. */
  | { op: "truncate"; at: number }
  /** Copies `len` bytes from `from` and inserts them at `to`. */
  | { op: "dup"; from: number; len: number; to: number }
  /** The input up to `at`, then another corpus entry from `from` on. */
  | { op: "splice"; other: number; at: number; from: number };

export interface MutationContext {
  marks: Marks;
  /** Other corpus entries to splice with; empty: splicing is a no-op. */
  others: readonly { bytes: Uint8Array }[];
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function setWord(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
}

/** Applies one mutation; returns a new array (the input is never changed). */
export function mutate(input: Uint8Array, m: Mutation, ctx: MutationContext): Uint8Array {
  const n = input.length;
  switch (m.op) {
    case "flip": {
      if (n === 0) return input;
      const out = input.slice();
      const i = m.at % n;
      out[i] = out[i]! ^ (1 << (m.bit & 7));
      return out;
    }
    case "byte": {
      if (n === 0) return input;
      const out = input.slice();
      out[m.at % n] = m.value;
      return out;
    }
    case "insert": {
      const at = m.at % (n + 1);
      return concat(input.subarray(0, at), m.bytes, input.subarray(at));
    }
    case "delete": {
      if (n === 0) return input;
      const at = m.at % n;
      return concat(input.subarray(0, at), input.subarray(Math.min(n, at + m.len)));
    }
    case "word": {
      if (n < 4) return input;
      const out = input.slice();
      setWord(out, (m.index % Math.floor(n / 4)) * 4, m.value);
      return out;
    }
    case "mark": {
      const mark = ctx.marks.length === 0 ? undefined : ctx.marks.get(m.index % ctx.marks.length);
      // Marks come from the unmutated input: earlier mutations may have moved the end.
      if (mark === undefined || mark.at + 4 > n || mark.values.length === 0) return input;
      const out = input.slice();
      setWord(out, mark.at, mark.values[m.choice % mark.values.length]!);
      return out;
    }
    case "grow":
      return grow(input, ctx.marks, m);
    case "truncate":
      return input.subarray(0, m.at % (n + 1)).slice();
    case "dup": {
      if (n === 0) return input;
      const from = m.from % n;
      const piece = input.subarray(from, Math.min(n, from + m.len));
      const to = m.to % (n + 1);
      return concat(input.subarray(0, to), piece, input.subarray(to));
    }
    case "splice": {
      const other = ctx.others.length === 0 ? undefined : ctx.others[m.other % ctx.others.length];
      if (other === undefined) return input;
      const at = m.at % (n + 1);
      const from = m.from % (other.bytes.length + 1);
      return concat(input.subarray(0, at), other.bytes.subarray(from));
    }
  }
}

const pad4 = (n: number): number => (n + 3) & ~3;

function grow(input: Uint8Array, marks: Marks, m: { index: number; choice: number }): Uint8Array {
  const mark = marks.growable(m.index);
  if (mark?.grow === undefined) return input;
  const { to, unit, padded } = mark.grow;
  return resize(input, mark.at, to[m.choice % to.length]!, unit, padded);
}

/**
 * Sets the count or length word at `at` to `want` and makes the bytes
 * behind it match: `unit` zero bytes per added element (most types' minimal
 * element), or for a string/opaque its data zero-filled or cut and re-padded.
 */
export function resize(input: Uint8Array, at: number, want: number, unit: number, padded: boolean): Uint8Array {
  if (at + 4 > input.length) return input;
  const old = new DataView(input.buffer, input.byteOffset + at, 4).getUint32(0);
  const word = new Uint8Array(4);
  setWord(word, 0, want);
  const head = input.subarray(0, at);
  const body = input.subarray(at + 4);
  if (!padded) {
    // New minimal elements go first; the old ones follow.
    if (want <= old) return concat(head, word, body);
    return concat(head, word, new Uint8Array((want - old) * unit), body);
  }
  // A string or opaque: keep its bytes, zero-fill or cut to the new size, re-pad.
  if (old > body.length) return concat(head, word, body);
  const data = body.subarray(0, Math.min(old, want));
  const after = body.subarray(Math.min(body.length, pad4(old)));
  return concat(head, word, data, new Uint8Array(pad4(want) - data.length), after);
}

/**
 * Sets the count at `at` to `want` by repeating `element` (the bytes of
 * one element) in front of the existing ones; for arrays whose minimal
 * element is not all zeros (unions, enums without a 0).
 */
export function repeatElement(input: Uint8Array, at: number, want: number, element: Uint8Array): Uint8Array {
  const old = new DataView(input.buffer, input.byteOffset + at, 4).getUint32(0);
  const extra = Math.max(0, want - old);
  const out = new Uint8Array(input.length + extra * element.length);
  out.set(input.subarray(0, at));
  setWord(out, at, want);
  let p = at + 4;
  for (let i = 0; i < extra; i++, p += element.length) out.set(element, p);
  out.set(input.subarray(at + 4), p);
  return out;
}

export function mutateAll(input: Uint8Array, ms: readonly Mutation[], ctx: MutationContext): Uint8Array {
  let b = input;
  for (const m of ms) b = mutate(b, m, ctx);
  return b;
}

/** Short runs of bytes worth inserting: edge words, zeros, a random tail. */
function insertion(rng: Rng): Uint8Array {
  const r = rng.below(4);
  if (r === 0) {
    const out = new Uint8Array(4);
    setWord(out, 0, rng.pick(EDGE_WORDS));
    return out;
  }
  if (r === 1) return new Uint8Array(rng.pick([1, 2, 3, 4, 8]));
  return rng.bytes(rng.between(1, 8));
}

/**
 * One mutation drawn from the PRNG; structural words are the favourite
 * target when the input has any.
 */
export function randomMutation(rng: Rng, ctx: MutationContext): Mutation {
  const at = rng.u32();
  for (;;) {
    const r = rng.below(100);
    if (r < 28) {
      if (ctx.marks.length === 0) continue;
      return { op: "mark", index: rng.u32(), choice: rng.u32() };
    }
    if (r < 46) return { op: "word", index: at, value: rng.chance(0.8) ? rng.pick(EDGE_WORDS) : rng.below(64) };
    if (r < 56) return { op: "flip", at, bit: rng.below(8) };
    if (r < 60) return { op: "byte", at, value: rng.pick([0, 0xff, 0x80, 0x7f, 1, rng.below(256)]) };
    if (r < 70) return { op: "insert", at, bytes: insertion(rng) };
    if (r < 80) return { op: "delete", at, len: rng.chance(0.5) ? 4 : rng.between(1, 12) };
    if (r < 84) {
      if (rng.chance(0.6) && ctx.marks.length > 0) return { op: "grow", index: rng.u32(), choice: rng.u32() };
      return { op: "truncate", at };
    }
    if (r < 90) return { op: "dup", from: rng.u32(), len: rng.between(1, 32), to: rng.u32() };
    if (ctx.others.length === 0) continue;
    return { op: "splice", other: rng.u32(), at, from: rng.u32() };
  }
}

/** 1 to `most` mutations, fewer more often: most findings need one or two. */
export function randomMutations(rng: Rng, ctx: MutationContext, most = 4): Mutation[] {
  let k = 1;
  while (k < most && rng.chance(0.4)) k++;
  const out: Mutation[] = [];
  for (let i = 0; i < k; i++) out.push(randomMutation(rng, ctx));
  return out;
}
