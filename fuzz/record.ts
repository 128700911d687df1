/**
 * Finds the structural words of an encoding (counts, lengths, optional
 * flags, discriminants, ranged numbers) by decoding it with a reader that
 * notes where each was read. Mutations aimed at these words reach much
 * deeper than blind byte flips: a count one past its max, a length the
 * remaining bytes cannot hold, a flag of 2.
 */
import { XdrReader, type Codec } from "../src/xdr/index.js";

/** A word worth overwriting, and the values worth writing there. */
export interface Mark {
  readonly at: number;
  readonly values: readonly number[];
  /**
   * For counts and lengths: the sizes worth growing to (near the declared
   * max) with the data to back them, and the smallest size of one unit.
   * A count near its max fails the remaining-bytes check unless the bytes
   * are really there; growing supplies them (zeros: a minimal element of
   * most types).
   */
  readonly grow?: { readonly to: readonly number[]; readonly unit: number; readonly padded: boolean };
}

/** The hostile 32-bit words every word mutation draws from. */
export const EDGE_WORDS: readonly number[] = [0, 1, 2, 0x7fffffff, 0x7fffffd0, 0x80000000, 0xffffffff];

/** Growth beyond this many bytes is not tried: it would slow every execution. */
export const GROW_LIMIT = 64 * 1024;

/** What kind of word was read; shared between marks (a corpus holds millions of marks). */
export type WordKind =
  | { kind: "word" }
  | { kind: "count"; max: number; minSize: number }
  | { kind: "length"; max: number }
  | { kind: "flag" }
  | { kind: "ranged"; min: number; max: number }
  /** Values chosen by the caller, e.g. for frame header words. */
  | { kind: "fixed"; values: readonly number[] };

const kinds: WordKind[] = [];
const kindIds = new Map<string, number>();

function kindId(k: WordKind): number {
  let key: string;
  switch (k.kind) {
    case "word":
    case "flag":
      key = k.kind;
      break;
    case "count":
      key = `c${k.max}:${k.minSize}`;
      break;
    case "length":
      key = `l${k.max}`;
      break;
    case "ranged":
      key = `r${k.min}:${k.max}`;
      break;
    case "fixed":
      key = `f${k.values.join(",")}`;
      break;
  }
  let id = kindIds.get(key);
  if (id === undefined) {
    id = kinds.length;
    kinds.push(k);
    kindIds.set(key, id);
  }
  return id;
}

const u32 = (v: number): number => v >>> 0;

function valuesFor(k: WordKind, at: number, total: number): number[] {
  // What follows the word: the bytes a count or length has to fit in.
  const rest = Math.max(0, total - at - 4);
  let vs: readonly number[];
  switch (k.kind) {
    case "word":
      vs = [...EDGE_WORDS, 3, 0x100, 0x10000];
      break;
    case "flag":
      vs = [0, 1, 2, 0xffffffff];
      break;
    case "ranged":
      vs = [k.min, k.max, k.min - 1, k.max + 1, 0x7fffffff, 0x80000000];
      break;
    case "count": {
      const fits = Math.floor(rest / k.minSize);
      vs = [k.max, k.max + 1, k.max - 1, fits, fits + 1, 0, 1, 0x7fffffff, 0xffffffff];
      break;
    }
    case "length":
      vs = [k.max, k.max + 1, k.max - 1, rest, rest + 1, rest - 1, rest + 4, 0, 0x7fffffff, 0xffffffff];
      break;
    case "fixed":
      return k.values as number[];
  }
  return [...new Set(vs.map(u32))];
}

function growFor(k: WordKind): Mark["grow"] {
  if (k.kind !== "count" && k.kind !== "length") return undefined;
  const unit = k.kind === "count" ? k.minSize : 1;
  const to = [...new Set([k.max, k.max - 1, k.max + 1, 1 + (k.max >>> 1)])].filter((n) => n > 0 && n * unit <= GROW_LIMIT);
  return to.length === 0 ? undefined : { to, unit, padded: k.kind === "length" };
}

/**
 * The marks of one input, packed (position, kind id) so that a large
 * corpus stays small; a Mark object is made only for the one picked.
 */
export class Marks {
  static readonly none = new Marks(new Int32Array(0), 0);

  private constructor(
    private readonly packed: Int32Array,
    /** End of the region the positions are in: "rest" is measured to it. */
    private readonly total: number,
  ) {}

  static build(entries: Iterable<readonly [at: number, kind: WordKind]>, total: number): Marks {
    const flat: number[] = [];
    for (const [at, k] of entries) flat.push(at, kindId(k));
    return new Marks(Int32Array.from(flat), total);
  }

  get length(): number {
    return this.packed.length >> 1;
  }

  get(i: number): Mark {
    const at = this.packed[i * 2]!;
    const k = kinds[this.packed[i * 2 + 1]!]!;
    const grow = growFor(k);
    const values = valuesFor(k, at, this.total);
    return grow === undefined ? { at, values } : { at, values, grow };
  }

  /** Every array count: where, its declared max, the smallest element size. */
  counts(): { at: number; max: number; unit: number }[] {
    const out: { at: number; max: number; unit: number }[] = [];
    for (let j = 0; j < this.length; j++) {
      const k = kinds[this.packed[j * 2 + 1]!]!;
      if (k.kind === "count") out.push({ at: this.packed[j * 2]!, max: k.max, unit: k.minSize });
    }
    return out;
  }

  /** The i-th (modulo) mark that can grow, if any. */
  growable(i: number): Mark | undefined {
    const ids: number[] = [];
    for (let j = 0; j < this.length; j++) {
      const k = kinds[this.packed[j * 2 + 1]!]!;
      if (growFor(k) !== undefined) ids.push(j);
    }
    return ids.length === 0 ? undefined : this.get(ids[i % ids.length]!);
  }
}

class RecordingReader extends XdrReader {
  readonly found = new Map<number, WordKind>();

  // int/uint are also called by the methods below: those note first and win.
  override int(): number {
    if (!this.found.has(this.pos)) this.found.set(this.pos, WORD);
    return super.int();
  }

  override uint(): number {
    if (!this.found.has(this.pos)) this.found.set(this.pos, WORD);
    return super.uint();
  }

  override present(): boolean {
    this.found.set(this.pos, FLAG);
    return super.present();
  }

  override count(max: number, minSize: number): number {
    this.found.set(this.pos, { kind: "count", max, minSize });
    return super.count(max, minSize);
  }

  override string(max: number): string {
    this.found.set(this.pos, { kind: "length", max });
    return super.string(max);
  }

  override opaque(max: number): Uint8Array {
    this.found.set(this.pos, { kind: "length", max });
    return super.opaque(max);
  }

  override ranged(min: number, max: number): number {
    this.found.set(this.pos, { kind: "ranged", min, max });
    return super.ranged(min, max);
  }

  override unsignedRanged(max: number): number {
    this.found.set(this.pos, { kind: "ranged", min: 0, max });
    return super.unsignedRanged(max);
  }
}

const WORD: WordKind = { kind: "word" };
const FLAG: WordKind = { kind: "flag" };

/**
 * Decodes `bytes[start, end)` with the codec and returns the words it
 * read, positions absolute. Decoding may fail part-way: the words read
 * until then are still found.
 */
export function wordsOf(codec: Codec<unknown>, bytes: Uint8Array, start = 0, end = bytes.length): [number, WordKind][] {
  const r = new RecordingReader(bytes, start, end);
  try {
    codec.decode(r);
  } catch {
    // Partial marks are as good a target as whole ones.
  }
  return [...r.found];
}

/** The marks of a whole value's encoding. */
export function marksOf(codec: Codec<unknown>, bytes: Uint8Array): Marks {
  return Marks.build(wordsOf(codec, bytes), bytes.length);
}
