/**
 * The fuzzing machinery must find bugs, not just run: planted ones in
 * hand-made codecs are found by the same mutations and oracles the real
 * decoders face.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runValue } from "../../fuzz/check.js";
import { mutateAll, randomMutations, type Mutation } from "../../fuzz/mutate.js";
import { marksOf, type Marks } from "../../fuzz/record.js";
import { XdrError, codec, encode, type Codec } from "../../src/xdr/index.js";
import { seededRng } from "../oracle/values.js";
import { mutationsArb } from "./arbitraries.js";

/** int list<16>, whose decoder breaks (as an off-by-one table would) at exactly the max. */
const offByOne: Codec<number[]> = codec(
  "planted_off_by_one",
  (w, v) => {
    w.count(v.length, 16);
    for (const x of v) w.int(x);
  },
  (r) => {
    const n = r.count(16, 4);
    if (n === 16) throw new RangeError("planted: table of 15");
    return Array.from({ length: n }, () => r.int());
  },
);

/** opaque<8> whose decoder skips its padding instead of checking it. */
const lax: Codec<Uint8Array> = codec(
  "planted_lax_padding",
  (w, v) => w.opaque(v, 8),
  (r) => {
    const n = r.uint();
    if (n > 8) throw new XdrError("XDR_TOO_LONG", "too long");
    const padded = (n + 3) & ~3;
    if (r.remaining < padded) throw new XdrError("XDR_SHORT", "short");
    const out = r.bytes.slice(r.pos, r.pos + n);
    r.pos += padded;
    return out;
  },
);

/** A property that fails on any finding, with the finding as its error. */
function noFinding(c: Codec<unknown>, s: { bytes: Uint8Array; marks: Marks }): fc.IPropertyWithHooks<[Mutation[]]> {
  return fc.property(mutationsArb, (ms) => {
    const o = runValue(c, mutateAll(s.bytes, ms, { marks: s.marks, others: [] }));
    if (o.kind === "finding") throw new Error(o.problem);
  });
}

function seedOf<T>(c: Codec<T>, v: T): { bytes: Uint8Array; marks: Marks } {
  const bytes = encode(c, v);
  return { bytes, marks: marksOf(c as Codec<unknown>, bytes) };
}

describe("the fuzzing machinery finds planted bugs", () => {
  it("a decoder that throws a RangeError at a count equal to its max", () => {
    const s = seedOf(offByOne, [1, 2, 3]);
    const details = fc.check(noFinding(offByOne as Codec<unknown>, s), { seed: 7, numRuns: 500 });
    expect(details.failed).toBe(true);
    expect(String(details.errorInstance)).toContain("non-XdrError escaped decode: RangeError: planted");

    // The long-running fuzzer's random mutations find it too.
    const rng = seededRng(7);
    let found = -1;
    for (let i = 0; i < 5000 && found < 0; i++) {
      const ctx = { marks: s.marks, others: [] };
      if (runValue(offByOne as Codec<unknown>, mutateAll(s.bytes, randomMutations(rng, ctx), ctx)).kind === "finding") found = i;
    }
    expect(found).toBeGreaterThanOrEqual(0);
  });

  it("a decoder that accepts non-zero padding (a non-canonical encoding)", () => {
    const s = seedOf(lax, Uint8Array.of(1, 2, 3));
    const details = fc.check(noFinding(lax as Codec<unknown>, s), { seed: 8, numRuns: 500 });
    expect(details.failed).toBe(true);
    expect(String(details.errorInstance)).toContain("accepted a non-canonical encoding");
  });
});
